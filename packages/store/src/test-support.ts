// Test-only helpers shared by the storage suites of every capability (not exported from index.ts).
// One harness so that each suite runs on both engines the same way (DESIGN.md: "one storage test
// suite runs against both engines").
import { Readable } from 'node:stream';
import { createTestSchema, type TestSchema } from '@interdict/testkit';
import { expect } from 'vitest';
import type { Actor } from './actor';
import { StoreError } from './errors';
import { bootstrapStore } from './bootstrap';
import { MEMORY, openStore } from './open';
import type { Store } from './store';

export const ENGINES = ['pglite', 'postgres'] as const;
export type Engine = (typeof ENGINES)[number];

export interface EngineStore {
  readonly store: Store;
  /** The CLI's system actor: an admin of the bootstrapped home organisation. */
  readonly actor: Actor;
  close(): Promise<void>;
}

/**
 * A bootstrapped store on `engine`: in-memory PGlite, or a fresh PostgreSQL schema (named after
 * `schemaPrefix`) that `close()` drops. PostgreSQL must be reachable: these tests never skip.
 */
export async function openEngineStore(engine: Engine, schemaPrefix: string): Promise<EngineStore> {
  let schema: TestSchema | undefined;
  let store: Store;
  if (engine === 'postgres') {
    schema = await createTestSchema(schemaPrefix);
    store = await openStore({ databaseUrl: schema.url });
  } else {
    store = await openStore({ dataDir: MEMORY });
  }
  await bootstrapStore(store, { adminPassword: 'correct horse battery staple' });
  const actor = await store.systemActor();
  return {
    store,
    actor,
    async close() {
      await store.close();
      await schema?.drop();
    },
  };
}

/**
 * An ingest input in 64 KiB chunks, so that parsers see lines split across chunks as they do
 * with real file and network streams.
 */
export function byteSource(
  data: string | Uint8Array,
  chunkSize = 65_536,
): AsyncIterable<Uint8Array> {
  const all = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < all.length; i += chunkSize) chunks.push(all.subarray(i, i + chunkSize));
  return Readable.from(chunks, { objectMode: true }) as AsyncIterable<Uint8Array>;
}

/** Awaits `promise` and expects it to fail with a StoreError of `code`. */
export async function expectStoreError(promise: Promise<unknown>, code: string): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StoreError);
  expect((error as StoreError).code).toBe(code);
}
