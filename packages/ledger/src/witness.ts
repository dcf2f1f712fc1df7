import { bytesEqual, fromBase64 } from '@interdict/core';
import { parseCheckpoint, type Checkpoint } from './checkpoint';
import type { Cosigner } from './cosignature';
import { fromUtf8, utf8 } from './crypto';
import { fail, LedgerError } from './errors';
import { HASH_SIZE, verifyConsistency } from './merkle';
import { formatSignatureLine, openNote, parseNote, type Note, type Verifier } from './note';

// C2SP tlog-witness `add-checkpoint`: body = "old <size>\n", up to 63 base64 consistency proof
// lines, an empty line, then the signed checkpoint. The witness cosigns only checkpoints that
// extend, consistently, the last one it cosigned for that origin, and records that atomically.

/** The client MUST NOT send more than 63 proof lines (tlog-witness §add-checkpoint). */
export const MAX_WITNESS_PROOF_LINES = 63;
export const MAX_ADD_CHECKPOINT_BYTES = 64 * 1024;

export interface AddCheckpointRequest {
  readonly oldSize: number;
  readonly proof: readonly Uint8Array[];
  readonly note: Note;
  /** The checkpoint note exactly as submitted. */
  readonly checkpointText: string;
}

export function formatAddCheckpointRequest(
  oldSize: number,
  proof: readonly Uint8Array[],
  checkpointNote: string,
): string {
  const lines = [`old ${oldSize}`, ...proof.map((p) => btoaBytes(p))];
  return `${lines.join('\n')}\n\n${checkpointNote}`;
}

function btoaBytes(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += String.fromCharCode(x);
  return btoa(s);
}

export function parseAddCheckpointRequest(body: string | Uint8Array): AddCheckpointRequest {
  const bad = (why: string, line?: number): never =>
    fail(
      'WITNESS_REQUEST_MALFORMED',
      line === undefined ? why : `line ${line}: ${why}`,
      line === undefined ? undefined : { line },
    );
  let text: string;
  if (typeof body === 'string') text = body;
  else {
    if (body.length > MAX_ADD_CHECKPOINT_BYTES) bad('request body is too large');
    try {
      text = fromUtf8.decode(body);
    } catch {
      return bad('request body is not UTF-8');
    }
  }
  if (text.length > MAX_ADD_CHECKPOINT_BYTES) bad('request body is too large');
  const blank = text.indexOf('\n\n');
  if (blank < 0) bad('missing the empty line before the checkpoint');
  const head = text.slice(0, blank).split('\n');
  const m = /^old (0|[1-9][0-9]*)$/.exec(head[0] ?? '');
  if (!m) return bad('first line must be "old <size>"', 1);
  const oldSize = Number(m[1]);
  if (!Number.isSafeInteger(oldSize)) bad('old size is too large', 1);
  const proofLines = head.slice(1);
  if (proofLines.length > MAX_WITNESS_PROOF_LINES)
    bad(`more than ${MAX_WITNESS_PROOF_LINES} consistency proof lines`);
  const proof = proofLines.map((l, i) => {
    let h: Uint8Array;
    try {
      h = fromBase64(l);
    } catch {
      return bad('proof line is not base64', i + 2);
    }
    if (h.length !== HASH_SIZE) bad(`proof hash must be ${HASH_SIZE} bytes`, i + 2);
    return h;
  });
  const checkpointText = text.slice(blank + 2);
  let note: Note;
  try {
    note = parseNote(checkpointText);
    parseCheckpoint(note.text);
  } catch (e) {
    return bad(`checkpoint: ${e instanceof Error ? e.message : String(e)}`);
  }
  return { oldSize, proof, note, checkpointText };
}

/** What the witness remembers per origin: the latest checkpoint it cosigned. */
export interface WitnessRecord {
  readonly size: number;
  readonly root: Uint8Array;
}

/**
 * The witness's durable state. `compareAndSwap` MUST be atomic: replace the record for `origin`
 * only if its current size is `expectedSize` (0 and no record count as equal), returning the
 * size actually stored on conflict. This closes the roll-back race the spec describes.
 */
export interface WitnessState {
  get(origin: string): Promise<WitnessRecord | undefined>;
  compareAndSwap(
    origin: string,
    expectedSize: number,
    next: WitnessRecord & { readonly checkpoint: string },
  ): Promise<{ ok: true } | { ok: false; currentSize: number }>;
}

export interface WitnessOptions {
  readonly cosigner: Cosigner;
  /** Trusted log keys per origin. */
  readonly logs: ReadonlyMap<string, readonly Verifier[]>;
  readonly state: WitnessState;
}

export interface WitnessResponse {
  readonly status: 200 | 400 | 403 | 404 | 409 | 422;
  readonly contentType: string;
  readonly body: string;
}

const text = (status: WitnessResponse['status'], body: string): WitnessResponse => ({
  status,
  contentType: 'text/plain; charset=utf-8',
  body: body.endsWith('\n') ? body : `${body}\n`,
});

const conflictSize = (size: number): WitnessResponse => ({
  status: 409,
  contentType: 'text/x.tlog.size',
  body: `${size}\n`,
});

/** Handles one add-checkpoint request body and decides the HTTP answer per tlog-witness. */
export async function addCheckpoint(
  opts: WitnessOptions,
  body: string | Uint8Array,
): Promise<WitnessResponse> {
  let req: AddCheckpointRequest;
  try {
    req = parseAddCheckpointRequest(body);
  } catch (e) {
    return text(400, e instanceof Error ? e.message : 'bad request');
  }
  const cp: Checkpoint = parseCheckpoint(req.note.text);
  const keys = opts.logs.get(cp.origin);
  if (!keys || keys.length === 0) return text(404, `unknown log origin ${cp.origin}`);
  try {
    await openNote(req.note, keys);
  } catch (e) {
    return text(403, e instanceof LedgerError ? e.message : 'checkpoint signature does not verify');
  }
  if (req.oldSize > cp.size)
    return text(400, `old size ${req.oldSize} is larger than checkpoint size ${cp.size}`);
  const current = await opts.state.get(cp.origin);
  const currentSize = current?.size ?? 0;
  if (req.oldSize !== currentSize) return conflictSize(currentSize);
  if (req.oldSize === cp.size) {
    if (current && !bytesEqual(current.root, cp.root))
      return text(409, 'same size as the cosigned checkpoint but a different root');
    if (req.proof.length !== 0) return text(422, 'consistency proof must be empty for equal sizes');
  } else if (req.oldSize === 0) {
    if (req.proof.length !== 0)
      return text(422, 'consistency proof must be empty when old size is 0');
  } else {
    try {
      verifyConsistency(req.oldSize, cp.size, req.proof, (current as WitnessRecord).root, cp.root);
    } catch (e) {
      return text(422, e instanceof Error ? e.message : 'consistency proof does not verify');
    }
  }
  const swapped = await opts.state.compareAndSwap(cp.origin, req.oldSize, {
    size: cp.size,
    root: cp.root,
    checkpoint: req.checkpointText,
  });
  if (!swapped.ok) return conflictSize(swapped.currentSize);
  const signature = await opts.cosigner.sign(utf8.encode(req.note.text));
  return {
    status: 200,
    contentType: 'text/plain; charset=utf-8',
    body: formatSignatureLine({ name: opts.cosigner.name, keyId: opts.cosigner.keyId, signature }),
  };
}

/** A witness state in memory (tests, single-process tools). */
export function memoryWitnessState(): WitnessState & {
  records: Map<string, WitnessRecord & { checkpoint: string }>;
} {
  const records = new Map<string, WitnessRecord & { checkpoint: string }>();
  return {
    records,
    get: (origin) => Promise.resolve(records.get(origin)),
    compareAndSwap(origin, expectedSize, next) {
      const cur = records.get(origin)?.size ?? 0;
      if (cur !== expectedSize) return Promise.resolve({ ok: false, currentSize: cur });
      records.set(origin, next);
      return Promise.resolve({ ok: true });
    },
  };
}

/** A witness as seen by a log: its cosigning key and a transport for add-checkpoint bodies. */
export interface WitnessEndpoint {
  readonly verifier: Verifier;
  submit(body: string): Promise<{ status: number; body: string }>;
}

/**
 * The log's side of tlog-witness: submits `note` to each witness with a consistency proof from
 * the size that witness last cosigned (learned from a 409 answer, remembered in `known`), and
 * returns the note with every cosignature that verifies appended. Witnesses that fail are skipped;
 * whether enough cosigned is the caller's policy decision.
 */
export async function collectCosignatures(
  note: string,
  checkpoint: Checkpoint,
  witnesses: readonly WitnessEndpoint[],
  consistencyProof: (oldSize: number, newSize: number) => Promise<Uint8Array[]> | Uint8Array[],
  known: Map<string, number> = new Map(),
): Promise<{ note: string; cosigned: string[] }> {
  const parsed = parseNote(note);
  const textBytes = utf8.encode(parsed.text);
  const lines: string[] = [];
  const cosigned: string[] = [];
  await Promise.all(
    witnesses.map(async (w) => {
      const id = `${w.verifier.name}+${w.verifier.keyId}`;
      let old = known.get(id) ?? 0;
      for (let attempt = 0; attempt < 2; attempt++) {
        if (old > checkpoint.size) return;
        const proof =
          old === 0 || old === checkpoint.size ? [] : await consistencyProof(old, checkpoint.size);
        let res: { status: number; body: string };
        try {
          res = await w.submit(formatAddCheckpointRequest(old, proof, note));
        } catch {
          return;
        }
        if (res.status === 409 && /^(0|[1-9][0-9]*)\n$/.test(res.body)) {
          old = Number(res.body.trim());
          known.set(id, old);
          continue;
        }
        if (res.status !== 200) return;
        for (const line of res.body.split('\n').filter((l) => l.length > 0)) {
          try {
            const sig = parseNote(`x\n\n${line}\n`).signatures[0];
            if (!sig || sig.name !== w.verifier.name || sig.keyId !== w.verifier.keyId) continue;
            if (await w.verifier.verify(textBytes, sig.signature)) {
              lines.push(`${line}\n`);
              cosigned.push(w.verifier.name);
              known.set(id, checkpoint.size);
            }
          } catch {
            // A malformed line from a witness is ignored like an unknown signature.
          }
        }
        return;
      }
    }),
  );
  return { note: note + lines.join(''), cosigned };
}
