export * from './repository';
export type { TargetingTables } from './tables';
export {
  SKIPPED_LISTED,
  ingestDeclarations,
  type BadRowPolicy,
  type IngestDeclarationsOptions,
  type IngestDeclarationsSummary,
} from './ingest';
export {
  indexScreener,
  organisationDecisions,
  storeScreener,
  type PartyScreener,
  type WatchlistDecision,
} from './watchlist';
