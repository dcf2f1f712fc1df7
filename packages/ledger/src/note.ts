import { fromBase64, sha256, toBase64 } from '@interdict/core';
import { nobleEd25519, utf8, fromUtf8, type Ed25519 } from './crypto';
import { fail } from './errors';

// C2SP signed-note (c2sp.org/signed-note): a UTF-8 text ending in a newline, a blank line, then
// one or more lines "— <key name> base64(keyID || signature)".

/** Signature type bytes assigned by C2SP signed-note §"Signature types". */
export const SIG_TYPE_ED25519 = 0x01;
export const SIG_TYPE_COSIGNATURE_V1 = 0x04;

/** The spec asks verifiers to accept at least 16 signatures; allow comfortably more, not unbounded. */
export const MAX_NOTE_SIGNATURES = 64;
/** A note beyond this size is refused before parsing (64 signatures of ML-DSA size fit). */
export const MAX_NOTE_BYTES = 512 * 1024;

const EM_DASH_PREFIX = '\u2014 ';
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export interface NoteSignature {
  /** Key name as written on the signature line. */
  readonly name: string;
  /** Big-endian uint32 key ID (first 4 bytes of the decoded signature). */
  readonly keyId: number;
  /** The signature bytes after the key ID. */
  readonly signature: Uint8Array;
}

export interface Note {
  /** The note text, including its final newline, excluding the blank separator line. */
  readonly text: string;
  readonly signatures: readonly NoteSignature[];
}

/** A trusted public key, as configured from a vkey string. */
export interface Verifier {
  readonly name: string;
  readonly keyId: number;
  readonly type: number;
  readonly publicKey: Uint8Array;
  /** Checks `signature` (key ID stripped) over the note text. */
  verify(text: Uint8Array, signature: Uint8Array): Promise<boolean>;
}

/** A private key that produces note signature lines. */
export interface Signer {
  readonly name: string;
  readonly keyId: number;
  /** Returns the signature bytes (without the key ID) over the note text. */
  sign(text: Uint8Array): Promise<Uint8Array>;
}

export function isValidKeyName(name: string): boolean {
  // "Key names MUST be non-empty and MUST NOT contain any Unicode spaces or plus" (Format).
  return name.length > 0 && !/[\s+]/u.test(name) && !hasControl(name);
}

function hasControl(s: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u0009\u000b-\u001f\u007f]/.test(s);
}

/** key ID = SHA-256(key name || 0x0A || signature type || public key)[:4], big-endian. */
export function computeKeyId(name: string, type: number, publicKey: Uint8Array): number {
  const nameBytes = utf8.encode(name);
  const buf = new Uint8Array(nameBytes.length + 2 + publicKey.length);
  buf.set(nameBytes, 0);
  buf[nameBytes.length] = 0x0a;
  buf[nameBytes.length + 1] = type;
  buf.set(publicKey, nameBytes.length + 2);
  const h = sha256(buf);
  return (
    (((h[0] as number) << 24) |
      ((h[1] as number) << 16) |
      ((h[2] as number) << 8) |
      (h[3] as number)) >>>
    0
  );
}

export function keyIdHex(keyId: number): string {
  return keyId.toString(16).padStart(8, '0');
}

/** The vkey string `name+hex(keyID)+base64(type || public key)` (signed-note "Verifier keys"). */
export function formatVkey(name: string, type: number, publicKey: Uint8Array): string {
  if (!isValidKeyName(name)) fail('KEY_NAME_INVALID', `invalid key name ${JSON.stringify(name)}`);
  const material = new Uint8Array(publicKey.length + 1);
  material[0] = type;
  material.set(publicKey, 1);
  return `${name}+${keyIdHex(computeKeyId(name, type, publicKey))}+${toBase64(material)}`;
}

export interface ParsedVkey {
  readonly name: string;
  readonly keyId: number;
  readonly type: number;
  readonly publicKey: Uint8Array;
}

/** Parses a vkey and checks its key ID against name, type and key (a mismatch is refused). */
export function parseVkey(vkey: string): ParsedVkey {
  const parts = vkey.trim().split('+');
  // The base64 may itself contain '+': the name has none, the hex ID has none.
  if (parts.length < 3) fail('VKEY_MALFORMED', 'vkey must look like name+keyid+base64key');
  const [name, idHex] = parts as [string, string];
  const b64 = parts.slice(2).join('+');
  if (!isValidKeyName(name)) fail('VKEY_MALFORMED', 'vkey has an invalid key name');
  if (!/^[0-9a-f]{8}$/.test(idHex))
    fail('VKEY_MALFORMED', 'vkey key ID must be 8 lowercase hex digits');
  let material: Uint8Array;
  try {
    material = fromBase64(b64);
  } catch {
    fail('VKEY_MALFORMED', 'vkey key material is not base64');
  }
  if (material.length < 2) fail('VKEY_MALFORMED', 'vkey key material is empty');
  const type = material[0] as number;
  const publicKey = material.slice(1);
  if ((type === SIG_TYPE_ED25519 || type === SIG_TYPE_COSIGNATURE_V1) && publicKey.length !== 32) {
    fail('VKEY_MALFORMED', `Ed25519 vkey must carry 32 key bytes, got ${publicKey.length}`);
  }
  const keyId = parseInt(idHex, 16);
  if (computeKeyId(name, type, publicKey) !== keyId) {
    fail('KEY_ID_MISMATCH', `vkey key ID ${idHex} does not match its name and key`, { name });
  }
  return { name, keyId, type, publicKey };
}

/** A verifier for a plain Ed25519 (type 0x01) note key. */
export function ed25519Verifier(
  name: string,
  publicKey: Uint8Array,
  ed: Ed25519 = nobleEd25519,
): Verifier {
  return {
    name,
    keyId: computeKeyId(name, SIG_TYPE_ED25519, publicKey),
    type: SIG_TYPE_ED25519,
    publicKey,
    verify: (text, sig) =>
      sig.length === 64 ? ed.verify(publicKey, text, sig) : Promise.resolve(false),
  };
}

/** A signer for a plain Ed25519 (type 0x01) note key from its 32-byte seed. */
export async function ed25519Signer(
  name: string,
  seed: Uint8Array,
  ed: Ed25519 = nobleEd25519,
): Promise<Signer & { vkey: string; publicKey: Uint8Array }> {
  if (!isValidKeyName(name)) fail('KEY_NAME_INVALID', `invalid key name ${JSON.stringify(name)}`);
  const publicKey = await ed.publicKey(seed);
  return {
    name,
    keyId: computeKeyId(name, SIG_TYPE_ED25519, publicKey),
    publicKey,
    vkey: formatVkey(name, SIG_TYPE_ED25519, publicKey),
    sign: (text) => ed.sign(seed, text),
  };
}

export function parseNote(input: string | Uint8Array, maxSignatures = MAX_NOTE_SIGNATURES): Note {
  let note: string;
  if (typeof input === 'string') {
    note = input;
    if (utf8.encode(note).length > MAX_NOTE_BYTES) fail('NOTE_MALFORMED', 'note is too large');
  } else {
    if (input.length > MAX_NOTE_BYTES) fail('NOTE_MALFORMED', 'note is too large');
    try {
      note = fromUtf8.decode(input);
    } catch {
      fail('NOTE_MALFORMED', 'note is not valid UTF-8');
    }
  }
  if (typeof input === 'string' && LONE_SURROGATE.test(note)) {
    fail('NOTE_MALFORMED', 'note is not valid UTF-8');
  }
  if (hasControl(note))
    fail('NOTE_MALFORMED', 'note contains a control character other than newline');
  if (!note.endsWith('\n')) fail('NOTE_MALFORMED', 'note does not end with a newline');
  // The text is separated from the signatures by the LAST empty line.
  const sep = note.lastIndexOf('\n\n');
  if (sep < 0) fail('NOTE_MALFORMED', 'note has no blank line before its signatures');
  const text = note.slice(0, sep + 1);
  const block = note.slice(sep + 2);
  const lines = block.slice(0, -1).split('\n');
  if (block.length === 0 || lines.length === 0)
    fail('NOTE_MALFORMED', 'note has no signature lines');
  if (lines.length > maxSignatures) {
    fail(
      'NOTE_TOO_MANY_SIGNATURES',
      `note has ${lines.length} signatures, more than ${maxSignatures}`,
      {
        count: lines.length,
      },
    );
  }
  const signatures = lines.map((line, i) => parseSignatureLine(line, i + 1));
  return { text, signatures };
}

function parseSignatureLine(line: string, n: number): NoteSignature {
  if (!line.startsWith(EM_DASH_PREFIX)) {
    fail('NOTE_MALFORMED', `signature line ${n} does not start with an em dash and a space`, {
      line: n,
    });
  }
  const rest = line.slice(EM_DASH_PREFIX.length);
  const space = rest.indexOf(' ');
  if (space < 0) fail('NOTE_MALFORMED', `signature line ${n} has no signature`, { line: n });
  const name = rest.slice(0, space);
  const b64 = rest.slice(space + 1);
  if (!isValidKeyName(name))
    fail('NOTE_MALFORMED', `signature line ${n} has an invalid key name`, { line: n });
  let raw: Uint8Array;
  try {
    raw = fromBase64(b64);
  } catch {
    fail('NOTE_MALFORMED', `signature line ${n} is not base64`, { line: n });
  }
  if (raw.length < 5) fail('NOTE_MALFORMED', `signature line ${n} is too short`, { line: n });
  const keyId =
    (((raw[0] as number) << 24) |
      ((raw[1] as number) << 16) |
      ((raw[2] as number) << 8) |
      (raw[3] as number)) >>>
    0;
  return { name, keyId, signature: raw.slice(4) };
}

export function formatSignatureLine(sig: NoteSignature): string {
  const raw = new Uint8Array(4 + sig.signature.length);
  new DataView(raw.buffer).setUint32(0, sig.keyId);
  raw.set(sig.signature, 4);
  return `${EM_DASH_PREFIX}${sig.name} ${toBase64(raw)}\n`;
}

export function formatNote(note: Note): string {
  if (!note.text.endsWith('\n')) fail('NOTE_MALFORMED', 'note text must end with a newline');
  if (note.signatures.length === 0) fail('NOTE_MALFORMED', 'a note needs at least one signature');
  return `${note.text}\n${note.signatures.map(formatSignatureLine).join('')}`;
}

export async function signNote(text: string, signers: readonly Signer[]): Promise<string> {
  if (!text.endsWith('\n')) fail('NOTE_MALFORMED', 'note text must end with a newline');
  if (hasControl(text)) fail('NOTE_MALFORMED', 'note text contains a control character');
  const bytes = utf8.encode(text);
  const signatures: NoteSignature[] = [];
  for (const s of signers)
    signatures.push({ name: s.name, keyId: s.keyId, signature: await s.sign(bytes) });
  return formatNote({ text, signatures });
}

export interface VerifiedSignature {
  readonly verifier: Verifier;
  readonly signature: NoteSignature;
}

export interface OpenedNote extends Note {
  /** Signatures by known keys, all of which verified. */
  readonly verified: readonly VerifiedSignature[];
}

/**
 * Verifies a note against trusted keys (signed-note §"Signatures"): unknown keys are ignored
 * (a key is known only when both name and ID match); a known key whose signature fails rejects
 * the whole note; at least one known signature must verify.
 */
export async function openNote(
  input: string | Uint8Array | Note,
  verifiers: readonly Verifier[],
): Promise<OpenedNote> {
  const note = typeof input === 'string' || input instanceof Uint8Array ? parseNote(input) : input;
  const text = utf8.encode(note.text);
  const verified: VerifiedSignature[] = [];
  for (const sig of note.signatures) {
    const v = verifiers.find((k) => k.name === sig.name && k.keyId === sig.keyId);
    if (!v) continue;
    if (!(await v.verify(text, sig.signature))) {
      fail(
        'NOTE_BAD_SIGNATURE',
        `signature by ${sig.name} (${keyIdHex(sig.keyId)}) does not verify`,
        {
          name: sig.name,
          keyId: keyIdHex(sig.keyId),
        },
      );
    }
    verified.push({ verifier: v, signature: sig });
  }
  if (verified.length === 0) {
    fail('NOTE_NO_VERIFIED_SIGNATURE', 'no signature by a trusted key', {
      names: note.signatures.map((s) => `${s.name}+${keyIdHex(s.keyId)}`),
    });
  }
  return { ...note, verified };
}
