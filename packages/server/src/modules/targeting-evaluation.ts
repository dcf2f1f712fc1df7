import { createRoute, z } from '@hono/zod-openapi';
import { requireActor } from '../auth/middleware';
import type { App, ModuleDeps } from '../env';
import { IdParams, json, problemResponses } from '../schemas';

// Out-of-time evaluation of a targeting model version (issue 6: "model versions with their
// evaluation"), apart from targeting.ts so the queue's routes and this one change independently.
// Authorisation is the targeting service's: readers of the organisation only; another
// organisation's model is NOT_FOUND (404), an unknown id too.

const AtN = z
  .object({
    percent: z.number().openapi({ example: 5 }),
    inspected: z.number().int().openapi({ description: 'Declarations in the top n%' }),
    precision: z.number(),
    recall: z.number(),
  })
  .openapi('TargetingAtN');

const Figures = z
  .object({
    inspected: z.number().int(),
    positives: z
      .number()
      .int()
      .openapi({ description: "Positives for the model's objective (Fraud or Critical Fraud)" }),
    enough: z.boolean().openapi({
      description: 'False below `minimum`: not enough inspected declarations yet, `metrics` null',
    }),
    metrics: z.array(AtN).nullable().openapi({
      description: 'Precision@n% and Recall@n% for n = 1, 2, 5, 10; null when not `enough`',
    }),
  })
  .openapi('TargetingEvaluationFigures');

export const ModelEvaluation = z
  .object({
    modelId: z.string(),
    objective: z.enum(['fraud', 'critical']),
    trainedThrough: z
      .string()
      .openapi({ description: "Last date of the model's training data; all evaluated are later" }),
    status: z.enum(['ok', 'not-enough']),
    firstDate: z.string().nullable(),
    lastDate: z.string().nullable(),
    days: z.number().int(),
    all: Figures.openapi({
      description:
        'Every declaration inspected after the training data, each day scored as the queue scores it. Biased towards what targeting selected.',
    }),
    randomShare: Figures.nullable().openapi({
      description:
        'Only those picked by the random share when their day was scored (a uniform draw from what the model and rules did not pick): the unbiased figures. Null when there are none.',
    }),
    sources: z.object({ import: z.number().int(), officer: z.number().int() }),
    minimum: z.object({ inspected: z.number().int(), positives: z.number().int() }),
    computedAt: z.string(),
    computeMs: z.number().int(),
    cached: z.boolean(),
  })
  .openapi('TargetingModelEvaluation');

export function register(app: App, deps: ModuleDeps): void {
  const { targeting } = deps.services;
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/targeting/models/{id}/evaluation',
      tags: ['targeting'],
      summary:
        'Out-of-time evaluation of a model version: Precision/Recall@n% on the declarations inspected after its training data',
      description:
        'Computed on first request and cached per model and state of the later declarations and inspections (seconds on a few months of declarations).',
      request: { params: IdParams },
      responses: { 200: json(ModelEvaluation), ...problemResponses },
    }),
    async (c) =>
      c.json(await targeting.evaluateModel(requireActor(c), c.req.valid('param').id), 200),
  );
}
