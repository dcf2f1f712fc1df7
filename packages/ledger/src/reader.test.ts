import { describe, expect, it } from 'vitest';
import { LedgerError } from './errors';
import { hashLeaf, verifyConsistency, verifyInclusion } from './merkle';
import { memoryLogStorage } from './memory-storage';
import { nodeEd25519 } from './node-crypto';
import { ed25519Signer } from './note';
import { LogReader } from './reader';
import { Sequencer } from './sequencer';
import { tilePath, TILE_WIDTH } from './tiles';

const ORIGIN = 'reader.test/log';
const enc = (s: string) => new TextEncoder().encode(s);

async function writer() {
  const storage = memoryLogStorage();
  const seq = await Sequencer.open({
    origin: ORIGIN,
    signer: await ed25519Signer(ORIGIN, new Uint8Array(32).fill(3), nodeEd25519),
    storage,
    checkpointIntervalMs: 0,
  });
  return { storage, seq };
}

describe('LogReader (read-only replica)', () => {
  it('follows the published checkpoint across partial and full tiles and serves valid proofs', async () => {
    const { storage, seq } = await writer();
    const reader = await LogReader.open(storage, ORIGIN);
    expect(reader.checkpoint?.checkpoint.size).toBe(0);
    let previous = reader.checkpoint?.checkpoint;
    // Sizes that end inside a tile, exactly on a tile boundary, and past several tiles.
    for (const grow of [3, 100, TILE_WIDTH - 103, 1, 2 * TILE_WIDTH + 7]) {
      await Promise.all(
        Array.from({ length: grow }, (_, i) => seq.append(enc(`${seq.size}-${i}`))),
      );
      const published = await seq.publish();
      await reader.refresh();
      expect(reader.checkpoint?.note).toBe(published?.note);
      const cp = reader.checkpoint?.checkpoint;
      if (!cp || !previous) throw new Error('no checkpoint');
      const index = cp.size - 1;
      verifyInclusion(
        hashLeaf(await seq.entry(index)),
        index,
        cp.size,
        reader.hashes.inclusionProof(index, cp.size),
        cp.root,
      );
      if (previous.size > 0) {
        verifyConsistency(
          previous.size,
          cp.size,
          reader.hashes.consistencyProof(previous.size, cp.size),
          previous.root,
          cp.root,
        );
      }
      previous = cp;
    }
  });

  it('refuses a checkpoint whose tiles do not hash to its root, and keeps the last good one', async () => {
    const { storage, seq } = await writer();
    await Promise.all([1, 2, 3].map((i) => seq.append(enc(`e${i}`))));
    await seq.publish();
    const reader = await LogReader.open(storage, ORIGIN);
    const good = reader.checkpoint?.note;
    await seq.append(enc('e4'));
    await seq.publish();
    const key = tilePath({ level: 0, index: 0, width: 4 });
    const tile = storage.blobs.get(key);
    if (!tile) throw new Error('tile missing');
    const flipped = tile.slice();
    // The new leaf hash (index 3); the first three were verified against the earlier root.
    flipped[100] = (flipped[100] ?? 0) ^ 1;
    storage.blobs.set(key, flipped);
    const error = await reader.refresh().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LedgerError);
    expect((error as LedgerError).code).toBe('STORAGE_INCONSISTENT');
    expect(reader.checkpoint?.note).toBe(good);
    // Once the tile is right again the reader catches up.
    storage.blobs.set(key, tile);
    await reader.refresh();
    expect(reader.checkpoint?.checkpoint.size).toBe(4);
  });
});
