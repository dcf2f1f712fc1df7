import { describeError } from '@interdict/core';
import { sql } from 'kysely';
import type { Actor } from '../actor';
import { StoreError } from '../errors';
import { recordAudit } from '../repositories/audit';
import type { Job } from '../repositories/model';
import { toJob } from '../repositories/model';
import type { Store } from '../store';
import { maybeGunzip } from './gunzip';
import { getIngestKind, type IngestKind, type IngestLedgerRecord } from './registry';

/** Who may run ingest jobs (the ingest service checks it before a job is recorded). */
export const INGEST_ROLES = ['admin', 'analyst'] as const;

export interface IngestRequest {
  kind: string;
  sourceName: string;
  input: AsyncIterable<Uint8Array>;
  /** Text files beside the data, by the names the kind declares (`IngestKind.attachments`). */
  attachments?: Readonly<Record<string, string>>;
  /** Choices by the names the kind declares (`IngestKind.options`); unset ones take the default. */
  options?: Readonly<Record<string, string>>;
  signal?: AbortSignal;
  /**
   * Stages a kind's ledger records in the job's transaction (the ingest service passes the ledger
   * service's `stage`, and acknowledges the entries once the job has committed). Without it a
   * kind that records something of consequence fails the job: nothing is put in force unlogged.
   */
  stage?: (tx: Store, record: IngestLedgerRecord) => Promise<void>;
}

/** Refuses attachments the kind does not take, then lets the kind check the ones it does. */
function checkAttachments(kind: IngestKind, attachments: Readonly<Record<string, string>>): void {
  const known = new Set((kind.attachments ?? []).map((a) => a.name));
  for (const name of Object.keys(attachments)) {
    if (!known.has(name)) {
      throw new StoreError(
        'INVALID_ARGUMENT',
        `ingest kind ${kind.kind} takes no "${name}" file${known.size ? ` (it takes: ${[...known].join(', ')})` : ''}`,
        { details: { field: name } },
      );
    }
  }
  kind.checkAttachments?.(attachments);
}

/**
 * Refuses an option the kind does not declare or a value it does not list; returns every declared
 * option with its value (the default where none was asked for).
 */
function resolveOptions(
  kind: IngestKind,
  asked: Readonly<Record<string, string>>,
): Record<string, string> {
  const declared = new Map((kind.options ?? []).map((o) => [o.name, o]));
  const resolved: Record<string, string> = {};
  for (const [name, value] of Object.entries(asked)) {
    const option = declared.get(name);
    if (!option) {
      throw new StoreError(
        'INVALID_ARGUMENT',
        `ingest kind ${kind.kind} takes no "${name}" option${declared.size ? ` (it takes: ${[...declared.keys()].join(', ')})` : ''}`,
        { details: { field: name } },
      );
    }
    if (!option.values.includes(value)) {
      throw new StoreError(
        'INVALID_ARGUMENT',
        `"${name}" must be one of ${option.values.join(', ')} (got "${String(value).slice(0, 100)}")`,
        { details: { field: name, allowed: [...option.values] } },
      );
    }
    resolved[name] = value;
  }
  for (const option of declared.values()) resolved[option.name] ??= option.default;
  return resolved;
}

/**
 * ANALYZE on `tables` so that the planner knows how many rows a job has just written (see
 * `IngestKind.tables`). The data is committed whatever happens here: a failure only leaves the
 * statistics as they were (autovacuum will analyse them later on PostgreSQL), so it is not the
 * job's failure.
 */
export async function analyseTables(store: Store, tables: readonly string[]): Promise<void> {
  if (tables.length === 0) return;
  await sql`ANALYZE ${sql.join(tables.map((t) => sql.table(t)))}`
    .execute(store.db)
    .catch(() => undefined);
}

/**
 * Records a queued job of the actor's organisation and starts it; `finished` settles with the
 * final job (never rejects: a failure is a job with status `failed`). The I/O runner under the
 * ingest service, which decides who may ingest (packages/services/src/ingest/service.ts).
 */
export async function startIngestJob(
  store: Store,
  actor: Actor,
  request: IngestRequest,
): Promise<{ job: Job; finished: Promise<Job> }> {
  const kind = getIngestKind(request.kind);
  if (!kind) {
    throw new StoreError('UNKNOWN_INGEST_KIND', `unknown ingest kind ${request.kind}`, {
      details: { field: 'kind' },
    });
  }
  const attachments = request.attachments ?? {};
  // Before the job row: a refused attachment leaves no trace but the answer.
  checkAttachments(kind, attachments);
  const options = resolveOptions(kind, request.options ?? {});
  const sourceName = String(request.sourceName).slice(0, 500) || 'upload';
  const row = await store.db
    .insertInto('ingest_jobs')
    .values({
      id: crypto.randomUUID(),
      organisation_id: actor.organisationId,
      created_by: actor.userId,
      kind: kind.kind,
      source_name: sourceName,
      status: 'queued',
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const jobId = row.id;
  const signal = request.signal ?? new AbortController().signal;

  const finished = (async (): Promise<Job> => {
    const startedAt = new Date();
    await store.db
      .updateTable('ingest_jobs')
      .set({ status: 'running', started_at: startedAt })
      .where('id', '=', jobId)
      .execute();
    store.liveProgress.set(jobId, { done: 0, total: null });
    store.cache.rememberJob(
      { ...toJob(row), status: 'running', startedAt: startedAt.toISOString() },
      actor.organisationId,
    );
    let lastWrite = 0;
    try {
      // One transaction for the whole job: a failure anywhere leaves stored data as it was.
      const { summary, progress } = await store.transaction(async (txStore) => {
        const p = { done: 0, total: null as number | null };
        const result = await kind.run({
          store: txStore,
          ...(request.screening ? { screening: request.screening } : {}),
          async record(r) {
            if (!request.stage)
              throw new StoreError(
                'INVALID_ARGUMENT',
                `ingest kind ${kind.kind} records ${r.type} on the ledger: start it through the ingest service`,
              );
            await request.stage(txStore, r);
          },
          actor,
          jobId,
          sourceName,
          input: maybeGunzip(request.input),
          attachments,
          options,
          signal,
          progress(done, total) {
            p.done = done;
            if (total !== undefined) p.total = total;
            store.liveProgress.set(jobId, { ...p });
            // PostgreSQL has other connections: publish progress for other replicas about once
            // a second. (PGlite has one session, busy with this transaction; memory serves.)
            const now = Date.now();
            if (store.engine === 'postgres' && now - lastWrite > 1000) {
              lastWrite = now;
              void store.db
                .updateTable('ingest_jobs')
                .set({ done: p.done, total: p.total })
                .where('id', '=', jobId)
                .execute()
                .catch(() => undefined);
            }
          },
        });
        if (signal.aborted) throw new StoreError('INGEST_CANCELLED', 'the job was cancelled');
        await recordAudit(txStore.db, {
          action: 'ingest.run',
          actor,
          targetType: 'ingest_job',
          targetId: jobId,
          details: { kind: kind.kind, sourceName, ...(kind.options?.length ? { options } : {}) },
        });
        return { summary: result ?? null, progress: p };
      });
      // Once committed (a rolled-back job changed nothing worth analysing, and the job's
      // transaction stays no longer than its writes), and before the job says it has succeeded,
      // so that the first query on the new rows is planned with their statistics.
      await analyseTables(store, kind.tables ?? []);
      const done = await store.db
        .updateTable('ingest_jobs')
        .set({
          status: 'succeeded',
          done: progress.done,
          total: progress.total,
          summary: JSON.stringify(summary),
          finished_at: new Date(),
        })
        .where('id', '=', jobId)
        .returningAll()
        .executeTakeFirstOrThrow();
      const succeeded = toJob(done);
      store.cache.rememberJob(succeeded, actor.organisationId);
      return succeeded;
    } catch (error) {
      const message = describeError(error).slice(0, 2000);
      const p = store.liveProgress.get(jobId);
      const failed = await store.db.transaction().execute(async (trx) => {
        await recordAudit(trx, {
          action: 'ingest.run',
          outcome: 'failure',
          actor,
          targetType: 'ingest_job',
          targetId: jobId,
          details: { kind: kind.kind, sourceName, error: message },
        });
        return trx
          .updateTable('ingest_jobs')
          .set({
            status: 'failed',
            error: message,
            done: p?.done ?? 0,
            total: p?.total ?? null,
            finished_at: new Date(),
          })
          .where('id', '=', jobId)
          .returningAll()
          .executeTakeFirstOrThrow();
      });
      const failedJob = toJob(failed);
      store.cache.rememberJob(failedJob, actor.organisationId);
      return failedJob;
    } finally {
      store.liveProgress.delete(jobId);
    }
  })();
  store.cache.rememberJob(toJob(row), actor.organisationId);
  return { job: toJob(row), finished };
}

/** Runs an ingest job to its end and returns the final job (status `succeeded` or `failed`). */
export async function runIngestJob(
  store: Store,
  actor: Actor,
  request: IngestRequest,
): Promise<Job> {
  const { finished } = await startIngestJob(store, actor, request);
  return finished;
}
