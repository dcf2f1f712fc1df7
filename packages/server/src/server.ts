import { serve, type ServerType } from '@hono/node-server';
import { createServices, type Services, type ServicesOptions } from '@interdict/services';
import type { Store } from '@interdict/store';
import type { Server as HttpServer } from 'node:http';
import type { Logger } from 'pino';
import { createApp, type Lifecycle } from './app';
import { RedisRateLimiter, type RateLimiter } from './auth/rate-limit';
import { Redis } from 'ioredis';
import { loadDemoData } from './demo/index';
import type { ServerConfig } from './env';
import { createLogger } from './observability';

export interface StartServerOptions {
  port: number;
  host?: string;
  store: Store;
  /** Settings of the services built over `store` (defaults from the environment). */
  servicesOptions?: ServicesOptions;
  logger?: Logger;
  /** Load the datasets bundle as ingest jobs when the database has none yet (default false). */
  demoData?: boolean;
  config?: Partial<ServerConfig>;
  /** Where sign-in attempts are counted (default: Redis when REDIS_URL is set, else memory). */
  rateLimiter?: RateLimiter;
  /** Close the store on shutdown (default true). */
  closeStore?: boolean;
  /** Install SIGTERM/SIGINT handlers that drain and exit (default true). */
  handleSignals?: boolean;
}

export interface RunningServer {
  url: string;
  /** The services the server calls (tests and embedders). */
  services: Services;
  /** Stop accepting, finish in-flight requests (up to 10 s), stop demo loading, close the store. */
  close(): Promise<void>;
}

const DRAIN_MS = 10_000;

export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const logger = options.logger ?? createLogger();
  const lifecycle: Lifecycle = { draining: false };
  // Several replicas share sign-in rate limits through Redis when REDIS_URL is set.
  let redis: Redis | undefined;
  let rateLimiter = options.rateLimiter;
  if (!rateLimiter && process.env.REDIS_URL) {
    redis = new Redis(process.env.REDIS_URL, { maxRetriesPerRequest: 2 });
    redis.on('error', (error: unknown) => logger.warn({ err: error }, 'redis error'));
    rateLimiter = new RedisRateLimiter(redis);
  }
  const services = createServices(options.store, {
    ...options.servicesOptions,
    closeStore: options.closeStore !== false,
  });
  // The sequencer recovers the log and drains what a crash left staged before traffic arrives.
  await services.start();
  const app = createApp({
    store: options.store,
    services,
    logger,
    lifecycle,
    ...(options.config ? { config: options.config } : {}),
    ...(rateLimiter ? { rateLimiter } : {}),
  });
  const host = options.host ?? '0.0.0.0';
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: options.port, hostname: host }, () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const url = `http://${host === '0.0.0.0' || host === '::' ? 'localhost' : host}:${port}`;
  logger.info({ url, engine: options.store.engine }, 'server listening');

  const demo = new AbortController();
  if (options.demoData) {
    loadDemoData(services, { logger, signal: demo.signal })
      .then((run) => run.finished)
      .catch((error: unknown) => logger.error({ err: error }, 'demo data could not be loaded'));
  }

  // Expired sessions are useless; drop them hourly so the table stays small.
  const purge = setInterval(
    () => {
      options.store.auth
        .purgeExpiredSessions()
        .then((n) => n > 0 && logger.info({ sessions: n }, 'expired sessions purged'))
        .catch((error: unknown) => logger.warn({ err: error }, 'could not purge expired sessions'));
    },
    60 * 60 * 1000,
  );
  purge.unref();

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      lifecycle.draining = true;
      clearInterval(purge);
      demo.abort();
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          // Drain time is up: cut keep-alive and stuck connections.
          (server as HttpServer).closeAllConnections?.();
          resolve();
        }, DRAIN_MS);
        timer.unref();
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        (server as HttpServer).closeIdleConnections?.();
      });
      redis?.disconnect();
      await services.close();
      logger.info('server stopped');
    })();
    return closing;
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    logger.info({ signal }, 'shutting down');
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  if (options.handleSignals !== false) {
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }
  return { url, services, close };
}
