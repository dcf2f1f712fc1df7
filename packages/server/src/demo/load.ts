import { createReadStream } from 'node:fs';
import path from 'node:path';
import { describeError } from '@interdict/core';
import type { Services } from '@interdict/services';
import { getIngestKind, type Job } from '@interdict/store';
import { defaultDatasetsDir, readDemoManifest, type DemoFile } from './manifest';

/** The little of a logger the loader uses (pino's Logger fits). */
export interface DemoLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface DemoDataOptions {
  /** The bundle's folder (default: `datasets/` of the clone, or `INTERDICT_DATASETS`). */
  datasetsDir?: string;
  logger?: DemoLogger;
  /** Stops the queue: no further job starts, and the running one is cancelled (rolled back). */
  signal?: AbortSignal;
  /** How often a running job's progress is logged (default 5 s). */
  progressEveryMs?: number;
}

export interface DemoDataRun {
  /** Files that will be loaded, in order. Empty when the database already holds data. */
  readonly planned: readonly DemoFile[];
  /** Files left out because no capability has registered their kind (yet). */
  readonly skipped: readonly DemoFile[];
  /** Why nothing or only part is loaded, for the log. */
  readonly reason: 'fresh' | 'resume' | 'has-data' | 'complete';
  /** Settles when the last planned job has finished (never rejects; failed jobs are in the list). */
  readonly finished: Promise<Job[]>;
}

/** Demo jobs are recognisable by their source name, so a later start can tell them apart. */
export const DEMO_SOURCE_PREFIX = 'datasets/';

const noopLogger: DemoLogger = { info() {}, warn() {}, error() {} };

/**
 * Loads the demo-data bundle as ordinary ingest jobs, one after another in the background, so
 * the server answers `/readyz` at once and the jobs API and console show the progress.
 *
 * When: on a database with no ingest job at all (first start). A start interrupted half-way, or
 * a later start after a capability has registered a kind that was skipped before, resumes with
 * the bundle files that have no job yet. A database holding other data (jobs that did not come
 * from the bundle, and no bundle job) is left alone.
 */
export async function loadDemoData(
  services: Services,
  options: DemoDataOptions = {},
): Promise<DemoDataRun> {
  // Through the ingest service, so that what the jobs put in force (a list version, a dataset
  // release) is committed to the ledger as from any other edge.
  const { ingest } = services;
  const logger = options.logger ?? noopLogger;
  const datasetsDir = options.datasetsDir ?? defaultDatasetsDir();
  const progressEveryMs = options.progressEveryMs ?? 5000;
  const manifest = await readDemoManifest(datasetsDir);
  const actor = await services.platform.operator();

  // Every job name this instance has seen (500 is the repository's page limit; a demo instance
  // holds a dozen). The system actor is the instance admin, so it sees every organisation's jobs.
  const { items: jobs } = await ingest.jobs(actor, { limit: 500 });
  const seen = new Set(jobs.map((j) => j.sourceName));
  const hasDemoJobs = jobs.some((j) => j.sourceName.startsWith(DEMO_SOURCE_PREFIX));
  const reason: DemoDataRun['reason'] =
    jobs.length === 0 ? 'fresh' : hasDemoJobs ? 'resume' : 'has-data';

  const wanted =
    reason === 'has-data'
      ? []
      : manifest.files.filter((f) => f.load && !seen.has(DEMO_SOURCE_PREFIX + f.file));
  const planned = wanted.filter((f) => getIngestKind(f.kind) !== undefined);
  const skipped = wanted.filter((f) => getIngestKind(f.kind) === undefined);

  if (skipped.length > 0) {
    const kinds = [...new Set(skipped.map((f) => f.kind))];
    logger.warn(
      { kinds, files: skipped.map((f) => f.file) },
      `demo data: skipping ${skipped.length} file(s) whose ingest kind is not registered: ${kinds.join(', ')}`,
    );
  }
  if (reason === 'has-data') {
    logger.info({ jobs: jobs.length }, 'demo data: the database already holds data; not loading');
  } else if (planned.length === 0) {
    logger.info({}, 'demo data: nothing to load');
  } else {
    logger.info(
      { files: planned.map((f) => f.file), reason },
      `demo data: loading ${planned.length} file(s) in the background`,
    );
  }

  const finished = (async (): Promise<Job[]> => {
    const results: Job[] = [];
    const started = Date.now();
    for (const [i, file] of planned.entries()) {
      if (options.signal?.aborted) {
        logger.info({ remaining: planned.length - i }, 'demo data: stopped');
        break;
      }
      const step = `${i + 1}/${planned.length}`;
      try {
        const { job, finished: done } = await ingest.start(actor, {
          kind: file.kind,
          sourceName: DEMO_SOURCE_PREFIX + file.file,
          input: createReadStream(path.join(datasetsDir, file.file)),
          ...(options.signal ? { signal: options.signal } : {}),
        });
        logger.info(
          { jobId: job.id, kind: file.kind, file: file.file, step },
          `demo data ${step}: ${file.kind} ${file.file}`,
        );
        const t0 = Date.now();
        // Long files (100,000+ rows) take a while: a progress line every few seconds.
        const ticker = setInterval(() => {
          ingest
            .job(actor, job.id)
            .then((p) => {
              if (p.status !== 'running') return;
              logger.info(
                { jobId: job.id, kind: file.kind, done: p.done, total: p.total, step },
                `demo data ${step}: ${file.kind} ${p.done}${p.total ? `/${p.total}` : ''}`,
              );
            })
            .catch(() => undefined); // a progress line is not worth failing the load for
        }, progressEveryMs);
        ticker.unref();
        const result = await done.finally(() => clearInterval(ticker));
        results.push(result);
        const fields = {
          jobId: result.id,
          kind: file.kind,
          file: file.file,
          status: result.status,
          done: result.done,
          ms: Date.now() - t0,
        };
        if (result.status === 'succeeded') {
          logger.info(fields, `demo data ${step}: ${file.kind} loaded`);
        } else {
          logger.error(
            { ...fields, error: result.error },
            `demo data ${step}: ${file.kind} failed`,
          );
        }
      } catch (error) {
        // A job that could not even be recorded (store closing, kind unregistered meanwhile):
        // log it and go on with the next file rather than leave the queue hanging.
        logger.error(
          { kind: file.kind, file: file.file, error: describeError(error) },
          `demo data ${step}: ${file.kind} could not start`,
        );
      }
    }
    if (planned.length > 0) {
      const failed = results.filter((j) => j.status !== 'succeeded').length;
      logger.info(
        { jobs: results.length, failed, ms: Date.now() - started },
        `demo data: finished (${results.length - failed} loaded, ${failed} failed)`,
      );
    }
    return results;
  })();

  return { planned, skipped, reason, finished };
}
