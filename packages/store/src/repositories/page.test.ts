import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../actor';
import { StoreError } from '../errors';
import { registerIngestKind } from '../ingest/registry';
import { runIngestJob } from '../ingest/run';
import type { Store } from '../store';
import {
  byteSource,
  ENGINES,
  expectStoreError,
  openEngineStore,
  type EngineStore,
} from '../test-support';
import type { Page } from './model';
import { decodeCursor, encodeCursor, MAX_PAGE_LIMIT } from './page';

/** Every page of a list, following nextCursor. */
async function allPages<T>(
  fetch: (cursor: string | undefined) => Promise<Page<T>>,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await fetch(cursor);
    items.push(...page.items);
    cursor = page.nextCursor;
    pages++;
  } while (cursor !== undefined && pages < 100);
  return { items, pages };
}

describe('cursors', () => {
  it('round-trips a keyset and refuses anything this API did not issue', () => {
    const key = { at: '2026-01-31T12:00:00.123456Z', id: '6f1c2c7e-8a37-4c52-9d43-0f3b3c1e2a10' };
    expect(decodeCursor(encodeCursor(key))).toEqual(key);
    for (const bad of [
      '',
      'drop table users',
      Buffer.from('2026-01-31|x').toString('base64url'),
      Buffer.from(`${key.at}|${key.id}|more`).toString('base64url'),
      'A'.repeat(200),
      // The right shape, but not a time: PostgreSQL's cast would fail (a 500, not a 400).
      encodeCursor({ ...key, at: '2026-13-45T99:00:00.000000Z' }),
      encodeCursor({ ...key, at: '2026-02-30T12:00:00.000000Z' }),
    ]) {
      expect(() => decodeCursor(bad)).toThrow(StoreError);
    }
  });
});

for (const engine of ENGINES) {
  describe(`keyset pages of users, tokens and jobs (${engine})`, () => {
    let opened: EngineStore;
    let store: Store;
    let system: Actor;
    let agencyAdmin: Actor;
    let unregister: () => void;

    beforeAll(async () => {
      opened = await openEngineStore(engine, 'pages');
      store = opened.store;
      system = opened.actor;
      const agency = await store.organisations.create(system, { name: 'Agency', kind: 'agency' });
      for (let i = 0; i < 7; i++) {
        await store.users.create(system, {
          email: `u${i}@home.example`,
          name: `U ${i}`,
          role: 'viewer',
          password: 'pages test password',
        });
      }
      const { user } = await store.users.create(system, {
        email: 'admin@agency.example',
        name: 'Agency admin',
        role: 'admin',
        organisationId: agency.id,
        password: 'pages test password',
      });
      agencyAdmin = { userId: user.id, organisationId: agency.id, role: 'admin', home: false };
      // Two users created in the same microsecond: only the id can order them.
      const stamp = new Date('2026-01-01T00:00:00.000Z');
      await store.db
        .updateTable('users')
        .set({ created_at: stamp })
        .where('email', 'in', ['u2@home.example', 'u3@home.example'])
        .execute();
      for (let i = 0; i < 5; i++)
        await store.tokens.create(system, { name: `t${i}`, expiresInDays: 1 });
      unregister = registerIngestKind({
        kind: 'test-pages-noop',
        description: 'test only',
        fileHint: 'anything',
        run: () => Promise.resolve({ ok: true }),
      });
      for (let i = 0; i < 4; i++)
        await runIngestJob(store, system, {
          kind: 'test-pages-noop',
          sourceName: `job ${i}`,
          input: byteSource('x'),
        });
    });

    afterAll(async () => {
      unregister?.();
      await opened?.close();
    });

    it('pages through users in order, each once, within the actor’s reach', async () => {
      const everyone = (await store.users.list(system)).items;
      expect(everyone.length).toBe(9); // the bootstrapped admin, seven, the agency's admin
      const paged = await allPages((cursor) =>
        store.users.list(system, { limit: 2, ...(cursor ? { cursor } : {}) }),
      );
      expect(paged.items.map((u) => u.id)).toEqual(everyone.map((u) => u.id));
      expect(paged.pages).toBe(5);
      const agencyOnly = await allPages((cursor) =>
        store.users.list(agencyAdmin, { limit: 1, ...(cursor ? { cursor } : {}) }),
      );
      expect(agencyOnly.items.map((u) => u.email)).toEqual(['admin@agency.example']);
    });

    it('pages through tokens and jobs newest first, each once', async () => {
      const tokens = (await store.tokens.list(system)).items;
      expect(tokens).toHaveLength(5);
      const pagedTokens = await allPages((cursor) =>
        store.tokens.list(system, { limit: 2, ...(cursor ? { cursor } : {}) }),
      );
      expect(pagedTokens.items.map((t) => t.id)).toEqual(tokens.map((t) => t.id));
      expect(pagedTokens.items.map((t) => t.name)).toEqual(['t4', 't3', 't2', 't1', 't0']);

      const pagedJobs = await allPages((cursor) =>
        store.jobs.list(system, { limit: 3, ...(cursor ? { cursor } : {}) }),
      );
      expect(pagedJobs.items.map((j) => j.sourceName)).toEqual([
        'job 3',
        'job 2',
        'job 1',
        'job 0',
      ]);
      expect(pagedJobs.pages).toBe(2);
      expect((await store.jobs.list(agencyAdmin, { limit: 500 })).items).toEqual([]);
    });

    it('refuses a bad limit or cursor and caps a large limit', async () => {
      await expectStoreError(store.users.list(system, { limit: 0 }), 'INVALID_ARGUMENT');
      await expectStoreError(
        store.tokens.list(system, { cursor: 'nonsense!' }),
        'INVALID_ARGUMENT',
      );
      await expectStoreError(store.jobs.list(system, { cursor: '42' }), 'INVALID_ARGUMENT');
      const notATime = encodeCursor({
        at: '2026-13-45T99:00:00.000000Z',
        id: '6f1c2c7e-8a37-4c52-9d43-0f3b3c1e2a10',
      });
      await expectStoreError(store.users.list(system, { cursor: notATime }), 'INVALID_ARGUMENT');
      const capped = await store.users.list(system, { limit: MAX_PAGE_LIMIT * 10 });
      expect(capped.items).toHaveLength(9);
      expect(capped.nextCursor).toBeUndefined();
    });
  });
}
