import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import type { Ed25519 } from './crypto';

// The server-side fast path for Ed25519 (node:crypto / OpenSSL), injected where @noble would be
// used by default. Kept out of index.ts so the browser bundle never sees node:crypto.

// DER prefixes for raw Ed25519 keys (RFC 8410 §7 PKCS#8 and SubjectPublicKeyInfo).
const PKCS8_PREFIX = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);
const SPKI_PREFIX = Uint8Array.from([
  0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
]);

function concat(a: Uint8Array, b: Uint8Array): Buffer {
  return Buffer.concat([a, b]);
}

const privateKeys = new Map<string, KeyObject>();
const publicKeys = new Map<string, KeyObject>();

function privateKey(seed: Uint8Array): KeyObject {
  const id = Buffer.from(seed).toString('base64');
  let key = privateKeys.get(id);
  if (!key) {
    key = createPrivateKey({ key: concat(PKCS8_PREFIX, seed), format: 'der', type: 'pkcs8' });
    if (privateKeys.size > 64) privateKeys.clear();
    privateKeys.set(id, key);
  }
  return key;
}

function publicKeyObject(raw: Uint8Array): KeyObject {
  const id = Buffer.from(raw).toString('base64');
  let key = publicKeys.get(id);
  if (!key) {
    key = createPublicKey({ key: concat(SPKI_PREFIX, raw), format: 'der', type: 'spki' });
    if (publicKeys.size > 1024) publicKeys.clear();
    publicKeys.set(id, key);
  }
  return key;
}

export const nodeEd25519: Ed25519 = {
  publicKey(seed) {
    const der = createPublicKey(privateKey(seed)).export({ format: 'der', type: 'spki' });
    return Promise.resolve(new Uint8Array(der.subarray(SPKI_PREFIX.length)));
  },
  sign(seed, message) {
    return Promise.resolve(new Uint8Array(sign(null, message, privateKey(seed))));
  },
  verify(publicKey, message, signature) {
    if (publicKey.length !== 32 || signature.length !== 64) return Promise.resolve(false);
    try {
      return Promise.resolve(verify(null, message, publicKeyObject(publicKey), signature));
    } catch {
      return Promise.resolve(false);
    }
  },
};
