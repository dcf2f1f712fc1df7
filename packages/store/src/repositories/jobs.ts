import type { Kysely } from 'kysely';
import { isInstanceAdmin, type Actor } from '../actor';
import type { BusyCache } from '../busy-cache';
import type { Database } from '../database';
import { StoreError } from '../errors';
import { isUuid, toJob, type Job, type Page } from './model';
import { afterKeyset, cursorAt, decodeCursor, pageLimit, toPage } from './page';

/** Progress of running jobs, kept in memory by the process that runs them (see ingest/run.ts). */
export type LiveProgress = Map<string, { done: number; total: number | null }>;

/** Who may read ingest jobs: staff roles, not partners (the ingest service checks it). */
export const JOB_READER_ROLES = ['admin', 'analyst', 'officer', 'viewer'] as const;

export class JobsRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly live: LiveProgress,
    private readonly cache: BusyCache,
  ) {}

  /** Live progress over a stored row; a job running here is `running` even in an older snapshot. */
  private overlay(job: Job): Job {
    const p =
      job.status === 'running' || job.status === 'queued' ? this.live.get(job.id) : undefined;
    return p ? { ...job, status: 'running', done: p.done, total: p.total ?? job.total } : job;
  }

  /** A remembered first page, brought up to date with the jobs this process queued or finished since. */
  private withRemembered(actor: Actor, snapshot: Job[], limit: number): Job[] {
    const byId = new Map(snapshot.map((j) => [j.id, j]));
    for (const { job, organisationId } of this.cache.rememberedJobs<Job>()) {
      if (isInstanceAdmin(actor) || organisationId === actor.organisationId) byId.set(job.id, job);
    }
    return [...byId.values()]
      .sort((a, b) =>
        a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : b.id.localeCompare(a.id),
      )
      .slice(0, limit)
      .map((j) => this.overlay(j));
  }

  private scope(actor: Actor): string {
    return isInstanceAdmin(actor) ? 'jobs:all' : `jobs:${actor.organisationId}`;
  }

  /**
   * The jobs of the actor's organisation (the instance admin: all), newest first, in keyset pages
   * of `limit` (default 100, at most MAX_PAGE_LIMIT) after `cursor`. While a PGlite ingest holds
   * the session, the first page comes from memory (see busy-cache.ts).
   */
  async list(actor: Actor, options: { limit?: number; cursor?: string } = {}): Promise<Page<Job>> {
    const limit = pageLimit(options.limit, 100);
    const key = `${this.scope(actor)}:${limit}`;
    if (options.cursor === undefined) {
      const cached = this.cache.get<Page<Job>>(key);
      if (cached) {
        return {
          items: this.withRemembered(actor, cached.items, limit),
          ...(cached.nextCursor === undefined ? {} : { nextCursor: cached.nextCursor }),
        };
      }
    }
    let q = this.db
      .selectFrom('ingest_jobs')
      .selectAll()
      .select(cursorAt('created_at').as('cursor_at'))
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit + 1);
    if (!isInstanceAdmin(actor)) q = q.where('organisation_id', '=', actor.organisationId);
    if (options.cursor !== undefined)
      q = q.where(afterKeyset(decodeCursor(options.cursor), 'desc', 'created_at', 'id'));
    const page = toPage(await q.execute(), limit, toJob);
    if (options.cursor === undefined) this.cache.set(key, page, ['jobs']);
    return { ...page, items: page.items.map((j) => this.overlay(j)) };
  }

  /** One job of the actor's organisation (the instance admin: any), with live progress. */
  async get(actor: Actor, id: string): Promise<Job> {
    const cached = this.cache.get<Job>(`${this.scope(actor)}:job:${id}`);
    if (cached) return this.overlay(cached);
    if (this.cache.busy()) {
      // A job this process runs or ran lately is answered from memory while a PGlite ingest holds
      // the session, also when it is another organisation's (NOT_FOUND, as the query would say):
      // otherwise asking about that job would wait for the running one to end.
      const remembered = this.cache.rememberedJobs<Job>().find((r) => r.job.id === id);
      if (remembered) {
        if (isInstanceAdmin(actor) || remembered.organisationId === actor.organisationId)
          return this.overlay(remembered.job);
        throw new StoreError('NOT_FOUND', `job ${id} not found`);
      }
    }
    let q = this.db.selectFrom('ingest_jobs').selectAll().where('id', '=', id);
    if (!isInstanceAdmin(actor)) q = q.where('organisation_id', '=', actor.organisationId);
    const row = isUuid(id) ? await q.executeTakeFirst() : undefined;
    if (!row) throw new StoreError('NOT_FOUND', `job ${id} not found`);
    const job = toJob(row);
    this.cache.set(`${this.scope(actor)}:job:${id}`, job, ['jobs']);
    return this.overlay(job);
  }
}
