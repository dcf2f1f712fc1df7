import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createRoute, z } from '@hono/zod-openapi';
import { canonicalJsonBytes, fromBase64, sha256Hex, toBase64 } from '@interdict/core';
import {
  addCheckpoint,
  collectCosignatures,
  cosigner,
  ed25519Signer,
  formatProofBundle,
  hashLeaf,
  keyIdHex,
  LedgerError,
  LogReader,
  parsePolicy,
  parseTilePath,
  randomSeed,
  sealEnvelope,
  Sequencer,
  verifierFromVkey,
  verifyCheckpointWithPolicy,
  type Cosigner,
  type PublishedCheckpoint,
  type TreeHashes,
  type Verifier,
  type WitnessEndpoint,
} from '@interdict/ledger';
import { nodeEd25519 } from '@interdict/ledger/node';
import {
  acquireSequencerLock,
  LEDGER_READER_ROLES,
  LEDGER_WRITER_ROLES,
  LedgerRepository,
  ledgerLogStorage,
  StoreError,
  type LedgerEntry,
  type Store,
} from '@interdict/store';
import { bodyLimit } from 'hono/body-limit';
import { requireActor, requireRole } from '../auth/middleware';
import type { App, ModuleDeps } from '../env';
import { registerProblemStatus } from '../problem';
import { serveConsole } from '../static';
import { problemResponses } from '../schemas';
import { registerSummaryProvider } from '../summary';

// The ledger over HTTP: the C2SP tlog-tiles read API under /ledger/<origin>/ (public, static,
// cacheable), the tlog-witness add-checkpoint endpoint, and the JSON API the console uses.

/** Ledger settings; `register` reads them from the environment (see `ledgerOptionsFromEnv`). */
export interface LedgerOptions {
  /** Checkpoint origin and log key name, a schema-less URL (`INTERDICT_LEDGER_ORIGIN`). */
  origin: string;
  /** Base64 32-byte Ed25519 seed (`INTERDICT_LEDGER_KEY`); else a 0600 file in the data folder. */
  key?: string;
  /** A C2SP tlog-policy (text) whose quorum must cosign before a checkpoint is published. */
  policy?: string;
  /** During a key rotation: the other log key (base64 seed), which also signs every checkpoint. */
  previousKey?: string;
  /** Folder for the key file when no key is given (default: the store's data folder). */
  keyDir?: string;
  /** Logs this instance witnesses: vkeys of their keys (`INTERDICT_LEDGER_WITNESS_LOGS`). */
  witnessLogs: string[];
  /** Witnesses this log asks for cosignatures (`INTERDICT_LEDGER_WITNESSES`, `vkey@url` pairs). */
  witnesses: WitnessEndpoint[];
  checkpointIntervalMs: number;
  /** PostgreSQL replicas: how often one without the sequencer lock tries again (ms). */
  sequencerRetryMs?: number;
}

export function ledgerOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): LedgerOptions {
  // INTERDICT_LEDGER_POLICY names a tlog-policy file (read once, at start).
  const policyFile = env.INTERDICT_LEDGER_POLICY;
  const list = (v: string | undefined) => (v ?? '').split(/[\s,]+/).filter((x) => x.length > 0);
  return {
    origin: env.INTERDICT_LEDGER_ORIGIN ?? 'interdict.local/ledger',
    ...(env.INTERDICT_LEDGER_KEY ? { key: env.INTERDICT_LEDGER_KEY } : {}),
    ...(env.INTERDICT_LEDGER_PREVIOUS_KEY
      ? { previousKey: env.INTERDICT_LEDGER_PREVIOUS_KEY }
      : {}),
    ...(policyFile ? { policy: readFileSync(policyFile, 'utf8') } : {}),
    witnessLogs: list(env.INTERDICT_LEDGER_WITNESS_LOGS),
    witnesses: list(env.INTERDICT_LEDGER_WITNESSES).map((pair) => {
      const at = pair.lastIndexOf('@');
      const url = pair.slice(at + 1).replace(/\/+$/, '');
      return {
        verifier: verifierFromVkey(pair.slice(0, at), nodeEd25519),
        submit: async (body: string) => {
          const res = await fetch(`${url}/add-checkpoint`, {
            signal: AbortSignal.timeout(10_000),
            method: 'POST',
            body,
            headers: { 'content-type': 'text/plain' },
          });
          return { status: res.status, body: await res.text() };
        },
      };
    }),
    checkpointIntervalMs: Number(env.INTERDICT_LEDGER_CHECKPOINT_MS ?? 1000),
  };
}

const overrides = new WeakMap<Store, Partial<LedgerOptions>>();
/** Tests and embedders: settings for the app built over `store` (set before createApp). */
export function setLedgerOptions(store: Store, options: Partial<LedgerOptions>): void {
  overrides.set(store, options);
}

/** What a replica serves proofs from: the latest published checkpoint and the tree behind it. */
export interface LedgerView {
  readonly checkpoint: PublishedCheckpoint | undefined;
  readonly hashes: TreeHashes;
}

export interface LedgerService {
  readonly origin: string;
  readonly vkey: string;
  readonly witnessVkey: string;
  /** The sequencer while this replica holds the log's sequencer lock, else undefined. */
  readonly sequencer: Sequencer | undefined;
  readonly cosigner: Cosigner;
  readonly witnessLogs: ReadonlyMap<string, Verifier[]>;
  /** The published state: the sequencer's, or re-read from storage on a read-only replica. */
  view(): Promise<LedgerView>;
  /** The sequencer, or a 503 `LEDGER_NOT_SEQUENCER` when another replica sequences the log. */
  writer(): Sequencer;
  /**
   * Reports an append `sequencer` refused: after a failed storage write it is unusable, so the
   * lock is given up and taken again, reopening (recovering) the log from storage.
   */
  failed(sequencer: Sequencer): void;
  /** Final checkpoint, releases the sequencer lock (also runs when the store closes). */
  close(): Promise<void>;
  /** The signer for an organisation's envelopes (derived from the instance key, see below). */
  organisationSigner(organisationId: string): ReturnType<typeof ed25519Signer>;
}

/**
 * The log key: from the option/env, else a file `ledger.key` (mode 0600) created on first start
 * in the data folder, else (an in-memory store) a fresh key for this process. Never in the database.
 */
async function loadLogSeed(store: Store, o: LedgerOptions): Promise<Uint8Array> {
  if (o.key) {
    const seed = fromBase64(o.key.trim());
    if (seed.length !== 32)
      throw new LedgerError('VKEY_MALFORMED', 'INTERDICT_LEDGER_KEY must be 32 bytes of base64');
    return seed;
  }
  const dir =
    o.keyDir ??
    store.dataDir ??
    (store.engine === 'postgres' ? (process.env.INTERDICT_DATA ?? '.interdict') : undefined);
  if (dir === undefined) return randomSeed();
  const file = path.join(dir, 'ledger.key');
  try {
    return fromBase64((await readFile(file, 'utf8')).trim());
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  await mkdir(dir, { recursive: true });
  const seed = randomSeed();
  // 'wx' fails if another process created it meanwhile; then use theirs.
  try {
    await writeFile(file, `${toBase64(seed)}\n`, { mode: 0o600, flag: 'wx' });
    await chmod(file, 0o600);
    return seed;
  } catch {
    return fromBase64((await readFile(file, 'utf8')).trim());
  }
}

/** Per-purpose keys derived from the log seed (HMAC-SHA256, domain-separated). */
function derive(seed: Uint8Array, purpose: string): Uint8Array {
  return new Uint8Array(
    createHmac('sha256', seed).update(`interdict ledger ${purpose}\n`).digest(),
  );
}

/** The log and witness vkeys an instance with this origin and key will use (for configuring peers). */
export async function ledgerVkeys(
  origin: string,
  key: string,
): Promise<{ vkey: string; witnessVkey: string }> {
  const seed = fromBase64(key);
  const log = await ed25519Signer(origin, seed, nodeEd25519);
  const w = await cosigner(`${origin}/witness`, derive(seed, 'witness key'), nodeEd25519);
  return { vkey: log.vkey, witnessVkey: w.vkey };
}

interface Identity {
  readonly options: LedgerOptions;
  readonly seed: Uint8Array;
  readonly cosigner: Cosigner;
  readonly witnessLogs: ReadonlyMap<string, Verifier[]>;
}

const identities = new WeakMap<Store, Promise<Identity>>();
const services = new WeakMap<Store, Promise<LedgerService>>();

function memo<T>(
  map: WeakMap<Store, Promise<T>>,
  store: Store,
  make: () => Promise<T>,
): Promise<T> {
  let p = map.get(store);
  if (!p) {
    p = make();
    p.catch(() => map.delete(store));
    map.set(store, p);
  }
  return p;
}

/**
 * Keys and witness settings, without the sequencer: the witness endpoint needs only these, so two
 * instances that witness each other never wait on each other's log while starting.
 */
function identity(store: Store): Promise<Identity> {
  return memo(identities, store, async () => {
    const options = { ...ledgerOptionsFromEnv(), ...overrides.get(store) };
    const seed = await loadLogSeed(store, options);
    const witnessLogs = new Map<string, Verifier[]>();
    for (const vkey of options.witnessLogs) {
      const v = verifierFromVkey(vkey, nodeEd25519);
      witnessLogs.set(v.name, [...(witnessLogs.get(v.name) ?? []), v]);
    }
    const cosign = await cosigner(
      `${options.origin}/witness`,
      derive(seed, 'witness key'),
      nodeEd25519,
    );
    return { options, seed, cosigner: cosign, witnessLogs };
  });
}

export function ledgerService(store: Store): Promise<LedgerService> {
  return memo(services, store, async () => startService(store, await identity(store)));
}

async function startService(store: Store, id: Identity): Promise<LedgerService> {
  const { seed, options: o, cosigner: cosign, witnessLogs } = id;
  const signer = await ed25519Signer(o.origin, seed, nodeEd25519);
  const known = new Map<string, number>();
  const policy = o.policy === undefined ? undefined : parsePolicy(o.policy, nodeEd25519);
  const previousSigner = o.previousKey
    ? await ed25519Signer(o.origin, fromBase64(o.previousKey.trim()), nodeEd25519)
    : undefined;
  const openSequencer = (writer: Parameters<typeof ledgerLogStorage>[2]) =>
    Sequencer.open({
      origin: o.origin,
      signer,
      ...(previousSigner ? { additionalSigners: [previousSigner] } : {}),
      storage: ledgerLogStorage(store, o.origin, writer),
      checkpointIntervalMs: o.checkpointIntervalMs,
      ...(o.witnesses.length > 0
        ? {
            cosign: async (note, checkpoint, _previous, hashes) => {
              const r = await collectCosignatures(
                note,
                checkpoint,
                o.witnesses,
                (a, b) => hashes.consistencyProof(a, b),
                known,
              );
              // With a tlog-policy, publish only checkpoints its quorum has cosigned (the previous
              // checkpoint stays published and the next interval tries again).
              if (policy) await verifyCheckpointWithPolicy(r.note, policy);
              return r.note;
            },
          }
        : {}),
    });
  // One sequencer per log across replicas (a PostgreSQL advisory lock; see store/ledger/lock.ts).
  // A replica without it serves the published log read-only and keeps trying to take over.
  let sequencer: Sequencer | undefined;
  let reader: LogReader | undefined;
  const storage = ledgerLogStorage(store, o.origin);
  const lock = await acquireSequencerLock(store, o.origin, {
    ...(o.sequencerRetryMs !== undefined ? { retryMs: o.sequencerRetryMs } : {}),
    async onAcquired(writer) {
      // Opening recovers whatever the previous holder made durable and publishes it.
      sequencer = await openSequencer(writer);
      reader = undefined;
    },
    onLost() {
      sequencer?.abort();
      sequencer = undefined;
    },
  });
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= lock.release(async () => {
      const s = sequencer;
      sequencer = undefined;
      await s?.close();
    }));
  // The lock's connection must go back before the store's pool can end.
  const closeStore = store.close.bind(store);
  Object.assign(store, {
    close: async () => {
      await close().catch(() => undefined);
      await closeStore();
    },
  });
  const repo = new LedgerRepository(store);
  const orgSigners = new Map<string, ReturnType<typeof ed25519Signer>>();
  return {
    origin: o.origin,
    vkey: signer.vkey,
    witnessVkey: cosign.vkey,
    get sequencer() {
      return sequencer;
    },
    cosigner: cosign,
    witnessLogs,
    async view() {
      if (sequencer) return { checkpoint: sequencer.checkpoint, hashes: sequencer.hashes };
      reader ??= await LogReader.open(storage, o.origin);
      await reader.refresh();
      return { checkpoint: reader.checkpoint, hashes: reader.hashes };
    },
    writer() {
      if (sequencer) return sequencer;
      throw new LedgerError(
        'LEDGER_NOT_SEQUENCER',
        'another replica sequences this log; send appends there (this one serves it read-only)',
      );
    },
    failed(broken) {
      if (broken !== sequencer || broken.healthy || closing) return;
      lock.relinquish(() => {
        if (sequencer === broken) sequencer = undefined;
        broken.abort();
        return Promise.resolve();
      });
    },
    close,
    organisationSigner(organisationId) {
      let p = orgSigners.get(organisationId);
      if (!p) {
        // Custodial organisation keys, derived so that no private key is ever stored; the
        // public key is registered so anyone can verify the envelopes.
        p = ed25519Signer(
          organisationId,
          derive(seed, `organisation key ${organisationId}`),
          nodeEd25519,
        ).then(async (k) => {
          await repo.registerOrganisationKey(organisationId, keyIdHex(k.keyId), k.vkey);
          return k;
        });
        orgSigners.set(organisationId, p);
      }
      return p;
    },
  };
}

// ---------------------------------------------------------------------------------------------

const IndexParam = z.object({
  index: z.coerce
    .number()
    .int()
    .min(0)
    .openapi({ param: { name: 'index', in: 'path', required: true }, example: 0 }),
});

const EntrySchema = z
  .object({
    index: z.number().int(),
    organisationId: z.string(),
    recordType: z.string(),
    bodySha256: z.string(),
    body: z
      .unknown()
      .nullable()
      .openapi({ description: 'Only for members of the submitting organisation' }),
    envelope: z.string().openapi({ description: 'The leaf: canonical JSON envelope' }),
    leafHash: z.string().openapi({ description: 'Base64 RFC 6962 leaf hash' }),
    createdAt: z.string(),
    erasedAt: z.string().nullable(),
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

function entryJson(e: LedgerEntry) {
  let body: unknown = null;
  if (e.body) {
    try {
      body = JSON.parse(new TextDecoder().decode(e.body));
    } catch {
      body = null;
    }
  }
  return {
    index: e.index,
    organisationId: e.organisationId,
    recordType: e.recordType,
    bodySha256: e.bodySha256,
    body,
    envelope: new TextDecoder().decode(e.envelope),
    leafHash: toBase64(hashLeaf(e.envelope)),
    createdAt: e.createdAt.toISOString(),
    erasedAt: e.erasedAt ? e.erasedAt.toISOString() : null,
  };
}

async function proofBundle(svc: LedgerService, index: number): Promise<string | null> {
  const { checkpoint: cp, hashes } = await svc.view();
  if (!cp || cp.checkpoint.size <= index) return null;
  return formatProofBundle({
    index,
    proof: hashes.inclusionProof(index, cp.checkpoint.size),
    checkpoint: cp.note,
  });
}

const json = (schema: z.ZodType, description: string) => ({
  200: { description, content: { 'application/json': { schema } } },
  ...problemResponses,
});

export function register(app: App, deps: ModuleDeps): void {
  const { store } = deps;
  const repo = new LedgerRepository(store);
  const consoleHandler = serveConsole(deps.config.consoleDir);
  for (const [code, status] of [
    ['INDEX_OUT_OF_RANGE', 404],
    ['TILE_PATH_INVALID', 404],
    ['SEQUENCER_CLOSED', 503],
    ['LEDGER_NOT_SEQUENCER', 503],
    ['STORAGE_INCONSISTENT', 500],
  ] as const) {
    registerProblemStatus(code, status);
  }

  registerSummaryProvider({
    capability: 'ledger',
    async summarise(s) {
      const svc = await ledgerService(s);
      const cp = (await svc.view()).checkpoint;
      return [
        {
          capability: 'ledger',
          label: 'Ledger entries (published)',
          count: cp?.checkpoint.size ?? 0,
          updatedAt: null,
        },
      ];
    },
  });

  // C2SP tlog-witness add-checkpoint (no authentication beyond the checkpoint signature).
  app.post('/ledger/witness/add-checkpoint', bodyLimit({ maxSize: 64 * 1024 }), async (c) => {
    const id = await identity(store);
    const res = await addCheckpoint(
      { cosigner: id.cosigner, logs: id.witnessLogs, state: repo.witnessState() },
      new Uint8Array(await c.req.arrayBuffer()),
    );
    return c.body(res.body, res.status, { 'Content-Type': res.contentType });
  });

  // C2SP tlog-tiles read API: <prefix>/checkpoint and <prefix>/tile/...
  app.get('/ledger/*', async (c) => {
    const svc = await ledgerService(store);
    const prefix = `/ledger/${svc.origin}/`;
    if (!c.req.path.startsWith(prefix)) {
      // `/ledger` is also the console's Ledger page: a reload there gets the console, like every
      // other client-side route (the SPA fallback leaves /ledger to this module).
      return (await consoleHandler(c)) ?? c.text('no such log\n', 404);
    }
    const rest = c.req.path.slice(prefix.length);
    if (rest === 'checkpoint') {
      const note = (await svc.view()).checkpoint?.note;
      if (!note) return c.text('no checkpoint yet\n', 404);
      // Mutable: cache for a moment only (tlog-tiles §Checkpoints).
      return c.body(note, 200, {
        'Content-Type': 'text/plain; charset=utf-8',
        'Cache-Control': 'public, max-age=1, must-revalidate',
      });
    }
    try {
      parseTilePath(rest);
    } catch {
      return c.text('not a tile path\n', 404);
    }
    const bytes = await ledgerLogStorage(store, svc.origin).get(rest);
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
      responses: json(
        z.object({
          origin: z.string(),
          vkey: z.string(),
          witnessVkey: z.string(),
          tilesPrefix: z.string(),
          sequencing: z.boolean().openapi({
            description:
              'Whether this replica sequences the log (else it serves it read-only and refuses appends with 503 LEDGER_NOT_SEQUENCER)',
          }),
          size: z.number().int(),
          checkpoint: z.string().nullable(),
          organisationKeys: z.array(
            z.object({ organisationId: z.string(), keyId: z.string(), vkey: z.string() }),
          ),
        }),
        'Log information',
      ),
    }),
    async (c) => {
      requireActor(c);
      const svc = await ledgerService(store);
      const cp = (await svc.view()).checkpoint;
      return c.json(
        {
          origin: svc.origin,
          vkey: svc.vkey,
          witnessVkey: svc.witnessVkey,
          tilesPrefix: `/ledger/${svc.origin}/`,
          sequencing: svc.sequencer !== undefined,
          size: cp?.checkpoint.size ?? 0,
          checkpoint: cp?.note ?? null,
          organisationKeys: await repo.organisationKeys(),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/ledger/entries',
      tags: ['ledger'],
      summary:
        'Append a record: its body is kept under access control, its signed commitment is logged',
      request: {
        body: { content: { 'application/json': { schema: AppendBody } }, required: true },
      },
      responses: {
        201: {
          description: 'Durably appended',
          content: {
            'application/json': { schema: EntrySchema.extend({ proof: z.string().nullable() }) },
          },
        },
        ...problemResponses,
      },
    }),
    async (c) => {
      const actor = requireRole(c, ...LEDGER_WRITER_ROLES);
      const input = c.req.valid('json');
      const svc = await ledgerService(store);
      // Refuse before signing anything when another replica sequences the log.
      const writer = svc.writer();
      const body = canonicalJsonBytes(input.body ?? null);
      const sealed = await sealEnvelope(
        { type: input.type, organisation: actor.organisationId, time: new Date(), body },
        await svc.organisationSigner(actor.organisationId),
      );
      const index = await writer.append(sealed.bytes).catch((error: unknown) => {
        svc.failed(writer);
        throw error;
      });
      const entry = await repo.recordEntry(actor, {
        origin: svc.origin,
        index,
        recordType: input.type,
        bodySha256: sha256Hex(body),
        body,
        envelope: sealed.bytes,
      });
      if (input.wait) await writer.waitForCheckpoint(index);
      return c.json({ ...entryJson(entry), proof: await proofBundle(svc, index) }, 201);
    },
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
        }),
      },
      responses: json(
        z.object({ items: z.array(EntrySchema), nextCursor: z.number().int().optional() }),
        'Entries, newest first',
      ),
    }),
    async (c) => {
      const actor = requireRole(c, ...LEDGER_READER_ROLES);
      const q = c.req.valid('query');
      const svc = await ledgerService(store);
      const page = await repo.listEntries(actor, svc.origin, {
        limit: q.limit,
        ...(q.cursor !== undefined ? { before: q.cursor } : {}),
      });
      return c.json(
        {
          items: page.items.map(entryJson),
          ...(page.nextCursor !== undefined ? { nextCursor: page.nextCursor } : {}),
        },
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
      responses: json(EntrySchema.extend({ proof: z.string().nullable() }), 'The entry'),
    }),
    async (c) => {
      const actor = requireRole(c, ...LEDGER_READER_ROLES);
      const { index } = c.req.valid('param');
      const svc = await ledgerService(store);
      const entry = await repo.getEntry(actor, svc.origin, index);
      return c.json({ ...entryJson(entry), proof: await proofBundle(svc, index) }, 200);
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
      const svc = await ledgerService(store);
      const view = await svc.view();
      const published = view.checkpoint?.checkpoint.size ?? 0;
      if (q.new > published || q.old > q.new) {
        throw new StoreError('INVALID_ARGUMENT', `sizes must satisfy 1 ≤ old ≤ new ≤ ${published}`);
      }
      return c.json(
        {
          old: q.old,
          new: q.new,
          proof: view.hashes.consistencyProof(q.old, q.new).map(toBase64),
        },
        200,
      );
    },
  );
}
