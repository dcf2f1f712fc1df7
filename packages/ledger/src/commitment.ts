import { canonicalJson, fromBase64, sha256Hex, toBase64 } from '@interdict/core';
import { utf8, fromUtf8 } from './crypto';
import { fail } from './errors';
import { hashLeaf } from './merkle';
import { keyIdHex, type Signer, type Verifier } from './note';
import { parseEnvelope, verifyEnvelope, type EnvelopeClaims, type LeafEnvelope } from './envelope';
import { MAX_ENTRY_SIZE } from './tiles';

// Version 2 leaves: hiding commitments. Tiles are public (C2SP tlog-tiles) so that partners and
// auditors can verify the log, so a leaf must reveal nothing about what it commits to. A v1 leaf
// named the record type, the organisation and the time in clear and carried the unsalted SHA-256
// of a body that is often small enough to guess (a decision "confirm" on entity 1234 …). A v2 leaf
// is only
//
//   {"commitment":"<hex SHA-256(COMMITMENT_CONTEXT ‖ opening)>","v":2}
//
// where the *opening* — kept with the body, under the record's access control — is the canonical
// JSON (RFC 8785) of {v, type, organisation, time, bodySha256, salt, keyId, signature}: the claims
// a v1 leaf carried, plus 32 random bytes of salt, signed by the organisation's key. The salt makes
// the commitment hiding (guessing the body, type, organisation and time does not let anyone
// recompute the leaf), SHA-256 makes it binding, and the signature inside the opening keeps every
// entry attributable to its organisation — for whoever is entitled to open it. Nothing in the leaf
// names the organisation: a signature in clear would (anyone can try every organisation key).

export const COMMITMENT_VERSION = 2;
/** Domain separation for the organisation's signature over an opening. */
export const OPENING_SIGNING_CONTEXT = 'interdict.ledger.opening.v2\n';
/** Domain separation for the commitment hash, so it can never equal another hash we compute. */
export const COMMITMENT_CONTEXT = 'interdict.ledger.commitment.v2\n';
/** Salt length in bytes: 256 bits, so the commitment hides even a fully guessable body. */
export const SALT_BYTES = 32;

export interface CommitmentLeaf {
  readonly v: 2;
  /** Lowercase hex SHA-256 of COMMITMENT_CONTEXT ‖ opening bytes. */
  readonly commitment: string;
}

export interface Opening extends EnvelopeClaims {
  readonly v: 2;
  /** Base64 of SALT_BYTES random bytes. */
  readonly salt: string;
  /** Key ID (8 hex digits, signed-note style) of the organisation key that signed. */
  readonly keyId: string;
  /** Base64 Ed25519 signature over OPENING_SIGNING_CONTEXT ‖ canonical JSON of the rest. */
  readonly signature: string;
}

export interface SealedCommitment {
  /** The leaf data as appended to the log (canonical JSON, UTF-8): public. */
  readonly leaf: Uint8Array;
  readonly leafHash: Uint8Array;
  /** The signed opening (canonical JSON, UTF-8): private, stored with the body. */
  readonly opening: Uint8Array;
  readonly claims: Opening;
}

const LEAF_KEYS = 'commitment,v';
const OPENING_KEYS = 'bodySha256,keyId,organisation,salt,signature,time,type,v';

function commitmentOf(opening: Uint8Array): string {
  const prefix = utf8.encode(COMMITMENT_CONTEXT);
  const data = new Uint8Array(prefix.length + opening.length);
  data.set(prefix, 0);
  data.set(opening, prefix.length);
  return sha256Hex(data);
}

function signedOpeningBytes(unsigned: Omit<Opening, 'signature'>): Uint8Array {
  return utf8.encode(OPENING_SIGNING_CONTEXT + canonicalJson(unsigned));
}

function randomSalt(): Uint8Array {
  // Web Crypto's CSPRNG exists in Node ≥ 19 and every browser, so this file stays pure.
  return globalThis.crypto.getRandomValues(new Uint8Array(SALT_BYTES));
}

/**
 * Seals a record body as a v2 hiding commitment, signed by the organisation. `salt` is for
 * known-answer tests only; production callers let it be drawn at random.
 */
export async function sealCommitment(
  input: { type: string; organisation: string; time: Date | string; body: Uint8Array },
  signer: Signer,
  salt: Uint8Array = randomSalt(),
): Promise<SealedCommitment> {
  if (salt.length !== SALT_BYTES) fail('ENVELOPE_MALFORMED', `salt must be ${SALT_BYTES} bytes`);
  if (signer.name !== input.organisation) {
    fail(
      'ENVELOPE_MALFORMED',
      `signing key ${signer.name} is not the organisation ${input.organisation}`,
    );
  }
  const time = typeof input.time === 'string' ? input.time : input.time.toISOString();
  const unsigned = {
    v: COMMITMENT_VERSION,
    type: input.type,
    organisation: input.organisation,
    time,
    bodySha256: sha256Hex(input.body),
    salt: toBase64(salt),
    keyId: keyIdHex(signer.keyId),
  } as const;
  checkOpeningClaims(unsigned);
  const signature = toBase64(await signer.sign(signedOpeningBytes(unsigned)));
  const claims: Opening = { ...unsigned, signature };
  const opening = utf8.encode(canonicalJson(claims));
  const leaf = utf8.encode(
    canonicalJson({ v: COMMITMENT_VERSION, commitment: commitmentOf(opening) }),
  );
  if (leaf.length > MAX_ENTRY_SIZE) fail('ENTRY_TOO_LARGE', 'leaf is too large');
  return { leaf, leafHash: hashLeaf(leaf), opening, claims };
}

function parseCanonicalObject(bytes: Uint8Array, what: string): [Record<string, unknown>, string] {
  let text: string;
  let value: unknown;
  try {
    text = fromUtf8.decode(bytes);
    value = JSON.parse(text);
  } catch {
    return fail('ENVELOPE_MALFORMED', `${what} is not UTF-8 JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail('ENVELOPE_MALFORMED', `${what} is not an object`);
  // One encoding only: a non-canonical form would let one leaf have two byte strings.
  if (canonicalJson(value) !== text)
    fail('ENVELOPE_MALFORMED', `${what} is not in RFC 8785 canonical form`);
  return [value as Record<string, unknown>, text];
}

/** A parsed leaf of either version: v1 envelopes (claims in clear) or v2 commitments. */
export type Leaf = LeafEnvelope | CommitmentLeaf;

/** Parses leaf bytes strictly, either version (v1 logs keep verifying after v2 is introduced). */
export function parseLeaf(bytes: Uint8Array): Leaf {
  const [value] = parseCanonicalObject(bytes, 'leaf');
  if (value.v === 1) return parseEnvelope(bytes);
  if (value.v !== COMMITMENT_VERSION)
    fail('ENVELOPE_MALFORMED', `unsupported leaf version ${String(value.v)}`, { field: 'v' });
  if (Object.keys(value).sort().join(',') !== LEAF_KEYS)
    fail('ENVELOPE_MALFORMED', 'a v2 leaf has exactly the fields commitment and v');
  if (typeof value.commitment !== 'string' || !/^[0-9a-f]{64}$/.test(value.commitment))
    fail('ENVELOPE_MALFORMED', 'commitment must be 64 lowercase hex digits', {
      field: 'commitment',
    });
  return { v: 2, commitment: value.commitment };
}

function checkOpeningClaims(c: Omit<Opening, 'signature'>): void {
  // The claims are checked by the v1 rules (same fields, same meaning), plus the salt and key ID.
  if (typeof c.type !== 'string' || !/^[a-z0-9][a-z0-9._-]{0,63}$/.test(c.type))
    fail('ENVELOPE_MALFORMED', 'record type must be 1–64 lowercase letters, digits, . _ or -', {
      field: 'type',
    });
  if (
    typeof c.organisation !== 'string' ||
    c.organisation.length === 0 ||
    c.organisation.length > 200
  )
    fail('ENVELOPE_MALFORMED', 'organisation must be a non-empty string', {
      field: 'organisation',
    });
  if (
    typeof c.time !== 'string' ||
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(c.time) ||
    Number.isNaN(Date.parse(c.time))
  )
    fail('ENVELOPE_MALFORMED', 'time must be RFC 3339 UTC with milliseconds', { field: 'time' });
  if (typeof c.bodySha256 !== 'string' || !/^[0-9a-f]{64}$/.test(c.bodySha256))
    fail('ENVELOPE_MALFORMED', 'bodySha256 must be 64 lowercase hex digits', {
      field: 'bodySha256',
    });
  let salt: Uint8Array | undefined;
  try {
    salt = typeof c.salt === 'string' ? fromBase64(c.salt) : undefined;
  } catch {
    salt = undefined;
  }
  if (salt?.length !== SALT_BYTES)
    fail('ENVELOPE_MALFORMED', `salt must be ${SALT_BYTES} bytes of base64`, { field: 'salt' });
  if (typeof c.keyId !== 'string' || !/^[0-9a-f]{8}$/.test(c.keyId))
    fail('ENVELOPE_MALFORMED', 'keyId must be 8 hex digits', { field: 'keyId' });
}

/** Parses an opening strictly (exact fields, canonical form). */
export function parseOpening(bytes: Uint8Array): Opening {
  const [value] = parseCanonicalObject(bytes, 'opening');
  if (Object.keys(value).sort().join(',') !== OPENING_KEYS)
    fail('ENVELOPE_MALFORMED', `opening fields must be exactly ${OPENING_KEYS}`);
  if (value.v !== COMMITMENT_VERSION)
    fail('ENVELOPE_MALFORMED', 'opening version must be 2', { field: 'v' });
  const o = value as unknown as Opening;
  checkOpeningClaims(o);
  if (typeof o.signature !== 'string')
    fail('ENVELOPE_MALFORMED', 'signature must be base64', { field: 'signature' });
  return o;
}

/**
 * Verifies what an entitled reader holds for one entry: that `opening` is the one the v2 `leaf`
 * commits to, that the organisation's key (matched by name and key ID) signed it, and, when the
 * body is given, that it is the committed body. Returns the opened claims.
 */
export async function verifyOpening(
  leaf: Uint8Array,
  opening: Uint8Array,
  organisationKeys: readonly Verifier[],
  body?: Uint8Array,
): Promise<Opening> {
  const parsed = parseLeaf(leaf);
  if (parsed.v !== 2) fail('ENVELOPE_MALFORMED', 'a v1 leaf has no opening: verify it directly');
  const o = parseOpening(opening);
  if (commitmentOf(opening) !== parsed.commitment)
    fail('BODY_HASH_MISMATCH', 'the opening is not the one this leaf commits to');
  const v = organisationKeys.find(
    (k) => k.name === o.organisation && keyIdHex(k.keyId) === o.keyId,
  );
  if (!v)
    fail('ENVELOPE_BAD_SIGNATURE', `no trusted key ${o.keyId} for organisation ${o.organisation}`);
  let sig: Uint8Array;
  try {
    sig = fromBase64(o.signature);
  } catch {
    return fail('ENVELOPE_MALFORMED', 'signature is not base64', { field: 'signature' });
  }
  const { signature: _s, ...unsigned } = o;
  if (!(await v.verify(signedOpeningBytes(unsigned), sig)))
    fail('ENVELOPE_BAD_SIGNATURE', `organisation signature by ${o.organisation} does not verify`);
  if (body !== undefined && sha256Hex(body) !== o.bodySha256)
    fail('BODY_HASH_MISMATCH', 'record body does not match the committed hash');
  return o;
}

/**
 * Verifies one entry of either version: a v1 envelope on its own (its claims are in the leaf), a
 * v2 commitment with its opening. Returns the claims (type, organisation, time, bodySha256).
 */
export async function verifyLeaf(
  leaf: Uint8Array,
  organisationKeys: readonly Verifier[],
  options: { opening?: Uint8Array; body?: Uint8Array } = {},
): Promise<EnvelopeClaims & { v: 1 | 2 }> {
  const parsed = parseLeaf(leaf);
  if (parsed.v === 1) return verifyEnvelope(leaf, organisationKeys, options.body);
  if (!options.opening)
    fail(
      'ENVELOPE_MALFORMED',
      'a v2 leaf is verified with its opening, which only entitled readers hold',
    );
  return verifyOpening(leaf, options.opening, organisationKeys, options.body);
}
