import { createRoute, z } from '@hono/zod-openapi';
import {
  MAX_NAME_LENGTH,
  SCHEMAS,
  ScreeningIndex,
  type ScreeningHit,
  type ScreeningQuery,
} from '@interdict/screening';
import {
  currentScreeningEntities,
  getScreeningEntity,
  listScreeningDecisions,
  listScreeningVersions,
  recordScreeningDecision,
  screeningSummary,
  type Store,
  type StoredListVersion,
} from '@interdict/store';
import { requireActor } from '../auth/middleware';
import type { App, ModuleDeps } from '../env';
import { registerProblemStatus } from '../problem';
import { problemResponses } from '../schemas';
import { registerSummaryProvider } from '../summary';

/**
 * Screening API: match names against the list versions in force, read listed entities and list
 * versions, record officers' decisions on hits. The index is built in memory from the store and
 * rebuilt when a list version changes (checked on every request by comparing version ids).
 */

for (const code of ['NAME_EMPTY', 'NAME_TOO_LONG', 'INVALID_QUERY'])
  registerProblemStatus(code, 400);
for (const code of ['LIST_MALFORMED', 'LIST_ENCODING', 'LIST_EMPTY'])
  registerProblemStatus(code, 422);

interface Cached {
  key: string;
  index: ScreeningIndex;
  versions: StoredListVersion[];
}
const caches = new WeakMap<Store, Promise<Cached>>();

async function indexFor(
  store: Store,
  actor: Parameters<typeof listScreeningVersions>[1],
): Promise<Cached> {
  const versions = (await listScreeningVersions(store, actor)).filter((v) => v.current);
  const key = versions.map((v) => v.storedId).join('|');
  const cached = caches.get(store);
  if (cached) {
    const c = await cached;
    if (c.key === key) return c;
  }
  const building = (async (): Promise<Cached> => {
    const { versions: v, entities } = await currentScreeningEntities(store, actor);
    return {
      key: v.map((x) => x.storedId).join('|'),
      index: ScreeningIndex.build(entities),
      versions: v,
    };
  })();
  caches.set(store, building);
  return building;
}

const QuerySchema = z
  .object({
    name: z.string().min(1).max(MAX_NAME_LENGTH).openapi({ example: 'Ismael Zambada Garcia' }),
    schema: z.enum(SCHEMAS as [string, ...string[]]).optional(),
    birthDate: z
      .string()
      .regex(/^\d{4}(-\d{2}(-\d{2})?)?$/)
      .optional()
      .openapi({ example: '1948' }),
    nationality: z.string().max(100).optional().openapi({ example: 'mx' }),
    gender: z.enum(['male', 'female']).optional(),
    identifiers: z
      .array(z.object({ type: z.string().max(40).optional(), value: z.string().min(1).max(100) }))
      .max(20)
      .optional(),
  })
  .openapi('ScreeningQuery');

const MatchBody = z
  .object({
    queries: z.array(QuerySchema).min(1).max(1000),
    threshold: z.number().min(0).max(1).default(0.7),
    limit: z.number().int().min(1).max(50).default(10),
  })
  .openapi('ScreeningMatchRequest');

const HitSchema = z
  .object({
    entityId: z.string(),
    score: z.number(),
    schema: z.string(),
    name: z.string(),
    matchedName: z.string(),
    list: z.string(),
    programs: z.array(z.string()),
    explanation: z.record(z.string(), z.unknown()),
  })
  .openapi('ScreeningHit');

const VersionSchema = z.record(z.string(), z.unknown()).openapi('ScreeningListVersion');

const MatchResponse = z
  .object({
    listVersions: z.array(z.string()),
    results: z.array(
      z.object({ query: z.record(z.string(), z.unknown()), hits: z.array(HitSchema) }),
    ),
  })
  .openapi('ScreeningMatchResponse');

const DecisionBody = z
  .object({
    entityId: z.string().min(1).max(200),
    queryName: z.string().min(1).max(MAX_NAME_LENGTH),
    decision: z.enum(['confirmed', 'dismissed']),
    note: z.string().max(2000).optional(),
    score: z.number().min(0).max(1).optional(),
  })
  .openapi('ScreeningDecisionRequest');

const EntityParams = z.object({
  id: z
    .string()
    .min(1)
    .max(200)
    .openapi({ param: { name: 'id', in: 'path' }, example: 'ofac:7226' }),
});

function hitJson(hit: ScreeningHit) {
  return {
    entityId: hit.entity.id,
    score: hit.score,
    schema: hit.entity.schema,
    name: hit.entity.names[0]?.full ?? '',
    matchedName: hit.explanation.matchedName,
    list: hit.entity.list,
    programs: [...hit.entity.programs],
    explanation: hit.explanation as unknown as Record<string, unknown>,
  };
}

export function register(app: App, deps: ModuleDeps): void {
  registerSummaryProvider({
    capability: 'screening',
    async summarise(store) {
      const s = await screeningSummary(store);
      return [
        {
          capability: 'screening',
          label: 'Listed entities (OFAC, UN)',
          count: s.count,
          updatedAt: s.updatedAt,
        },
      ];
    },
  });

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/screening/match',
      tags: ['screening'],
      summary:
        'Screen one or many parties against the list versions in force; ranked, explained hits',
      request: { body: { content: { 'application/json': { schema: MatchBody } }, required: true } },
      responses: {
        200: {
          description: 'Hits per query',
          content: { 'application/json': { schema: MatchResponse } },
        },
        ...problemResponses,
      },
    }),
    async (c) => {
      const actor = requireActor(c);
      const body = c.req.valid('json');
      const { index, versions } = await indexFor(deps.store, actor);
      const results = body.queries.map((q) => ({
        query: q,
        hits: index
          .search(q as ScreeningQuery, { threshold: body.threshold, limit: body.limit })
          .map(hitJson),
      }));
      return c.json({ listVersions: versions.map((v) => v.id), results }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/screening/lists',
      tags: ['screening'],
      summary: 'List versions, newest first, with what each added, changed and removed',
      responses: {
        200: {
          description: 'Versions',
          content: { 'application/json': { schema: z.object({ items: z.array(VersionSchema) }) } },
        },
        ...problemResponses,
      },
    }),
    async (c) => {
      const items = await listScreeningVersions(deps.store, requireActor(c));
      return c.json({ items: items as unknown as Record<string, unknown>[] }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/screening/entities/{id}',
      tags: ['screening'],
      summary: 'A listed entity with all names, identifiers, programs, and decisions taken on it',
      request: { params: EntityParams },
      responses: {
        200: {
          description: 'The entity',
          content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } },
        },
        ...problemResponses,
      },
    }),
    async (c) => {
      const actor = requireActor(c);
      const { id } = c.req.valid('param');
      const { entity, version } = await getScreeningEntity(deps.store, actor, id);
      const decisions = await listScreeningDecisions(deps.store, actor, { entityId: id });
      return c.json({ entity, version, decisions } as Record<string, unknown>, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/screening/decisions',
      tags: ['screening'],
      summary: 'Confirm or dismiss a hit (recorded with the list versions in force and audited)',
      request: {
        body: { content: { 'application/json': { schema: DecisionBody } }, required: true },
      },
      responses: {
        201: {
          description: 'The decision',
          content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } },
        },
        ...problemResponses,
      },
    }),
    async (c) => {
      const actor = requireActor(c);
      const body = c.req.valid('json');
      const versions = (await listScreeningVersions(deps.store, actor)).filter((v) => v.current);
      const decision = await recordScreeningDecision(deps.store, actor, {
        ...body,
        listVersions: versions.map((v) => v.id),
      });
      return c.json(decision as unknown as Record<string, unknown>, 201);
    },
  );
}
