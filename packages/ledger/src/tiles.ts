import { bytesEqual } from '@interdict/core';
import type { Checkpoint } from './checkpoint';
import { fail } from './errors';
import {
  EMPTY_ROOT,
  hashLeaf,
  HASH_SIZE,
  TreeHashes,
  type AsyncNodeSource,
  type NodeRef,
} from './merkle';

// C2SP tlog-tiles: hash tiles of height 8 (256 hashes of one tree level, full or partial) and
// entry bundles (uint16 big-endian length-prefixed entries), under paths
// tile/<L>/<N>[.p/<W>] and tile/entries/<N>[.p/<W>].

export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 256;
/** Entries in a bundle are uint16-length-prefixed, so none can exceed this. */
export const MAX_ENTRY_SIZE = 0xffff;

export interface TileRef {
  /** Tile level (0 = leaf hashes), or 'entries' for an entry bundle. */
  readonly level: number | 'entries';
  readonly index: number;
  /** 1..256; 256 is a full tile. */
  readonly width: number;
}

/** Zero-padded 3-digit path elements, all but the last prefixed with x (tlog-tiles §Merkle Tree). */
export function encodeTileIndex(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) fail('TILE_PATH_INVALID', `tile index ${n} is invalid`);
  const parts: string[] = [];
  do {
    parts.unshift(String(n % 1000).padStart(3, '0'));
    n = Math.floor(n / 1000);
  } while (n > 0);
  return parts.map((p, i) => (i < parts.length - 1 ? `x${p}` : p)).join('/');
}

export function tilePath(t: TileRef): string {
  if (t.level !== 'entries' && (!Number.isInteger(t.level) || t.level < 0 || t.level > 63)) {
    fail('TILE_PATH_INVALID', `tile level ${t.level} is out of range`);
  }
  if (!Number.isInteger(t.width) || t.width < 1 || t.width > TILE_WIDTH)
    fail('TILE_PATH_INVALID', `tile width ${t.width} is out of range`);
  const suffix = t.width === TILE_WIDTH ? '' : `.p/${t.width}`;
  return `tile/${t.level}/${encodeTileIndex(t.index)}${suffix}`;
}

/** Parses a tile or entry-bundle path strictly (one encoding per tile). */
export function parseTilePath(path: string): TileRef {
  const m =
    /^tile\/(entries|0|[1-9][0-9]?)\/((?:x[0-9]{3}\/)*)([0-9]{3})(?:\.p\/([1-9][0-9]{0,2}))?$/.exec(
      path,
    );
  if (!m) return fail('TILE_PATH_INVALID', `not a tile path: ${path}`);
  const level = m[1] === 'entries' ? 'entries' : Number(m[1]);
  if (level !== 'entries' && level > 63)
    fail('TILE_PATH_INVALID', `tile level ${level} is out of range`);
  const groups = (m[2] as string)
    .split('/')
    .filter((g) => g.length > 0)
    .map((g) => g.slice(1));
  if (groups[0] === '000')
    fail('TILE_PATH_INVALID', `tile index has a leading zero group: ${path}`);
  let index = 0;
  for (const g of [...groups, m[3] as string]) index = index * 1000 + Number(g);
  if (!Number.isSafeInteger(index)) fail('TILE_PATH_INVALID', 'tile index is too large');
  const width = m[4] === undefined ? TILE_WIDTH : Number(m[4]);
  if (m[4] !== undefined && width >= TILE_WIDTH) {
    fail('TILE_PATH_INVALID', `partial tile width ${width} must be below ${TILE_WIDTH}`);
  }
  return { level, index, width };
}

const pow256 = (l: number): number => Math.pow(TILE_WIDTH, l);

/** Number of hashes at tile level `l` (tree level 8l) for a tree of `size`. */
function countAt(size: number, l: number): number {
  return Math.floor(size / pow256(l));
}

/** Every hash tile (full and partial) that represents a tree of `size`, lowest level first. */
export function tilesForSize(size: number): TileRef[] {
  return tilesBetween(0, size);
}

/** The hash tiles whose content is new or grew when the tree goes from `oldSize` to `newSize`. */
export function tilesBetween(oldSize: number, newSize: number): TileRef[] {
  const out: TileRef[] = [];
  for (let l = 0; l < 64; l++) {
    const newCount = countAt(newSize, l);
    if (newCount === 0) break;
    out.push(...changedTiles(l, countAt(oldSize, l), newCount));
  }
  return out;
}

/** The entry bundles that are new or grew from `oldSize` to `newSize`. */
export function bundlesBetween(oldSize: number, newSize: number): TileRef[] {
  return changedTiles(0, oldSize, newSize).map((t) => ({ ...t, level: 'entries' as const }));
}

function changedTiles(level: number, oldCount: number, newCount: number): TileRef[] {
  const out: TileRef[] = [];
  for (let n = Math.floor(oldCount / TILE_WIDTH); n * TILE_WIDTH < newCount; n++) {
    const width = Math.min(TILE_WIDTH, newCount - n * TILE_WIDTH);
    const oldWidth = Math.max(0, Math.min(TILE_WIDTH, oldCount - n * TILE_WIDTH));
    if (width !== oldWidth) out.push({ level, index: n, width });
  }
  return out;
}

/** The bytes of a hash tile, cut from the tree's level 8·level hashes. */
export function tileBytes(tree: TreeHashes, t: TileRef): Uint8Array {
  if (t.level === 'entries') return fail('TILE_PATH_INVALID', 'entry bundles are not hash tiles');
  return tree.slice(t.level * TILE_HEIGHT, t.index * TILE_WIDTH, t.width);
}

/** Checks a tile's byte length against its path (a truncated tile is refused, not padded). */
export function decodeTile(bytes: Uint8Array, t: TileRef): Uint8Array[] {
  if (bytes.length !== t.width * HASH_SIZE) {
    fail(
      'TILE_MALFORMED',
      `tile ${tilePath(t)} has ${bytes.length} bytes, expected ${t.width * HASH_SIZE}`,
      {
        path: tilePath(t),
        length: bytes.length,
      },
    );
  }
  const out: Uint8Array[] = [];
  for (let i = 0; i < t.width; i++) out.push(bytes.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE));
  return out;
}

export function encodeEntryBundle(entries: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const e of entries) {
    if (e.length > MAX_ENTRY_SIZE)
      fail('ENTRY_TOO_LARGE', `entry of ${e.length} bytes exceeds ${MAX_ENTRY_SIZE}`);
    total += 2 + e.length;
  }
  const out = new Uint8Array(total);
  let off = 0;
  for (const e of entries) {
    out[off] = e.length >> 8;
    out[off + 1] = e.length & 0xff;
    out.set(e, off + 2);
    off += 2 + e.length;
  }
  return out;
}

export function decodeEntryBundle(bytes: Uint8Array, expected?: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let off = 0;
  while (off < bytes.length) {
    if (off + 2 > bytes.length)
      fail('BUNDLE_MALFORMED', `entry bundle truncated in the length of entry ${out.length}`);
    const len = ((bytes[off] as number) << 8) | (bytes[off + 1] as number);
    if (off + 2 + len > bytes.length)
      fail('BUNDLE_MALFORMED', `entry bundle truncated in entry ${out.length}`, {
        entry: out.length,
      });
    out.push(bytes.subarray(off + 2, off + 2 + len));
    off += 2 + len;
  }
  if (expected !== undefined && out.length !== expected) {
    fail('BUNDLE_MALFORMED', `entry bundle holds ${out.length} entries, expected ${expected}`);
  }
  return out;
}

/** Reads a blob by tile path; undefined when absent. */
export type TileReader = (path: string) => Promise<Uint8Array | undefined>;

async function readTile(read: TileReader, t: TileRef): Promise<Uint8Array> {
  const path = tilePath(t);
  const bytes = await read(path);
  if (bytes === undefined) fail('TILE_MISSING', `tile ${path} is missing`, { path });
  return bytes;
}

/** The tile holding node `ref`'s level-8l hashes, as present in a tree of `size`. */
function tileFor(ref: NodeRef, size: number): { tile: TileRef; first: number; count: number } {
  const l = Math.floor(ref.level / TILE_HEIGHT);
  const span = Math.pow(2, ref.level % TILE_HEIGHT);
  const first = ref.index * span;
  const n = Math.floor(first / TILE_WIDTH);
  const width = Math.min(TILE_WIDTH, countAt(size, l) - n * TILE_WIDTH);
  return { tile: { level: l, index: n, width }, first: first - n * TILE_WIDTH, count: span };
}

/**
 * Serves complete-subtree hashes for a tree of `size` from its tiles, so proofs can be generated
 * (or checked by a client) with nothing but the static tlog-tiles resources.
 */
export function tileNodeSource(read: TileReader, size: number): AsyncNodeSource {
  // Per tile, the whole height-8 subtree over its hashes, built once (tlog-tiles: the levels
  // between tile levels are recomputed by hashing).
  const cache = new Map<string, Promise<TreeHashes>>();
  return {
    async nodes(refs) {
      return Promise.all(
        refs.map(async (ref) => {
          const { tile, first, count } = tileFor(ref, size);
          if (tile.width < 1 || first + count > tile.width) {
            fail(
              'MISSING_NODE',
              `node level ${ref.level} index ${ref.index} is not complete in size ${size}`,
            );
          }
          const path = tilePath(tile);
          let inner = cache.get(path);
          if (!inner) {
            inner = readTile(read, tile).then((b) => {
              const t = new TreeHashes();
              for (const h of decodeTile(b, tile)) t.append(h);
              return t;
            });
            cache.set(path, inner);
          }
          return (await inner).node(ref.level % TILE_HEIGHT, first / count);
        }),
      );
    },
  };
}

export interface TileVerification {
  readonly size: number;
  readonly root: Uint8Array;
  readonly tiles: number;
  /** Entries checked against the level-0 hashes (0 when bundles were not checked). */
  readonly entries: number;
}

/**
 * Recomputes a whole tree from its tiles (and entry bundles when `entries` is set) and checks it
 * against a checkpoint: every level-0 hash from its entry, every higher tile from the level below,
 * the root from the hashes. Refuses truncated or inconsistent tiles with precise codes.
 */
export async function verifyTiles(
  read: TileReader,
  checkpoint: Checkpoint,
  options: { entries?: boolean; onProgress?: (done: number, total: number) => void } = {},
): Promise<TileVerification> {
  const size = checkpoint.size;
  const tree = new TreeHashes();
  const tiles = tilesForSize(size);
  let checked = 0;
  let entries = 0;
  for (const t of tiles.filter((x) => x.level === 0)) {
    const hashes = decodeTile(await readTile(read, t), t);
    if (options.entries) {
      const bundleRef: TileRef = { level: 'entries', index: t.index, width: t.width };
      const bundle = await read(tilePath(bundleRef));
      if (bundle === undefined)
        fail('TILE_MISSING', `entry bundle ${tilePath(bundleRef)} is missing`);
      const decoded = decodeEntryBundle(bundle, t.width);
      decoded.forEach((e, i) => {
        if (!bytesEqual(hashLeaf(e), hashes[i] as Uint8Array)) {
          fail(
            'TILE_MISMATCH',
            `entry ${t.index * TILE_WIDTH + i} does not hash to its level-0 tile hash`,
            {
              index: t.index * TILE_WIDTH + i,
            },
          );
        }
      });
      entries += decoded.length;
    }
    for (const h of hashes) tree.append(h);
    checked++;
    options.onProgress?.(checked, tiles.length);
  }
  for (const t of tiles.filter((x) => x.level !== 0)) {
    const bytes = await readTile(read, t);
    decodeTile(bytes, t);
    if (!bytesEqual(bytes, tileBytes(tree, t))) {
      fail('TILE_MISMATCH', `tile ${tilePath(t)} does not match the tiles below it`, {
        path: tilePath(t),
      });
    }
    checked++;
    options.onProgress?.(checked, tiles.length);
  }
  const root = size === 0 ? EMPTY_ROOT : tree.root(size);
  if (!bytesEqual(root, checkpoint.root))
    fail('ROOT_MISMATCH', 'tree recomputed from the tiles does not match the checkpoint root');
  return { size, root, tiles: checked, entries };
}
