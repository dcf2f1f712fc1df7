import { createTestSchema, type TestSchema } from '@interdict/testkit';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../database';
import { openStore } from '../open';
import type { Store } from '../store';
import { acquireSequencerLock, sequencerLockKey, type SequencerLock } from './lock';

// The sequencer lock on the real PostgreSQL: one holder per log, writes fenced by the lock's
// session, take-over when the holder's session ends. Waits are bounded loops, never timings.

const ORIGIN = 'lock.interdict.test/log';

interface Contender {
  store: Store;
  lock: SequencerLock;
  acquired: number;
  lost: number;
  writer: Kysely<Database> | undefined;
}

async function contender(url: string): Promise<Contender> {
  const store = await openStore({ databaseUrl: url, poolSize: 3 });
  const c: Contender = {
    store,
    lock: undefined as unknown as SequencerLock,
    acquired: 0,
    lost: 0,
    writer: undefined,
  };
  c.lock = await acquireSequencerLock(store, ORIGIN, {
    retryMs: 20,
    onAcquired(db) {
      c.acquired++;
      c.writer = db;
    },
    onLost() {
      c.lost++;
      c.writer = undefined;
    },
  });
  return c;
}

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (ok()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`gave up waiting until ${what}`);
}

describe('sequencer lock (PostgreSQL advisory lock)', () => {
  let schema: TestSchema;
  let a: Contender;
  let b: Contender;

  beforeAll(async () => {
    schema = await createTestSchema('ledger_lock');
    a = await contender(schema.url);
    b = await contender(schema.url);
  });
  afterAll(async () => {
    for (const c of [a, b]) {
      await c?.lock.release();
      await c?.store.close();
    }
    await schema?.drop();
  });

  it('keys differ by schema and origin', () => {
    expect(sequencerLockKey('s1', ORIGIN)).not.toBe(sequencerLockKey('s2', ORIGIN));
    expect(sequencerLockKey('s1', ORIGIN)).not.toBe(sequencerLockKey('s1', `${ORIGIN}2`));
  });

  it('has one holder; its writes stop with its session, and the other takes over', async () => {
    expect([a.lock.held, b.lock.held]).toEqual([true, false]);
    expect([a.acquired, b.acquired]).toEqual([1, 0]);
    const writer = a.writer;
    if (!writer) throw new Error('no writer');
    const pid = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(writer)).rows[0]
      ?.pid;
    // The session of A's lock ends (as when its process dies or its connection is cut).
    await sql`select pg_terminate_backend(${pid}::int)`.execute(b.store.db);
    await expect(sql`select 1`.execute(writer)).rejects.toThrow();
    await until('A noticed', () => a.lost === 1);
    await until('B took over', () => b.lock.held);
    expect(b.acquired).toBe(1);
    expect(a.lock.held).toBe(false);
    expect(a.acquired).toBe(1);
  });

  it('a holder that relinquishes gives the lock up, and some replica takes it again', async () => {
    const before = a.acquired + b.acquired;
    let ran = false;
    b.lock.relinquish(() => {
      ran = true;
      return Promise.resolve();
    });
    await until('it was taken again', () => a.acquired + b.acquired === before + 1);
    expect(ran).toBe(true);
    expect([a.lock.held, b.lock.held].filter(Boolean)).toHaveLength(1);
  });
});
