import {
  INGEST_ROLES,
  JOB_READER_ROLES,
  listIngestKinds,
  startIngestJob,
  type Actor,
  type IngestRequest,
  type Job,
  type ListImportServices,
  type Page,
  type Store,
} from '@interdict/store';
import { requireRole } from '../access';
import { ServiceError } from '../errors';
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

/** An upload as the API receives it: the data, and the other form fields as text. */
export interface IngestUpload {
  readonly kind: string;
  readonly sourceName: string;
  readonly input: AsyncIterable<Uint8Array>;
  /**
   * Every other field, by name: those some kind declares as an attachment are attachments, the
   * rest options; the kind asked for refuses any it does not take, before a job is recorded.
   */
  readonly fields: Readonly<Record<string, string>>;
}

/** A kind of file this instance can ingest, with what a job of it takes beside the data. */
export type IngestKindInfo = ReturnType<typeof listIngestKinds>[number];

/**
 * The ingest use cases. Every job runs in one transaction (packages/store/src/ingest/run.ts); what
 * a kind puts in force (a list version, a dataset release) is committed to the ledger inside that
 * same transaction through `IngestContext.record`, and a job counts as finished only once those
 * entries are durable in the log. Whichever edge starts a job (the API, the CLI, the demo
 * loader), it goes through here, so nothing is put in force unlogged.
 */
export class IngestService {
  /**
   * Jobs running in this process, to cancel them (a job on another replica is that one's) and
   * to let them roll back before the store closes.
   */
  private readonly running = new Map<
    string,
    { readonly controller: AbortController; readonly ended: Promise<unknown> }
  >();

  constructor(private readonly deps: IngestDeps) {}

  /** The kinds this build can ingest (any signed-in user may know them). */
  kinds(): IngestKindInfo[] {
    return listIngestKinds();
  }

  /** Jobs of the actor's organisation (the instance admin: all), newest first, in pages. */
  async jobs(actor: Actor, options: { limit?: number; cursor?: string } = {}): Promise<Page<Job>> {
    requireRole(actor, ...JOB_READER_ROLES);
    return this.deps.store.jobs.list(actor, options);
  }

  /** One job within reach, with live progress; NOT_FOUND otherwise. */
  async job(actor: Actor, id: string): Promise<Job> {
    requireRole(actor, ...JOB_READER_ROLES);
    return this.deps.store.jobs.get(actor, id);
  }

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
   * Admins and analysts only, checked before anything is recorded.
   */
  async start(
    actor: Actor,
    request: IngestJobRequest,
  ): Promise<{ job: Job; finished: Promise<Job> }> {
    const { job, finished } = await this.launch(actor, request);
    return { job, finished: finished.then((f) => f.job) };
  }

  /** Runs a job to its end (the CLI and the demo loader); the final job and its ledger entries. */
  async run(
    actor: Actor,
    request: IngestJobRequest,
  ): Promise<{ job: Job; entries: LedgerReceipt[] }> {
    const { finished } = await this.launch(actor, request);
    return finished;
  }

  /**
   * Starts an uploaded file's job (POST /api/jobs): the other form fields become the kind's
   * attachments and options.
   */
  async upload(actor: Actor, upload: IngestUpload): Promise<{ job: Job; finished: Promise<Job> }> {
    // Attachment names come from every kind, so that a file sent to a kind that takes none is
    // refused as an attachment it does not take rather than as an unknown option.
    const attachmentNames = new Set(
      listIngestKinds().flatMap((k) => (k.attachments ?? []).map((a) => a.name)),
    );
    const attachments: Record<string, string> = {};
    const options: Record<string, string> = {};
    for (const [name, value] of Object.entries(upload.fields)) {
      if (attachmentNames.has(name)) attachments[name] = value;
      else options[name] = value;
    }
    return this.start(actor, {
      kind: upload.kind,
      sourceName: upload.sourceName,
      input: upload.input,
      ...(Object.keys(attachments).length ? { attachments } : {}),
      ...(Object.keys(options).length ? { options } : {}),
    });
  }

  /**
   * Cancels a job running in this process (admins and analysts of its organisation): its
   * transaction rolls back, so nothing it read is kept, and it ends `failed` with the reason.
   * NOT_FOUND out of reach; CONFLICT for a job that has ended or runs on another replica.
   */
  async cancel(actor: Actor, id: string): Promise<Job> {
    requireRole(actor, ...INGEST_ROLES);
    const job = await this.deps.store.jobs.get(actor, id);
    const controller = this.running.get(job.id)?.controller;
    if (!controller || job.status === 'succeeded' || job.status === 'failed') {
      throw new ServiceError(
        'CONFLICT',
        job.status === 'succeeded' || job.status === 'failed'
          ? `job ${job.id} has already ${job.status}`
          : `job ${job.id} runs on another replica; cancel it there`,
        { details: { status: job.status } },
      );
    }
    controller.abort();
    return job;
  }

  private async launch(
    actor: Actor,
    request: IngestJobRequest,
  ): Promise<{ job: Job; finished: Promise<{ job: Job; entries: LedgerReceipt[] }> }> {
    requireRole(actor, ...INGEST_ROLES);
    // The sequencer before the transaction: on PGlite the job's transaction holds the session.
    await this.deps.ledger.start();
    const controller = new AbortController();
    const signal = request.signal
      ? AbortSignal.any([request.signal, controller.signal])
      : controller.signal;
    const { request: withLedger, staged } = this.withLedger(actor, { ...request, signal });
    const { job, finished } = await startIngestJob(this.deps.store, actor, withLedger);
    const ended = finished.finally(() => this.running.delete(job.id));
    this.running.set(job.id, { controller, ended });
    return { job, finished: ended.then((j) => this.settle(j, staged)) };
  }

  /**
   * Cancels the jobs this process still runs and waits until they have rolled back (their
   * callers see them fail), so that the ledger and the store close under no open transaction.
   */
  async close(): Promise<void> {
    const running = [...this.running.values()];
    for (const { controller } of running) controller.abort();
    await Promise.allSettled(running.map((r) => r.ended));
  }
}
