import type { Engine } from './store';

interface Entry {
  value: unknown;
  /** Users and tokens whose change makes the entry wrong. */
  tags: string[];
  /** The entry's own validity (session or token expiry), ms since the epoch. */
  until: number;
  /** When it was read from the database, ms since the epoch. */
  storedAt: number;
}

/**
 * How long a session or API token read from the database answers later requests from memory
 * (INTERDICT_AUTH_CACHE_MS, default 2,000 ms; 0: never). Revocation, sign-out, disabling a user or
 * changing their role through this process drops the entry at once (see `invalidate`); on
 * PostgreSQL the same change made by another replica is seen here at most this long afterwards.
 */
export function authCacheMs(): number {
  const n = Number(process.env.INTERDICT_AUTH_CACHE_MS ?? 2000);
  return Number.isFinite(n) && n >= 0 ? n : 2000;
}

const MAX_ENTRIES = 10_000;

/**
 * Reads that decide who is asking (sessions, API tokens) are answered from what this process read
 * within the last `authCacheMs()`, so a request costs no database round trip for them. On PGlite an
 * ingest job's transaction holds the one database session for seconds (the job is all-or-nothing):
 * while such a job runs in this process, those reads and the jobs list are answered from what this
 * process last read whatever its age, so the console stays usable and shows the job's progress.
 * Changes made through the store drop the entries they affect; a change cannot commit while the
 * job holds the session anyway.
 */
export class BusyCache {
  readonly #entries = new Map<string, Entry>();
  #epoch = 0;

  /**
   * Bumped by every `invalidate` and `delete`. A reader notes it before its query and passes it
   * to `set`: a change that committed (and invalidated) while the reader was between its query
   * and its `set` then makes the `set` a no-op, so a stale row is never remembered.
   */
  get epoch(): number {
    return this.#epoch;
  }

  constructor(
    private readonly engine: Engine,
    private readonly running: { readonly size: number },
  ) {}

  /** True while a job in this process holds PGlite's only session. */
  busy(): boolean {
    return this.engine === 'pglite' && this.running.size > 0;
  }

  /** A cached value, only while busy and only while it is itself still valid. */
  get<T>(key: string, now = Date.now()): T | undefined {
    if (!this.busy()) return undefined;
    const entry = this.#entries.get(key);
    return entry && entry.until > now ? (entry.value as T) : undefined;
  }

  /**
   * A cached value read at most `maxAgeMs` ago (or, while busy, whenever), while it is itself
   * still valid: who is asking, without a database round trip on every request (`authCacheMs`).
   */
  fresh<T>(key: string, maxAgeMs: number, now = Date.now()): T | undefined {
    const entry = this.#entries.get(key);
    if (!entry || entry.until <= now) return undefined;
    return this.busy() || now - entry.storedAt < maxAgeMs ? (entry.value as T) : undefined;
  }

  set(
    key: string,
    value: unknown,
    tags: string[],
    until = Number.POSITIVE_INFINITY,
    readAtEpoch?: number,
  ): void {
    if (readAtEpoch !== undefined && readAtEpoch !== this.#epoch) return;
    this.#entries.delete(key);
    this.#entries.set(key, { value, tags, until, storedAt: Date.now() });
    if (this.#entries.size > MAX_ENTRIES) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }

  delete(key: string): void {
    this.#epoch++;
    this.#entries.delete(key);
  }

  readonly #jobs = new Map<string, { job: unknown; organisationId: string }>();

  /**
   * Jobs this process started or finished lately, so a remembered jobs list can show a job that
   * was queued, or has finished, since the list was read. Bounded; newest kept.
   */
  rememberJob<T extends { id: string }>(job: T, organisationId: string): void {
    this.#jobs.delete(job.id);
    this.#jobs.set(job.id, { job, organisationId });
    if (this.#jobs.size > 200) {
      const oldest = this.#jobs.keys().next().value;
      if (oldest !== undefined) this.#jobs.delete(oldest);
    }
  }

  rememberedJobs<T>(): { job: T; organisationId: string }[] {
    return [...this.#jobs.values()] as { job: T; organisationId: string }[];
  }

  /** Drop every entry tagged with `tag` (a user id, a token id, `jobs`). */
  invalidate(tag: string): void {
    this.#epoch++;
    for (const [key, entry] of this.#entries)
      if (entry.tags.includes(tag)) this.#entries.delete(key);
  }
}
