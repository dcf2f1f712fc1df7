/**
 * Capability routes, ONE line each: `export * as ledger from './ledger';` where
 * `modules/ledger.ts` exports `register(app, deps)` (see ./types.ts). Routes are declared with
 * `createRoute` from @hono/zod-openapi so they land in the OpenAPI document.
 */
export * as analytics from './analytics';
export * as ledger from './ledger';
export * as targeting from './targeting';
export * as targetingEvaluation from './targeting-evaluation';
export * as screening from './screening';
