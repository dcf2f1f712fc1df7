export {
  InterdictError,
  CoreError,
  isInterdictError,
  describeError,
  type CoreErrorCode,
} from './errors';
export { canonicalJson, canonicalJsonBytes } from './canonical-json';
export { sha256, sha256Hex, toHex, toBase64, fromBase64, bytesEqual } from './hash';
export { readCsv, type CsvRow, type CsvReadOptions } from './csv';
export { printable } from './printable';
