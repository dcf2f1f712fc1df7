import { nobleEd25519, utf8, type Ed25519 } from './crypto';
import { fail } from './errors';
import {
  computeKeyId,
  formatVkey,
  isValidKeyName,
  SIG_TYPE_COSIGNATURE_V1,
  type Signer,
  type Verifier,
} from './note';

// C2SP tlog-cosignature, Ed25519 flavour: signature type 0x04, the signature is
// timestamp (u64 big-endian) || Ed25519 signature over
// "cosignature/v1\ntime <timestamp>\n" || checkpoint note text.

export const COSIGNATURE_V1_HEADER = 'cosignature/v1';
/** 8-byte timestamp + 64-byte Ed25519 signature. */
export const COSIGNATURE_V1_LENGTH = 72;

export function cosignatureMessage(text: Uint8Array, timestamp: number): Uint8Array {
  const head = utf8.encode(`${COSIGNATURE_V1_HEADER}\ntime ${timestamp}\n`);
  const out = new Uint8Array(head.length + text.length);
  out.set(head);
  out.set(text, head.length);
  return out;
}

/** The POSIX timestamp of a cosignature's signature bytes (key ID already stripped). */
export function cosignatureTimestamp(signature: Uint8Array): number {
  if (signature.length !== COSIGNATURE_V1_LENGTH) {
    fail(
      'COSIGNATURE_MALFORMED',
      `cosignature must be ${COSIGNATURE_V1_LENGTH} bytes, got ${signature.length}`,
    );
  }
  const view = new DataView(signature.buffer, signature.byteOffset, 8);
  const ts = view.getBigUint64(0);
  // "It MUST NOT exceed 2^63 - 1"; we also keep it in the safe-integer range.
  if (ts > BigInt(Number.MAX_SAFE_INTEGER))
    fail('COSIGNATURE_MALFORMED', 'cosignature timestamp is out of range');
  return Number(ts);
}

export function cosignatureVerifier(
  name: string,
  publicKey: Uint8Array,
  ed: Ed25519 = nobleEd25519,
): Verifier {
  return {
    name,
    keyId: computeKeyId(name, SIG_TYPE_COSIGNATURE_V1, publicKey),
    type: SIG_TYPE_COSIGNATURE_V1,
    publicKey,
    async verify(text, sig) {
      if (sig.length !== COSIGNATURE_V1_LENGTH) return false;
      let ts: number;
      try {
        ts = cosignatureTimestamp(sig);
      } catch {
        return false;
      }
      return ed.verify(publicKey, cosignatureMessage(text, ts), sig.subarray(8));
    },
  };
}

export interface Cosigner extends Signer {
  readonly publicKey: Uint8Array;
  readonly vkey: string;
}

/** A witness's cosigning key; `now` gives POSIX seconds (injected so tests control time). */
export async function cosigner(
  name: string,
  seed: Uint8Array,
  ed: Ed25519 = nobleEd25519,
  now: () => number = () => Math.floor(Date.now() / 1000),
): Promise<Cosigner> {
  if (!isValidKeyName(name)) fail('KEY_NAME_INVALID', `invalid key name ${JSON.stringify(name)}`);
  const publicKey = await ed.publicKey(seed);
  return {
    name,
    keyId: computeKeyId(name, SIG_TYPE_COSIGNATURE_V1, publicKey),
    publicKey,
    vkey: formatVkey(name, SIG_TYPE_COSIGNATURE_V1, publicKey),
    async sign(text) {
      const ts = now();
      const sig = await ed.sign(seed, cosignatureMessage(text, ts));
      const out = new Uint8Array(COSIGNATURE_V1_LENGTH);
      new DataView(out.buffer).setBigUint64(0, BigInt(ts));
      out.set(sig, 8);
      return out;
    },
  };
}
