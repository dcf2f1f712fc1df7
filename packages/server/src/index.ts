export { createApp, resolveConfig, API_VERSION, type Lifecycle } from './app';
export { startServer, type StartServerOptions, type RunningServer } from './server';
export { bootstrapInstance } from './bootstrap';
export {
  requireActor,
  requireRole,
  clientIp,
  SESSION_COOKIE,
  CSRF_HEADER,
} from './auth/middleware';
export {
  MemoryRateLimiter,
  RedisRateLimiter,
  type RateLimiter,
  type RateRule,
} from './auth/rate-limit';
export { problem, errorToProblem, HttpProblem, type Problem } from './problem';
export type { ServerModule } from './modules/types';
export type { App, AppEnv, ModuleDeps, ServerConfig, ServerDeps, RequestAuth } from './env';
export { createLogger } from './observability';
export * as schemas from './schemas';
