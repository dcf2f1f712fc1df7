export * from './repository';
export type { TargetingTables } from './tables';
export {
  SKIPPED_LISTED,
  ingestDeclarations,
  type BadRowPolicy,
  type IngestDeclarationsOptions,
  type IngestDeclarationsSummary,
} from './ingest';
export { organisationDecisions, type WatchlistDecision } from './watchlist';
