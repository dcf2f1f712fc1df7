// Targeting training on worker threads (issue 6: "training within 3× of XGBoost's time on these 2
// cores"). The Critical Fraud model is several bagged GBDT members, each independent of the others
// (GbdtParams.bags), so they are trained at once, one per thread, and joined in member order by the
// same pure steps as in-process training (finishTrainingWith in @interdict/targeting): the model is
// the same, byte for byte, whichever way it was trained. Used by the store's training from stored
// feedback and by the CLI's `interdict target train`.
//
// The binned rows (tens of megabytes for KCS train) are copied once into shared memory and every
// member task refers to them there, so sending a task to a thread copies no rows.
import { Worker } from 'node:worker_threads';
import {
  TargetingError,
  finishTrainingWith,
  prepareTraining,
  trainTargetingModel,
  trainingParams,
  type BinnedDataset,
  type Dataset,
  type Declaration,
  type MemberTask,
  type TargetingModel,
  type TrainOptions,
  type TrainResult,
} from '@interdict/targeting';
import { StoreError } from '../errors';
import { tsxWorkerCode, workerCountSetting } from '../worker-threads';

export interface ToTrainWorker {
  readonly id: number;
  readonly task: MemberTask;
}

export type FromTrainWorker =
  | { readonly type: 'round'; readonly id: number; readonly round: number }
  | { readonly type: 'result'; readonly id: number; readonly result: TrainResult }
  | {
      readonly type: 'error';
      readonly id: number;
      readonly error: { readonly code?: string; readonly message: string };
    };

/** Number of training threads from INTERDICT_TRAIN_WORKERS: unset = every core, 0 = in process. */
export function trainingWorkerCount(setting = process.env.INTERDICT_TRAIN_WORKERS): number {
  return workerCountSetting('INTERDICT_TRAIN_WORKERS', setting, 64);
}

type Typed = Float64Array | Uint8Array | Uint16Array | Int32Array;

/** A copy in shared memory (threads then see it without copying), or `a` if already there. */
function shared<T extends Typed>(a: T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const Ctor = a.constructor as new (buffer: SharedArrayBuffer) => T;
  const copy = new Ctor(new SharedArrayBuffer(a.byteLength));
  copy.set(a);
  return copy;
}

function sharedDataset(d: Dataset): Dataset {
  return {
    ...d,
    values: shared(d.values),
    labels: shared(d.labels),
    ...(d.targets ? { targets: shared(d.targets) } : {}),
  };
}

function sharedBinned(b: BinnedDataset): BinnedDataset {
  const { binning } = b;
  return {
    data: sharedDataset(b.data),
    binning: { ...binning, slots: shared(binning.slots), byFeature: shared(binning.byFeature) },
  };
}

/** The tasks with their rows in shared memory, each distinct dataset copied once. */
function shareTasks(tasks: readonly MemberTask[]): MemberTask[] {
  const binned = new Map<BinnedDataset, BinnedDataset>();
  const valid = new Map<Dataset, Dataset>();
  return tasks.map((t) => {
    let data = binned.get(t.data);
    if (!data) binned.set(t.data, (data = sharedBinned(t.data)));
    let v = t.valid && valid.get(t.valid);
    if (t.valid && !v) valid.set(t.valid, (v = sharedDataset(t.valid)));
    return { ...t, data, valid: v };
  });
}

interface Job {
  /** Message id of task 0: ids never repeat, so a late answer to a failed run is ignored. */
  readonly base: number;
  readonly tasks: readonly MemberTask[];
  readonly results: (TrainResult | undefined)[];
  next: number;
  left: number;
  readonly onRound: ((task: number, round: number) => void) | undefined;
  readonly resolve: (results: TrainResult[]) => void;
  readonly reject: (error: Error) => void;
}

/** A few threads that train bagged members; close it when done. */
export class TrainingPool {
  private readonly workers: Worker[] = [];
  private job: Job | undefined;
  private closed = false;
  /** Why a thread died (the pool cannot run members any more). */
  private broken: Error | undefined;
  private ids = 0;

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1)
      throw new StoreError('INVALID_ARGUMENT', 'a training pool needs at least one worker');
    const code = tsxWorkerCode(new URL('./train-worker.ts', import.meta.url));
    for (let i = 0; i < size; i++) {
      const worker = new Worker(code, { eval: true });
      worker.on('message', (msg: FromTrainWorker) => this.onMessage(worker, msg));
      worker.on('error', (error) => this.die(workerFailure(error.message)));
      worker.on('exit', (code) => {
        if (!this.closed) this.die(workerFailure(`it stopped (exit code ${code})`));
      });
      this.workers.push(worker);
    }
  }

  /** Trains `tasks` on the threads; the results in task order. One run at a time. */
  run(
    tasks: readonly MemberTask[],
    onRound?: (task: number, round: number) => void,
  ): Promise<TrainResult[]> {
    if (this.closed) return Promise.reject(workerFailure('the pool is closed'));
    if (this.broken) return Promise.reject(this.broken);
    if (this.job) return Promise.reject(new StoreError('CONFLICT', 'the training pool is busy'));
    if (tasks.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      const job: Job = {
        base: this.ids,
        tasks: shareTasks(tasks),
        results: tasks.map(() => undefined),
        next: 0,
        left: tasks.length,
        onRound,
        resolve,
        reject,
      };
      this.ids += tasks.length;
      this.job = job;
      for (const worker of this.workers) this.give(worker, job);
    });
  }

  private give(worker: Worker, job: Job): void {
    if (job.next >= job.tasks.length) return;
    const i = job.next++;
    const msg: ToTrainWorker = { id: job.base + i, task: job.tasks[i] as MemberTask };
    worker.postMessage(msg);
  }

  private onMessage(worker: Worker, msg: FromTrainWorker): void {
    const job = this.job;
    const i = msg.id - (job?.base ?? 0);
    if (!job || i < 0 || i >= job.tasks.length) return;
    if (msg.type === 'round') {
      job.onRound?.(i, msg.round);
    } else if (msg.type === 'error') {
      const member = job.tasks[i]?.member;
      const what = `training bagged member ${member}: ${msg.error.message}`;
      // The targeting package's own errors keep their code (a bad parameter stays one).
      this.fail(
        msg.error.code && msg.error.code in TARGETING_CODES
          ? new TargetingError(msg.error.code as TargetingError['code'], what)
          : workerFailure(what),
      );
    } else {
      job.results[i] = msg.result;
      const task = job.tasks[i] as MemberTask;
      job.onRound?.(i, task.rounds ?? task.params.rounds);
      if (--job.left === 0) {
        this.job = undefined;
        job.resolve(job.results as TrainResult[]);
      } else {
        this.give(worker, job);
      }
    }
  }

  private die(error: Error): void {
    this.broken ??= error;
    this.fail(this.broken);
  }

  private fail(error: Error): void {
    const job = this.job;
    this.job = undefined;
    job?.reject(error);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.fail(workerFailure('the pool was closed'));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

const TARGETING_CODES: Record<string, true> = {
  INVALID_ARGUMENT: true,
  NO_TRAINING_DATA: true,
};

function workerFailure(message: string): StoreError {
  return new StoreError('STORE_UNAVAILABLE', `targeting training worker: ${message}`);
}

/**
 * trainTargetingModel with the bagged members on `workers` threads (INTERDICT_TRAIN_WORKERS,
 * default every core; never more than there are members); 0 trains in this thread. The threads
 * start before the features are built, so their start-up overlaps that work.
 */
export async function trainTargetingModelInWorkers(
  declarations: readonly Declaration[],
  options: TrainOptions = {},
  workers = trainingWorkerCount(),
): Promise<TargetingModel> {
  if (workers === 0) return trainTargetingModel(declarations, options);
  const pool = new TrainingPool(Math.max(1, Math.min(workers, trainingParams(options).bags)));
  try {
    const started = performance.now();
    options.onProgress?.('features', 0, 1);
    const prepared = prepareTraining(declarations, options);
    options.onProgress?.('features', 1, 1);
    return await finishTrainingWith(prepared, options, performance.now() - started, (tasks, r) =>
      pool.run(tasks, r),
    );
  } finally {
    await pool.close();
  }
}
