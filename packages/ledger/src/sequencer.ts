import { bytesEqual } from '@interdict/core';
import { formatCheckpoint, parseCheckpoint, type Checkpoint } from './checkpoint';
import { utf8, fromUtf8 } from './crypto';
import { fail, LedgerError } from './errors';
import { hashLeaf, TreeHashes } from './merkle';
import { parseNote, signNote, type Signer } from './note';
import {
  bundlesBetween,
  decodeEntryBundle,
  decodeTile,
  encodeEntryBundle,
  MAX_ENTRY_SIZE,
  tileBytes,
  tilePath,
  tilesBetween,
  tilesForSize,
  TILE_WIDTH,
  type TileRef,
} from './tiles';

/**
 * Durable storage the sequencer writes through (a folder, a database table, object storage…).
 * `put` is for immutable blobs (tiles and bundles): it must be atomic (a blob is either absent
 * or complete) and idempotent (putting the same bytes again succeeds). The checkpoint is the one
 * mutable object and is replaced atomically.
 */
export interface LogStorage {
  get(key: string): Promise<Uint8Array | undefined>;
  put(key: string, bytes: Uint8Array): Promise<void>;
  readCheckpoint(): Promise<Uint8Array | undefined>;
  writeCheckpoint(bytes: Uint8Array): Promise<void>;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export interface SequencerOptions {
  /** Checkpoint origin line; the log key's name should equal it (tlog-checkpoint §Signatures). */
  readonly origin: string;
  readonly signer: Signer;
  /**
   * Extra log keys that also sign every checkpoint — for key rotation: sign with the old and the
   * new key until every verifier has the new vkey (verifiers ignore unknown keys).
   */
  readonly additionalSigners?: readonly Signer[];
  readonly storage: LogStorage;
  readonly clock?: Clock;
  /** Publish a checkpoint this often when the tree grew (ms); 0 disables the timer. Default 1000. */
  readonly checkpointIntervalMs?: number;
  /** Largest number of entries sequenced in one batch. Default 8192. */
  readonly maxBatch?: number;
  /**
   * Optional: gather witness cosignatures for a freshly signed checkpoint note (the tree's hashes
   * give the consistency proofs witnesses ask for) and return the note with them added. Throwing
   * (e.g. QUORUM_NOT_MET under a tlog-policy) keeps the previous checkpoint published; the next
   * interval tries again.
   */
  readonly cosign?: (
    note: string,
    checkpoint: Checkpoint,
    previous: Checkpoint | undefined,
    hashes: TreeHashes,
  ) => Promise<string>;
}

export interface PublishedCheckpoint {
  readonly checkpoint: Checkpoint;
  /** The signed note as served at `<prefix>/checkpoint`. */
  readonly note: string;
}

interface Pending {
  readonly entry: Uint8Array;
  resolve(index: number): void;
  reject(error: unknown): void;
}

interface Waiter {
  readonly index: number;
  resolve(cp: PublishedCheckpoint): void;
  reject(error: unknown): void;
}

export const CHECKPOINT_KEY = 'checkpoint';

// setImmediate runs after pending I/O callbacks, so concurrent appends pool into one batch; the
// browser has no setImmediate, where a zero timeout does the same job.
const defer: (f: () => void) => void =
  typeof setImmediate === 'function' ? (f) => void setImmediate(f) : (f) => void setTimeout(f, 0);

/**
 * The log's single writer. Appends from any number of callers are pooled and sequenced in
 * batches: each batch writes its entry bundles (in index order, one after another) and then its
 * hash tiles, and only then acknowledges the appends with their indices. A checkpoint covering
 * acknowledged entries is signed and published at most every interval, always last.
 *
 * Crash safety follows from that order: a published checkpoint's tiles were written before it;
 * bundles form a gap-free prefix, so on restart `open` re-reads them past the checkpoint,
 * recomputes (identical) tiles and publishes a checkpoint that includes every acknowledged entry.
 */
export class Sequencer {
  private readonly tree: TreeHashes;
  private readonly opts: Required<Omit<SequencerOptions, 'cosign' | 'additionalSigners'>> &
    Pick<SequencerOptions, 'cosign' | 'additionalSigners'>;
  private pending: Pending[] = [];
  private waiters: Waiter[] = [];
  /** Entries of the current (partial) entry bundle, needed to rewrite it when it grows. */
  private bundleEntries: Uint8Array[];
  private durable: number;
  private published: PublishedCheckpoint | undefined;
  private batchRunning: Promise<void> | undefined;
  private scheduled = false;
  private timer: ReturnType<typeof setInterval> | undefined;
  private publishing: Promise<PublishedCheckpoint | undefined> | undefined;
  private broken: unknown;
  private closed = false;
  private aborted = false;

  private constructor(
    opts: SequencerOptions,
    tree: TreeHashes,
    bundleEntries: Uint8Array[],
    published: PublishedCheckpoint | undefined,
  ) {
    this.opts = {
      clock: { now: () => Date.now() },
      checkpointIntervalMs: 1000,
      maxBatch: 8192,
      ...opts,
    };
    this.tree = tree;
    this.bundleEntries = bundleEntries;
    this.durable = tree.size;
    this.published = published;
  }

  /** Opens (or creates) the log in `storage`, recovering anything durable past the checkpoint. */
  static async open(opts: SequencerOptions): Promise<Sequencer> {
    const { tree, bundleEntries, published, recovered } = await recover(opts);
    const s = new Sequencer(opts, tree, bundleEntries, published);
    if (recovered > 0 || !published) {
      // Publishing now covers recovered entries; if witnesses withhold their cosignatures the
      // timer retries, but a storage failure is fatal.
      await s.publish().catch((e: unknown) => {
        if (!(opts.cosign && e instanceof LedgerError && e.code === 'QUORUM_NOT_MET')) throw e;
      });
    }
    if (s.opts.checkpointIntervalMs > 0) {
      s.timer = setInterval(() => {
        if (s.durable > (s.published?.checkpoint.size ?? -1)) s.publish().catch(() => undefined);
      }, s.opts.checkpointIntervalMs);
      // Never keep a process alive just for the checkpoint timer.
      (s.timer as { unref?: () => void }).unref?.();
    }
    return s;
  }

  /** Number of durable (acknowledged) entries. */
  get size(): number {
    return this.durable;
  }

  /** False once a storage write failed: only reopening the log (recovery) can go on from there. */
  get healthy(): boolean {
    return this.broken === undefined;
  }

  get checkpoint(): PublishedCheckpoint | undefined {
    return this.published;
  }

  get origin(): string {
    return this.opts.origin;
  }

  /** Complete-subtree hashes of the durable tree (for proofs at any published size). */
  get hashes(): TreeHashes {
    return this.tree;
  }

  /** Appends an entry; resolves with its index once it is durably stored (not yet checkpointed). */
  append(entry: Uint8Array): Promise<number> {
    if (this.closed)
      return Promise.reject(new LedgerError('SEQUENCER_CLOSED', 'sequencer is closed'));
    if (this.broken !== undefined) return Promise.reject(this.brokenError());
    if (entry.length > MAX_ENTRY_SIZE) {
      return Promise.reject(
        new LedgerError(
          'ENTRY_TOO_LARGE',
          `entry of ${entry.length} bytes exceeds ${MAX_ENTRY_SIZE}`,
        ),
      );
    }
    return new Promise<number>((resolve, reject) => {
      this.pending.push({ entry, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves with the first published checkpoint that includes `index`. */
  waitForCheckpoint(index: number): Promise<PublishedCheckpoint> {
    if (this.published && this.published.checkpoint.size > index)
      return Promise.resolve(this.published);
    return new Promise((resolve, reject) => this.waiters.push({ index, resolve, reject }));
  }

  /** Signs and publishes a checkpoint for everything durable now (no-op if nothing changed). */
  publish(): Promise<PublishedCheckpoint | undefined> {
    // One publication at a time; a caller arriving during one chains after it.
    const run = (this.publishing ?? Promise.resolve(undefined))
      .catch(() => undefined)
      .then(() => this.publishNow());
    this.publishing = run;
    return run;
  }

  /** Waits for queued appends, publishes a final checkpoint and stops the timer. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    while (this.pending.length > 0 || this.batchRunning)
      await (this.batchRunning ?? this.runBatch());
    this.closed = true;
    if (this.broken === undefined) await this.publish();
    for (const w of this.waiters)
      w.reject(
        new LedgerError('SEQUENCER_CLOSED', 'sequencer closed before the entry was checkpointed'),
      );
    this.waiters = [];
  }

  /**
   * Stops at once without writing anything more: for a replica that lost its sequencer lock
   * (another replica may already sequence, so even a final checkpoint would race it). Queued
   * appends and waiters are refused; a batch already writing finishes its idempotent writes.
   */
  abort(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.closed = true;
    this.aborted = true;
    const error = new LedgerError('SEQUENCER_CLOSED', 'this replica stopped sequencing the log');
    for (const p of this.pending.splice(0)) p.reject(error);
    for (const w of this.waiters.splice(0)) w.reject(error);
  }

  /** Reads an entry back from its bundle. */
  async entry(index: number): Promise<Uint8Array> {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.durable) {
      fail('INDEX_OUT_OF_RANGE', `entry ${index} is not in the log of size ${this.durable}`);
    }
    const n = Math.floor(index / TILE_WIDTH);
    const width = Math.min(TILE_WIDTH, this.durable - n * TILE_WIDTH);
    const ref: TileRef = { level: 'entries', index: n, width };
    const bytes = await this.opts.storage.get(tilePath(ref));
    if (!bytes) fail('TILE_MISSING', `entry bundle ${tilePath(ref)} is missing`);
    return decodeEntryBundle(bytes, width)[index % TILE_WIDTH] as Uint8Array;
  }

  private brokenError(): LedgerError {
    return new LedgerError(
      'STORAGE_INCONSISTENT',
      'a storage write failed; reopen the log to recover',
      {
        cause: this.broken,
      },
    );
  }

  private schedule(): void {
    if (this.scheduled || this.batchRunning) return;
    this.scheduled = true;
    // Let every append issued in this tick join the batch.
    defer(() => {
      this.scheduled = false;
      void this.runBatch();
    });
  }

  private runBatch(): Promise<void> {
    if (this.batchRunning) return this.batchRunning;
    if (this.pending.length === 0) return Promise.resolve();
    const batch = this.pending.splice(0, this.opts.maxBatch);
    this.batchRunning = this.writeBatch(batch).finally(() => {
      this.batchRunning = undefined;
      if (this.pending.length > 0) this.schedule();
    });
    return this.batchRunning;
  }

  private async writeBatch(batch: Pending[]): Promise<void> {
    if (this.broken !== undefined) {
      for (const p of batch) p.reject(this.brokenError());
      return;
    }
    const storage = this.opts.storage;
    const oldSize = this.tree.size;
    try {
      for (const p of batch) this.tree.append(hashLeaf(p.entry));
      const newSize = this.tree.size;
      // Entry bundles first, strictly in index order, so stored bundles are always a gap-free
      // prefix of the log (recovery relies on it).
      let carry = this.bundleEntries;
      let next = 0;
      for (const b of bundlesBetween(oldSize, newSize)) {
        const take = b.width - carry.length;
        const entries = carry.concat(batch.slice(next, next + take).map((p) => p.entry));
        next += take;
        await storage.put(tilePath(b), encodeEntryBundle(entries));
        carry = b.width === TILE_WIDTH ? [] : entries;
      }
      this.bundleEntries = carry;
      // Tiles are a pure function of the entries, so writing them in parallel is safe.
      await Promise.all(
        tilesBetween(oldSize, newSize).map((t) =>
          storage.put(tilePath(t), tileBytes(this.tree, t)),
        ),
      );
      this.durable = newSize;
    } catch (error) {
      // The in-memory tree ran ahead of storage; refuse further work until reopened (recovery
      // then rebuilds exactly what is stored).
      this.broken = error;
      for (const p of batch) p.reject(error);
      for (const p of this.pending.splice(0)) p.reject(this.brokenError());
      return;
    }
    batch.forEach((p, i) => p.resolve(oldSize + i));
  }

  private async publishNow(): Promise<PublishedCheckpoint | undefined> {
    const size = this.durable;
    if (this.published && this.published.checkpoint.size === size) return this.published;
    const checkpoint: Checkpoint = {
      origin: this.opts.origin,
      size,
      root: this.tree.root(size),
      extensions: [],
    };
    let note = await signNote(formatCheckpoint(checkpoint), [
      this.opts.signer,
      ...(this.opts.additionalSigners ?? []),
    ]);
    if (this.opts.cosign)
      note = await this.opts.cosign(note, checkpoint, this.published?.checkpoint, this.tree);
    if (this.aborted) fail('SEQUENCER_CLOSED', 'this replica stopped sequencing the log');
    await this.opts.storage.writeCheckpoint(utf8.encode(note));
    const published = { checkpoint, note };
    this.published = published;
    const still: Waiter[] = [];
    for (const w of this.waiters) {
      if (w.index < size) w.resolve(published);
      else still.push(w);
    }
    this.waiters = still;
    return published;
  }
}

async function recover(opts: SequencerOptions): Promise<{
  tree: TreeHashes;
  bundleEntries: Uint8Array[];
  published: PublishedCheckpoint | undefined;
  recovered: number;
}> {
  const storage = opts.storage;
  const tree = new TreeHashes();
  const raw = await storage.readCheckpoint();
  let published: PublishedCheckpoint | undefined;
  if (raw) {
    const note = fromUtf8.decode(raw);
    const checkpoint = parseCheckpoint(parseNote(note).text);
    if (checkpoint.origin !== opts.origin) {
      fail(
        'CHECKPOINT_ORIGIN_MISMATCH',
        `stored checkpoint is for ${checkpoint.origin}, not ${opts.origin}`,
      );
    }
    published = { checkpoint, note };
    // Level-0 tiles of the published size give every leaf hash; the higher levels are rehashed.
    for (const t of tilesForSize(checkpoint.size).filter((x) => x.level === 0)) {
      const bytes = await storage.get(tilePath(t));
      if (!bytes)
        fail('STORAGE_INCONSISTENT', `tile ${tilePath(t)} of the published checkpoint is missing`);
      for (const h of decodeTile(bytes, t)) tree.append(h);
    }
    if (!bytesEqual(tree.root(checkpoint.size), checkpoint.root)) {
      fail('STORAGE_INCONSISTENT', 'stored tiles do not match the published checkpoint');
    }
  }
  const base = tree.size;
  // Entries past the checkpoint that reached durable bundles (acknowledged or not) are kept.
  let bundleEntries: Uint8Array[] = [];
  let n = Math.floor(base / TILE_WIDTH);
  for (;;) {
    const full = await storage.get(tilePath({ level: 'entries', index: n, width: TILE_WIDTH }));
    let entries: Uint8Array[] | undefined;
    if (full) entries = decodeEntryBundle(full, TILE_WIDTH);
    else {
      const have = tree.size - n * TILE_WIDTH;
      for (let w = TILE_WIDTH - 1; w > have && !entries; w--) {
        const part = await storage.get(tilePath({ level: 'entries', index: n, width: w }));
        if (part) entries = decodeEntryBundle(part, w);
      }
      if (!entries && have > 0) {
        const part = await storage.get(tilePath({ level: 'entries', index: n, width: have }));
        if (!part)
          fail('STORAGE_INCONSISTENT', `entry bundle ${n} of the published checkpoint is missing`);
        entries = decodeEntryBundle(part, have);
      }
    }
    if (!entries) break;
    const already = tree.size - n * TILE_WIDTH;
    for (const e of entries.slice(already)) tree.append(hashLeaf(e));
    if (entries.length < TILE_WIDTH) {
      bundleEntries = entries.map((e) => e.slice());
      break;
    }
    n++;
  }
  // Rewrite the tiles for the recovered range (identical bytes if they were already written).
  await Promise.all(
    tilesBetween(base, tree.size).map((t) => storage.put(tilePath(t), tileBytes(tree, t))),
  );
  return { tree, bundleEntries, published, recovered: tree.size - base };
}
