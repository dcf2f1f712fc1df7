import { createRoute, z } from '@hono/zod-openapi';
import type { DeclarationDetail } from '@interdict/services';
import { requireActor } from '../auth/middleware';
import type { App, ModuleDeps } from '../env';
import { IdParams, json, jsonBody, listOf, problemResponses } from '../schemas';

// Targeting API (issue 6): the day's queue with lanes and reasons, a declaration with the exact
// explanation of its score, inspection results as feedback, releases, models and officers' rules.
// Each route is its schemas and one call into the targeting service (packages/services), which
// checks roles, scopes everything to the caller's organisation and commits every decision to the
// ledger.

/** A real calendar day: 2021-02-30 matches the pattern but names no day, so it is refused. */
export function isCalendarDate(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}
const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine(isCalendarDate, 'must be a real calendar date')
  .openapi({ example: '2021-01-04' });
const Lane = z.enum(['red', 'yellow', 'blue', 'green']).openapi('TargetingLane');

const Inspection = z
  .object({
    fraud: z.number().int(),
    critical: z.number().int(),
    source: z.enum(['import', 'officer']),
    note: z.string(),
    recordedBy: z.string().nullable(),
    recordedAt: z.string(),
  })
  .openapi('TargetingInspection');

const Raise = z
  .object({
    source: z.string().openapi({ example: 'watchlist' }),
    lane: Lane,
    reason: z.string(),
  })
  .openapi('TargetingLaneRaise');

const Party = z
  .object({
    role: z.enum(['importer', 'consignee', 'seller']),
    name: z.string(),
    country: z.string().optional(),
  })
  .openapi('TargetingParty');

const Release = z
  .object({
    reason: z.string(),
    releasedBy: z.string().nullable(),
    releasedAt: z.string(),
    from: z.object({ lane: Lane, selectedBy: z.string().nullable() }).openapi({
      description: "The lane the day's scoring had chosen (red), and why it was picked",
    }),
  })
  .openapi('TargetingRelease', {
    description:
      'An officer released this red-lane declaration without inspection: it shows green and is not to be inspected',
  });

const QueueItem = z
  .object({
    id: z.string(),
    date: z.string(),
    importer: z.string(),
    hsCode: z.string(),
    origin: z.string(),
    itemPrice: z.number().nullable(),
    score: z.number().nullable(),
    criticalScore: z.number().nullable().openapi({
      description:
        "The active Critical Fraud model's probability when it scored the day (null without one)",
    }),
    lane: Lane,
    inspect: z.boolean(),
    selectedBy: z.string().nullable(),
    reasons: z.array(z.string()),
    raises: z.array(Raise),
    parties: z.array(Party),
    inspection: Inspection.nullable(),
    release: Release.nullable(),
  })
  .openapi('TargetingQueueItem');

const Count = z.number().int();
const LaneCounts = z.object({ red: Count, yellow: Count, blue: Count, green: Count });
const Day = z.object({
  date: z.string(),
  declarations: Count,
  scored: Count,
  inspected: Count,
  lanes: LaneCounts.openapi({
    description: 'Scored declarations by the lane they are in (a released one is green)',
  }),
  toInspect: z.object({ model: Count, rule: Count, raised: Count, random: Count }).openapi({
    description:
      'Declarations picked for inspection and not released, by why: top score, red rule, raised lane (watchlist hit or Critical band), random share',
  }),
});

const Explanation = z
  .object({
    modelId: z.string(),
    bias: z.number(),
    margin: z.number(),
    contributions: z.array(
      z.object({ feature: z.string(), value: z.number().nullable(), contribution: z.number() }),
    ),
  })
  .openapi('TargetingExplanation');

const Text = z.string();
/** A declaration's fields (no labels: those are its inspection); null for a number not given. */
const DeclarationFields = z
  .object({
    id: Text,
    date: Text,
    day: z.number().int().openapi({ description: 'Days since 1970-01-01 (UTC)' }),
    office: Text,
    processType: Text,
    importType: Text,
    importUse: Text,
    paymentType: Text,
    transportMode: Text,
    declarant: Text,
    importer: Text,
    seller: Text,
    courier: Text,
    hsCode: Text,
    departure: Text,
    origin: Text,
    taxRate: z.number().nullable(),
    taxType: Text,
    originIndicator: Text,
    netMass: z.number().nullable(),
    itemPrice: z.number().nullable(),
    importerName: Text.optional(),
    importerCountry: Text.optional(),
    consigneeName: Text.optional(),
    consigneeCountry: Text.optional(),
    sellerName: Text.optional(),
    sellerCountry: Text.optional(),
  })
  .openapi('TargetingDeclarationFields');

const Detail = z
  .object({
    declaration: DeclarationFields,
    score: z.number().nullable(),
    criticalScore: z.number().nullable(),
    lane: Lane.nullable(),
    reasons: z.array(z.string()),
    raises: z.array(Raise),
    parties: z.array(Party),
    inspection: Inspection.nullable(),
    release: Release.nullable(),
    explanation: Explanation.nullable(),
    criticalExplanation: Explanation.nullable().openapi({
      description:
        'TreeSHAP explanation by the active Critical Fraud model (bias + contributions = margin, the log-odds of criticalScore); null without one that learnt only from earlier days',
    }),
  })
  .openapi('TargetingDeclaration');

const Objective = z.enum(['fraud', 'critical']);
const Training = z
  .object({
    objective: Objective,
    rows: Count,
    positives: Count,
    firstDate: z.string(),
    lastDate: z.string(),
    earlyStoppingFrom: z.string().nullable(),
    earlyStoppingRows: Count,
    bestRound: Count.openapi({ description: 'Trees kept, summed over the bagged members' }),
    roundsRun: Count,
    members: z.array(z.object({ bestRound: Count, roundsRun: Count })),
    refit: z.boolean(),
    params: z
      .object({
        rounds: Count,
        learningRate: z.number(),
        maxLeaves: Count,
        maxDepth: Count,
        minChildWeight: z.number(),
        lambda: z.number(),
        minSplitGain: z.number(),
        subsample: z.number(),
        colsample: z.number(),
        maxBins: Count,
        positiveWeight: z.number(),
        earlyStoppingRounds: Count,
        earlyStoppingMetric: z.enum(['logloss', 'auc']),
        seed: z.number(),
        bags: Count,
      })
      .openapi('TargetingGbdtParams'),
    featuresMs: z.number(),
    treesMs: z.number(),
  })
  .openapi('TargetingModelTraining', {
    description: "The model file's training metadata (without the validation curve)",
  });

const Model = z
  .object({
    id: z.string(),
    objective: Objective,
    active: z.boolean(),
    createdAt: z.string(),
    training: Training,
    earlyStoppingSlice: z
      .object({
        label: z.literal('early-stopping slice (the model chose its number of trees on it)'),
        from: z.string().nullable(),
        to: z.string(),
        declarations: z.number().int(),
        metrics: z.array(
          z.object({
            percent: z.number(),
            inspected: z.number().int(),
            precision: z.number(),
            recall: z.number(),
          }),
        ),
      })
      .nullable()
      .openapi({
        description:
          'Precision/Recall@n% at training time on the latest-dated slice of the training data, on which the model chose its number of trees: optimistic. See GET /api/targeting/models/{id}/evaluation for the out-of-time figures.',
      }),
  })
  .openapi('TargetingModel');

// Declarations carry ISO 3166 country codes in capitals (KCS: ES, CN…): a rule on "co" would
// never match, so it is refused rather than stored and silently ignored.
const Country = z
  .string()
  .regex(/^[A-Z]{2,3}$/, 'must be a country code in capitals, e.g. CO')
  .optional();
const RuleFields = z.object({
  lane: Lane,
  explanation: z.string().trim().min(1, 'an explanation is required').max(500),
  hsPrefix: z
    .string()
    .regex(/^\d{2,10}$/, 'must be 2 to 10 digits of an HS code, e.g. 2933')
    .optional(),
  origin: Country,
  departure: Country,
  importer: z.string().trim().min(1).max(100).optional(),
  declarant: z.string().trim().min(1).max(100).optional(),
  office: z.string().trim().min(1).max(100).optional(),
  validFrom: IsoDate.optional(),
  validTo: IsoDate.optional(),
});
const RULE_CONDITIONS = [
  'hsPrefix',
  'origin',
  'departure',
  'importer',
  'declarant',
  'office',
] as const;
const RuleBody = RuleFields.superRefine((rule, ctx) => {
  // A rule without a condition matches every declaration: a red one would send the whole day to
  // physical inspection beyond capacity (selection.ts makes red rules mandatory).
  if (!RULE_CONDITIONS.some((k) => rule[k] !== undefined))
    ctx.addIssue({
      code: 'custom',
      path: [],
      message: `a rule needs at least one condition (${RULE_CONDITIONS.join(', ')})`,
    });
  if (rule.validFrom && rule.validTo && rule.validFrom > rule.validTo)
    ctx.addIssue({
      code: 'custom',
      path: ['validTo'],
      message: `must not be before validFrom (${rule.validFrom})`,
    });
}).openapi('TargetingRuleInput');
const Rule = RuleFields.extend({ id: z.string(), createdAt: z.string() }).openapi('TargetingRule');

// JSON has no NaN: a number the declaration does not give (or a declaration not scored) is null.
const finite = (x: number | null | undefined): number | null =>
  x === null || x === undefined || !Number.isFinite(x) ? null : x;

function declarationFields(d: DeclarationDetail['declaration']): z.infer<typeof DeclarationFields> {
  return {
    ...d,
    taxRate: finite(d.taxRate),
    netMass: finite(d.netMass),
    itemPrice: finite(d.itemPrice),
  };
}

const TrainingStatus = z
  .object({
    objective: Objective,
    startedAt: z.string(),
    startedBy: z.string().nullable(),
    status: z.enum(['running', 'failed']),
    /** When it failed, and why (failed only). */
    finishedAt: z.string().optional(),
    error: z.string().optional(),
  })
  .openapi('TargetingTraining');

const Released = z
  .object({
    id: z.string(),
    date: z.string(),
    lane: z.literal('green'),
    inspect: z.literal(false),
    release: Release,
  })
  .openapi('TargetingReleased');

export function register(app: App, deps: ModuleDeps): void {
  const { targeting } = deps.services;

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/targeting/days',
      tags: ['targeting'],
      summary: 'Dates with declarations, newest first, with how many are scored and inspected',
      request: {
        query: z.object({
          // The service's default is 60 days: a quarter of data then hid its first month from the
          // console's day picker.
          limit: z.coerce.number().int().min(1).max(3660).default(60),
        }),
      },
      responses: { 200: json(listOf(Day)), ...problemResponses },
    }),
    async (c) =>
      c.json(
        {
          items: await targeting.days(requireActor(c), c.req.valid('query').limit),
        },
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/targeting/queue',
      tags: ['targeting'],
      summary: "A day's queue: declarations by lane and score, with the reasons",
      request: {
        query: z.object({
          date: IsoDate,
          lane: Lane.optional(),
          limit: z.coerce.number().int().min(1).max(5000).default(200),
          sort: z.enum(['lane', 'critical']).default('lane').openapi({
            description:
              'lane: by lane, then Fraud score (default); critical: by critical probability, highest first',
          }),
          minCritical: z.coerce.number().min(0).max(1).optional().openapi({
            description: 'Only declarations whose critical probability is at least this',
          }),
        }),
      },
      responses: { 200: json(listOf(QueueItem)), ...problemResponses },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const items = await targeting.queue(requireActor(c), {
        date: q.date,
        limit: q.limit,
        sort: q.sort,
        ...(q.lane ? { lane: q.lane } : {}),
        ...(q.minCritical !== undefined ? { minCritical: q.minCritical } : {}),
      });
      return c.json(
        {
          items: items.map((i) => ({
            ...i,
            score: finite(i.score),
            itemPrice: finite(i.itemPrice),
          })),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/targeting/score',
      tags: ['targeting'],
      summary:
        "Score a day's declarations with the active Fraud model (and the Critical Fraud model, if any) and pick those to inspect",
      request: {
        body: jsonBody(
          z
            .strictObject({
              date: IsoDate,
              capacityPercent: z.number().min(0).max(100).optional().openapi({
                description: "Inspection capacity as a share of the day's declarations (default 5)",
              }),
              capacityCount: z.number().int().min(1).optional().openapi({
                description:
                  'Inspection capacity as a number of declarations (instead of capacityPercent)',
              }),
              randomShare: z.number().min(0).max(1).optional().openapi({
                description: 'Share of the capacity reserved for random inspections (default 0.1)',
              }),
              watchlist: z
                .object({
                  threshold: z.number().gt(0).max(1).optional().openapi({ example: 0.85 }),
                  lane: Lane.optional(),
                })
                .optional()
                .openapi({
                  description:
                    'A party-name hit on a list in force at or above `threshold` (default 0.85) raises the declaration to `lane` (default red)',
                }),
              critical: z
                .strictObject({
                  topPercent: z.number().gt(0).max(100).optional().openapi({ example: 1 }),
                  lane: Lane.optional(),
                })
                .optional()
                .openapi({
                  description:
                    "With an active Critical Fraud model: the day's top `topPercent` (default 1) of its probabilities is raised to `lane` (default red); a red band takes only the capacity that red rules and watchlist hits leave. Ignored without a Critical model.",
                }),
            })
            .refine((b) => b.capacityPercent === undefined || b.capacityCount === undefined, {
              message: 'give capacityPercent or capacityCount, not both',
              path: ['capacityCount'],
            }),
        ),
      },
      responses: {
        200: json(
          z.object({
            date: z.string(),
            scored: z.number().int(),
            modelId: z.string(),
            criticalModelId: z.string().nullable(),
            lanes: LaneCounts,
            raised: z.number().int(),
            criticalRaised: z.number().int(),
          }),
        ),
        ...problemResponses,
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const actor = requireActor(c);
      const watchlist = body.watchlist && {
        ...(body.watchlist.threshold !== undefined ? { threshold: body.watchlist.threshold } : {}),
        ...(body.watchlist.lane ? { lane: body.watchlist.lane } : {}),
      };
      const critical = body.critical && {
        ...(body.critical.topPercent !== undefined ? { topPercent: body.critical.topPercent } : {}),
        ...(body.critical.lane ? { lane: body.critical.lane } : {}),
      };
      // A day without declarations is a 404 naming the date (a mistyped date must not read
      // like success); party names are screened by the screening service.
      const result = await targeting.scoreDay(actor, {
        date: body.date,
        ...(body.capacityPercent !== undefined ? { capacityPercent: body.capacityPercent } : {}),
        ...(body.capacityCount !== undefined ? { capacityCount: body.capacityCount } : {}),
        ...(body.randomShare !== undefined ? { randomShare: body.randomShare } : {}),
        ...(watchlist ? { watchlist } : {}),
        ...(critical ? { critical } : {}),
      });
      return c.json(result, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/targeting/declarations/{id}',
      tags: ['targeting'],
      summary: 'A declaration with its score, lane, inspection result and TreeSHAP explanation',
      request: { params: IdParams },
      responses: { 200: json(Detail), ...problemResponses },
    }),
    async (c) => {
      const detail = await targeting.declaration(requireActor(c), c.req.valid('param').id);
      return c.json({ ...detail, declaration: declarationFields(detail.declaration) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/targeting/declarations/{id}/inspection',
      tags: ['targeting'],
      summary: 'Record the result of an inspection (feedback for the next training)',
      request: {
        params: IdParams,
        body: jsonBody(
          z.object({
            fraud: z.union([z.literal(0), z.literal(1)]),
            critical: z.union([z.literal(0), z.literal(1), z.literal(2)]),
            note: z.string().max(2000).optional(),
          }),
        ),
      },
      responses: { 200: json(Inspection), ...problemResponses },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const result = await targeting.recordInspection(requireActor(c), c.req.valid('param').id, {
        fraud: body.fraud,
        critical: body.critical,
        ...(body.note !== undefined ? { note: body.note } : {}),
      });
      return c.json(result, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/targeting/declarations/{id}/release',
      tags: ['targeting'],
      summary:
        'Release a red-lane declaration without inspection (officers, admins), with the reason; audited and committed to the ledger',
      description:
        "Only a red-lane declaration of the caller's organisation that has no inspection result and is not released yet: 404 for one that is not the organisation's, 409 otherwise. A new scoring of its day is a new selection and clears the release.",
      request: {
        params: IdParams,
        body: jsonBody(
          z.strictObject({
            reason: z.string().trim().min(1, 'a reason is required').max(500),
          }),
        ),
      },
      responses: { 200: json(Released), ...problemResponses },
    }),
    async (c) =>
      c.json(
        await targeting.releaseDeclaration(
          requireActor(c),
          c.req.valid('param').id,
          c.req.valid('json'),
        ),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/targeting/models',
      tags: ['targeting'],
      summary: 'Trained models, newest first, with their training metadata',
      responses: { 200: json(listOf(Model)), ...problemResponses },
    }),
    async (c) => c.json({ items: await targeting.listModels(requireActor(c)) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/targeting/models',
      tags: ['targeting'],
      summary: 'Train a model on the inspected declarations and make it active',
      request: {
        body: jsonBody(
          z.object({
            objective: Objective,
            until: IsoDate.optional(),
            groupKey: z.boolean().optional(),
          }),
        ),
      },
      responses: { 201: json(Model, 'Trained'), ...problemResponses },
    }),
    async (c) => {
      // One training at a time per organisation (409 meanwhile); a failed one stays visible at
      // GET /api/targeting/models/training until the next starts.
      const body = c.req.valid('json');
      const model = await targeting.trainModel(requireActor(c), {
        objective: body.objective,
        ...(body.until ? { until: body.until } : {}),
        ...(body.groupKey !== undefined ? { groupKey: body.groupKey } : {}),
      });
      return c.json(model, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/targeting/models/training',
      tags: ['targeting'],
      summary:
        "The organisation's model training in progress, or its last one when that failed (what, since when, by whom, why), so the console can show it after a reload",
      responses: { 200: json(listOf(TrainingStatus)), ...problemResponses },
    }),
    (c) => c.json({ items: targeting.trainingStatus(requireActor(c)) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/targeting/rules',
      tags: ['targeting'],
      summary: "Officers' rules",
      responses: { 200: json(listOf(Rule)), ...problemResponses },
    }),
    async (c) => c.json({ items: await targeting.rules(requireActor(c)) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/targeting/rules',
      tags: ['targeting'],
      summary:
        'Add a rule: conditions → lane, with validity dates and an explanation (committed to the ledger)',
      request: { body: jsonBody(RuleBody) },
      responses: { 201: json(Rule, 'Created'), ...problemResponses },
    }),
    async (c) => c.json(await targeting.createRule(requireActor(c), c.req.valid('json')), 201),
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/targeting/rules/{id}',
      tags: ['targeting'],
      summary: 'Delete a rule (committed to the ledger with the rule as it was)',
      request: { params: IdParams },
      responses: { 204: { description: 'Deleted' }, ...problemResponses },
    }),
    async (c) => {
      await targeting.removeRule(requireActor(c), c.req.valid('param').id);
      return c.body(null, 204);
    },
  );
}
