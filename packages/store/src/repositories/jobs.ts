import type { Kysely } from 'kysely';
import { assertRole, isInstanceAdmin, type Actor } from '../actor';
import type { BusyCache } from '../busy-cache';
import type { Database } from '../database';
import { StoreError } from '../errors';
import { isUuid, toJob, type Job, type Page } from './model';

/** Progress of running jobs, kept in memory by the process that runs them (see ingest/run.ts). */
export type LiveProgress = Map<string, { done: number; total: number | null }>;

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

  /** A remembered list, brought up to date with the jobs this process queued or finished since. */
  private withRemembered(actor: Actor, snapshot: Job[], limit: number): Job[] {
    const byId = new Map(snapshot.map((j) => [j.id, j]));
    for (const { job, organisationId } of this.cache.rememberedJobs<Job>()) {
      if (isInstanceAdmin(actor) || organisationId === actor.organisationId) byId.set(job.id, job);
    }
    return [...byId.values()]
      .sort((a, b) =>
        a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id.localeCompare(b.id),
      )
      .slice(0, limit)
      .map((j) => this.overlay(j));
  }

  private scope(actor: Actor): string {
    return isInstanceAdmin(actor) ? 'jobs:all' : `jobs:${actor.organisationId}`;
  }

  /** Newest first; staff roles of the organisation that ran them (the instance admin: all). */
  async list(actor: Actor, options: { limit?: number } = {}): Promise<Page<Job>> {
    assertRole(actor, ...JOB_READER_ROLES);
    const limit = Math.min(Math.max(options.limit ?? 100, 1), 500);
    const key = `${this.scope(actor)}:${limit}`;
    const cached = this.cache.get<Job[]>(key);
    if (cached) return { items: this.withRemembered(actor, cached, limit) };
    let q = this.db
      .selectFrom('ingest_jobs')
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(limit);
    if (!isInstanceAdmin(actor)) q = q.where('organisation_id', '=', actor.organisationId);
    const jobs = (await q.execute()).map(toJob);
    this.cache.set(key, jobs, ['jobs']);
    return { items: jobs.map((j) => this.overlay(j)) };
  }

  async get(actor: Actor, id: string): Promise<Job> {
    assertRole(actor, ...JOB_READER_ROLES);
    const cached =
      this.cache.get<Job>(`${this.scope(actor)}:job:${id}`) ??
      (this.cache.busy()
        ? this.withRemembered(actor, [], 500).find((j) => j.id === id)
        : undefined);
    if (cached) return this.overlay(cached);
    let q = this.db.selectFrom('ingest_jobs').selectAll().where('id', '=', id);
    if (!isInstanceAdmin(actor)) q = q.where('organisation_id', '=', actor.organisationId);
    const row = isUuid(id) ? await q.executeTakeFirst() : undefined;
    if (!row) throw new StoreError('NOT_FOUND', `job ${id} not found`);
    const job = toJob(row);
    this.cache.set(`${this.scope(actor)}:job:${id}`, job, ['jobs']);
    return this.overlay(job);
  }
}
