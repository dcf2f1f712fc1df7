import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import pino, { type Logger } from 'pino';

/** JSON logs on stdout (pino), level from LOG_LEVEL (default info). */
export function createLogger(): Logger {
  return pino({
    level: process.env.LOG_LEVEL ?? 'info',
    base: { service: 'interdict' },
    redact: ['req.headers.cookie', 'req.headers.authorization', '*.password', '*.secret'],
  });
}

export interface Metrics {
  registry: Registry;
  requests: Counter<'method' | 'route' | 'status'>;
  duration: Histogram<'method' | 'route'>;
}

/** One registry per app, so several apps in one process (tests) never clash. */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'interdict_' });
  return {
    registry,
    requests: new Counter({
      name: 'interdict_http_requests_total',
      help: 'HTTP requests by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'interdict_http_request_duration_seconds',
      help: 'HTTP request duration by method and route pattern',
      labelNames: ['method', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
  };
}
