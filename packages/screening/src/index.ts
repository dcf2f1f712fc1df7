export { ScreeningError, type ScreeningErrorCode, MAX_NAME_LENGTH } from './errors';
export {
  SCHEMAS,
  type Schema,
  type NameQuality,
  type EntityName,
  type Identifier,
  type Address,
  type Entity,
  type ListVersion,
  type ParsedList,
  type ByteSource,
} from './model';
export { countryCode } from './countries';
export { parseOfac, parseOfacRemarks, type OfacSources } from './parsers/ofac';
export { parseUnConsolidated } from './parsers/un';
export { parseFollowTheMoney } from './parsers/ftm';
export { parseListDate } from './parsers/common';
export { diffLists, type ListDiff } from './diff';
export {
  analyseName,
  checkQueryName,
  consonantSkeleton,
  type AnalysedName,
  type NameToken,
  type TokenKind,
  type NameStyle,
} from './normalize';
export { osaDistance, jaroWinkler } from './distance';
export {
  compareNames,
  defaultWeigher,
  KIND_WEIGHT,
  type AlignmentKind,
  type TokenAlignment,
  type NameComparison,
  type TokenWeigher,
  type CompareOptions,
} from './compare';
export { scoreNamePair, nameVariants, styleOf } from './pairs';
export {
  ScreeningIndex,
  compareBirthDates,
  analyseForSchema,
  PENALTY,
  type ScreeningQuery,
  type ScreeningHit,
  type MatchExplanation,
  type Adjustment,
  type SearchOptions,
} from './search-index';
