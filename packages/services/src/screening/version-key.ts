import { readScreeningVersionKey, type Store } from '@interdict/store';

/**
 * How long a key read from PostgreSQL is trusted (INTERDICT_SCREENING_VERSION_TTL_MS, default
 * 1,000 ms): another replica's list import shows in this replica's results at most this long after
 * it commits. PGlite is opened by one process only, so there the key is kept until an install in
 * this process (`ListVersionKey.forget`). 0: read on every request, on either engine. Read on every
 * use, as before the services, so that the setting can be changed while the process runs.
 */
export function screeningVersionTtlMs(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.INTERDICT_SCREENING_VERSION_TTL_MS ?? 1000);
  return Number.isFinite(n) && n >= 0 ? n : 1000;
}

/**
 * The key of the list versions in force (their stored ids), as this service remembers it: what a
 * match request checks before using a built index, so that a match request usually asks the
 * database nothing. Whatever the key, a result names the versions of the index that produced it.
 *
 * `epoch` counts the list installs seen by this service: a read that started before an install
 * never stores its (older) answer.
 */
export class ListVersionKey {
  private key: string | undefined;
  private readAt = 0;
  private epoch = 0;

  constructor(private readonly ttlMs: () => number = screeningVersionTtlMs) {}

  /**
   * The key as `store` sees it. Inside a transaction the answer may include the transaction's own
   * uncommitted install: read every time, never remembered.
   */
  async current(store: Store): Promise<string> {
    const ttl = this.ttlMs();
    if (store.db.isTransaction || ttl === 0) return readScreeningVersionKey(store);
    const now = Date.now();
    if (this.key !== undefined && (store.engine === 'pglite' || now - this.readAt < ttl)) {
      return this.key;
    }
    const epoch = this.epoch;
    const key = await readScreeningVersionKey(store);
    if (this.epoch === epoch) {
      this.key = key;
      this.readAt = now;
    }
    return key;
  }

  /**
   * A list install (called inside the import's transaction): forget the remembered key. On PGlite
   * the transaction holds the only session, so the next read waits for it to commit or roll back
   * and sees the outcome; on PostgreSQL a read meanwhile still sees the previous versions, which
   * the TTL then bounds.
   */
  forget(): void {
    this.key = undefined;
    this.epoch++;
  }
}
