import { canonicalJson, fromBase64, sha256Hex, toBase64 } from '@interdict/core';
import { utf8, fromUtf8 } from './crypto';
import { fail } from './errors';
import { hashLeaf } from './merkle';
import { keyIdHex, type Signer, type Verifier } from './note';
import { MAX_ENTRY_SIZE } from './tiles';

// Version 1 leaf envelopes (read and verified forever; new entries are v2 hiding commitments, see
// commitment.ts). The log stores commitments, not records. A leaf is the RFC 8785 canonical JSON
// of {v, type, organisation, time, bodySha256, keyId, signature}; the body itself stays in the
// store under access control (and can be erased without breaking the tree).

export const ENVELOPE_VERSION = 1;
/** Domain separation for the organisation's signature, so it can never be replayed as a note. */
export const ENVELOPE_SIGNING_CONTEXT = 'interdict.ledger.envelope.v1\n';

export interface EnvelopeClaims {
  /** Record type, e.g. `seizure-report`. */
  readonly type: string;
  /** Submitting organisation's identifier; also the key name of its signing key. */
  readonly organisation: string;
  /** RFC 3339 UTC time, millisecond precision (`2026-11-24T21:00:00.000Z`). */
  readonly time: string;
  /** Lowercase hex SHA-256 of the record body bytes. */
  readonly bodySha256: string;
}

export interface LeafEnvelope extends EnvelopeClaims {
  readonly v: 1;
  /** Key ID (8 hex digits, signed-note style) of the organisation key that signed. */
  readonly keyId: string;
  /** Base64 Ed25519 signature over ENVELOPE_SIGNING_CONTEXT || canonical JSON of the rest. */
  readonly signature: string;
}

const KEYS = ['bodySha256', 'keyId', 'organisation', 'signature', 'time', 'type', 'v'];

function signedBytes(claims: Omit<LeafEnvelope, 'signature'>): Uint8Array {
  return utf8.encode(ENVELOPE_SIGNING_CONTEXT + canonicalJson(claims));
}

function checkClaims(c: EnvelopeClaims): void {
  if (typeof c.type !== 'string' || !/^[a-z0-9][a-z0-9._-]{0,63}$/.test(c.type)) {
    fail('ENVELOPE_MALFORMED', 'envelope type must be 1–64 lowercase letters, digits, . _ or -', {
      field: 'type',
    });
  }
  if (
    typeof c.organisation !== 'string' ||
    c.organisation.length === 0 ||
    c.organisation.length > 200
  ) {
    fail('ENVELOPE_MALFORMED', 'envelope organisation must be a non-empty string', {
      field: 'organisation',
    });
  }
  if (
    typeof c.time !== 'string' ||
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(c.time) ||
    Number.isNaN(Date.parse(c.time))
  ) {
    fail('ENVELOPE_MALFORMED', 'envelope time must be RFC 3339 UTC with milliseconds', {
      field: 'time',
    });
  }
  if (typeof c.bodySha256 !== 'string' || !/^[0-9a-f]{64}$/.test(c.bodySha256)) {
    fail('ENVELOPE_MALFORMED', 'envelope bodySha256 must be 64 lowercase hex digits', {
      field: 'bodySha256',
    });
  }
}

export interface SealedEnvelope {
  readonly envelope: LeafEnvelope;
  /** The leaf data as appended to the log (canonical JSON, UTF-8). */
  readonly bytes: Uint8Array;
  readonly leafHash: Uint8Array;
}

/** Builds and signs a leaf envelope for a record body. `signer.name` must be the organisation. */
export async function sealEnvelope(
  input: { type: string; organisation: string; time: Date | string; body: Uint8Array },
  signer: Signer,
): Promise<SealedEnvelope> {
  const time = typeof input.time === 'string' ? input.time : input.time.toISOString();
  const claims: EnvelopeClaims = {
    type: input.type,
    organisation: input.organisation,
    time,
    bodySha256: sha256Hex(input.body),
  };
  checkClaims(claims);
  if (signer.name !== input.organisation) {
    fail(
      'ENVELOPE_MALFORMED',
      `signing key ${signer.name} is not the organisation ${input.organisation}`,
    );
  }
  const unsigned = { v: ENVELOPE_VERSION, ...claims, keyId: keyIdHex(signer.keyId) } as const;
  const signature = toBase64(await signer.sign(signedBytes(unsigned)));
  const envelope: LeafEnvelope = { ...unsigned, signature };
  const bytes = utf8.encode(canonicalJson(envelope));
  if (bytes.length > MAX_ENTRY_SIZE)
    fail('ENTRY_TOO_LARGE', 'envelope is too large for an entry bundle');
  return { envelope, bytes, leafHash: hashLeaf(bytes) };
}

/** Parses leaf bytes strictly: exactly the envelope fields, in canonical form (one encoding). */
export function parseEnvelope(bytes: Uint8Array): LeafEnvelope {
  let value: unknown;
  let text: string;
  try {
    text = fromUtf8.decode(bytes);
    value = JSON.parse(text);
  } catch {
    return fail('ENVELOPE_MALFORMED', 'envelope is not UTF-8 JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail('ENVELOPE_MALFORMED', 'envelope is not an object');
  const keys = Object.keys(value).sort();
  if (keys.join(',') !== KEYS.join(','))
    fail('ENVELOPE_MALFORMED', `envelope fields must be exactly ${KEYS.join(', ')}`);
  const e = value as LeafEnvelope;
  if (e.v !== ENVELOPE_VERSION)
    fail('ENVELOPE_MALFORMED', `unsupported envelope version ${String(e.v)}`, { field: 'v' });
  checkClaims(e);
  if (typeof e.keyId !== 'string' || !/^[0-9a-f]{8}$/.test(e.keyId))
    fail('ENVELOPE_MALFORMED', 'envelope keyId must be 8 hex digits', { field: 'keyId' });
  if (typeof e.signature !== 'string')
    fail('ENVELOPE_MALFORMED', 'envelope signature must be base64', { field: 'signature' });
  if (canonicalJson(e) !== text)
    fail('ENVELOPE_MALFORMED', 'envelope is not in RFC 8785 canonical form');
  return e;
}

/**
 * Verifies an envelope's organisation signature with the trusted organisation keys (matched by
 * organisation name and key ID), and, when the body is given, that it is the committed body.
 */
export async function verifyEnvelope(
  bytes: Uint8Array,
  organisationKeys: readonly Verifier[],
  body?: Uint8Array,
): Promise<LeafEnvelope> {
  const e = parseEnvelope(bytes);
  const v = organisationKeys.find(
    (k) => k.name === e.organisation && keyIdHex(k.keyId) === e.keyId,
  );
  if (!v)
    fail('ENVELOPE_BAD_SIGNATURE', `no trusted key ${e.keyId} for organisation ${e.organisation}`);
  let sig: Uint8Array;
  try {
    sig = fromBase64(e.signature);
  } catch {
    return fail('ENVELOPE_MALFORMED', 'envelope signature is not base64', { field: 'signature' });
  }
  const { signature: _s, ...unsigned } = e;
  if (!(await v.verify(signedBytes(unsigned), sig))) {
    fail('ENVELOPE_BAD_SIGNATURE', `organisation signature by ${e.organisation} does not verify`);
  }
  if (body !== undefined && sha256Hex(body) !== e.bodySha256)
    fail('BODY_HASH_MISMATCH', 'record body does not match the envelope hash');
  return e;
}
