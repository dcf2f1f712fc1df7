import { createRoute, z } from '@hono/zod-openapi';
import { toBase64 } from '@interdict/core';
import { bodyLimit } from 'hono/body-limit';
import { requireActor } from '../auth/middleware';
import type { App, ModuleDeps } from '../env';
import { problemResponses } from '../schemas';
import { serveConsole } from '../static';

// The ledger over HTTP: the C2SP tlog-tiles read API under /ledger/<origin>/ (public, static,
// cacheable), the tlog-witness add-checkpoint endpoint, and the JSON API the console uses. Every
// route is one call into the ledger service (packages/services/src/ledger/service.ts).

const IndexParam = z.object({
  index: z.coerce
    .number()
    .int()
    .min(0)
    .openapi({ param: { name: 'index', in: 'path', required: true }, example: 0 }),
});

const SubjectParams = z.object({
  type: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/)
    .openapi({
      param: { name: 'type', in: 'path', required: true },
      example: 'screening.decision',
    }),
  id: z
    .string()
    .min(1)
    .max(200)
    .openapi({ param: { name: 'id', in: 'path', required: true } }),
});

export const LedgerEntrySchema = z
  .object({
    index: z.number().int().nullable().openapi({
      description: 'The leaf index; null only while the entry waits to be sequenced',
    }),
    version: z.union([z.literal(1), z.literal(2)]).openapi({
      description:
        '1: the leaf names type, organisation, time and body hash in clear (older logs); 2: the leaf is a hiding commitment that `opening` opens',
    }),
    organisationId: z.string(),
    recordType: z.string(),
    bodySha256: z
      .string()
      .nullable()
      .openapi({ description: 'Only for readers of the body (it would confirm a guess)' }),
    body: z
      .unknown()
      .nullable()
      .openapi({ description: 'Only for members of the submitting organisation' }),
    opening: z.string().nullable().openapi({
      description:
        'The signed opening of a v2 leaf (canonical JSON): type, organisation, time, body hash, salt, key ID and signature; for the same readers as the body',
    }),
    envelope: z.string().openapi({ description: 'The leaf: canonical JSON, public in the tiles' }),
    leafHash: z.string().openapi({ description: 'Base64 RFC 6962 leaf hash' }),
    subject: z
      .object({ type: z.string(), id: z.string() })
      .nullable()
      .openapi({ description: 'The record this entry is about' }),
    createdAt: z.string(),
    erasedAt: z.string().nullable(),
    proof: z.string().nullable().openapi({
      description: 'C2SP tlog-proof against the latest checkpoint (null until one includes it)',
    }),
  })
  .openapi('LedgerEntry');

const AppendBody = z
  .object({
    type: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/)
      .openapi({ example: 'seizure-report' }),
    body: z.unknown().openapi({ description: 'Any JSON value; stored canonicalised (RFC 8785)' }),
    wait: z
      .boolean()
      .optional()
      .openapi({ description: 'Answer only once a checkpoint includes the entry' }),
  })
  .openapi('LedgerAppend');

const LedgerInfoSchema = z
  .object({
    origin: z.string(),
    vkey: z.string(),
    witnessVkey: z.string(),
    tilesPrefix: z.string(),
    sequencing: z.boolean().openapi({
      description:
        'Whether this replica sequences the log (else it serves it read-only and its decisions are sequenced by the replica that does)',
    }),
    size: z.number().int(),
    checkpoint: z.string().nullable(),
    organisationKeys: z.array(
      z.object({ organisationId: z.string(), keyId: z.string(), vkey: z.string() }),
    ),
  })
  .openapi('LedgerInfo');

const json = (schema: z.ZodType, description: string) => ({
  200: { description, content: { 'application/json': { schema } } },
  ...problemResponses,
});

export function register(app: App, deps: ModuleDeps): void {
  const ledger = deps.services.ledger;
  const consoleHandler = serveConsole(deps.config.consoleDir);

  // C2SP tlog-witness add-checkpoint (no authentication beyond the checkpoint signature).
  app.post('/ledger/witness/add-checkpoint', bodyLimit({ maxSize: 64 * 1024 }), async (c) => {
    const res = await ledger.addCheckpoint(new Uint8Array(await c.req.arrayBuffer()));
    return c.body(res.body, res.status, { 'Content-Type': res.contentType });
  });

  // C2SP tlog-tiles read API: <prefix>/checkpoint and <prefix>/tile/...
  app.get('/ledger/*', async (c) => {
    const prefix = `/ledger/${ledger.origin}/`;
    if (!c.req.path.startsWith(prefix)) {
      // `/ledger` is also the console's Ledger page: a reload there gets the console, like every
      // other client-side route (the SPA fallback leaves /ledger to this module).
      return (await consoleHandler(c)) ?? c.text('no such log\n', 404);
    }
    const rest = c.req.path.slice(prefix.length);
    if (rest === 'checkpoint') {
      const note = await ledger.checkpointNote();
      if (!note) return c.text('no checkpoint yet\n', 404);
      // Mutable: cache for a moment only (tlog-tiles §Checkpoints).
      return c.body(note, 200, {
        'Content-Type': 'text/plain; charset=utf-8',
        'Cache-Control': 'public, max-age=1, must-revalidate',
      });
    }
    const bytes = await ledger.tile(rest);
    if (!bytes) return c.text('no such tile\n', 404);
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      'Content-Type': 'application/octet-stream',
      'Cache-Control': 'public, max-age=31536000, immutable',
    });
  });

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/ledger',
      tags: ['ledger'],
      summary:
        'The log: origin, verifier keys, latest checkpoint (with cosignatures), organisation keys',
      responses: json(LedgerInfoSchema, 'Log information'),
    }),
    async (c) => c.json(await ledger.info(requireActor(c)), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/ledger/entries',
      tags: ['ledger'],
      summary:
        'Append a record: its body is kept under access control, its hiding commitment is logged',
      request: {
        body: { content: { 'application/json': { schema: AppendBody } }, required: true },
      },
      responses: {
        201: {
          description: 'Durably appended',
          content: { 'application/json': { schema: LedgerEntrySchema } },
        },
        ...problemResponses,
      },
    }),
    async (c) => c.json(await ledger.append(requireActor(c), c.req.valid('json')), 201),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/ledger/entries',
      tags: ['ledger'],
      summary: "Recent entries the caller's organisation submitted (all metadata for home admins)",
      request: {
        query: z.object({
          limit: z.coerce.number().int().min(1).max(500).default(50),
          cursor: z.coerce.number().int().min(0).optional(),
          type: z
            .string()
            .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/)
            .optional()
            .openapi({ description: 'Only entries of this record type' }),
        }),
      },
      responses: json(
        z.object({
          items: z.array(LedgerEntrySchema),
          nextCursor: z.number().int().optional(),
        }),
        'Entries, newest first',
      ),
    }),
    async (c) => {
      const q = c.req.valid('query');
      return c.json(
        await ledger.list(requireActor(c), {
          limit: q.limit,
          ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
          ...(q.type !== undefined ? { recordType: q.type } : {}),
        }),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/ledger/entries/{index}',
      tags: ['ledger'],
      summary: 'One entry with its C2SP tlog-proof bundle against the latest checkpoint',
      request: { params: IndexParam },
      responses: json(LedgerEntrySchema, 'The entry'),
    }),
    async (c) => c.json(await ledger.get(requireActor(c), c.req.valid('param').index), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/ledger/subjects/{type}/{id}',
      tags: ['ledger'],
      summary:
        "The ledger entries about one record (a decision, a rule, a model, a day's selection…), oldest first, each with its proof",
      request: { params: SubjectParams },
      responses: json(z.object({ items: z.array(LedgerEntrySchema) }), 'The entries'),
    }),
    async (c) => {
      const { type, id } = c.req.valid('param');
      return c.json({ items: await ledger.entriesFor(requireActor(c), type, id) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/ledger/proofs/consistency',
      tags: ['ledger'],
      summary: 'RFC 9162 consistency proof between two tree sizes (base64 hashes)',
      request: {
        query: z.object({
          old: z.coerce.number().int().min(1),
          new: z.coerce.number().int().min(1),
        }),
      },
      responses: json(
        z.object({ old: z.number(), new: z.number(), proof: z.array(z.string()) }),
        'The proof',
      ),
    }),
    async (c) => {
      requireActor(c);
      const q = c.req.valid('query');
      const proof = await ledger.consistencyProof(q.old, q.new);
      return c.json({ old: q.old, new: q.new, proof: proof.map(toBase64) }, 200);
    },
  );
}
