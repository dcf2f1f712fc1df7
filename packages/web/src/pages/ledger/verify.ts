import {
  cosignatureTimestamp,
  hashLeaf,
  keyIdHex,
  openCheckpoint,
  parseLeaf,
  parseNote,
  parseProofBundle,
  verifierFromVkey,
  verifyLeaf,
  verifyProofBundle,
  type Checkpoint,
} from '@interdict/ledger';

// Verification in the browser, trusting nothing but verifier keys: the same @interdict/ledger
// code the CLI runs (with @noble/ed25519 instead of node:crypto).

export interface SignatureLine {
  name: string;
  keyId: string;
  kind: 'log' | 'cosignature' | 'unknown';
  verified: boolean;
  timestamp?: number;
}

export interface CheckpointView {
  checkpoint: Checkpoint;
  signatures: SignatureLine[];
}

export async function verifyCheckpointNote(note: string, logVkey: string): Promise<CheckpointView> {
  const log = verifierFromVkey(logVkey);
  const opened = await openCheckpoint(note, [log]);
  const signatures = parseNote(note).signatures.map((s): SignatureLine => {
    const isLog = s.name === log.name && s.keyId === log.keyId;
    let timestamp: number | undefined;
    if (!isLog && s.signature.length === 72) {
      try {
        timestamp = cosignatureTimestamp(s.signature);
      } catch {
        timestamp = undefined;
      }
    }
    return {
      name: s.name,
      keyId: keyIdHex(s.keyId),
      kind: isLog ? 'log' : timestamp !== undefined ? 'cosignature' : 'unknown',
      verified: isLog,
      ...(timestamp !== undefined ? { timestamp } : {}),
    };
  });
  return { checkpoint: opened.checkpoint, signatures };
}

export function bytesToBase64(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

export function base64ToBytes(text: string): Uint8Array {
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * RFC 8785 (JCS) canonical JSON of a value that JSON.parse returned: null, booleans, strings,
 * finite numbers, arrays and objects. The ledger service commits a body as exactly these bytes
 * (canonicalJsonBytes in @interdict/core), so hashing them again here checks that the body the
 * server shows is the one the entry commits to. §3.2.2: literals, strings and numbers serialise as
 * ECMAScript's JSON.stringify does; §3.2.3: object members sorted by their names' UTF-16 code
 * units, which is what Array.prototype.sort compares.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string')
    return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error('the record holds a number JSON cannot carry');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  throw new Error(`the record holds a ${typeof value}, which JSON cannot carry`);
}

/** What `verifyEntry` checked, so that a page says no more than that. */
export interface EntryVerification {
  /** The leaf's index, as the verified tlog-proof states it. */
  index: number;
  /** Size of the checkpoint, signed by the log key, that the inclusion proof leads to. */
  size: number;
  /**
   * True: the organisation's signature over the record's claims (type, organisation, time, body
   * hash) verified — in the leaf (v1) or in the opening the leaf commits to (v2). False: a v2 entry
   * whose opening the reader does not hold (another organisation's record, or an erased one).
   */
  organisationKey: boolean;
  /** True: the body shown (`entry.body`) is the one committed to, byte for byte. */
  body: boolean;
}

/**
 * Verifies an entry's tlog-proof against the log key, and its organisation signature: in the leaf
 * itself for a v1 envelope, in the opening (which only the submitting organisation reads) for a
 * v2 hiding commitment — which also proves that the opening is the one the leaf commits to. With
 * a body, also that the body is the one committed to. An opening or a body that is present and
 * does not verify is a failure (thrown), not a check left out.
 */
export async function verifyEntry(
  entry: {
    proof?: string | null;
    leafHash: string;
    envelope: string;
    opening?: string | null;
    body?: unknown;
  },
  logVkey: string,
  organisationVkeys: string[],
): Promise<EntryVerification> {
  if (!entry.proof) throw new Error('no checkpoint includes this entry yet');
  const cp = await verifyProofBundle(entry.proof, base64ToBytes(entry.leafHash), [
    verifierFromVkey(logVkey),
  ]);
  const index = parseProofBundle(entry.proof).index;
  const leaf = new TextEncoder().encode(entry.envelope);
  // The proof is over leafHash: check that the leaf shown is the one hashed, so that the opening
  // and body below are checked against the leaf that is in the log.
  if (bytesToBase64(hashLeaf(leaf)) !== entry.leafHash)
    throw new Error('the leaf shown is not the one whose hash the proof is for');
  const hasBody = entry.body !== undefined && entry.body !== null;
  if (parseLeaf(leaf).v === 2 && !entry.opening)
    return { index, size: cp.size, organisationKey: false, body: false };
  await verifyLeaf(
    leaf,
    organisationVkeys.map((v) => verifierFromVkey(v)),
    {
      ...(entry.opening ? { opening: new TextEncoder().encode(entry.opening) } : {}),
      ...(hasBody ? { body: new TextEncoder().encode(canonicalJson(entry.body)) } : {}),
    },
  );
  return { index, size: cp.size, organisationKey: true, body: hasBody };
}

/** A pasted tlog-proof checked against a pasted vkey (nothing leaves the browser). */
export async function verifyProofText(
  proof: string,
  leafHashBase64: string,
  vkey: string,
): Promise<{ index: number; size: number; origin: string }> {
  const text = proof.replace(/\r\n/g, '\n');
  let leaf: Uint8Array;
  try {
    leaf = base64ToBytes(leafHashBase64);
  } catch {
    throw new Error('the leaf hash is not base64');
  }
  const cp = await verifyProofBundle(text, leaf, [verifierFromVkey(vkey)]);
  return { index: parseProofBundle(text).index, size: cp.size, origin: cp.origin };
}
