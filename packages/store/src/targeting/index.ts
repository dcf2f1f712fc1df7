export * from './repository';
export { clearTargetingModelCache } from './model-cache';
export {
  EVALUATION_MINIMUM,
  clearTargetingEvaluationCache,
  evaluateTargetingModel,
  type EvaluationFigures,
  type ModelEvaluation,
} from './evaluation';
export {
  indexScreener,
  organisationDecisions,
  partyNameKey,
  storeScreener,
  watchlistRaiser,
  type PartyScreener,
  type WatchlistDecision,
} from './watchlist';
export {
  SCORE_POOL_MIN_ROWS,
  ScorePool,
  closeScorePool,
  scoreDeclarationsInWorkers,
  scoreMatrixInWorkers,
  scorePool,
  scoringWorkerCount,
  type ScorePoolOptions,
} from './score-pool';
