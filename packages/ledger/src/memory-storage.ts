import { bytesEqual } from '@interdict/core';
import { fail } from './errors';
import type { LogStorage } from './sequencer';

/**
 * LogStorage in memory (tests, benchmarks, the browser). Immutable puts are idempotent and
 * refuse different bytes under an existing key — the invariant a real blob store must keep too.
 */
export function memoryLogStorage(): LogStorage & {
  blobs: Map<string, Uint8Array>;
  checkpoint: Uint8Array | undefined;
} {
  const blobs = new Map<string, Uint8Array>();
  const s = {
    blobs,
    checkpoint: undefined as Uint8Array | undefined,
    get: (key: string) => Promise.resolve(blobs.get(key)),
    put(key: string, bytes: Uint8Array) {
      const old = blobs.get(key);
      if (old && !bytesEqual(old, bytes))
        fail('STORAGE_INCONSISTENT', `blob ${key} exists with different content`);
      blobs.set(key, bytes.slice());
      return Promise.resolve();
    },
    readCheckpoint: () => Promise.resolve(s.checkpoint),
    writeCheckpoint(bytes: Uint8Array) {
      s.checkpoint = bytes.slice();
      return Promise.resolve();
    },
  };
  return s;
}
