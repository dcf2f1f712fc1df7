import { toHex } from '@interdict/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LedgerError } from './errors';
import {
  hashLeaf,
  proveConsistencyAsync,
  proveInclusionAsync,
  rootAsync,
  TreeHashes,
} from './merkle';
import {
  decodeEntryBundle,
  decodeTile,
  encodeEntryBundle,
  encodeTileIndex,
  parseTilePath,
  tileBytes,
  tileNodeSource,
  tilePath,
  tilesBetween,
  tilesForSize,
  bundlesBetween,
  verifyTiles,
  type TileRef,
} from './tiles';

async function code(f: () => unknown): Promise<string> {
  try {
    await f();
  } catch (e) {
    return e instanceof LedgerError ? e.code : String(e);
  }
  return 'none';
}

describe('tile paths (C2SP tlog-tiles)', () => {
  it('encodes indices in x-prefixed 3-digit elements', () => {
    // The example in the spec: index 1234067 is x001/x234/067.
    expect(encodeTileIndex(1234067)).toBe('x001/x234/067');
    expect(encodeTileIndex(0)).toBe('000');
    expect(encodeTileIndex(999)).toBe('999');
    expect(encodeTileIndex(1000)).toBe('x001/000');
    expect(tilePath({ level: 0, index: 1234067, width: 256 })).toBe('tile/0/x001/x234/067');
    expect(tilePath({ level: 2, index: 5, width: 17 })).toBe('tile/2/005.p/17');
    expect(tilePath({ level: 'entries', index: 1000, width: 3 })).toBe('tile/entries/x001/000.p/3');
  });
  it('parses exactly what it formats', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 63 }),
        fc.nat({ max: 2 ** 40 }),
        fc.integer({ min: 1, max: 256 }),
        (level, index, width) => {
          const t: TileRef = { level, index, width };
          expect(parseTilePath(tilePath(t))).toEqual(t);
        },
      ),
    );
  });
  it('refuses non-canonical paths', async () => {
    for (const p of [
      'tile/0/1',
      'tile/00/000',
      'tile/64/000',
      'tile/0/x000/001',
      'tile/0/001/002',
      'tile/0/000.p/256',
      'tile/0/000.p/0',
      'tile/0/000.p/01',
      'tile/entries/000.p/',
      'tiles/0/000',
    ]) {
      expect(await code(() => parseTilePath(p))).toBe('TILE_PATH_INVALID');
    }
  });
  it('lists the tiles of the spec examples', () => {
    // "a tree of size 70,000 will be represented by 273 full level 0 tiles, one partial level 0
    // tile of width 112, one full level 1 tile, one partial level 1 tile of width 17, and one
    // partial level 2 tile of width 1" (tlog-tiles §Partial Tiles).
    const t = tilesForSize(70000);
    expect(t.filter((x) => x.level === 0 && x.width === 256)).toHaveLength(273);
    expect(t.filter((x) => x.level === 0 && x.width < 256)).toEqual([
      { level: 0, index: 273, width: 112 },
    ]);
    expect(t.filter((x) => x.level === 1)).toEqual([
      { level: 1, index: 0, width: 256 },
      { level: 1, index: 1, width: 17 },
    ]);
    expect(t.filter((x) => x.level === 2)).toEqual([{ level: 2, index: 0, width: 1 }]);
    expect(tilesForSize(256)).toEqual([
      { level: 0, index: 0, width: 256 },
      { level: 1, index: 0, width: 1 },
    ]);
    expect(tilesForSize(0)).toEqual([]);
  });
  it('tilesBetween lists exactly the tiles that differ between two sizes', () => {
    fc.assert(
      fc.property(fc.nat({ max: 200000 }), fc.nat({ max: 200000 }), (a, b) => {
        const [lo, hi] = a < b ? [a, b] : [b, a];
        const before = new Set(tilesForSize(lo).map(tilePath));
        const expected = tilesForSize(hi)
          .map(tilePath)
          .filter((p) => !before.has(p));
        expect(tilesBetween(lo, hi).map(tilePath)).toEqual(expected);
        expect(bundlesBetween(lo, hi).map((t) => t.width)).toEqual(
          tilesBetween(lo, hi)
            .filter((t) => t.level === 0)
            .map((t) => t.width),
        );
      }),
    );
  });
});

describe('entry bundles', () => {
  it('are big-endian uint16 length-prefixed', () => {
    const b = encodeEntryBundle([
      Uint8Array.of(0xaa),
      new Uint8Array(0),
      new Uint8Array(258).fill(7),
    ]);
    expect(Array.from(b.subarray(0, 6))).toEqual([0x00, 0x01, 0xaa, 0x00, 0x00, 0x01]);
    expect(b[6]).toBe(0x02);
    expect(b.length).toBe(2 + 1 + 2 + 2 + 258);
    expect(decodeEntryBundle(b).map((e) => e.length)).toEqual([1, 0, 258]);
  });
  it('refuses truncated bundles and oversized entries', async () => {
    const b = encodeEntryBundle([Uint8Array.of(1, 2, 3), Uint8Array.of(4)]);
    expect(await code(() => decodeEntryBundle(b.subarray(0, b.length - 1)))).toBe(
      'BUNDLE_MALFORMED',
    );
    expect(await code(() => decodeEntryBundle(b.subarray(0, 6)))).toBe('BUNDLE_MALFORMED');
    expect(await code(() => decodeEntryBundle(b, 3))).toBe('BUNDLE_MALFORMED');
    expect(await code(() => encodeEntryBundle([new Uint8Array(65536)]))).toBe('ENTRY_TOO_LARGE');
  });
});

function buildLog(n: number): {
  tree: TreeHashes;
  blobs: Map<string, Uint8Array>;
  entries: Uint8Array[];
} {
  const entries = Array.from({ length: n }, (_, i) => new TextEncoder().encode(`entry ${i}`));
  const tree = new TreeHashes();
  for (const e of entries) tree.append(hashLeaf(e));
  const blobs = new Map<string, Uint8Array>();
  for (const t of tilesForSize(n)) blobs.set(tilePath(t), tileBytes(tree, t));
  for (const b of bundlesBetween(0, n)) {
    blobs.set(
      tilePath(b),
      encodeEntryBundle(entries.slice(b.index * 256, b.index * 256 + b.width)),
    );
  }
  return { tree, blobs, entries };
}

describe('trees from tiles', () => {
  const n = 70000;
  const { tree, blobs } = buildLog(n);
  const read = (p: string) => Promise.resolve(blobs.get(p));
  const cp = { origin: 'o', size: n, root: tree.root(), extensions: [] };

  it('tiles have the spec sizes and level-1 hashes are MTHs of full level-0 tiles', () => {
    expect(blobs.get('tile/0/000')?.length).toBe(8192);
    expect(blobs.get('tile/0/273.p/112')?.length).toBe(112 * 32);
    const l0 = decodeTile(blobs.get('tile/0/005') as Uint8Array, {
      level: 0,
      index: 5,
      width: 256,
    });
    const sub = new TreeHashes();
    for (const h of l0) sub.append(h);
    const l1 = decodeTile(blobs.get('tile/1/000') as Uint8Array, {
      level: 1,
      index: 0,
      width: 256,
    });
    expect(toHex(l1[5] as Uint8Array)).toBe(toHex(sub.root()));
  });
  it('verifyTiles recomputes the tree (with entries) and matches the checkpoint', async () => {
    const v = await verifyTiles(read, cp, { entries: true });
    expect(v.entries).toBe(n);
    expect(toHex(v.root)).toBe(toHex(tree.root()));
  });
  it('proofs generated from tiles equal the in-memory ones', async () => {
    const src = tileNodeSource(read, n);
    for (const i of [0, 1, 255, 256, 65535, 65536, 69999]) {
      expect((await proveInclusionAsync(src, i, n)).map(toHex)).toEqual(
        tree.inclusionProof(i, n).map(toHex),
      );
    }
    for (const m of [1, 3, 256, 257, 65536, 69999]) {
      expect((await proveConsistencyAsync(src, m, n)).map(toHex)).toEqual(
        tree.consistencyProof(m, n).map(toHex),
      );
    }
    expect(toHex(await rootAsync(src, n))).toBe(toHex(tree.root()));
  });
  it('refuses truncated, missing or altered tiles and bundles precisely', async () => {
    const mutate = async (
      path: string,
      f: (b: Uint8Array | undefined) => Uint8Array | undefined,
    ) => {
      const copy = new Map(blobs);
      const changed = f(copy.get(path));
      if (changed === undefined) copy.delete(path);
      else copy.set(path, changed);
      return code(() => verifyTiles((p) => Promise.resolve(copy.get(p)), cp, { entries: true }));
    };
    expect(await mutate('tile/0/010', (b) => b?.subarray(0, 8191))).toBe('TILE_MALFORMED');
    expect(await mutate('tile/0/273.p/112', () => undefined)).toBe('TILE_MISSING');
    expect(await mutate('tile/1/001.p/17', (b) => flip(b))).toBe('TILE_MISMATCH');
    expect(await mutate('tile/0/001', (b) => flip(b))).toBe('TILE_MISMATCH');
    expect(await mutate('tile/entries/002', (b) => b?.subarray(0, b.length - 1))).toBe(
      'BUNDLE_MALFORMED',
    );
    expect(await code(() => verifyTiles(read, { ...cp, root: flip(cp.root) }))).toBe(
      'ROOT_MISMATCH',
    );
  });
});

function flip(b: Uint8Array | undefined): Uint8Array {
  const out = (b as Uint8Array).slice();
  out[0] = (out[0] as number) ^ 1;
  return out;
}
