import canonicalize from 'canonicalize';
import { CoreError } from './errors';

/**
 * RFC 8785 JSON Canonicalization Scheme: the exact bytes that get hashed and signed, so two
 * parties who hold the same value always agree on its hash (used by ledger envelopes).
 */
/** Deepest nesting a canonicalised value may have: deeper input is hostile, not a record. */
export const MAX_JSON_DEPTH = 64;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Refuses what RFC 8785 cannot canonicalise, before the recursive serialiser sees it: numbers
 * that are not finite (`1e999` parses as Infinity, §3.2.2.3 allows none), strings with lone
 * surrogates (§3.2.2.2: the input must be valid Unicode), and nesting deeper than MAX_JSON_DEPTH
 * (a 10,000-deep array would overflow the stack). Iterative, so the check itself cannot overflow.
 */
function checkCanonicalisable(value: unknown): void {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (typeof v === 'number' && !Number.isFinite(v))
      throw new CoreError('JSON_NOT_CANONICALIZABLE', 'a number is not finite');
    if (typeof v === 'string' && LONE_SURROGATE.test(v))
      throw new CoreError('JSON_NOT_CANONICALIZABLE', 'a string holds a lone surrogate');
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= MAX_JSON_DEPTH)
      throw new CoreError(
        'JSON_NOT_CANONICALIZABLE',
        `nested deeper than ${MAX_JSON_DEPTH} levels`,
      );
    for (const [k, child] of Object.entries(v)) {
      if (LONE_SURROGATE.test(k))
        throw new CoreError('JSON_NOT_CANONICALIZABLE', 'a key holds a lone surrogate');
      stack.push([child, depth + 1]);
    }
  }
}

export function canonicalJson(value: unknown): string {
  checkCanonicalisable(value);
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
