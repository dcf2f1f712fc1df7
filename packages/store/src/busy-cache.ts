import type { Engine } from './store';

interface Entry {
  value: unknown;
  /** Users and tokens whose change makes the entry wrong. */
  tags: string[];
  /** The entry's own validity (session or token expiry), ms since the epoch. */
  until: number;
}

const MAX_ENTRIES = 10_000;

/**
 * On PGlite an ingest job's transaction holds the one database session for seconds (the job is
 * all-or-nothing). While such a job runs in this process, the reads that decide who is asking
 * (sessions, API tokens) and the jobs list are answered from what this process last read, so the
 * console stays usable and shows the job's progress. Only then: at any other time, and always on
 * PostgreSQL, every read goes to the database. Changes made through the store drop the entries
 * they affect; a change cannot commit while the job holds the session anyway.
 */
export class BusyCache {
  readonly #entries = new Map<string, Entry>();

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

  set(key: string, value: unknown, tags: string[], until = Number.POSITIVE_INFINITY): void {
    if (this.engine !== 'pglite') return;
    this.#entries.delete(key);
    this.#entries.set(key, { value, tags, until });
    if (this.#entries.size > MAX_ENTRIES) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }

  delete(key: string): void {
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
    for (const [key, entry] of this.#entries)
      if (entry.tags.includes(tag)) this.#entries.delete(key);
  }
}
