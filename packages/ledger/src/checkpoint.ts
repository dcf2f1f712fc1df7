import { fromBase64, toBase64 } from '@interdict/core';
import { fail } from './errors';
import { HASH_SIZE } from './merkle';
import {
  openNote,
  parseNote,
  signNote,
  type Note,
  type OpenedNote,
  type Signer,
  type Verifier,
} from './note';

// C2SP tlog-checkpoint: the note text is origin, tree size, base64 root hash, then optional
// non-empty extension lines, each newline-terminated.

export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly root: Uint8Array;
  readonly extensions: readonly string[];
}

export function formatCheckpoint(cp: Checkpoint): string {
  if (cp.origin.length === 0 || cp.origin.includes('\n'))
    fail('CHECKPOINT_MALFORMED', 'origin must be one non-empty line');
  if (!Number.isSafeInteger(cp.size) || cp.size < 0)
    fail('CHECKPOINT_MALFORMED', 'size must be a non-negative integer');
  if (cp.root.length !== HASH_SIZE) fail('CHECKPOINT_MALFORMED', 'root must be 32 bytes');
  for (const e of cp.extensions) {
    if (e.length === 0 || e.includes('\n'))
      fail('CHECKPOINT_MALFORMED', 'extension lines must be non-empty single lines');
  }
  return [cp.origin, String(cp.size), toBase64(cp.root), ...cp.extensions]
    .map((l) => `${l}\n`)
    .join('');
}

/** Parses checkpoint note text (no signatures). Every refusal names the line at fault. */
export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith('\n')) fail('CHECKPOINT_MALFORMED', 'checkpoint text must end with a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) {
    fail(
      'CHECKPOINT_MALFORMED',
      `checkpoint needs origin, size and root lines, got ${lines.length} line(s)`,
      {
        lines: lines.length,
      },
    );
  }
  const [origin, sizeText, rootText] = lines as [string, string, string];
  const extensions = lines.slice(3);
  if (origin.length === 0) fail('CHECKPOINT_MALFORMED', 'line 1: origin is empty', { line: 1 });
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText)) {
    fail('CHECKPOINT_MALFORMED', 'line 2: tree size must be a decimal with no leading zeroes', {
      line: 2,
    });
  }
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size))
    fail('CHECKPOINT_MALFORMED', 'line 2: tree size is too large', { line: 2 });
  let root: Uint8Array;
  try {
    root = fromBase64(rootText);
  } catch {
    fail('CHECKPOINT_MALFORMED', 'line 3: root hash is not base64', { line: 3 });
  }
  if (root.length !== HASH_SIZE)
    fail('CHECKPOINT_MALFORMED', `line 3: root hash must be ${HASH_SIZE} bytes`, { line: 3 });
  extensions.forEach((e, i) => {
    if (e.length === 0)
      fail('CHECKPOINT_MALFORMED', `line ${i + 4}: extension lines must be non-empty`, {
        line: i + 4,
      });
  });
  return { origin, size, root, extensions };
}

export interface OpenedCheckpoint {
  readonly checkpoint: Checkpoint;
  readonly note: OpenedNote;
}

/**
 * Verifies a signed checkpoint against the log's keys and parses it. When `origin` is given, the
 * checkpoint must be for that log (a valid signature over another log's tree proves nothing here).
 */
export async function openCheckpoint(
  input: string | Uint8Array | Note,
  logVerifiers: readonly Verifier[],
  origin?: string,
): Promise<OpenedCheckpoint> {
  const parsed =
    typeof input === 'string' || input instanceof Uint8Array ? parseNote(input) : input;
  // Parse the body before any signature work: malformed input is refused cheaply and precisely.
  const checkpoint = parseCheckpoint(parsed.text);
  if (origin !== undefined && checkpoint.origin !== origin) {
    fail('CHECKPOINT_ORIGIN_MISMATCH', `checkpoint origin ${checkpoint.origin} is not ${origin}`);
  }
  const note = await openNote(parsed, logVerifiers);
  return { checkpoint, note };
}

export function signCheckpoint(cp: Checkpoint, signers: readonly Signer[]): Promise<string> {
  return signNote(formatCheckpoint(cp), signers);
}
