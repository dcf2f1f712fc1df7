import { fromBase64, toBase64 } from '@interdict/core';
import { openCheckpoint, type Checkpoint } from './checkpoint';
import { fail } from './errors';
import { HASH_SIZE, MAX_PROOF_LENGTH, verifyInclusion } from './merkle';
import { parseNote, type Verifier } from './note';
import { verifyCheckpointWithPolicy, type Policy } from './policy';

// C2SP tlog-proof: an offline-verifiable proof of logging —
//   c2sp.org/tlog-proof@v1
//   [extra <base64>]
//   index <n>
//   <inclusion proof hashes, one base64 per line>
//   <empty line>
//   <checkpoint note, verbatim>

export const TLOG_PROOF_HEADER = 'c2sp.org/tlog-proof@v1';

export interface ProofBundle {
  readonly extra?: Uint8Array;
  readonly index: number;
  readonly proof: readonly Uint8Array[];
  /** The signed checkpoint note, with any cosignatures. */
  readonly checkpoint: string;
}

export function formatProofBundle(b: ProofBundle): string {
  const lines = [TLOG_PROOF_HEADER];
  if (b.extra !== undefined) lines.push(`extra ${toBase64(b.extra)}`);
  lines.push(`index ${b.index}`);
  for (const h of b.proof) lines.push(toBase64(h));
  return `${lines.join('\n')}\n\n${b.checkpoint}`;
}

export function parseProofBundle(text: string): ProofBundle {
  const bad = (line: number, why: string): never =>
    fail('PROOF_BUNDLE_MALFORMED', `proof line ${line}: ${why}`, { line });
  const lines = text.split('\n');
  if (lines[0] !== TLOG_PROOF_HEADER) bad(1, `first line must be ${TLOG_PROOF_HEADER}`);
  let i = 1;
  let extra: Uint8Array | undefined;
  if (lines[i]?.startsWith('extra ')) {
    try {
      extra = fromBase64((lines[i] as string).slice(6));
    } catch {
      bad(i + 1, 'extra data is not base64');
    }
    i++;
  }
  const m = /^index (0|[1-9][0-9]*)$/.exec(lines[i] ?? '');
  if (!m) return bad(i + 1, 'expected "index <n>"');
  const index = Number(m[1]);
  if (!Number.isSafeInteger(index)) bad(i + 1, 'index is too large');
  i++;
  const proof: Uint8Array[] = [];
  while (i < lines.length && lines[i] !== '') {
    if (proof.length >= MAX_PROOF_LENGTH) bad(i + 1, `more than ${MAX_PROOF_LENGTH} proof hashes`);
    let h: Uint8Array;
    try {
      h = fromBase64(lines[i] as string);
    } catch {
      return bad(i + 1, 'proof hash is not base64');
    }
    if (h.length !== HASH_SIZE) bad(i + 1, `proof hash must be ${HASH_SIZE} bytes`);
    proof.push(h);
    i++;
  }
  if (i >= lines.length) bad(i, 'missing the empty line before the checkpoint');
  const checkpoint = lines.slice(i + 1).join('\n');
  if (checkpoint.length === 0) bad(i + 2, 'missing checkpoint');
  parseNote(checkpoint);
  return { ...(extra ? { extra } : {}), index, proof, checkpoint };
}

/**
 * Verifies a proof bundle for a leaf hash: the checkpoint under the policy (or simply signed by
 * one of the log keys) and the inclusion proof against its root. Returns the checkpoint.
 */
export async function verifyProofBundle(
  bundle: string | ProofBundle,
  leafHash: Uint8Array,
  trust: Policy | readonly Verifier[],
): Promise<Checkpoint> {
  const b = typeof bundle === 'string' ? parseProofBundle(bundle) : bundle;
  const { checkpoint } = Array.isArray(trust)
    ? await openCheckpoint(b.checkpoint, trust as readonly Verifier[])
    : await verifyCheckpointWithPolicy(b.checkpoint, trust as Policy);
  verifyInclusion(leafHash, b.index, checkpoint.size, b.proof, checkpoint.root);
  return checkpoint;
}
