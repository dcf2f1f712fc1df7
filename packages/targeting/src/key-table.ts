/**
 * Typed-array building blocks of the history (features.ts): per-key counters, and an
 * open-addressing hash table from tuples of small integer ids to slots, so that a pair or group
 * key (importer × HS subheading, …) is found by hashing a few integers instead of building and
 * hashing a joined string per row (linear probing, as in Knuth, TAOCP vol. 3 §6.4, algorithm L;
 * the table is kept at most half full).
 *
 * Scoring a row reads a few entries of tables far larger than the caches, so each entry keeps
 * what a look-up needs side by side (a bucket holds its tuple and value; a slot its four counts):
 * one cache miss per look-up instead of one per array.
 */

const INITIAL_CAPACITY = 16;

/** Counts per slot, in `data` at [4·slot + field]. */
export const N = 0;
export const INSPECTED = 1;
export const FRAUD = 2;
export const CRITICAL = 3;

/**
 * Counts per slot: all declarations (N), inspected ones, frauds, critical frauds. `present` tells
 * a slot that holds an entry (in the history's snapshot) from one only reserved for an id.
 * Float64Array holds any count the history file may carry, exactly.
 */
export class Counts {
  size = 0;
  data = new Float64Array(INITIAL_CAPACITY * 4);
  present = new Uint8Array(INITIAL_CAPACITY);

  /** A new slot with zero counts. */
  push(present: boolean): number {
    if (this.size === this.present.length) {
      const data = new Float64Array(this.data.length * 2);
      data.set(this.data);
      this.data = data;
      const p = new Uint8Array(this.present.length * 2);
      p.set(this.present);
      this.present = p;
    }
    this.present[this.size] = present ? 1 : 0;
    return this.size++;
  }

  /** `[n, inspected, frauds, criticals]` of a slot. */
  of(slot: number): [number, number, number, number] {
    const d = this.data;
    const i = 4 * slot;
    return [d[i] as number, d[i + 1] as number, d[i + 2] as number, d[i + 3] as number];
  }

  copy(): Counts {
    const c = new Counts();
    c.size = this.size;
    c.data = this.data.slice();
    c.present = this.present.slice();
    return c;
  }
}

/**
 * Tuples of `width` int32 ids → non-negative int32 values. Each bucket is `width + 1` ints:
 * value + 1 (0 for empty), then the tuple. `find` never changes the table (a history shared
 * between requests is only read).
 */
export class TupleTable {
  readonly width: number;
  size = 0;
  private buckets: Int32Array;
  private mask: number;

  constructor(width: number) {
    this.width = width;
    this.buckets = new Int32Array(INITIAL_CAPACITY * (width + 1));
    this.mask = INITIAL_CAPACITY - 1;
  }

  /** The value of `key[0..width)`, or −1. */
  find(key: Int32Array): number {
    const w = this.width;
    const { buckets, mask } = this;
    let b = hashTuple(key, 0, w) & mask;
    for (;;) {
      const at = b * (w + 1);
      const v = (buckets[at] as number) - 1;
      if (v < 0) return -1;
      if (sameTuple(buckets, at + 1, key, w)) return v;
      b = (b + 1) & mask;
    }
  }

  /** `find` for a pair (width 2), without a key array: the hot path of pair features. */
  find2(a: number, b: number): number {
    const { buckets, mask } = this;
    let h = Math.imul(0x9e3779b9 ^ a, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h ^ b, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    let i = (h ^ (h >>> 16)) & mask;
    for (;;) {
      const at = 3 * i;
      const v = (buckets[at] as number) - 1;
      if (v < 0) return -1;
      if (buckets[at + 1] === a && buckets[at + 2] === b) return v;
      i = (i + 1) & mask;
    }
  }

  /** Stores `value` (≥ 0) for `key`, which must not be in the table yet. */
  add(key: Int32Array, value: number): void {
    if (2 * (this.size + 1) > this.mask + 1) this.rehash(2 * (this.mask + 1));
    place(this.buckets, this.mask, this.width, key, 0, value);
    this.size++;
  }

  copy(): TupleTable {
    const t = new TupleTable(this.width);
    t.size = this.size;
    t.buckets = this.buckets.slice();
    t.mask = this.mask;
    return t;
  }

  private rehash(capacity: number): void {
    const w = this.width;
    const old = this.buckets;
    this.buckets = new Int32Array(capacity * (w + 1));
    this.mask = capacity - 1;
    for (let at = 0; at < old.length; at += w + 1) {
      const v = (old[at] as number) - 1;
      if (v >= 0) place(this.buckets, this.mask, w, old, at + 1, v);
    }
  }
}

function place(
  buckets: Int32Array,
  mask: number,
  w: number,
  key: Int32Array,
  from: number,
  value: number,
): void {
  let b = hashTuple(key, from, w) & mask;
  while (buckets[b * (w + 1)] !== 0) b = (b + 1) & mask;
  const at = b * (w + 1);
  buckets[at] = value + 1;
  for (let i = 0; i < w; i++) buckets[at + 1 + i] = key[from + i] as number;
}

function sameTuple(buckets: Int32Array, at: number, key: Int32Array, w: number): boolean {
  for (let i = 0; i < w; i++) if (buckets[at + i] !== key[i]) return false;
  return true;
}

/**
 * Multiply-xorshift mixing of each id (MurmurHash3's finaliser constants), then a final mix.
 * `find2` unrolls it for two ids: keep them alike.
 */
function hashTuple(key: Int32Array, from: number, w: number): number {
  let h = 0x9e3779b9;
  for (let i = 0; i < w; i++) {
    h = Math.imul(h ^ (key[from + i] as number), 0x85ebca6b);
    h ^= h >>> 13;
  }
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
