import {
  cosignatureTimestamp,
  keyIdHex,
  openCheckpoint,
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

export function base64ToBytes(text: string): Uint8Array {
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * Verifies an entry's tlog-proof against the log key, and its organisation signature: in the leaf
 * itself for a v1 envelope, in the opening (which only the submitting organisation reads) for a
 * v2 hiding commitment — which also proves that the opening is the one the leaf commits to.
 */
export async function verifyEntry(
  entry: { proof?: string | null; leafHash: string; envelope: string; opening?: string | null },
  logVkey: string,
  organisationVkeys: string[],
): Promise<{ size: number; organisationKey: boolean }> {
  if (!entry.proof) throw new Error('no checkpoint includes this entry yet');
  const cp = await verifyProofBundle(entry.proof, base64ToBytes(entry.leafHash), [
    verifierFromVkey(logVkey),
  ]);
  const organisationKey = await verifyLeaf(
    new TextEncoder().encode(entry.envelope),
    organisationVkeys.map((v) => verifierFromVkey(v)),
    entry.opening ? { opening: new TextEncoder().encode(entry.opening) } : {},
  ).then(
    () => true,
    () => false,
  );
  return { size: cp.size, organisationKey };
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
