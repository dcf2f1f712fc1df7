import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { bytesEqual } from '@interdict/core';
import type { Database } from './database';
import { StoreError } from './errors';

/**
 * Immutable blobs (ledger tiles, entry bundles): written once, never changed. `put` of the same
 * bytes again is a no-op; different bytes under an existing key is a CONFLICT, because a tile that
 * changed would break every proof that cites it (C2SP tlog-tiles: tiles are immutable).
 */
export interface BlobStore {
  get(key: string): Promise<Uint8Array | undefined>;
  put(key: string, bytes: Uint8Array): Promise<void>;
  has(key: string): Promise<boolean>;
}

// Keys become file paths: only plain segments, never `..`, never absolute.
const KEY = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;
function checkKey(key: string): string {
  if (
    typeof key !== 'string' ||
    key.length > 512 ||
    !KEY.test(key) ||
    key.split('/').some((s) => s === '.' || s === '..')
  ) {
    throw new StoreError('INVALID_ARGUMENT', `blob key ${JSON.stringify(key)} is not allowed`, {
      details: { field: 'key' },
    });
  }
  return key;
}

function conflict(key: string): StoreError {
  return new StoreError('CONFLICT', `blob ${key} exists with different bytes`, {
    details: { key },
  });
}

export class FolderBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await readFile(path.join(this.root, checkKey(key))));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async has(key: string): Promise<boolean> {
    try {
      return (await stat(path.join(this.root, checkKey(key)))).isFile();
    } catch {
      return false;
    }
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    const existing = await this.get(key);
    if (existing) {
      if (!bytesEqual(existing, bytes)) throw conflict(key);
      return;
    }
    const file = path.join(this.root, key);
    await mkdir(path.dirname(file), { recursive: true });
    // Write then rename, so a reader never sees half a blob (rename is atomic on POSIX).
    const tmp = `${file}.${crypto.randomUUID()}.tmp`;
    await writeFile(tmp, bytes);
    await rename(tmp, file);
  }
}

export class MemoryBlobStore implements BlobStore {
  readonly #blobs = new Map<string, Uint8Array>();

  get(key: string): Promise<Uint8Array | undefined> {
    return Promise.resolve(this.#blobs.get(checkKey(key)));
  }

  has(key: string): Promise<boolean> {
    return Promise.resolve(this.#blobs.has(checkKey(key)));
  }

  put(key: string, bytes: Uint8Array): Promise<void> {
    const existing = this.#blobs.get(checkKey(key));
    if (existing && !bytesEqual(existing, bytes)) return Promise.reject(conflict(key));
    if (!existing) this.#blobs.set(key, new Uint8Array(bytes));
    return Promise.resolve();
  }
}

export class TableBlobStore implements BlobStore {
  constructor(private readonly db: Kysely<Database>) {}

  async get(key: string): Promise<Uint8Array | undefined> {
    const row = await this.db
      .selectFrom('blobs')
      .select('bytes')
      .where('key', '=', checkKey(key))
      .executeTakeFirst();
    return row ? new Uint8Array(row.bytes) : undefined;
  }

  async has(key: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('blobs')
      .select('key')
      .where('key', '=', checkKey(key))
      .executeTakeFirst();
    return row !== undefined;
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    await this.db
      .insertInto('blobs')
      .values({ key: checkKey(key), bytes })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    const stored = await this.get(key);
    if (!stored || !bytesEqual(stored, bytes)) throw conflict(key);
  }
}
