// Test and benchmark helpers only; never imported by product code.
export { sharedData, sharedDataRoot, repoRoot } from './shared-data';
export { createTestSchema, TEST_POSTGRES_URL, type TestSchema } from './postgres';
export {
  dateOf,
  idOf,
  kcsAsOtherSchema,
  kcsDayWithImporters,
  kcsLines,
  kcsTrainText,
  kingpinCompanies,
  sdnCsvText,
  unConsolidatedXml,
  unlabelled,
  unListedCompanies,
  type KcsSplit,
  type NamedImporter,
} from './targeting-data';
