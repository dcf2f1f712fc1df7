import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { bytesEqual } from '@interdict/core';
import { fail } from './errors';

/** SHA-256 output length; RFC 9162 §2.1 fixes the tree hash to SHA-256 for this log. */
export const HASH_SIZE = 32;

/**
 * The longest proof any tree of up to 2^63 leaves can need. Proofs longer than this are refused
 * before any hashing (bad input must be cheap to reject).
 */
export const MAX_PROOF_LENGTH = 64;

/** MTH({}) = SHA-256() — RFC 9162 §2.1.1. */
export const EMPTY_ROOT = nobleSha256(new Uint8Array(0));

/** Leaf hash: SHA-256(0x00 || data) — RFC 9162 §2.1.1 domain separation. */
export function hashLeaf(data: Uint8Array): Uint8Array {
  const buf = new Uint8Array(data.length + 1);
  buf[0] = 0x00;
  buf.set(data, 1);
  return nobleSha256(buf);
}

/** Interior node hash: SHA-256(0x01 || left || right) — RFC 9162 §2.1.1. */
export function hashChildren(left: Uint8Array, right: Uint8Array): Uint8Array {
  const buf = new Uint8Array(1 + left.length + right.length);
  buf[0] = 0x01;
  buf.set(left, 1);
  buf.set(right, 1 + left.length);
  return nobleSha256(buf);
}

// Indices go up to 2^53 here, beyond JavaScript's 32-bit bit operators: use arithmetic only.
const half = (n: number): number => Math.floor(n / 2);
const odd = (n: number): boolean => n % 2 === 1;

/** Largest power of two strictly less than n (n ≥ 2) — the split point k of RFC 9162 §2.1.1. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function checkSize(name: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) {
    fail('SIZE_INVALID', `${name} must be a non-negative integer`, { [name]: n });
  }
}

function checkHash(name: string, h: Uint8Array): void {
  if (h.length !== HASH_SIZE) {
    fail('HASH_LENGTH', `${name} must be ${HASH_SIZE} bytes, got ${h.length}`, {
      field: name,
      length: h.length,
    });
  }
}

function checkProof(proof: readonly Uint8Array[]): void {
  if (proof.length > MAX_PROOF_LENGTH) {
    fail('PROOF_TOO_LONG', `proof has ${proof.length} hashes, more than ${MAX_PROOF_LENGTH}`, {
      length: proof.length,
    });
  }
  proof.forEach((p, i) => checkHash(`proof[${i}]`, p));
}

/** MTH over a list of leaf hashes (RFC 9162 §2.1.1), computed level by level. */
export function treeHash(leafHashes: readonly Uint8Array[]): Uint8Array {
  if (leafHashes.length === 0) return EMPTY_ROOT;
  // Build the tree bottom-up over complete subtrees, then fold the right edge — the same
  // decomposition as rangeNodes() below.
  const t = new TreeHashes();
  for (const h of leafHashes) t.append(h);
  return t.root(leafHashes.length);
}

/**
 * The root implied by an inclusion proof — RFC 9162 §2.1.3.2 steps 1–6, without the final
 * comparison. Throws PROOF_INVALID when the proof has the wrong shape for (index, size).
 */
export function rootFromInclusionProof(
  leafHash: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
): Uint8Array {
  checkSize('size', size);
  checkSize('index', index);
  checkHash('leafHash', leafHash);
  checkProof(proof);
  if (index >= size) {
    fail('INDEX_OUT_OF_RANGE', `leaf index ${index} is not below tree size ${size}`, {
      index,
      size,
    });
  }
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) fail('PROOF_TOO_LONG', 'inclusion proof has more hashes than the tree needs');
    if (odd(fn) || fn === sn) {
      r = hashChildren(p, r);
      if (!odd(fn)) {
        while (!(odd(fn) || fn === 0)) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = hashChildren(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) fail('PROOF_TOO_SHORT', 'inclusion proof has fewer hashes than the tree needs');
  return r;
}

/** RFC 9162 §2.1.3.2: throws a LedgerError unless `proof` shows leafHash at index under root. */
export function verifyInclusion(
  leafHash: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): void {
  checkHash('root', root);
  const computed = rootFromInclusionProof(leafHash, index, size, proof);
  if (!bytesEqual(computed, root)) {
    fail('ROOT_MISMATCH', 'inclusion proof does not lead to the given root', { index, size });
  }
}

/**
 * RFC 9162 §2.1.4.2 consistency verification. On top of the RFC, a proof from size 0 is refused
 * (../shared/data/merkle-vectors/SOURCE.md: every tree is consistent with the empty tree, so such
 * a "proof" proves nothing and callers must handle size 0 themselves).
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): void {
  checkSize('size1', size1);
  checkSize('size2', size2);
  // Roots are only compared, never hashed, so their length is not checked here: the vectors
  // (consistency/additional) accept equal sizes with equal roots of any length.
  checkProof(proof);
  if (size1 === 0) fail('SIZE_INVALID', 'a consistency proof from tree size 0 proves nothing');
  if (size2 < size1) {
    fail('SIZE_INVALID', `new size ${size2} is smaller than old size ${size1}`, { size1, size2 });
  }
  if (size1 === size2) {
    if (proof.length !== 0) fail('PROOF_TOO_LONG', 'equal sizes need an empty proof');
    if (!bytesEqual(root1, root2)) fail('ROOT_MISMATCH', 'equal sizes but different roots');
    return;
  }
  if (proof.length === 0) fail('PROOF_TOO_SHORT', 'consistency proof is empty');
  // Step 2: if size1 is a power of two, the old root itself starts the path.
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : [...proof];
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0] as Uint8Array;
  let sr = fr;
  for (let i = 1; i < path.length; i++) {
    const c = path[i] as Uint8Array;
    if (sn === 0) fail('PROOF_TOO_LONG', 'consistency proof has more hashes than needed');
    if (odd(fn) || fn === sn) {
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      if (!odd(fn)) {
        while (!(odd(fn) || fn === 0)) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = hashChildren(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) fail('PROOF_TOO_SHORT', 'consistency proof has fewer hashes than needed');
  if (!bytesEqual(fr, root1)) fail('ROOT_MISMATCH', 'consistency proof does not lead to old root');
  if (!bytesEqual(sr, root2)) fail('ROOT_MISMATCH', 'consistency proof does not lead to new root');
}

export function isPowerOfTwo(n: number): boolean {
  if (n < 1) return false;
  while (n % 2 === 0) n /= 2;
  return n === 1;
}

// ---------------------------------------------------------------------------------------------
// Proof generation. A proof is a list of MTH values over ranges of leaves (RFC 9162 §2.1.3.1,
// §2.1.4.1); every such range splits into complete, aligned subtrees ("nodes"), which is what
// tiles hold. So generation is: ranges → nodes → look the nodes up (sync or async) → fold.

/** A complete subtree: the 2^level leaves starting at index·2^level. */
export interface NodeRef {
  readonly level: number;
  readonly index: number;
}

/** [start, end) of leaf indices. */
export type LeafRange = readonly [start: number, end: number];

/** The ranges whose MTHs form PATH(m, D[0:n]) — RFC 9162 §2.1.3.1, leaf sibling first. */
export function inclusionProofRanges(index: number, size: number): LeafRange[] {
  checkSize('size', size);
  checkSize('index', index);
  if (index >= size) {
    fail('INDEX_OUT_OF_RANGE', `leaf index ${index} is not below tree size ${size}`, {
      index,
      size,
    });
  }
  const out: LeafRange[] = [];
  let start = 0;
  let end = size;
  // Walk down from the root, remembering the sibling range at each level, then reverse.
  while (end - start > 1) {
    const k = splitPoint(end - start);
    if (index < start + k) {
      out.push([start + k, end]);
      end = start + k;
    } else {
      out.push([start, start + k]);
      start = start + k;
    }
  }
  return out.reverse();
}

/** The ranges whose MTHs form PROOF(m, D[0:n]) — RFC 9162 §2.1.4.1 SUBPROOF. */
export function consistencyProofRanges(size1: number, size2: number): LeafRange[] {
  checkSize('size1', size1);
  checkSize('size2', size2);
  if (size1 === 0 || size1 > size2) {
    fail('SIZE_INVALID', `no consistency proof from size ${size1} to ${size2}`, { size1, size2 });
  }
  const out: LeafRange[] = [];
  let start = 0;
  let end = size2;
  const m = size1;
  let b = true;
  while (m !== end) {
    const k = splitPoint(end - start);
    if (m - start <= k) {
      out.push([start + k, end]);
      end = start + k;
    } else {
      out.push([start, start + k]);
      start = start + k;
      b = false;
    }
  }
  if (!b) out.push([start, end]);
  return out.reverse();
}

/**
 * Split a range (as it appears in RFC 9162 proofs: start aligned to the largest power of two
 * that fits) into its complete subtrees, largest first. Its MTH is the right fold of their hashes.
 */
export function rangeNodes(start: number, end: number): NodeRef[] {
  const out: NodeRef[] = [];
  while (end > start) {
    let size = 1;
    let level = 0;
    while (size * 2 <= end - start && start % (size * 2) === 0) {
      size *= 2;
      level++;
    }
    out.push({ level, index: start / size });
    start += size;
  }
  return out;
}

/** Combine the hashes of a range's nodes (from rangeNodes) into the range's MTH. */
export function foldRange(hashes: readonly Uint8Array[]): Uint8Array {
  if (hashes.length === 0) return EMPTY_ROOT;
  let h = hashes[hashes.length - 1] as Uint8Array;
  for (let i = hashes.length - 2; i >= 0; i--) h = hashChildren(hashes[i] as Uint8Array, h);
  return h;
}

/** Anything that can hand out complete-subtree hashes synchronously. */
export interface NodeSource {
  node(level: number, index: number): Uint8Array;
}

/** Same, asynchronously (e.g. backed by tiles in a blob store). */
export interface AsyncNodeSource {
  nodes(refs: readonly NodeRef[]): Promise<Uint8Array[]>;
}

function rangeHashSync(src: NodeSource, r: LeafRange): Uint8Array {
  return foldRange(rangeNodes(r[0], r[1]).map((n) => src.node(n.level, n.index)));
}

export function rangeHash(src: NodeSource, start: number, end: number): Uint8Array {
  return rangeHashSync(src, [start, end]);
}

export function proveInclusion(src: NodeSource, index: number, size: number): Uint8Array[] {
  return inclusionProofRanges(index, size).map((r) => rangeHashSync(src, r));
}

export function proveConsistency(src: NodeSource, size1: number, size2: number): Uint8Array[] {
  return consistencyProofRanges(size1, size2).map((r) => rangeHashSync(src, r));
}

async function rangesAsync(src: AsyncNodeSource, ranges: LeafRange[]): Promise<Uint8Array[]> {
  const perRange = ranges.map((r) => rangeNodes(r[0], r[1]));
  const hashes = await src.nodes(perRange.flat());
  let i = 0;
  return perRange.map((refs) => foldRange(refs.map(() => hashes[i++] as Uint8Array)));
}

export function proveInclusionAsync(
  src: AsyncNodeSource,
  index: number,
  size: number,
): Promise<Uint8Array[]> {
  return rangesAsync(src, inclusionProofRanges(index, size));
}

export function proveConsistencyAsync(
  src: AsyncNodeSource,
  size1: number,
  size2: number,
): Promise<Uint8Array[]> {
  return rangesAsync(src, consistencyProofRanges(size1, size2));
}

export async function rootAsync(src: AsyncNodeSource, size: number): Promise<Uint8Array> {
  if (size === 0) return EMPTY_ROOT;
  const [h] = await rangesAsync(src, [[0, size]]);
  return h as Uint8Array;
}

/**
 * Every complete-subtree hash of a growing tree, 32 bytes per node in one flat buffer per level:
 * about 64 bytes per leaf in total. Appends are O(log n) hashes; node lookups are O(1), so proofs
 * for any earlier size come straight out of it.
 */
export class TreeHashes implements NodeSource {
  private levels: Uint8Array[] = [];
  private counts: number[] = [];

  get size(): number {
    return this.counts[0] ?? 0;
  }

  /** Number of complete nodes stored at `level`. */
  count(level: number): number {
    return this.counts[level] ?? 0;
  }

  append(leafHash: Uint8Array): void {
    checkHash('leafHash', leafHash);
    let h = leafHash;
    let level = 0;
    for (;;) {
      const idx = this.count(level);
      this.put(level, idx, h);
      if (idx % 2 === 0) break;
      h = hashChildren(this.node(level, idx - 1), h);
      level++;
    }
  }

  private put(level: number, index: number, h: Uint8Array): void {
    while (this.levels.length <= level) {
      this.levels.push(new Uint8Array(HASH_SIZE * 1024));
      this.counts.push(0);
    }
    let buf = this.levels[level] as Uint8Array;
    if ((index + 1) * HASH_SIZE > buf.length) {
      const bigger = new Uint8Array(buf.length * 2);
      bigger.set(buf);
      this.levels[level] = buf = bigger;
    }
    buf.set(h, index * HASH_SIZE);
    this.counts[level] = index + 1;
  }

  node(level: number, index: number): Uint8Array {
    if (index >= this.count(level)) {
      fail('MISSING_NODE', `no complete node at level ${level} index ${index}`, { level, index });
    }
    const buf = this.levels[level] as Uint8Array;
    return buf.subarray(index * HASH_SIZE, (index + 1) * HASH_SIZE);
  }

  /** `count` consecutive hashes at `level` starting at `index`, copied (for tiles). */
  slice(level: number, index: number, count: number): Uint8Array {
    if (index + count > this.count(level)) {
      fail('MISSING_NODE', `level ${level} has no nodes ${index}..${index + count - 1}`);
    }
    const buf = this.levels[level] as Uint8Array;
    return buf.slice(index * HASH_SIZE, (index + count) * HASH_SIZE);
  }

  // MTHs of incomplete ranges (the right edge of some tree size). A range's hash never changes
  // once it exists (append-only), so caching is always correct; it saves the edge re-hashing
  // that otherwise dominates proof generation.
  private readonly rangeCache = new Map<string, Uint8Array>();

  /** MTH of leaves [start, end), for ranges as they occur in RFC 9162 proofs. */
  range(start: number, end: number): Uint8Array {
    const nodes = rangeNodes(start, end);
    if (nodes.length === 1) {
      const n = nodes[0] as NodeRef;
      return this.node(n.level, n.index);
    }
    const key = `${start}:${end}`;
    let h = this.rangeCache.get(key);
    if (!h) {
      h = foldRange(nodes.map((n) => this.node(n.level, n.index)));
      if (this.rangeCache.size >= 4096) this.rangeCache.clear();
      this.rangeCache.set(key, h);
    }
    return h;
  }

  root(size: number = this.size): Uint8Array {
    checkSize('size', size);
    if (size > this.size) fail('SIZE_INVALID', `tree has only ${this.size} leaves`);
    if (size === 0) return EMPTY_ROOT;
    return this.range(0, size);
  }

  inclusionProof(index: number, size: number = this.size): Uint8Array[] {
    if (size > this.size) fail('SIZE_INVALID', `tree has only ${this.size} leaves`);
    return inclusionProofRanges(index, size).map((r) => this.range(r[0], r[1]));
  }

  consistencyProof(size1: number, size2: number = this.size): Uint8Array[] {
    if (size2 > this.size) fail('SIZE_INVALID', `tree has only ${this.size} leaves`);
    return consistencyProofRanges(size1, size2).map((r) => this.range(r[0], r[1]));
  }
}
