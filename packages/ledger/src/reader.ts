import { bytesEqual } from '@interdict/core';
import { parseCheckpoint } from './checkpoint';
import { fromUtf8 } from './crypto';
import { fail } from './errors';
import { TreeHashes } from './merkle';
import { parseNote } from './note';
import type { LogStorage, PublishedCheckpoint } from './sequencer';
import { decodeTile, tilePath, tilesForSize, TILE_WIDTH } from './tiles';

/**
 * A read-only view of a log another process sequences (a replica that does not hold the
 * sequencer lock). It follows the published checkpoint and keeps the leaf hashes of that size,
 * read from the level-0 hash tiles (C2SP tlog-tiles), so it can serve inclusion and consistency
 * proofs (RFC 9162 §2.1.3–2.1.4) without writing anything. Every refresh checks that the tiles
 * hash to the checkpoint's root before adopting it.
 */
export class LogReader {
  private tree = new TreeHashes();
  private published: PublishedCheckpoint | undefined;
  private dirty = false;
  private refreshing: Promise<PublishedCheckpoint | undefined> | undefined;

  private constructor(
    private readonly storage: Pick<LogStorage, 'get' | 'readCheckpoint'>,
    readonly origin: string,
  ) {}

  static async open(
    storage: Pick<LogStorage, 'get' | 'readCheckpoint'>,
    origin: string,
  ): Promise<LogReader> {
    const r = new LogReader(storage, origin);
    await r.refresh();
    return r;
  }

  get checkpoint(): PublishedCheckpoint | undefined {
    return this.published;
  }

  /** Leaf hashes up to the followed checkpoint's size (proofs at any size up to it). */
  get hashes(): TreeHashes {
    return this.tree;
  }

  /** Re-reads the checkpoint; concurrent callers share one read. */
  refresh(): Promise<PublishedCheckpoint | undefined> {
    this.refreshing ??= this.load().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async load(): Promise<PublishedCheckpoint | undefined> {
    const raw = await this.storage.readCheckpoint();
    if (!raw) return this.published;
    const note = fromUtf8.decode(raw);
    if (note === this.published?.note) return this.published;
    const checkpoint = parseCheckpoint(parseNote(note).text);
    if (checkpoint.origin !== this.origin) {
      fail(
        'CHECKPOINT_ORIGIN_MISMATCH',
        `stored checkpoint is for ${checkpoint.origin}, not ${this.origin}`,
      );
    }
    if (checkpoint.size < (this.published?.checkpoint.size ?? 0)) {
      fail(
        'STORAGE_INCONSISTENT',
        `the log shrank from ${this.published?.checkpoint.size} to ${checkpoint.size} entries`,
      );
    }
    // A failed refresh may have appended hashes it then rejected: start over from tile 0.
    if (this.dirty) this.tree = new TreeHashes();
    this.dirty = true;
    // Only the level-0 tiles from the one the tree ends in; a partial tile grows by appending,
    // so its first hashes are the ones already held (the root check below proves it).
    const tree = this.tree;
    for (const t of tilesForSize(checkpoint.size).filter(
      (x) => x.level === 0 && x.index >= Math.floor(tree.size / TILE_WIDTH),
    )) {
      const bytes = await this.storage.get(tilePath(t));
      if (!bytes)
        fail('TILE_MISSING', `tile ${tilePath(t)} of the published checkpoint is missing`);
      const hashes = decodeTile(bytes, t);
      for (const h of hashes.slice(tree.size - t.index * TILE_WIDTH)) tree.append(h);
    }
    if (!bytesEqual(tree.root(checkpoint.size), checkpoint.root)) {
      fail('STORAGE_INCONSISTENT', 'stored tiles do not match the published checkpoint');
    }
    this.dirty = false;
    this.published = { checkpoint, note };
    return this.published;
  }
}
