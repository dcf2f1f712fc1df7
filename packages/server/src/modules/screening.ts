import { createRoute, z } from '@hono/zod-openapi';
import { MAX_NAME_LENGTH, SCHEMAS, type ScreeningQuery } from '@interdict/screening';
import {
  addMonitoredParty,
  currentScreeningIndex,
  getScreeningEntity,
  listMonitoredParties,
  listScreeningAlerts,
  removeMonitoredParty,
  SCREENING_MONITOR_ROLES,
  SCREENING_MONITOR_READER_ROLES,
  SCREENING_MONITOR_SETTINGS_ROLES,
  MIN_MONITOR_THRESHOLD,
  acknowledgeScreeningAlert,
  getScreeningMonitorSettings,
  setScreeningMonitorThreshold,
  setMonitoredPartyThreshold,
  listScreeningDecisions,
  listScreeningVersions,
  recordScreeningDecision,
  screeningDecisionRecord,
  setScreeningDecisionLedger,
  screeningSummary,
  screeningIndexSource,
  currentScreeningVersionKey,
  screeningWorkerCount,
  ScreeningWorkerPool,
  StoreError,
  compactHit,
  type Actor,
  type PooledHit,
  type MonitoredPartyInput,
  type PartyScreener,
  storeScreener,
  useScreeningPool,
  type Store,
} from '@interdict/store';
import { requireActor, requireRole } from '../auth/middleware';
import type { App, ModuleDeps } from '../env';
import { HttpProblem } from '../problem';
import { problemResponses } from '../schemas';
import { registerSummaryProvider } from '../summary';
import { screenBatch } from './screening-batch';

/** Ledger record type of an officer's confirm/dismiss decision on a screening hit. */
export const DECISION_RECORD_TYPE = 'screening.decision';

/**
 * Screening API: match names against the list versions in force, read listed entities and list
 * versions, record officers' decisions on hits. The index is built in memory from the store and
 * rebuilt when a list version changes: every request compares the key of the versions in force
 * (remembered in process: on PGlite until a list install, on PostgreSQL for at most
 * INTERDICT_SCREENING_VERSION_TTL_MS, default 1 s, see currentScreeningVersionKey) with the key of
 * the index, and a result always names the versions of the index that produced it.
 */

async function indexFor(store: Store, actor: Actor) {
  return currentScreeningIndex(store, actor);
}

/**
 * Match requests run on a pool of worker threads, one index per thread (issue 5 §4), so a large
 * batch uses every core and never holds up other routes. Size: INTERDICT_SCREENING_WORKERS
 * (default: one per core; 0 screens on the main thread, time-sliced by screenBatch). One pool per
 * store, started by the first match request; until every worker has built the index for the
 * versions in force, match requests wait up to INTERDICT_SCREENING_WAIT_MS (default 30 s) and
 * are then answered 503 with Retry-After.
 */
const pools = new WeakMap<Store, ScreeningWorkerPool | null>();

function poolFor(store: Store): ScreeningWorkerPool | null {
  let pool = pools.get(store);
  if (pool === undefined) {
    const size = screeningWorkerCount(process.env.INTERDICT_SCREENING_WORKERS);
    pool = size === 0 ? null : new ScreeningWorkerPool(size);
    pools.set(store, pool);
    // Monitored parties (added, re-screened after a list update) are screened on it too.
    useScreeningPool(store, pool);
  }
  return pool;
}

/** Stop the screening workers of `store` (tests and shutdown; a later request starts new ones). */
export async function closeScreeningPool(store: Store): Promise<void> {
  const pool = pools.get(store);
  pools.delete(store);
  useScreeningPool(store, null);
  await pool?.close();
}

function waitMs(): number {
  const n = Number(process.env.INTERDICT_SCREENING_WAIT_MS ?? 30_000);
  return Number.isFinite(n) && n >= 0 ? n : 30_000;
}

/** The pool's generation for the versions in force, read as `actor` (who must be allowed to screen). */
async function generationInForce(store: Store, pool: ScreeningWorkerPool, actor: Actor) {
  const key = await currentScreeningVersionKey(store, actor);
  return pool.generationFor(key, () => screeningIndexSource(store, actor), waitMs());
}

/** A pool that is warming up or has failed becomes a 503 problem with Retry-After. */
function poolProblem(error: unknown, logger: ModuleDeps['logger']): unknown {
  if (error instanceof StoreError && error.code === 'STORE_UNAVAILABLE') {
    const warming = error.details?.retryAfter !== undefined;
    // A warm-up that outlasts the wait is expected; workers that failed are not: log why.
    if (!warming) logger.error({ err: error }, 'screening workers failed');
    return new HttpProblem(
      503,
      warming ? 'SCREENING_WARMING_UP' : 'SCREENING_UNAVAILABLE',
      error.message,
      { 'Retry-After': String(Number(error.details?.retryAfter ?? 5)) },
    );
  }
  return error;
}

async function matchInPool(
  store: Store,
  pool: ScreeningWorkerPool,
  actor: Actor,
  queries: readonly ScreeningQuery[],
  options: { threshold: number; limit: number },
  logger: ModuleDeps['logger'],
): Promise<{ listVersions: readonly string[]; hits: string[] }> {
  try {
    const generation = await generationInForce(store, pool, actor);
    const { generation: used, hits } = await pool.searchJson(queries, options, generation);
    return { listVersions: used.listVersions, hits };
  } catch (error) {
    throw poolProblem(error, logger);
  }
}

/**
 * The screener other capabilities use for party names (targeting's watchlist raises): the same
 * worker pool as match requests, so a day's parties are screened off the thread that answers
 * HTTP; on the main thread, time-sliced, when the pool is turned off (workers = 0).
 */
export function partyScreener(
  store: Store,
  actor: Actor,
  logger: ModuleDeps['logger'],
): PartyScreener {
  const pool = poolFor(store);
  const inProcess = storeScreener(store, actor, screenBatch);
  if (!pool) return inProcess;
  return {
    async screen(queries, options) {
      try {
        const generation = await generationInForce(store, pool, actor);
        const { generation: used, hits } = await pool.search(queries, options, {}, generation);
        return { hits, listVersions: used.listVersions };
      } catch (error) {
        throw poolProblem(error, logger);
      }
    },
    ...(inProcess.entity ? { entity: inProcess.entity.bind(inProcess) } : {}),
  };
}

/** Server shutdown: stop this store's screening workers. */
export const close = closeScreeningPool;

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

const PartyBody = z
  .object({
    name: z.string().min(1).max(MAX_NAME_LENGTH).openapi({ example: 'Dmitri Kovalenko' }),
    schema: z.enum(SCHEMAS as [string, ...string[]]).optional(),
    birthDate: z
      .string()
      .regex(/^\d{4}(-\d{2}(-\d{2})?)?$/)
      .optional(),
    nationality: z.string().min(1).max(100).optional(),
    identifiers: z
      .array(z.object({ type: z.string().max(40).optional(), value: z.string().min(1).max(100) }))
      .max(20)
      .optional(),
    note: z.string().max(2000).optional(),
    threshold: z
      .number()
      .min(MIN_MONITOR_THRESHOLD)
      .max(1)
      .nullable()
      .optional()
      .openapi({ description: "Alert threshold; omitted or null: the organisation's default" }),
  })
  .openapi('MonitoredPartyRequest');

const Threshold = z.number().min(MIN_MONITOR_THRESHOLD).max(1).openapi({ example: 0.8 });

const PartyPatch = z
  .object({
    threshold: Threshold.nullable().openapi({
      description: "The party's own alert threshold; null: follow the organisation's default",
    }),
  })
  .strict()
  .openapi('MonitoredPartyPatch');

const AlertParams = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: 'id', in: 'path', required: true } }),
  entityId: z
    .string()
    .min(1)
    .max(200)
    .openapi({ param: { name: 'entityId', in: 'path', required: true }, example: 'ofac:7226' }),
});

const AcknowledgeBody = z
  .object({ note: z.string().trim().min(1).max(2000).openapi({ example: 'different person' }) })
  .openapi('ScreeningAlertAcknowledgement');

const SettingsBody = z.object({ threshold: Threshold }).openapi('ScreeningMonitorSettingsRequest');

const PartyParams = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: 'id', in: 'path', required: true } }),
});

const Loose = z.record(z.string(), z.unknown());

function pooledHitJson(hit: PooledHit) {
  return {
    ...hit,
    programs: [...hit.programs],
    explanation: (hit.explanation ?? {}) as unknown as Record<string, unknown>,
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
      const options = { threshold: body.threshold, limit: body.limit };
      const queries = body.queries as ScreeningQuery[];
      const pool = poolFor(deps.store);
      if (pool) {
        const { listVersions, hits } = await matchInPool(
          deps.store,
          pool,
          actor,
          queries,
          options,
          deps.logger,
        );
        // The workers sent each query's hits as JSON text; join them rather than parse and
        // serialise again on the thread that answers HTTP. Same shape as c.json would give.
        const results = body.queries.map(
          (q, i) => `{"query":${JSON.stringify(q)},"hits":${hits[i] ?? '[]'}}`,
        );
        // (Typed as the route's JSON answer: the text is that object, already serialised.)
        return c.body(
          `{"listVersions":${JSON.stringify(listVersions)},"results":[${results.join(',')}]}`,
          200,
          { 'content-type': 'application/json' },
        ) as never;
      }
      const { index, versions } = await indexFor(deps.store, actor);
      const hits = await screenBatch(index, queries, options);
      const results = body.queries.map((q, i) => ({
        query: q,
        hits: hits[i]!.map((h) => pooledHitJson(compactHit(h, true))),
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
      summary:
        'Confirm or dismiss a hit (recorded with the list versions in force, audited, committed to the ledger)',
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
      // Issue 12 §6: the decision and its ledger entry are written in one transaction; the
      // answer comes once the entry is durable in the log.
      const { value: decision, entries } = await deps.services.ledger.commit(
        actor,
        async (tx, record) => {
          const d = await recordScreeningDecision(tx, actor, {
            ...body,
            listVersions: versions.map((v) => v.id),
          });
          await record({
            type: DECISION_RECORD_TYPE,
            body: screeningDecisionRecord(d),
            subject: { type: DECISION_RECORD_TYPE, id: d.id },
          });
          return d;
        },
      );
      const entry = entries[0];
      const committed = entry
        ? await setScreeningDecisionLedger(deps.store, actor, decision.id, {
            origin: entry.origin,
            index: entry.index,
          })
        : decision;
      return c.json(committed as unknown as Record<string, unknown>, 201);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/screening/parties',
      tags: ['screening'],
      summary: "Parties the caller's organisation monitors, each with the listed entities it hits",
      responses: {
        200: {
          description: 'Monitored parties, newest first',
          content: { 'application/json': { schema: z.object({ items: z.array(Loose) }) } },
        },
        ...problemResponses,
      },
    }),
    async (c) => {
      const actor = requireRole(c, ...SCREENING_MONITOR_READER_ROLES);
      const items = await listMonitoredParties(deps.store, actor);
      return c.json({ items: items as unknown as Record<string, unknown>[] }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/screening/parties',
      tags: ['screening'],
      summary:
        'Monitor a party: screened now (its baseline hits), then again after every list update',
      request: { body: { content: { 'application/json': { schema: PartyBody } }, required: true } },
      responses: {
        201: {
          description: 'The party with its baseline hits',
          content: { 'application/json': { schema: Loose } },
        },
        ...problemResponses,
      },
    }),
    async (c) => {
      const actor = requireRole(c, ...SCREENING_MONITOR_ROLES);
      const body = c.req.valid('json');
      const party = await addMonitoredParty(deps.store, actor, body as MonitoredPartyInput);
      return c.json(party as unknown as Record<string, unknown>, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/screening/parties/{id}',
      tags: ['screening'],
      summary: 'Stop monitoring a party (its hits and alerts go with it)',
      request: { params: PartyParams },
      responses: { 204: { description: 'Removed' }, ...problemResponses },
    }),
    async (c) => {
      const actor = requireRole(c, ...SCREENING_MONITOR_ROLES);
      await removeMonitoredParty(deps.store, actor, c.req.valid('param').id);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/screening/alerts',
      tags: ['screening'],
      summary:
        'New hits of monitored parties found by re-screening after list updates, newest first',
      request: {
        query: z.object({
          limit: z.coerce.number().int().min(1).max(1000).default(200),
          status: z
            .enum(['open', 'acknowledged', 'all'])
            .default('open')
            .openapi({ description: 'open: still to acknowledge; acknowledged: history; all' }),
        }),
      },
      responses: {
        200: {
          description: 'Alerts, each naming the list version that produced it',
          content: { 'application/json': { schema: z.object({ items: z.array(Loose) }) } },
        },
        ...problemResponses,
      },
    }),
    async (c) => {
      const actor = requireRole(c, ...SCREENING_MONITOR_READER_ROLES);
      const { limit, status } = c.req.valid('query');
      const items = await listScreeningAlerts(deps.store, actor, { limit, status });
      return c.json({ items: items as unknown as Record<string, unknown>[] }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/screening/parties/{id}/alerts/{entityId}/acknowledgement',
      tags: ['screening'],
      summary:
        'Acknowledge an alert with a note (recorded with who and when, audited); it leaves the open queue',
      request: {
        params: AlertParams,
        body: { content: { 'application/json': { schema: AcknowledgeBody } }, required: true },
      },
      responses: {
        200: {
          description: 'The acknowledged alert',
          content: { 'application/json': { schema: Loose } },
        },
        ...problemResponses,
      },
    }),
    async (c) => {
      const actor = requireRole(c, ...SCREENING_MONITOR_ROLES);
      const { id, entityId } = c.req.valid('param');
      const alert = await acknowledgeScreeningAlert(
        deps.store,
        actor,
        { partyId: id, entityId },
        c.req.valid('json').note,
      );
      return c.json(alert as unknown as Record<string, unknown>, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/api/screening/parties/{id}',
      tags: ['screening'],
      summary:
        "Set or clear a party's own alert threshold; the party is screened again at once (new hits join its baseline)",
      request: {
        params: PartyParams,
        body: { content: { 'application/json': { schema: PartyPatch } }, required: true },
      },
      responses: {
        200: { description: 'The party', content: { 'application/json': { schema: Loose } } },
        ...problemResponses,
      },
    }),
    async (c) => {
      const actor = requireRole(c, ...SCREENING_MONITOR_ROLES);
      const party = await setMonitoredPartyThreshold(
        deps.store,
        actor,
        c.req.valid('param').id,
        c.req.valid('json').threshold,
      );
      return c.json(party as unknown as Record<string, unknown>, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/screening/monitoring/settings',
      tags: ['screening'],
      summary: "The organisation's default alert threshold for monitored parties",
      responses: {
        200: { description: 'Settings', content: { 'application/json': { schema: Loose } } },
        ...problemResponses,
      },
    }),
    async (c) => {
      const actor = requireRole(c, ...SCREENING_MONITOR_READER_ROLES);
      const settings = await getScreeningMonitorSettings(deps.store, actor);
      return c.json(settings as unknown as Record<string, unknown>, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/api/screening/monitoring/settings',
      tags: ['screening'],
      summary:
        "Set the organisation's default alert threshold (admins); parties without their own use it from their next screening",
      request: {
        body: { content: { 'application/json': { schema: SettingsBody } }, required: true },
      },
      responses: {
        200: { description: 'Settings', content: { 'application/json': { schema: Loose } } },
        ...problemResponses,
      },
    }),
    async (c) => {
      const actor = requireRole(c, ...SCREENING_MONITOR_SETTINGS_ROLES);
      const settings = await setScreeningMonitorThreshold(
        deps.store,
        actor,
        c.req.valid('json').threshold,
      );
      return c.json(settings as unknown as Record<string, unknown>, 200);
    },
  );
}
