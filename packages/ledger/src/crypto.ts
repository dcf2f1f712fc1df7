import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';

// @noble/ed25519's synchronous API needs a SHA-512; wiring @noble/hashes in keeps this package
// runnable in the browser (the console's verifier) without WebCrypto quirks.
ed.hashes.sha512 = sha512;

/**
 * Ed25519 as the ledger needs it. The default is @noble/ed25519 (runs everywhere); servers pass a
 * node:crypto implementation (`nodeEd25519` from `@interdict/ledger/node`), about 10× faster
 * (../shared/STACK.md). Secret keys are 32-byte RFC 8032 seeds.
 */
export interface Ed25519 {
  publicKey(seed: Uint8Array): Promise<Uint8Array>;
  sign(seed: Uint8Array, message: Uint8Array): Promise<Uint8Array>;
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean>;
}

export const nobleEd25519: Ed25519 = {
  publicKey: (seed) => Promise.resolve(ed.getPublicKey(seed)),
  sign: (seed, message) => Promise.resolve(ed.sign(message, seed)),
  verify: (publicKey, message, signature) => {
    try {
      return Promise.resolve(ed.verify(signature, message, publicKey));
    } catch {
      // noble throws on non-canonical encodings; for a verifier that is simply "does not verify".
      return Promise.resolve(false);
    }
  },
};

/** A fresh random 32-byte Ed25519 seed (WebCrypto's CSPRNG, present in Node 20 and browsers). */
export function randomSeed(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(32));
}

export const utf8 = new TextEncoder();
export const fromUtf8 = new TextDecoder('utf-8', { fatal: true });
