/**
 * Typed-array building blocks of the history (features.ts): per-key counters in growable
 * Float64Arrays, and an open-addressing hash table from tuples of small integer ids to slots,
 * so that a pair or group key (importer × HS subheading, …) is found by hashing a few integers
 * instead of building and hashing a joined string per row (linear probing, as in Knuth, TAOCP
 * vol. 3 §6.4, algorithm L; the table is kept at most half full).
 */

const INITIAL_CAPACITY = 16;

function grown(a: Float64Array, capacity: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(capacity);
  b.set(a);
  return b;
}

/**
 * Counts per slot: all declarations, inspected ones, frauds, critical frauds. `present` tells a
 * slot that holds an entry (in the history's snapshot) from one only reserved for an id.
 * Float64Array holds any count the history file may carry, exactly.
 */
export class Counts {
  size = 0;
  n = new Float64Array(INITIAL_CAPACITY);
  inspected = new Float64Array(INITIAL_CAPACITY);
  fraud = new Float64Array(INITIAL_CAPACITY);
  critical = new Float64Array(INITIAL_CAPACITY);
  present = new Uint8Array(INITIAL_CAPACITY);

  /** A new slot with zero counts. */
  push(present: boolean): number {
    if (this.size === this.n.length) {
      const capacity = this.n.length * 2;
      this.n = grown(this.n, capacity);
      this.inspected = grown(this.inspected, capacity);
      this.fraud = grown(this.fraud, capacity);
      this.critical = grown(this.critical, capacity);
      const p = new Uint8Array(capacity);
      p.set(this.present);
      this.present = p;
    }
    this.present[this.size] = present ? 1 : 0;
    return this.size++;
  }

  copy(): Counts {
    const c = new Counts();
    c.size = this.size;
    c.n = this.n.slice();
    c.inspected = this.inspected.slice();
    c.fraud = this.fraud.slice();
    c.critical = this.critical.slice();
    c.present = this.present.slice();
    return c;
  }
}

/**
 * Tuples of `width` non-negative int32 ids → dense slots 0, 1, 2, … in insertion order.
 * `find` never changes the table (a history shared between requests is only read).
 */
export class TupleTable {
  readonly width: number;
  size = 0;
  /** The ids of slot s at [s·width, (s+1)·width). */
  private tuples: Int32Array;
  /** Open addressing: slot + 1, or 0 for an empty bucket. Length a power of two. */
  private buckets: Int32Array;
  private mask: number;

  constructor(width: number) {
    this.width = width;
    this.tuples = new Int32Array(INITIAL_CAPACITY * width);
    this.buckets = new Int32Array(INITIAL_CAPACITY * 2);
    this.mask = this.buckets.length - 1;
  }

  /** The slot of `key[0..width)`, or −1. */
  find(key: Int32Array): number {
    const w = this.width;
    const { tuples, buckets, mask } = this;
    let b = hashTuple(key, w) & mask;
    for (;;) {
      const s = (buckets[b] as number) - 1;
      if (s < 0) return -1;
      if (sameTuple(tuples, s * w, key, w)) return s;
      b = (b + 1) & mask;
    }
  }

  /** `find` for a pair (width 2), without a key array: the hot path of pair features. */
  find2(a: number, b: number): number {
    const { tuples, buckets, mask } = this;
    let h = Math.imul(0x9e3779b9 ^ a, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h ^ b, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    let i = (h ^ (h >>> 16)) & mask;
    for (;;) {
      const s = (buckets[i] as number) - 1;
      if (s < 0) return -1;
      if (tuples[2 * s] === a && tuples[2 * s + 1] === b) return s;
      i = (i + 1) & mask;
    }
  }

  /** The slot of `key`, added as slot `this.size` when absent. */
  findOrAdd(key: Int32Array): number {
    const w = this.width;
    let b = hashTuple(key, w) & this.mask;
    for (;;) {
      const s = (this.buckets[b] as number) - 1;
      if (s < 0) break;
      if (sameTuple(this.tuples, s * w, key, w)) return s;
      b = (b + 1) & this.mask;
    }
    const s = this.size++;
    if (this.size * w > this.tuples.length) {
      const t = new Int32Array(this.tuples.length * 2);
      t.set(this.tuples);
      this.tuples = t;
    }
    this.tuples.set(key.subarray(0, w), s * w);
    this.buckets[b] = s + 1;
    if (this.size * 2 > this.buckets.length) this.rehash(this.buckets.length * 2);
    return s;
  }

  /** The ids of slot `s` (a view: copy it before the next `findOrAdd`). */
  tuple(s: number): Int32Array {
    return this.tuples.subarray(s * this.width, (s + 1) * this.width);
  }

  copy(): TupleTable {
    const t = new TupleTable(this.width);
    t.size = this.size;
    t.tuples = this.tuples.slice();
    t.buckets = this.buckets.slice();
    t.mask = this.mask;
    return t;
  }

  private rehash(length: number): void {
    const w = this.width;
    this.buckets = new Int32Array(length);
    this.mask = length - 1;
    for (let s = 0; s < this.size; s++) {
      let b = hashTuple(this.tuples.subarray(s * w, s * w + w), w) & this.mask;
      while (this.buckets[b] !== 0) b = (b + 1) & this.mask;
      this.buckets[b] = s + 1;
    }
  }
}

function sameTuple(tuples: Int32Array, at: number, key: Int32Array, w: number): boolean {
  for (let i = 0; i < w; i++) if (tuples[at + i] !== key[i]) return false;
  return true;
}

/**
 * Multiply-xorshift mixing of each id (MurmurHash3's finaliser constants), then a final mix.
 * `find2` unrolls it for two ids: keep them alike.
 */
function hashTuple(key: Int32Array, w: number): number {
  let h = 0x9e3779b9;
  for (let i = 0; i < w; i++) {
    h = Math.imul(h ^ (key[i] as number), 0x85ebca6b);
    h ^= h >>> 13;
  }
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
