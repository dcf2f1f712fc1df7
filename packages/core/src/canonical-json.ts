import canonicalize from 'canonicalize';
import { CoreError } from './errors';

/**
 * RFC 8785 JSON Canonicalization Scheme: the exact bytes that get hashed and signed, so two
 * parties who hold the same value always agree on its hash (used by ledger envelopes).
 */
export function canonicalJson(value: unknown): string {
  // canonicalize returns undefined for values JSON cannot represent (undefined, functions).
  const text = canonicalize(value);
  if (text === undefined) {
    throw new CoreError('JSON_NOT_CANONICALIZABLE', 'value cannot be represented as JSON');
  }
  return text;
}

export function canonicalJsonBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(canonicalJson(value));
}
