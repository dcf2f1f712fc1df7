import { z } from '@hono/zod-openapi';
import type { AnalyticsService } from '@interdict/services';
import type { App } from '../../env';
import { csvTable } from './csv';
import { Format, getView } from './view';

// Reference places for the map: World Port Index seaports and UN/LOCODE border crossings and
// ports with coordinates (GET /api/analytics/places).

const PlacesQuery = z.object({
  kind: z.enum(['wpi', 'unlocode-border', 'unlocode-port']).default('wpi'),
  country: z
    .string()
    .regex(/^[A-Z]{2}$/)
    .optional(),
  format: Format,
});

const PlacesResponse = z
  .object({
    kind: z.enum(['wpi', 'unlocode-border', 'unlocode-port']),
    items: z.array(
      z.object({
        id: z.string().openapi({ description: 'WPI number or UN/LOCODE' }),
        name: z.string(),
        country: z.string().nullable(),
        latitude: z.number(),
        longitude: z.number(),
        detail: z.string().nullable(),
        sourceName: z.string(),
        sourceLine: z.number().int(),
      }),
    ),
  })
  .openapi('AnalyticsPlaces');

export function registerPlaceViews(app: App, analytics: AnalyticsService): void {
  getView(
    app,
    {
      path: '/api/analytics/places',
      summary:
        'Seaports (World Port Index) or UN/LOCODE border crossings and ports with coordinates',
      query: PlacesQuery,
      schema: PlacesResponse,
      description: 'One row per place',
    },
    (actor, q) => analytics.places(actor, q),
    (view, q) =>
      csvTable(
        `places-${q.kind}`,
        ['id', 'name', 'country', 'latitude', 'longitude', 'detail', 'sourceName', 'sourceLine'],
        view.items,
      ),
  );
}
