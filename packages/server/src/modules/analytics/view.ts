import { createRoute, z } from '@hono/zod-openapi';
import type { Actor } from '@interdict/store';
import { requireActor } from '../../auth/middleware';
import type { App } from '../../env';
import { problemResponses } from '../../schemas';
import { csvResponse, type CsvTable } from './csv';

/** Every view answers JSON, or a CSV download of the same figures with `format=csv`. */
export const Format = z
  .enum(['json', 'csv'])
  .optional()
  .openapi({ description: 'csv answers text/csv' });

function answers(schema: z.ZodType, description: string) {
  return {
    200: {
      description,
      content: {
        'application/json': { schema },
        'text/csv': { schema: z.string() },
      },
    },
    ...problemResponses,
  };
}

type NoParams = z.ZodObject<Record<never, never>>;

/**
 * Registers a GET view of the analytics API: tagged, with its query (and path) schema, answering
 * the service's view as JSON or, with `format=csv`, as a CSV download of the same figures. The
 * handler is the route's one service call; `csv` only lays the view out as a table.
 */
export function getView<
  Q extends z.ZodObject,
  S extends z.ZodType,
  P extends z.ZodObject = NoParams,
>(
  app: App,
  route: {
    path: string;
    summary: string;
    params?: P;
    query: Q;
    schema: S;
    description: string;
  },
  view: (actor: Actor, query: z.infer<Q>, params: z.infer<P>) => Promise<z.infer<S>>,
  csv: (answer: z.infer<S>, query: z.infer<Q>, params: z.infer<P>) => CsvTable,
): void {
  const { path, summary, params, query, schema, description } = route;
  app.openapi(
    createRoute({
      method: 'get',
      path,
      tags: ['analytics'],
      summary,
      request: params ? { params, query } : { query },
      responses: answers(schema, description),
    }),
    async (c) => {
      // The route's own schemas validated both; the casts only restore their generic types.
      const q = c.req.valid('query' as never) as z.infer<Q>;
      const p = (params ? c.req.valid('param' as never) : {}) as z.infer<P>;
      const answer = await view(requireActor(c), q, p);
      if ((q as { format?: string }).format === 'csv') return csvResponse(c, csv(answer, q, p));
      return c.json(answer as object, 200);
    },
  );
}
