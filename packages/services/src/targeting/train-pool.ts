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
import { tsxWorkerCode, workerCountSetting } from '@interdict/store';
import { ServiceError } from '../errors';

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

interface Pending {
  readonly id: number;
  readonly task: MemberTask;
  readonly onRound: ((round: number) => void) | undefined;
  readonly resolve: (result: TrainResult) => void;
  readonly reject: (error: Error) => void;
}

/**
 * A few threads that train bagged members, each task on the first free thread in the order given;
 * close it when done.
 */
export class TrainingPool {
  private readonly idle: Worker[] = [];
  private readonly queue: Pending[] = [];
  private readonly running = new Map<Worker, Pending>();
  /** Each dataset's copy in shared memory, made once however many members use it. */
  private readonly sharedBinned = new WeakMap<BinnedDataset, BinnedDataset>();
  private readonly sharedValid = new WeakMap<Dataset, Dataset>();
  private ids = 0;
  private closed = false;
  /** Why a thread died (the pool cannot run members any more). */
  private broken: Error | undefined;

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1)
      throw new ServiceError('INVALID_ARGUMENT', 'a training pool needs at least one worker');
    const code = tsxWorkerCode(new URL('./train-worker.ts', import.meta.url));
    for (let i = 0; i < size; i++) {
      const worker = new Worker(code, { eval: true });
      worker.on('message', (msg: FromTrainWorker) => this.onMessage(worker, msg));
      worker.on('error', (error) => this.die(workerFailure(error.message)));
      worker.on('exit', (code) => {
        if (!this.closed) this.die(workerFailure(`it stopped (exit code ${code})`));
      });
      this.idle.push(worker);
    }
  }

  /** Trains one member on the first free thread. */
  run(task: MemberTask, onRound?: (round: number) => void): Promise<TrainResult> {
    if (this.closed) return Promise.reject(workerFailure('the pool is closed'));
    if (this.broken) return Promise.reject(this.broken);
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.ids++, task: this.share(task), onRound, resolve, reject });
      this.dispatch();
    });
  }

  private share(task: MemberTask): MemberTask {
    let data = this.sharedBinned.get(task.data);
    if (!data) this.sharedBinned.set(task.data, (data = sharedBinned(task.data)));
    let valid = task.valid && this.sharedValid.get(task.valid);
    if (task.valid && !valid) this.sharedValid.set(task.valid, (valid = sharedDataset(task.valid)));
    return { ...task, data, valid };
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const worker = this.idle.pop() as Worker;
      const next = this.queue.shift() as Pending;
      this.running.set(worker, next);
      const msg: ToTrainWorker = { id: next.id, task: next.task };
      worker.postMessage(msg);
    }
  }

  private onMessage(worker: Worker, msg: FromTrainWorker): void {
    const pending = this.running.get(worker);
    if (!pending || pending.id !== msg.id) return;
    if (msg.type === 'round') {
      pending.onRound?.(msg.round);
      return;
    }
    this.running.delete(worker);
    this.idle.push(worker);
    if (msg.type === 'error') {
      const what = `training bagged member ${pending.task.member}: ${msg.error.message}`;
      // The targeting package's own errors keep their code (a bad parameter stays one).
      pending.reject(
        msg.error.code && msg.error.code in TARGETING_CODES
          ? new TargetingError(msg.error.code as TargetingError['code'], what)
          : workerFailure(what),
      );
    } else {
      pending.onRound?.(pending.task.rounds ?? pending.task.params.rounds);
      pending.resolve(msg.result);
    }
    this.dispatch();
  }

  /** A thread died: every task waiting or running fails with the reason. */
  private die(error: Error): void {
    this.broken ??= error;
    this.failAll(this.broken);
  }

  private failAll(error: Error): void {
    const pending = [...this.running.values(), ...this.queue.splice(0)];
    this.running.clear();
    for (const p of pending) p.reject(error);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const workers = [...this.idle, ...this.running.keys()];
    this.failAll(workerFailure('the pool was closed'));
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

const TARGETING_CODES: Record<string, true> = {
  INVALID_ARGUMENT: true,
  NO_TRAINING_DATA: true,
};

function workerFailure(message: string): ServiceError {
  return new ServiceError('STORE_UNAVAILABLE', `targeting training worker: ${message}`);
}

/** Threads a training needs: never more than there are bagged members, at least one. */
export function trainingPoolSize(workers: number, options: TrainOptions): number {
  return Math.max(1, Math.min(workers, trainingParams(options).bags));
}

/**
 * trainTargetingModel with the bagged members on `pool`'s threads: the same model, byte for byte.
 * Start the pool before calling, so that its threads start up while the features are built.
 */
export async function trainTargetingModelOnPool(
  pool: TrainingPool,
  declarations: readonly Declaration[],
  options: TrainOptions = {},
): Promise<TargetingModel> {
  const started = performance.now();
  options.onProgress?.('features', 0, 1);
  const prepared = prepareTraining(declarations, options);
  options.onProgress?.('features', 1, 1);
  return finishTrainingWith(prepared, options, performance.now() - started, (task, r) =>
    pool.run(task, r),
  );
}

/**
 * trainTargetingModel with the bagged members on `workers` threads (INTERDICT_TRAIN_WORKERS,
 * default every core; never more than there are members), on a pool of its own that it closes;
 * 0 trains in this thread.
 */
export async function trainTargetingModelInWorkers(
  declarations: readonly Declaration[],
  options: TrainOptions = {},
  workers = trainingWorkerCount(),
): Promise<TargetingModel> {
  if (workers === 0) return trainTargetingModel(declarations, options);
  const pool = new TrainingPool(trainingPoolSize(workers, options));
  try {
    return await trainTargetingModelOnPool(pool, declarations, options);
  } finally {
    await pool.close();
  }
}
