import {
  type ListImportServices,
  runIngestJob,
  startIngestJob,
  type Actor,
  type IngestRequest,
  type Job,
  type Store,
} from '@interdict/store';
import type { LedgerReceipt, LedgerService } from '../ledger/service';
import type { ServicesSettings } from '../settings';

/** What the composition root hands the ingest service. */
export interface IngestDeps {
  readonly store: Store;
  readonly ledger: LedgerService;
  readonly settings: ServicesSettings;
  /** The screening service's part of a list import (re-screening monitored parties). */
  readonly screening?: ListImportServices;
}

/** An ingest request as the edges give it: everything but the ledger hook, which is ours. */
export type IngestJobRequest = Omit<IngestRequest, 'stage'>;

/**
 * The ingest use cases. Every job runs in one transaction (packages/store/src/ingest/run.ts); what
 * a kind puts in force (a list version, a dataset release) is committed to the ledger inside that
 * same transaction through `IngestContext.record`, and a job counts as finished only once those
 * entries are durable in the log.
 */
export class IngestService {
  constructor(private readonly deps: IngestDeps) {}

  /** The request with the ledger hook: records are staged as `actor` in the job's transaction. */
  private withLedger(
    actor: Actor,
    request: IngestJobRequest,
  ): { request: IngestRequest; staged: { seq: number; type: string }[] } {
    const staged: { seq: number; type: string }[] = [];
    const ledger = this.deps.ledger;
    return {
      staged,
      request: {
        ...request,
        ...(this.deps.screening ? { screening: this.deps.screening } : {}),
        stage: async (tx, record) => {
          staged.push(await ledger.stage(tx, actor, record));
        },
      },
    };
  }

  /** After a job: its ledger entries are durable (a failed job staged nothing that survived). */
  private async settle(
    job: Job,
    staged: readonly { seq: number; type: string }[],
  ): Promise<{ job: Job; entries: LedgerReceipt[] }> {
    if (job.status !== 'succeeded' || staged.length === 0) return { job, entries: [] };
    return { job, entries: await this.deps.ledger.acknowledge(staged) };
  }

  /**
   * Records a queued job and starts it; `finished` settles with the final job once its ledger
   * entries are durable (never rejects for a failed job: that is a job with status `failed`).
   */
  async start(
    actor: Actor,
    request: IngestJobRequest,
  ): Promise<{ job: Job; finished: Promise<Job> }> {
    // The sequencer before the transaction: on PGlite the job's transaction holds the session.
    await this.deps.ledger.start();
    const { request: withLedger, staged } = this.withLedger(actor, request);
    const { job, finished } = await startIngestJob(this.deps.store, actor, withLedger);
    return { job, finished: finished.then(async (j) => (await this.settle(j, staged)).job) };
  }

  /** Runs a job to its end (the CLI and the demo loader); the final job and its ledger entries. */
  async run(
    actor: Actor,
    request: IngestJobRequest,
  ): Promise<{ job: Job; entries: LedgerReceipt[] }> {
    await this.deps.ledger.start();
    const { request: withLedger, staged } = this.withLedger(actor, request);
    return this.settle(await runIngestJob(this.deps.store, actor, withLedger), staged);
  }

  /** Releases what this service started (nothing yet: jobs belong to their callers). */
  async close(): Promise<void> {
    await Promise.resolve();
  }
}
