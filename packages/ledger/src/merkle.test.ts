import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { sha256Hex, toHex } from '@interdict/core';
import { sharedData } from '@interdict/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LedgerError } from './errors';
import {
  consistencyProofRanges,
  EMPTY_ROOT,
  hashLeaf,
  inclusionProofRanges,
  type LeafRange,
  MAX_PROOF_LENGTH,
  proveConsistencyAsync,
  proveInclusionAsync,
  rootFromInclusionProof,
  treeHash,
  TreeHashes,
  verifyConsistency,
  verifyInclusion,
} from './merkle';

// Known-answer vectors: transparency-dev/merkle testdata at commit 417fb0c3 (Apache-2.0), read
// from ../shared/data/merkle-vectors (see its SOURCE.md). Every file, positive and negative.
const vectorRoot = sharedData('merkle-vectors', 'transparency-dev-merkle', 'testdata');

function jsonFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? jsonFiles(p) : name.endsWith('.json') ? [p] : [];
  });
}

const b64 = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'base64'));

interface InclusionCase {
  leafIdx: number;
  treeSize: number;
  root: string;
  leafHash: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}
interface ConsistencyCase {
  size1: number;
  size2: number;
  root1: string;
  root2: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

// The classic RFC 6962 test leaves (SOURCE.md §1: testonly/constants.go leaf inputs).
const CLASSIC_LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map((h) => Uint8Array.from(Buffer.from(h, 'hex')));

function classicTree(): TreeHashes {
  const t = new TreeHashes();
  for (const l of CLASSIC_LEAVES) t.append(hashLeaf(l));
  return t;
}

describe('RFC 9162 inclusion vectors (transparency-dev/merkle)', () => {
  const files = jsonFiles(path.join(vectorRoot, 'inclusion'));
  it('finds the vector files', () => {
    expect(files.length).toBeGreaterThan(90);
  });
  for (const file of files) {
    const c = JSON.parse(readFileSync(file, 'utf8')) as InclusionCase;
    it(`${path.relative(vectorRoot, file)}: ${c.desc}`, () => {
      const run = () =>
        verifyInclusion(
          b64(c.leafHash),
          c.leafIdx,
          c.treeSize,
          (c.proof ?? []).map(b64),
          b64(c.root),
        );
      if (c.wantErr) expect(run).toThrow(LedgerError);
      else expect(run).not.toThrow();
    });
  }
});

describe('RFC 9162 consistency vectors (transparency-dev/merkle)', () => {
  const files = jsonFiles(path.join(vectorRoot, 'consistency'));
  it('finds the vector files', () => {
    expect(files.length).toBeGreaterThan(90);
  });
  for (const file of files) {
    const c = JSON.parse(readFileSync(file, 'utf8')) as ConsistencyCase;
    it(`${path.relative(vectorRoot, file)}: ${c.desc}`, () => {
      const run = () =>
        verifyConsistency(c.size1, c.size2, (c.proof ?? []).map(b64), b64(c.root1), b64(c.root2));
      if (c.wantErr) expect(run).toThrow(LedgerError);
      else expect(run).not.toThrow();
    });
  }
});

describe('proof generation against the vectors', () => {
  const t = classicTree();
  it('classic leaves give the MTH roots listed in SOURCE.md', () => {
    expect(toHex(EMPTY_ROOT)).toBe(sha256Hex(''));
    // SOURCE.md gives prefixes/suffixes for sizes 1..7 and the full root for size 8.
    const expected = [
      '6e340b9c',
      'fac54203',
      'aeb6bcfe',
      'd37ee418',
      '4e3bbb1f',
      '76e67dad',
      'ddb89be4',
    ];
    const suffixes = ['a01d', 'c125', '6e77', '14b7', '64d4', '87ef', '4c8c'];
    expected.forEach((prefix, i) => {
      const hex = toHex(t.root(i + 1));
      expect(hex.startsWith(prefix)).toBe(true);
      expect(hex.endsWith(suffixes[i] as string)).toBe(true);
    });
    expect(toHex(t.root(8))).toBe(
      '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
    );
    expect(toHex(treeHash(CLASSIC_LEAVES.map(hashLeaf)))).toBe(toHex(t.root(8)));
  });

  it('generated inclusion proofs equal every positive vector over the classic leaves', () => {
    let matched = 0;
    for (const file of jsonFiles(path.join(vectorRoot, 'inclusion'))) {
      const c = JSON.parse(readFileSync(file, 'utf8')) as InclusionCase;
      if (c.wantErr || c.treeSize > 8 || c.treeSize < 1) continue;
      if (toHex(b64(c.leafHash)) !== toHex(hashLeaf(CLASSIC_LEAVES[c.leafIdx] as Uint8Array)))
        continue;
      expect(t.inclusionProof(c.leafIdx, c.treeSize).map(toHex)).toEqual(
        (c.proof ?? []).map((p) => toHex(b64(p))),
      );
      expect(toHex(t.root(c.treeSize))).toBe(toHex(b64(c.root)));
      matched++;
    }
    expect(matched).toBeGreaterThan(3);
  });

  it('generated consistency proofs equal every positive vector over the classic leaves', () => {
    let matched = 0;
    for (const file of jsonFiles(path.join(vectorRoot, 'consistency'))) {
      const c = JSON.parse(readFileSync(file, 'utf8')) as ConsistencyCase;
      if (c.wantErr || c.size2 > 8 || c.size1 < 1) continue;
      if (toHex(t.root(c.size2)) !== toHex(b64(c.root2))) continue;
      expect(t.consistencyProof(c.size1, c.size2).map(toHex)).toEqual(
        (c.proof ?? []).map((p) => toHex(b64(p))),
      );
      matched++;
    }
    expect(matched).toBeGreaterThan(3);
  });
});

function flipBit(b: Uint8Array, bit: number): Uint8Array {
  const out = b.slice();
  out[Math.floor(bit / 8) % out.length] =
    (out[Math.floor(bit / 8) % out.length] as number) ^ (1 << (bit % 8));
  return out;
}

function randomTree(leaves: Uint8Array[]): TreeHashes {
  const t = new TreeHashes();
  for (const l of leaves) t.append(hashLeaf(l));
  return t;
}

// Distinct leaves (random bytes after the position): with repeated leaves, different trees can
// share subtree hashes and a changed size may legitimately verify.
const leavesArb = fc
  .array(fc.uint8Array({ maxLength: 8 }), { minLength: 1, maxLength: 300 })
  .map((ls) => ls.map((l, i) => Uint8Array.from([i & 0xff, i >> 8, ...l])));

describe('properties over random trees', () => {
  it('every inclusion proof verifies; any one-bit change to proof, root, index or size fails', () => {
    fc.assert(
      fc.property(leavesArb, fc.nat(), fc.nat(), fc.nat(), (leaves, a, b, bit) => {
        const t = randomTree(leaves);
        const size = (a % leaves.length) + 1;
        const index = b % size;
        const leaf = hashLeaf(leaves[index] as Uint8Array);
        const proof = t.inclusionProof(index, size);
        const root = t.root(size);
        verifyInclusion(leaf, index, size, proof, root);
        // Independent root: the straightforward recursive MTH over the first `size` leaves.
        expect(toHex(root)).toBe(toHex(recursiveMth(leaves.slice(0, size).map(hashLeaf))));
        expect(() => verifyInclusion(leaf, index, size, proof, flipBit(root, bit % 256))).toThrow(
          LedgerError,
        );
        expect(() => verifyInclusion(flipBit(leaf, bit % 256), index, size, proof, root)).toThrow(
          LedgerError,
        );
        if (proof.length > 0) {
          const i = bit % proof.length;
          const bad = proof.map((p, j) => (j === i ? flipBit(p, bit % 256) : p));
          expect(() => verifyInclusion(leaf, index, size, bad, root)).toThrow(LedgerError);
        }
        const indexBit = bit % 10;
        expect(() => verifyInclusion(leaf, index ^ (1 << indexBit), size, proof, root)).toThrow(
          LedgerError,
        );
        const otherSize = size ^ (1 << (bit % 10));
        // RFC 9162 verification binds a size only through the proof's shape: when the changed size
        // puts the same subtrees on the same sides of the path, no verifier can tell (e.g. leaf 0
        // in sizes 6 and 7). Those cases are skipped; every other size change must fail.
        if (
          otherSize > index &&
          sameShape(inclusionProofRanges(index, size), inclusionProofRanges(index, otherSize))
        )
          return;
        expect(() => verifyInclusion(leaf, index, otherSize, proof, root)).toThrow(LedgerError);
      }),
      { numRuns: 300 },
    );
  });

  it('every consistency proof verifies; any one-bit change to proof, roots or sizes fails', () => {
    fc.assert(
      fc.property(leavesArb, fc.nat(), fc.nat(), fc.nat(), (leaves, a, b, bit) => {
        const t = randomTree(leaves);
        const size2 = (a % leaves.length) + 1;
        const size1 = (b % size2) + 1;
        const proof = t.consistencyProof(size1, size2);
        const r1 = t.root(size1);
        const r2 = t.root(size2);
        verifyConsistency(size1, size2, proof, r1, r2);
        expect(() => verifyConsistency(size1, size2, proof, flipBit(r1, bit % 256), r2)).toThrow(
          LedgerError,
        );
        expect(() => verifyConsistency(size1, size2, proof, r1, flipBit(r2, bit % 256))).toThrow(
          LedgerError,
        );
        if (proof.length > 0) {
          const i = bit % proof.length;
          const bad = proof.map((p, j) => (j === i ? flipBit(p, bit % 256) : p));
          expect(() => verifyConsistency(size1, size2, bad, r1, r2)).toThrow(LedgerError);
        }
        // As above: a size change that keeps the proof's shape cannot be detected by the RFC.
        const shape = consistencyProofRanges(size1, size2);
        const s1 = size1 ^ (1 << (bit % 10));
        if (!(s1 >= 1 && s1 <= size2 && sameShape(shape, consistencyProofRanges(s1, size2)))) {
          expect(() => verifyConsistency(s1, size2, proof, r1, r2)).toThrow(LedgerError);
        }
        const s2 = size2 ^ (1 << (bit % 10));
        if (!(s2 >= size1 && sameShape(shape, consistencyProofRanges(size1, s2)))) {
          expect(() => verifyConsistency(size1, s2, proof, r1, r2)).toThrow(LedgerError);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('async (tile-style) generation agrees with the in-memory one', async () => {
    await fc.assert(
      fc.asyncProperty(leavesArb, fc.nat(), fc.nat(), async (leaves, a, b) => {
        const t = randomTree(leaves);
        const src = {
          nodes: (refs: readonly { level: number; index: number }[]) =>
            Promise.resolve(refs.map((r) => t.node(r.level, r.index))),
        };
        const size = (a % leaves.length) + 1;
        const index = b % size;
        expect((await proveInclusionAsync(src, index, size)).map(toHex)).toEqual(
          t.inclusionProof(index, size).map(toHex),
        );
        expect((await proveConsistencyAsync(src, index + 1, size)).map(toHex)).toEqual(
          t.consistencyProof(index + 1, size).map(toHex),
        );
      }),
      { numRuns: 100 },
    );
  });
});

/** Same number of proof elements, each starting at the same leaf: the verifier computes the same. */
function sameShape(a: LeafRange[], b: LeafRange[]): boolean {
  return JSON.stringify(a.map((r) => r[0])) === JSON.stringify(b.map((r) => r[0]));
}

function recursiveMth(hashes: Uint8Array[]): Uint8Array {
  if (hashes.length === 1) return hashes[0] as Uint8Array;
  let k = 1;
  while (k * 2 < hashes.length) k *= 2;
  const l = recursiveMth(hashes.slice(0, k));
  const r = recursiveMth(hashes.slice(k));
  const buf = new Uint8Array(65);
  buf[0] = 1;
  buf.set(l, 1);
  buf.set(r, 33);
  return new Uint8Array(createHash('sha256').update(buf).digest());
}

describe('bad input', () => {
  const t = randomTree([Uint8Array.of(1), Uint8Array.of(2), Uint8Array.of(3)]);
  const leaf = hashLeaf(Uint8Array.of(1));
  const code = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      return (e as LedgerError).code;
    }
    return 'none';
  };
  it('refuses oversized proofs before hashing', () => {
    const proof = Array.from({ length: MAX_PROOF_LENGTH + 1 }, () => new Uint8Array(32));
    expect(code(() => verifyInclusion(leaf, 0, 3, proof, t.root()))).toBe('PROOF_TOO_LONG');
    expect(code(() => verifyConsistency(1, 3, proof, t.root(1), t.root()))).toBe('PROOF_TOO_LONG');
  });
  it('refuses short leaf hashes, bad sizes and indices', () => {
    expect(
      code(() => verifyInclusion(leaf.subarray(0, 31), 0, 3, t.inclusionProof(0), t.root())),
    ).toBe('HASH_LENGTH');
    expect(code(() => verifyInclusion(leaf, 3, 3, [], t.root()))).toBe('INDEX_OUT_OF_RANGE');
    expect(code(() => verifyInclusion(leaf, -1, 3, [], t.root()))).toBe('SIZE_INVALID');
    expect(code(() => verifyConsistency(0, 3, [], EMPTY_ROOT, t.root()))).toBe('SIZE_INVALID');
    expect(code(() => rootFromInclusionProof(leaf, 0, 3, t.inclusionProof(0).slice(1)))).toBe(
      'PROOF_TOO_SHORT',
    );
    expect(code(() => verifyInclusion(leaf, 0, 3, t.inclusionProof(0), t.root(2)))).toBe(
      'ROOT_MISMATCH',
    );
  });
});
