import { open, mkdir, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import type { LogStorage } from '@interdict/ledger';
import { sql, type Kysely } from 'kysely';
import { FolderBlobStore, TableBlobStore, type BlobStore } from '../blobs';
import type { Database } from '../database';
import { StoreError } from '../errors';
import type { Store } from '../store';

// Where a log's C2SP tlog-tiles resources live: immutable tiles and bundles in the blob store
// under `ledger/<origin>/tile/...`, and the one mutable object, `checkpoint`, beside them as a
// file (folder deployments: the folder is then a servable tlog-tiles tree) or in a table
// (PostgreSQL deployments, where blobs are a table too).

const ORIGIN_KEY = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;

/** The blob-key prefix of a log; its origin must be usable as a path. */
export function ledgerPrefix(origin: string): string {
  if (!ORIGIN_KEY.test(origin) || origin.split('/').some((s) => s === '.' || s === '..')) {
    throw new StoreError(
      'INVALID_ARGUMENT',
      `ledger origin ${JSON.stringify(origin)} is not a plain path`,
      {
        details: { field: 'origin' },
      },
    );
  }
  return `ledger/${origin}`;
}

/** Writes a file atomically and durably: temp file, fsync, rename. */
async function writeFileAtomic(file: string, bytes: Uint8Array): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${crypto.randomUUID()}.tmp`;
  const fh = await open(tmp, 'w', 0o644);
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
}

function readOptional(file: string): Promise<Uint8Array | undefined> {
  return readFile(file).then(
    (b) => new Uint8Array(b),
    (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw e;
    },
  );
}

function blobStorage(blobs: BlobStore, prefix: string): Pick<LogStorage, 'get' | 'put'> {
  return {
    get: (key) => blobs.get(`${prefix}/${key}`),
    put: (key, bytes) => blobs.put(`${prefix}/${key}`, bytes),
  };
}

/** Log storage in a plain folder (`<root>/ledger/<origin>/…`), as the embedded default lays it out. */
export function folderLogStorage(blobRoot: string, origin: string): LogStorage {
  const prefix = ledgerPrefix(origin);
  const checkpointFile = path.join(blobRoot, prefix, 'checkpoint');
  return {
    ...blobStorage(new FolderBlobStore(blobRoot), prefix),
    readCheckpoint: () => readOptional(checkpointFile),
    writeCheckpoint: (bytes) => writeFileAtomic(checkpointFile, bytes),
  };
}

/**
 * Log storage for a store: its blob store for tiles, its folder or a table for the checkpoint.
 * On PostgreSQL, `writer` (the sequencer lock's session, see lock.ts) carries every write, so a
 * sequencer that lost its lock cannot write any more; reads use the pool.
 */
export function ledgerLogStorage(
  store: Store,
  origin: string,
  writer?: Kysely<Database>,
): LogStorage {
  const prefix = ledgerPrefix(origin);
  if (store.dataDir !== undefined && store.engine === 'pglite') {
    return folderLogStorage(path.join(store.dataDir, 'blobs'), origin);
  }
  const reads = blobStorage(store.blobs, prefix);
  const writes = writer ? blobStorage(new TableBlobStore(writer), prefix) : reads;
  return {
    get: reads.get,
    put: writes.put,
    async readCheckpoint() {
      const r = await sql<{
        note: Uint8Array;
      }>`SELECT note FROM ledger_checkpoints WHERE origin = ${origin}`.execute(store.db);
      const note = r.rows[0]?.note;
      return note ? new Uint8Array(note) : undefined;
    },
    async writeCheckpoint(bytes) {
      const size = Number(new TextDecoder().decode(bytes).split('\n')[1]);
      await sql`
        INSERT INTO ledger_checkpoints (origin, size, note) VALUES (${origin}, ${size}, ${bytes})
        ON CONFLICT (origin) DO UPDATE SET size = excluded.size, note = excluded.note, updated_at = now()`.execute(
        writer ?? store.db,
      );
    },
  };
}
