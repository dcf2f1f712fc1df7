import { createRoute, z } from '@hono/zod-openapi';
import { isInterdictError } from '@interdict/core';
import { MAX_NAME_LENGTH, SCHEMAS, type ScreeningQuery } from '@interdict/screening';
import { MIN_MONITOR_THRESHOLD } from '@interdict/store';
import { requireActor } from '../auth/middleware';
import type { App, ModuleDeps } from '../env';
import { HttpProblem } from '../problem';
import { problemResponses } from '../schemas';

/**
 * Screening API (issue 5): match names against the list versions in force, read listed entities
 * and list versions, record officers' decisions on hits (committed to the ledger), and monitor
 * parties. Every route is one call into the screening service
 * (packages/services/src/screening/service.ts), which checks who may do what, runs the matching
 * on its worker pool and commits decisions; a result always names the list versions of the index
 * that produced it.
 */

const SchemaName = z.enum(SCHEMAS as [string, ...string[]]).openapi('ScreeningSchema');
const PartialDate = z.string().regex(/^\d{4}(-\d{2}(-\d{2})?)?$/);

const IdentifierQuery = z.object({
  type: z.string().max(40).optional(),
  value: z.string().min(1).max(100),
});

const QuerySchema = z
  .object({
    name: z.string().min(1).max(MAX_NAME_LENGTH).openapi({ example: 'Ismael Zambada Garcia' }),
    schema: SchemaName.optional(),
    birthDate: PartialDate.optional().openapi({ example: '1948' }),
    nationality: z.string().max(100).optional().openapi({ example: 'mx' }),
    gender: z.enum(['male', 'female']).optional(),
    identifiers: z.array(IdentifierQuery).max(20).optional(),
  })
  .openapi('ScreeningQuery');

const MatchBody = z
  .object({
    queries: z.array(QuerySchema).min(1).max(1000),
    threshold: z.number().min(0).max(1).default(0.7),
    limit: z.number().int().min(1).max(50).default(10),
  })
  .openapi('ScreeningMatchRequest');

/** A response array: the services answer readonly arrays, and the document is the same. */
const list = <T extends z.ZodType>(item: T) => z.array(item).readonly();

const ExplanationSchema = z
  .object({
    queryName: z.string(),
    matchedName: z.string(),
    matchedNameQuality: z.enum(['primary', 'strong', 'weak']),
    nameScore: z.number(),
    name: z.object({
      score: z.number(),
      aligned: list(
        z.object({
          query: z.string(),
          candidate: z.string(),
          how: z.string().openapi({ example: 'phonetic' }),
          similarity: z.number(),
          weight: z.number(),
        }),
      ),
      unmatchedQuery: list(z.string()),
      unmatchedCandidate: list(z.string()),
      notes: list(z.string()),
    }),
    adjustments: list(
      z.object({
        feature: z.enum(['birth-date', 'nationality', 'gender', 'identifier', 'weak-alias']),
        delta: z.number().openapi({ description: 'Added to the score (negative: subtracted)' }),
        detail: z.string(),
      }),
    ),
  })
  .openapi('ScreeningExplanation', { description: 'Why a listed name scored what it did' });

const HitSchema = z
  .object({
    entityId: z.string().openapi({ example: 'ofac:7226' }),
    score: z.number(),
    schema: z.string(),
    name: z.string().openapi({ description: "The entity's primary name" }),
    matchedName: z.string().openapi({ description: 'The listed name or alias that matched' }),
    list: z.string(),
    programs: list(z.string()),
    explanation: ExplanationSchema,
  })
  .openapi('ScreeningHit');

const MatchResponse = z
  .object({
    listVersions: list(z.string()),
    results: list(z.object({ query: QuerySchema, hits: list(HitSchema) })),
  })
  .openapi('ScreeningMatchResponse');

const VersionSchema = z
  .object({
    id: z.string().openapi({ example: 'ofac@2024-05-03' }),
    storedId: z
      .string()
      .openapi({ description: 'The version id with a prefix of its content hash' }),
    source: z.string(),
    published: z.string().optional(),
    contentHash: z.string(),
    counts: z.object({
      entities: z.number().int(),
      names: z.number().int(),
      bySchema: z.partialRecord(SchemaName, z.number().int()),
    }),
    current: z.boolean().openapi({ description: 'In force' }),
    sourceName: z.string(),
    ingestedAt: z.string(),
    diff: z.object({
      added: z.number().int(),
      changed: z.number().int(),
      removed: z.number().int(),
      sample: list(z.string()),
    }),
  })
  .openapi('ScreeningListVersion');

const EntitySchema = z
  .object({
    id: z.string(),
    list: z.string(),
    sourceId: z.string(),
    schema: SchemaName,
    names: list(
      z.object({
        full: z.string(),
        quality: z.enum(['primary', 'strong', 'weak']),
        kind: z.enum(['aka', 'fka', 'nka', 'original-script']).optional(),
      }),
    ),
    birthDates: list(z.string()),
    birthPlaces: list(z.string()),
    nationalities: list(z.string()),
    countries: list(z.string()),
    gender: z.enum(['male', 'female']).optional(),
    identifiers: list(
      z.object({
        type: z.string(),
        value: z.string(),
        country: z.string().optional(),
        label: z.string().optional(),
      }),
    ),
    addresses: list(
      z.object({ full: z.string(), city: z.string().optional(), country: z.string().optional() }),
    ),
    programs: list(z.string()),
    remarks: z.string().optional(),
    listedOn: z.string().optional(),
  })
  .openapi('ListedEntity');

const DecisionSchema = z
  .object({
    id: z.string(),
    organisationId: z.string(),
    userId: z.string().nullable(),
    entityId: z.string(),
    queryName: z.string().openapi({ description: 'The name actually screened' }),
    decision: z.enum(['confirmed', 'dismissed']),
    note: z.string(),
    score: z.number().nullable().openapi({ description: "The hit's score as the officer saw it" }),
    listVersions: list(z.string()),
    createdAt: z.string(),
    ledger: z
      .object({ origin: z.string(), index: z.number().int() })
      .nullable()
      .openapi({ description: 'Where the decision is committed to the ledger' }),
  })
  .openapi('ScreeningDecision');

const EntityView = z
  .object({
    entity: EntitySchema,
    version: z.string().openapi({ description: 'Stored id of the list version in force' }),
    decisions: list(DecisionSchema).openapi({ description: "The caller's organisation's" }),
  })
  .openapi('ListedEntityView');

const DecisionBody = z
  .object({
    entityId: z.string().min(1).max(200),
    queryName: z
      .string()
      .min(1)
      .max(MAX_NAME_LENGTH)
      .openapi({ description: 'The name actually screened' }),
    decision: z.enum(['confirmed', 'dismissed']),
    note: z.string().max(2000).optional(),
    score: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .openapi({ description: "The hit's score as the officer saw it" }),
  })
  .openapi('ScreeningDecisionRequest');

const EntityParams = z.object({
  id: z
    .string()
    .min(1)
    .max(200)
    .openapi({ param: { name: 'id', in: 'path' }, example: 'ofac:7226' }),
});

const Threshold = z.number().min(MIN_MONITOR_THRESHOLD).max(1).openapi({ example: 0.8 });

const PartyBody = z
  .object({
    name: z.string().min(1).max(MAX_NAME_LENGTH).openapi({ example: 'Dmitri Kovalenko' }),
    schema: z.enum(SCHEMAS).optional(),
    birthDate: PartialDate.optional(),
    nationality: z.string().min(1).max(100).optional(),
    identifiers: z.array(IdentifierQuery).max(20).optional(),
    note: z.string().max(2000).optional(),
    threshold: Threshold.nullable()
      .optional()
      .openapi({ description: "Alert threshold; omitted or null: the organisation's default" }),
  })
  .openapi('MonitoredPartyRequest');

const PartyPatch = z
  .object({
    threshold: Threshold.nullable().openapi({
      description: "The party's own alert threshold; null: follow the organisation's default",
    }),
  })
  .strict()
  .openapi('MonitoredPartyPatch');

const PartyHitSchema = z
  .object({
    partyId: z.string(),
    entityId: z.string(),
    entityName: z.string(),
    matchedName: z.string(),
    score: z.number(),
    listVersion: z.string().openapi({ description: 'Stored id of the list version that hit' }),
    trigger: z.enum(['added', 'list-update']).openapi({
      description: 'added: found when the party was added; list-update: an alert',
    }),
    explanation: ExplanationSchema,
    createdAt: z.string(),
    acknowledgement: z
      .object({
        at: z.string(),
        by: z.string().nullable(),
        byName: z.string().nullable(),
        note: z.string(),
      })
      .nullable(),
  })
  .openapi('MonitoredPartyHit');

const PartySchema = z
  .object({
    id: z.string(),
    organisationId: z.string(),
    name: z.string(),
    // Inline, not the ScreeningSchema $ref: a nullable $ref loses its null in the console's types.
    schema: z.enum(SCHEMAS).nullable(),
    birthDate: z.string().nullable(),
    nationality: z.string().nullable(),
    identifiers: list(z.object({ type: z.string().optional(), value: z.string() })),
    note: z.string(),
    createdBy: z.string().nullable(),
    createdAt: z.string(),
    threshold: z.number().nullable(),
    effectiveThreshold: z.number(),
    hits: list(PartyHitSchema),
  })
  .openapi('MonitoredParty');

const AlertSchema = PartyHitSchema.extend({ partyName: z.string() }).openapi('ScreeningAlert');

const SettingsSchema = z
  .object({
    threshold: z.number(),
    custom: z.boolean().openapi({ description: 'False while the default of 0.7 applies' }),
    updatedBy: z.string().nullable(),
    updatedAt: z.string().nullable(),
  })
  .openapi('ScreeningMonitorSettings');

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

const ok = <T extends z.ZodType>(schema: T, description: string) => ({
  200: { description, content: { 'application/json': { schema } } },
  ...problemResponses,
});

const created = <T extends z.ZodType>(schema: T, description: string) => ({
  201: { description, content: { 'application/json': { schema } } },
  ...problemResponses,
});

/**
 * Screening that cannot run right now is a 503 with Retry-After (RFC 9110 §10.2.3): while the
 * workers build the index for new list versions, and when they failed.
 */
async function retryLater<T>(work: Promise<T>, logger: ModuleDeps['logger']): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (
      isInterdictError(error) &&
      (error.code === 'SCREENING_WARMING_UP' || error.code === 'SCREENING_UNAVAILABLE')
    ) {
      // A warm-up that outlasts the wait is expected; workers that failed are not: log why.
      if (error.code === 'SCREENING_UNAVAILABLE')
        logger.error({ err: error }, 'screening workers failed');
      throw new HttpProblem(503, error.code, error.message, {
        'Retry-After': String(Number(error.details?.retryAfter ?? 5)),
      });
    }
    throw error;
  }
}

export function register(app: App, deps: ModuleDeps): void {
  const screening = deps.services.screening;

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/screening/match',
      tags: ['screening'],
      summary:
        'Screen one or many parties against the list versions in force; ranked, explained hits',
      request: { body: { content: { 'application/json': { schema: MatchBody } }, required: true } },
      responses: ok(MatchResponse, 'Hits per query'),
    }),
    async (c) => {
      const body = c.req.valid('json');
      const { listVersions, hits } = await retryLater(
        screening.match(requireActor(c), body.queries as ScreeningQuery[], {
          threshold: body.threshold,
          limit: body.limit,
        }),
        deps.logger,
      );
      // The service gives each query's hits as JSON text (serialised off this thread): join them
      // rather than parse and serialise again. Same shape as c.json would give.
      const results = body.queries.map(
        (q, i) => `{"query":${JSON.stringify(q)},"hits":${hits[i] ?? '[]'}}`,
      );
      // (Typed as the route's JSON answer: the text is that object, already serialised.)
      return c.body(
        `{"listVersions":${JSON.stringify(listVersions)},"results":[${results.join(',')}]}`,
        200,
        { 'content-type': 'application/json' },
      ) as never;
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/screening/lists',
      tags: ['screening'],
      summary: 'List versions, newest first, with what each added, changed and removed',
      responses: ok(z.object({ items: list(VersionSchema) }), 'Versions'),
    }),
    async (c) => c.json({ items: await screening.lists(requireActor(c)) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/screening/entities/{id}',
      tags: ['screening'],
      summary: 'A listed entity with all names, identifiers, programs, and decisions taken on it',
      request: { params: EntityParams },
      responses: ok(EntityView, 'The entity'),
    }),
    async (c) => c.json(await screening.entity(requireActor(c), c.req.valid('param').id), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/screening/decisions',
      tags: ['screening'],
      summary:
        'Confirm or dismiss a hit (recorded with the list versions in force, audited, committed to the ledger in the same transaction)',
      request: {
        body: { content: { 'application/json': { schema: DecisionBody } }, required: true },
      },
      responses: created(DecisionSchema, 'The decision, with where its ledger entry sits'),
    }),
    async (c) => c.json(await screening.decide(requireActor(c), c.req.valid('json')), 201),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/screening/parties',
      tags: ['screening'],
      summary: "Parties the caller's organisation monitors, each with the listed entities it hits",
      responses: ok(z.object({ items: list(PartySchema) }), 'Monitored parties, newest first'),
    }),
    async (c) => c.json({ items: await screening.monitoring.parties(requireActor(c)) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/screening/parties',
      tags: ['screening'],
      summary:
        'Monitor a party: screened now (its baseline hits), then again after every list update',
      request: { body: { content: { 'application/json': { schema: PartyBody } }, required: true } },
      responses: created(PartySchema, 'The party with its baseline hits'),
    }),
    async (c) => c.json(await screening.monitoring.add(requireActor(c), c.req.valid('json')), 201),
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
      await screening.monitoring.remove(requireActor(c), c.req.valid('param').id);
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
      responses: ok(
        z.object({ items: list(AlertSchema) }),
        'Alerts, each naming the list version that produced it',
      ),
    }),
    async (c) =>
      c.json(
        { items: await screening.monitoring.alerts(requireActor(c), c.req.valid('query')) },
        200,
      ),
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
      responses: ok(AlertSchema, 'The acknowledged alert'),
    }),
    async (c) => {
      const { id, entityId } = c.req.valid('param');
      return c.json(
        await screening.monitoring.acknowledge(
          requireActor(c),
          { partyId: id, entityId },
          c.req.valid('json').note,
        ),
        200,
      );
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
      responses: ok(PartySchema, 'The party'),
    }),
    async (c) =>
      c.json(
        await screening.monitoring.setPartyThreshold(
          requireActor(c),
          c.req.valid('param').id,
          c.req.valid('json').threshold,
        ),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/screening/monitoring/settings',
      tags: ['screening'],
      summary: "The organisation's default alert threshold for monitored parties",
      responses: ok(SettingsSchema, 'Settings'),
    }),
    async (c) => c.json(await screening.monitoring.settings(requireActor(c)), 200),
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
      responses: ok(SettingsSchema, 'Settings'),
    }),
    async (c) =>
      c.json(
        await screening.monitoring.setDefaultThreshold(
          requireActor(c),
          c.req.valid('json').threshold,
        ),
        200,
      ),
  );
}
