import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { authenticate } from './auth/middleware';
import { MemoryRateLimiter } from './auth/rate-limit';
import type { App, AppEnv, ModuleDeps, ServerConfig, ServerDeps } from './env';
import * as modules from './modules/index';
import type { ServerModule } from './modules/types';
import { createLogger, createMetrics } from './observability';
import { errorToProblem, HttpProblem, problem } from './problem';
import { registerAdminRoutes } from './routes/admin';
import { registerAuthRoutes } from './routes/auth';
import { registerDataRoutes } from './routes/data';
import { registerSessionRoutes } from './routes/sessions';
import { json, ProblemSchema } from './schemas';
import { securityHeaders } from './security-headers';
import { docsAsset, docsPage, serveConsole } from './static';

const here = path.dirname(fileURLToPath(import.meta.url));
export const API_VERSION = '0.1.0';

export function resolveConfig(partial: Partial<ServerConfig> = {}): ServerConfig {
  return {
    bodyLimit: 1024 * 1024,
    uploadLimit: 512 * 1024 * 1024,
    consoleDir: path.resolve(here, '../../web/dist'),
    trustProxy: process.env.INTERDICT_TRUST_PROXY === 'true',
    signInLimitPerIp: 30,
    signInLimitPerAccount: 10,
    signInWindowMs: 15 * 60 * 1000,
    ...partial,
  };
}

/** Lets `startServer` report "not ready" while draining; absent in tests. */
export interface Lifecycle {
  draining: boolean;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;

/**
 * The whole HTTP surface as a Hono app: platform routes, capability modules, OpenAPI document,
 * docs, health, metrics and the console. In-process tests call `app.request()`.
 */
export function createApp(deps: ServerDeps & { lifecycle?: Lifecycle }): App {
  const { store, services } = deps;
  const config = resolveConfig(deps.config);
  const logger = deps.logger ?? createLogger();
  const metrics = createMetrics();
  const limiter = deps.rateLimiter ?? new MemoryRateLimiter();
  const moduleDeps: ModuleDeps = { store, services, logger, config };

  const app = new OpenAPIHono<AppEnv>({
    // Every request that fails its schema answers one problem listing each failing field.
    defaultHook: (result, c) => {
      if (!result.success) {
        const errors = result.error.issues.map((i) => ({
          path: i.path.map(String).join('.') || '(body)',
          message: i.message,
        }));
        return problem(
          c,
          400,
          'VALIDATION_FAILED',
          errors.map((e) => `${e.path}: ${e.message}`).join('; '),
          { errors },
        );
      }
      return undefined;
    },
  });

  app.use('*', async (c, next) => {
    const given = c.req.header('x-request-id');
    const requestId = given && REQUEST_ID.test(given) ? given : crypto.randomUUID();
    const log = logger.child({ requestId });
    c.set('requestId', requestId);
    c.set('logger', log);
    c.set('auth', undefined);
    const started = process.hrtime.bigint();
    await next();
    c.res.headers.set('x-request-id', requestId);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const route = c.req.routePath || 'unmatched';
    metrics.requests.inc({ method: c.req.method, route, status: String(c.res.status) });
    metrics.duration.observe({ method: c.req.method, route }, seconds);
    if (c.req.path !== '/healthz' && c.req.path !== '/readyz' && c.req.path !== '/metrics') {
      log.info(
        {
          method: c.req.method,
          path: c.req.path,
          status: c.res.status,
          ms: Math.round(seconds * 1000),
          actor: c.get('auth')?.actor.userId ?? c.get('auth')?.actor.tokenId,
        },
        'request',
      );
    }
  });
  app.use('*', securityHeaders(config));

  // Size limits before anything reads a body: uploads get their own, larger limit.
  const tooLarge = (limit: number) => (c: Parameters<typeof problem>[0]) =>
    problem(c, 413, 'HTTP_413', `the request body exceeds ${limit} bytes`, { limit });
  const jsonLimit = bodyLimit({ maxSize: config.bodyLimit, onError: tooLarge(config.bodyLimit) });
  const uploadLimit = bodyLimit({
    maxSize: config.uploadLimit,
    onError: tooLarge(config.uploadLimit),
  });
  const limits: MiddlewareHandler<AppEnv> = (c, next) =>
    c.req.method === 'POST' && c.req.path === '/api/jobs'
      ? uploadLimit(c, next)
      : jsonLimit(c, next);
  app.use('/api/*', limits);
  app.use('/api/*', authenticate(services));

  registerAuthRoutes(app, moduleDeps, limiter);
  registerAdminRoutes(app, moduleDeps);
  registerSessionRoutes(app, moduleDeps);
  registerDataRoutes(app, moduleDeps);
  // Typed assignment: every module file must export a conforming `register`.
  const capabilityModules: Record<string, ServerModule> = modules;
  for (const module of Object.values(capabilityModules)) module.register(app, moduleDeps);

  app.openAPIRegistry.registerComponent('securitySchemes', 'session', {
    type: 'apiKey',
    in: 'cookie',
    name: 'interdict_session',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'token', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API token (idt_…)',
  });
  app.doc31('/api/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Interdict API',
      version: API_VERSION,
      description:
        'Errors are RFC 9457 problem details. Cookie-authenticated unsafe requests need the X-CSRF-Token header.',
      license: { name: 'Apache-2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' },
    },
    security: [{ session: [] }, { token: [] }],
  });
  app.get('/api/docs', (c) => docsPage(c));
  app.get(
    '/api/docs/:name',
    async (c) => (await docsAsset(c, c.req.param('name'))) ?? c.notFound(),
  );

  const ops = { tags: ['operations'], security: [] };
  app.openapi(
    createRoute({
      ...ops,
      method: 'get',
      path: '/healthz',
      summary: 'The process is up',
      responses: { 200: json(z.object({ status: z.literal('ok') })) },
    }),
    (c) => c.json({ status: 'ok' as const }, 200),
  );
  app.openapi(
    createRoute({
      ...ops,
      method: 'get',
      path: '/readyz',
      summary: 'Ready for traffic: the store answers and the server is not draining',
      responses: {
        200: json(z.object({ status: z.literal('ready'), engine: z.enum(['pglite', 'postgres']) })),
        503: {
          description: 'Not ready',
          content: { 'application/problem+json': { schema: ProblemSchema } },
        },
      },
    }),
    async (c) => {
      if (deps.lifecycle?.draining)
        throw new HttpProblem(503, 'DRAINING', 'the server is shutting down');
      // PGlite lives in this process: open means ready (a ping would queue behind a running ingest).
      if (store.engine === 'postgres') {
        try {
          await Promise.race([
            store.ping(),
            new Promise((_, reject) =>
              setTimeout(() => reject(new Error('database ping timed out')), 2000).unref(),
            ),
          ]);
        } catch (error) {
          throw new HttpProblem(
            503,
            'STORE_UNAVAILABLE',
            `the database does not answer: ${String(error)}`,
          );
        }
      }
      return c.json({ status: 'ready' as const, engine: store.engine }, 200);
    },
  );
  app.openapi(
    createRoute({
      ...ops,
      method: 'get',
      path: '/metrics',
      summary: 'Prometheus metrics (text exposition format)',
      responses: {
        200: { description: 'Metrics', content: { 'text/plain': { schema: z.string() } } },
      },
    }),
    async (c) =>
      c.text(await metrics.registry.metrics(), 200, {
        'content-type': metrics.registry.contentType,
      }),
  );

  const consoleHandler = serveConsole(config.consoleDir);
  app.get('*', async (c) => {
    const p = c.req.path;
    if (p === '/api' || p.startsWith('/api/') || p === '/ledger' || p.startsWith('/ledger/'))
      return c.notFound();
    return (await consoleHandler(c)) ?? c.notFound();
  });

  app.notFound((c) => {
    const allowed = allowedMethods(app, c.req.path);
    if (allowed.length > 0 && !allowed.includes(c.req.method)) {
      return problem(c, 405, 'HTTP_405', `${c.req.method} is not allowed on ${c.req.path}`, {
        headers: { allow: allowed.join(', ') },
      });
    }
    return problem(c, 404, 'HTTP_404', `nothing at ${c.req.path}`);
  });
  app.onError((error, c) => errorToProblem(c, error));
  return app;
}

/** Methods that some route other than the console fallback answers for `path` (for 405 + Allow). */
function allowedMethods(app: App, path: string): string[] {
  const methods = new Set<string>();
  for (const r of app.routes) {
    if (r.method === 'ALL' || r.path === '*' || r.path === '/*') continue;
    const pattern = new RegExp(
      `^${r.path
        .split('/')
        .map((s) =>
          s.startsWith(':') ? '[^/]+' : s === '*' ? '.*' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
        )
        .join('/')}$`,
    );
    if (pattern.test(path)) methods.add(r.method);
  }
  if (methods.has('GET')) methods.add('HEAD');
  return [...methods].sort();
}
