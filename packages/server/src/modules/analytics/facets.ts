import { createRoute, z } from '@hono/zod-openapi';
import { TRAFFIC_UNITS, type TrafficUnit } from '@interdict/analytics';
import type { AnalyticsService } from '@interdict/services';
import { requireActor } from '../../auth/middleware';
import type { App } from '../../env';
import { problemResponses } from '../../schemas';

// The values each analytics filter takes, for the console's pickers (GET /api/analytics/facets).

const MonthSpan = z
  .tuple([z.string(), z.string()])
  .nullable()
  .openapi({ description: 'First and last month with rows' });

const Measures = z.array(z.string()).readonly();
const TrafficUnits = z.object(
  Object.fromEntries(Object.keys(TRAFFIC_UNITS).map((unit) => [unit, Measures])) as Record<
    TrafficUnit,
    typeof Measures
  >,
);

const FacetsResponse = z
  .object({
    seizures: z.object({
      drug: z.array(z.string()),
      region: z.array(z.string()),
      component: z.array(z.string()),
      aor: z.array(z.string()),
      months: MonthSpan,
    }),
    crossings: z.object({
      measure: z.array(z.string()),
      border: z.array(z.string()),
      ports: z.array(z.object({ code: z.string(), name: z.string(), state: z.string() })),
      months: MonthSpan,
    }),
    unodc: z.object({
      drug: z.array(z.string()),
      drugGroup: z.array(z.string()),
      region: z.array(z.string()),
      years: z.array(z.number().int()),
    }),
    trafficUnits: TrafficUnits.openapi({ description: 'The BTS measures each traffic unit sums' }),
  })
  .openapi('AnalyticsFacets');

export function registerFacets(app: App, analytics: AnalyticsService): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/analytics/facets',
      tags: ['analytics'],
      summary: 'Values available for each analytics filter',
      responses: {
        200: {
          description: 'Filter values per dataset',
          content: { 'application/json': { schema: FacetsResponse } },
        },
        ...problemResponses,
      },
    }),
    async (c) => c.json(await analytics.facets(requireActor(c)), 200),
  );
}
