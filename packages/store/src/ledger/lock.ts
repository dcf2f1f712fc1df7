import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../database';
import type { Store } from '../store';

// One sequencer per log (packages/ledger/README.md "Crash safety": two sequencers on one log
// would corrupt it). On PostgreSQL several server replicas share the log's tables, so the right
// to sequence is a session-level advisory lock held on a connection taken out of the pool for as
// long as this process sequences: if the process dies its session ends and PostgreSQL releases
// the lock, and a waiting replica takes over. On PGlite the data-folder lock (folder-lock.ts)
// already limits the log to one process.

export interface SequencerLockOptions {
  /** How often a replica without the lock tries again, and the holder checks its session (ms). */
  retryMs?: number;
  /**
   * Called once the lock is held: start sequencing. `db` is bound to the lock's own session
   * (undefined on PGlite); writing through it fences the writes: once the session is gone (and
   * with it the lock) they fail instead of racing the next holder.
   */
  onAcquired(db: Kysely<Database> | undefined): Promise<void> | void;
  /** Called if the holder's session broke: stop sequencing at once (the lock is gone). */
  onLost(error: unknown): Promise<void> | void;
}

export interface SequencerLock {
  /** True while this process holds the lock. */
  readonly held: boolean;
  /** Stops trying; if held, runs `beforeRelease` (e.g. a final checkpoint) and releases it. */
  release(beforeRelease?: () => Promise<void>): Promise<void>;
  /**
   * Gives the lock up but keeps trying to take it again (this replica or another then reopens
   * the log from storage): for a sequencer that cannot go on, e.g. after a failed write.
   */
  relinquish(beforeRelease: () => Promise<void>): void;
}

/**
 * The advisory-lock key of a log: advisory locks are database-wide, so the key covers the schema
 * (replicas of one instance share it; test schemas in one database do not collide) and the origin.
 */
export function sequencerLockKey(schema: string, origin: string): bigint {
  const d = createHash('sha256')
    .update(`interdict ledger sequencer\n${schema}\n${origin}`)
    .digest();
  return d.readBigInt64BE(0);
}

/** Takes (or keeps trying to take) the sequencer lock of `origin` for this process. */
export async function acquireSequencerLock(
  store: Store,
  origin: string,
  options: SequencerLockOptions,
): Promise<SequencerLock> {
  const retryMs = options.retryMs ?? 2000;
  if (store.engine !== 'postgres') {
    await options.onAcquired(undefined);
    let stopped = false;
    let reopening = Promise.resolve();
    return {
      held: true,
      async release(before) {
        stopped = true;
        await reopening;
        await before?.();
      },
      relinquish(before) {
        // One process per data folder: give up, then take it again (retrying while it fails).
        reopening = reopening
          .then(before)
          .catch(() => undefined)
          .then(async () => {
            while (!stopped) {
              try {
                await options.onAcquired(undefined);
                return;
              } catch {
                await new Promise((r) => setTimeout(r, retryMs));
              }
            }
          });
      },
    };
  }
  const schema = (await sql<{ s: string }>`select current_schema() as s`.execute(store.db)).rows[0]
    ?.s;
  const key = sequencerLockKey(schema ?? '', origin).toString();
  let held = false;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let wake: (() => void) | undefined;
  let beforeRelease: (() => Promise<void>) | undefined;
  let giveUp = false;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      wake = resolve;
      timer = setTimeout(resolve, ms);
      (timer as { unref?: () => void }).unref?.();
    });

  // One attempt: borrow a connection; without the lock it goes straight back to the pool, with
  // it the connection stays out of the pool (the lock belongs to its session) until release.
  // Resolves once decided; `holding` settles when the lock is given up.
  let holding: Promise<void> = Promise.resolve();
  const tryOnce = () =>
    new Promise<boolean>((decided) => {
      holding = store.db
        .connection()
        .execute(async (conn) => {
          const r = await sql<{
            ok: boolean;
          }>`select pg_try_advisory_lock(${key}::bigint) as ok`.execute(conn);
          if (r.rows[0]?.ok !== true) return decided(false);
          held = true;
          try {
            await options.onAcquired(conn);
          } catch (error) {
            held = false;
            await sql`select pg_advisory_unlock(${key}::bigint)`
              .execute(conn)
              .catch(() => undefined);
            throw error;
          }
          decided(true);
          // Hold: check the session every interval so a broken connection stops the sequencer.
          while (!stopped && !giveUp) {
            await sleep(retryMs);
            if (stopped || giveUp) break;
            try {
              await sql`select 1`.execute(conn);
            } catch (error) {
              held = false;
              await options.onLost(error);
              throw error;
            }
          }
          try {
            await beforeRelease?.();
          } finally {
            held = false;
            giveUp = false;
            beforeRelease = undefined;
            await sql`select pg_advisory_unlock(${key}::bigint)`.execute(conn);
          }
        })
        .catch(() => decided(false));
    });

  const loop = async (got: boolean) => {
    for (;;) {
      if (got) await holding;
      if (stopped) return;
      await sleep(retryMs);
      if (stopped) return;
      got = await tryOnce();
    }
  };
  // The first attempt is decided before we return, so a lone replica sequences at once.
  const attempt = loop(await tryOnce());

  return {
    get held() {
      return held;
    },
    relinquish(before) {
      if (!held || stopped) return;
      beforeRelease = before;
      giveUp = true;
      if (timer) clearTimeout(timer);
      wake?.();
    },
    async release(before) {
      if (!giveUp) beforeRelease = before;
      stopped = true;
      if (timer) clearTimeout(timer);
      wake?.();
      await attempt;
    },
  };
}

/**
 * The server process id (`pg_backend_pid`) of the session holding a log's sequencer lock, or
 * undefined when no replica holds it (or on PGlite): for diagnostics and tests.
 */
export async function sequencerLockHolder(
  store: Store,
  origin: string,
): Promise<number | undefined> {
  if (store.engine !== 'postgres') return undefined;
  const schema = (await sql<{ s: string }>`select current_schema() as s`.execute(store.db)).rows[0]
    ?.s;
  // pg_locks splits a bigint advisory key into classid (high half) and objid (low half).
  const key = BigInt.asUintN(64, sequencerLockKey(schema ?? '', origin));
  const r = await sql<{ pid: number }>`
    select pid from pg_locks where locktype = 'advisory' and granted and objsubid = 1
      and classid = ${(key >> 32n).toString()}::bigint::oid
      and objid = ${(key & 0xffffffffn).toString()}::bigint::oid`.execute(store.db);
  return r.rows[0]?.pid;
}
