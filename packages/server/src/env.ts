import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Services } from '@interdict/services';
import type { Actor, Organisation, Store, User } from '@interdict/store';
import type { Logger } from 'pino';
import type { RateLimiter } from './auth/rate-limit';

/** Settings of one app; every field has a default (see `resolveConfig`). */
export interface ServerConfig {
  /** Largest JSON body, in bytes (default 1 MiB). */
  bodyLimit: number;
  /** Largest upload to POST /api/jobs, in bytes (default 512 MiB). */
  uploadLimit: number;
  /** Folder with the built console (default packages/web/dist). */
  consoleDir: string;
  /** Trust X-Forwarded-For / X-Forwarded-Proto (only behind a proxy you run). */
  trustProxy: boolean;
  /** Sign-in attempts allowed per client IP and per account within `signInWindowMs`. */
  signInLimitPerIp: number;
  signInLimitPerAccount: number;
  signInWindowMs: number;
}

export interface ServerDeps {
  /** The store the services were built over (platform routes not yet moved to services read it). */
  store: Store;
  /** Every use case: routes call these (packages/services). */
  services: Services;
  logger?: Logger;
  config?: Partial<ServerConfig>;
  /** Where sign-in attempts are counted; memory by default, Redis across replicas. */
  rateLimiter?: RateLimiter;
}

/** What the auth middleware found; `undefined` actor means anonymous. */
export interface RequestAuth {
  actor: Actor;
  via: 'session' | 'token';
  user?: User;
  organisation?: Organisation;
  csrfToken?: string;
  sessionSecret?: string;
}

export interface AppEnv {
  Variables: {
    requestId: string;
    logger: Logger;
    auth: RequestAuth | undefined;
    /** The CSP nonce of this response's console page, once one is needed. */
    cspNonce?: string;
  };
}

export type App = OpenAPIHono<AppEnv>;

/** What a module's `register(app, deps)` receives: the deps with defaults filled in. */
export interface ModuleDeps {
  store: Store;
  services: Services;
  logger: Logger;
  config: ServerConfig;
}
