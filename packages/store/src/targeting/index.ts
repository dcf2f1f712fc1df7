export * from './repository';
export { clearTargetingModelCache } from './model-cache';
export {
  indexScreener,
  organisationDecisions,
  partyNameKey,
  storeScreener,
  watchlistRaiser,
  type PartyScreener,
  type WatchlistDecision,
} from './watchlist';
