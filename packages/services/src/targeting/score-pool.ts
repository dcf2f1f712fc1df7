// Targeting scoring on worker threads (issue 6: "≥ 200,000 declarations/s for the Fraud model,
// features + trees", beside XGBoost's predict, which uses every core). A large batch's feature
// matrix is copied once into shared memory and its rows are scored in chunks by every thread at
// once; each thread holds the compiled model (sent once per model, compiled there) and writes its
// rows' probabilities into a shared output. Every row is scored by the same pure code as in process
// (CompiledGbdt.probabilities), so the scores are identical bit for bit. Small batches stay in
// process: below SCORE_POOL_MIN_ROWS rows, messaging costs more than the second core saves.
//
// Owned by whoever starts it: the targeting service's workers (workers.ts, closed with the services)
// for a day's scoring and the out-of-time evaluation, and the CLI's `interdict target score`. Idle
// threads do not keep the process alive.
import { Worker } from 'node:worker_threads';
import {
  TargetingError,
  type Declaration,
  type FeatureMatrix,
  type GbdtModel,
  type ScoringFeatureOptions,
  type TargetingErrorCode,
  type TargetingModel,
} from '@interdict/targeting';
import { tsxWorkerCode, workerCountSetting } from '@interdict/store';
import { ServiceError } from '../errors';

export type ToScoreWorker =
  | {
      readonly type: 'load';
      readonly model: number;
      readonly featureCount: number;
      readonly gbdt: GbdtModel;
    }
  | { readonly type: 'drop'; readonly model: number }
  | {
      readonly type: 'score';
      readonly id: number;
      readonly model: number;
      /** Row-major features (featureCount per row) from byte valuesOffset; rows [from, to). */
      readonly values: SharedArrayBuffer;
      readonly valuesOffset: number;
      readonly out: SharedArrayBuffer;
      readonly from: number;
      readonly to: number;
      /** Raw margins instead of probabilities. */
      readonly margins: boolean;
    };

export type FromScoreWorker =
  | { readonly type: 'done'; readonly id: number }
  | {
      readonly type: 'error';
      readonly id: number;
      readonly error: { readonly code?: string; readonly message: string };
    };

/** Number of scoring threads from INTERDICT_SCORE_WORKERS: unset = every core, 0 = in process. */
export function scoringWorkerCount(setting = process.env.INTERDICT_SCORE_WORKERS): number {
  return workerCountSetting('INTERDICT_SCORE_WORKERS', setting, 64);
}

/**
 * Batches smaller than this are scored in process: sending a batch to the threads costs shared
 * memory and a message round trip per chunk. Fraud model, features + trees, 2 threads, best of 40
 * (2026-11-25, load average ~5): 1,024 rows 5.4 ms on the pool against 4.8 ms in process, 2,048
 * rows 7.8 against 9.9 ms, 8,134 rows 23 against 38 ms.
 */
export const SCORE_POOL_MIN_ROWS = 2048;
/** Rows per chunk at least, and chunks per thread at most (several, so a busy core lags less). */
const MIN_CHUNK_ROWS = 512;
const CHUNKS_PER_WORKER = 4;
/** Chunks a thread holds at once: one being scored and one waiting, so it never idles. */
const IN_FLIGHT_PER_WORKER = 2;
/** Compiled models a thread keeps (the least recently used is dropped). */
const MODELS_PER_WORKER = 4;

interface Task {
  readonly id: number;
  readonly model: number;
  readonly gbdt: GbdtModel;
  readonly message: Extract<ToScoreWorker, { type: 'score' }>;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

interface Slot {
  readonly worker: Worker;
  /** Model ids loaded, least recently used first. */
  readonly loaded: number[];
  readonly tasks: Map<number, Task>;
  /** It answered at least once (a thread that never starts is not replaced). */
  healthy: boolean;
}

const TARGETING_CODES: ReadonlySet<string> = new Set<TargetingErrorCode>([
  'MODEL_MALFORMED',
  'MODEL_SCHEMA',
  'INVALID_ARGUMENT',
]);

function failure(message: string, cause?: Error): ServiceError {
  return new ServiceError(
    'STORE_UNAVAILABLE',
    `targeting scoring worker: ${message}`,
    cause ? { cause } : undefined,
  );
}

export interface ScorePoolOptions {
  /** Batches with fewer rows are scored in process (default SCORE_POOL_MIN_ROWS). */
  readonly minRows?: number;
  /** The code each thread runs (`new Worker(code, { eval: true })`); default score-worker.ts. */
  readonly workerCode?: string;
}

/** Threads that score feature matrices with compiled GBDT models; close it when done. */
export class ScorePool {
  readonly minRows: number;
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private readonly code: string;
  /** Pool-wide model ids, by model object (a model's trees never change once trained). */
  private readonly ids = new WeakMap<GbdtModel, number>();
  private modelSeq = 0;
  private taskSeq = 0;
  private closed = false;

  constructor(
    readonly size: number,
    options: ScorePoolOptions = {},
  ) {
    if (!Number.isInteger(size) || size < 1)
      throw new ServiceError('INVALID_ARGUMENT', 'a scoring pool needs at least one worker');
    this.minRows = options.minRows ?? SCORE_POOL_MIN_ROWS;
    this.code = options.workerCode ?? tsxWorkerCode(new URL('./score-worker.ts', import.meta.url));
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
    this.updateRefs();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Threads running (fewer than `size` once some have died and could not be replaced). */
  get workers(): number {
    return this.slots.length;
  }

  private spawn(): Slot {
    const worker = new Worker(this.code, { eval: true });
    const slot: Slot = { worker, loaded: [], tasks: new Map(), healthy: false };
    worker.on('message', (msg: FromScoreWorker) => this.onMessage(slot, msg));
    worker.on('error', (error) => this.onExit(slot, error));
    worker.on('exit', (code) => this.onExit(slot, new Error(`it stopped (exit code ${code})`)));
    return slot;
  }

  /** Probabilities of every row of `matrix` under `model`, as `model.scoreMatrix` gives them. */
  async scoreMatrix(model: TargetingModel, matrix: FeatureMatrix): Promise<Float64Array> {
    if (matrix.names.length !== model.names.length)
      throw new TargetingError('MODEL_SCHEMA', 'feature matrix does not match the model schema');
    return this.run(model.gbdt, matrix.values, matrix.rows, false);
  }

  /**
   * `model.features(declarations)` and `model.scoreMatrix` of it, pipelined: the features are
   * built here chunk by chunk, straight into shared memory, while the threads score the chunks
   * already built. Without the `online` option a declaration's features come from the model's
   * history alone (buildScoringFeatures), so a chunk's rows are those of the whole batch; the
   * matrix and the scores are the same, bit for bit.
   */
  async scoreDeclarations(
    model: TargetingModel,
    declarations: readonly Declaration[],
  ): Promise<{ matrix: FeatureMatrix; scores: Float64Array }> {
    if (this.closed) throw failure('the pool is closed');
    if (this.slots.length === 0) throw failure('no worker is running');
    const rows = declarations.length;
    const F = model.names.length;
    const values = new Float64Array(new SharedArrayBuffer(rows * F * 8));
    const out = new SharedArrayBuffer(rows * 8);
    const chunk = this.chunkRows(rows);
    const parts: Promise<void>[] = [];
    let failed = false;
    for (let from = 0; from < rows && !failed; from += chunk) {
      const to = Math.min(rows, from + chunk);
      values.set(model.features(declarations.slice(from, to)).values, from * F);
      const part = this.enqueue(model.gbdt, values, out, from, to, false);
      // Handled at once (the failure is reported by Promise.all below, not as unhandled
      // meanwhile), and no further chunk is built.
      part.catch(() => (failed = true));
      parts.push(part);
      this.pump();
      // Let the threads' answers in, so that the next chunks are handed out as they finish.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await Promise.all(parts);
    // The matrix stays in shared memory (no thread writes to it); the scores are copied out.
    return {
      matrix: { names: model.names, rows, values },
      scores: new Float64Array(new Float64Array(out)),
    };
  }

  /** Raw margins of `rows` rows of a row-major matrix, as `CompiledGbdt.margins` gives them. */
  margins(gbdt: GbdtModel, values: Float64Array, rows: number): Promise<Float64Array> {
    return this.run(gbdt, values, rows, true);
  }

  /** Probabilities of `rows` rows of a row-major matrix, as `CompiledGbdt.probabilities`. */
  probabilities(gbdt: GbdtModel, values: Float64Array, rows: number): Promise<Float64Array> {
    return this.run(gbdt, values, rows, false);
  }

  private async run(
    gbdt: GbdtModel,
    values: Float64Array,
    rows: number,
    margins: boolean,
  ): Promise<Float64Array> {
    if (this.closed) throw failure('the pool is closed');
    const F = gbdt.featureCount;
    if (!Number.isInteger(F) || F < 1)
      throw new TargetingError('MODEL_MALFORMED', 'malformed model: bad feature count');
    if (!Number.isInteger(rows) || rows < 0 || values.length < rows * F)
      throw new TargetingError(
        'INVALID_ARGUMENT',
        `a matrix of ${rows} rows × ${F} features needs ${rows * F} values, got ${values.length}`,
      );
    if (this.slots.length === 0) throw failure('no worker is running');
    if (rows === 0) return new Float64Array(0);
    // Shared memory: the threads read the rows where they are (a copy only when not shared yet).
    let input = values;
    if (!(values.buffer instanceof SharedArrayBuffer)) {
      input = new Float64Array(new SharedArrayBuffer(rows * F * 8));
      input.set(values.subarray(0, rows * F));
    }
    const out = new SharedArrayBuffer(rows * 8);
    const chunk = this.chunkRows(rows);
    const parts: Promise<void>[] = [];
    for (let from = 0; from < rows; from += chunk)
      parts.push(this.enqueue(gbdt, input, out, from, Math.min(rows, from + chunk), margins));
    this.pump();
    await Promise.all(parts);
    // An ordinary array for the caller (the shared one would be visible to the threads).
    return new Float64Array(new Float64Array(out));
  }

  private chunkRows(rows: number): number {
    return Math.max(MIN_CHUNK_ROWS, Math.ceil(rows / (this.slots.length * CHUNKS_PER_WORKER)));
  }

  /** Queues rows [from, to) of `input` (shared) to be scored into `out` (shared). */
  private enqueue(
    gbdt: GbdtModel,
    input: Float64Array,
    out: SharedArrayBuffer,
    from: number,
    to: number,
    margins: boolean,
  ): Promise<void> {
    let model = this.ids.get(gbdt);
    if (model === undefined) this.ids.set(gbdt, (model = ++this.modelSeq));
    const id = ++this.taskSeq;
    const message: Task['message'] = {
      type: 'score',
      id,
      model,
      values: input.buffer as SharedArrayBuffer,
      valuesOffset: input.byteOffset,
      out,
      from,
      to,
      margins,
    };
    return new Promise<void>((resolve, reject) =>
      this.queue.push({ id, model, gbdt, message, resolve, reject }),
    );
  }

  private pump(): void {
    if (this.slots.length === 0) {
      const error = failure(this.closed ? 'the pool was closed' : 'no worker is running');
      for (const task of this.queue.splice(0)) task.reject(error);
    }
    while (this.queue.length > 0) {
      let best: Slot | undefined;
      for (const slot of this.slots) {
        if (slot.tasks.size >= IN_FLIGHT_PER_WORKER) continue;
        if (!best || slot.tasks.size < best.tasks.size) best = slot;
      }
      if (!best) break;
      const task = this.queue.shift() as Task;
      this.ensureLoaded(best, task);
      best.tasks.set(task.id, task);
      best.worker.postMessage(task.message);
    }
    this.updateRefs();
  }

  /**
   * Sends the model before its first task to this thread. A thread handles its messages in
   * order, so a drop sent now still follows the tasks already sent for that model.
   */
  private ensureLoaded(slot: Slot, task: Task): void {
    const at = slot.loaded.indexOf(task.model);
    if (at >= 0) {
      slot.loaded.splice(at, 1);
      slot.loaded.push(task.model);
      return;
    }
    while (slot.loaded.length >= MODELS_PER_WORKER) {
      const old = slot.loaded.shift() as number;
      const drop: ToScoreWorker = { type: 'drop', model: old };
      slot.worker.postMessage(drop);
    }
    const load: ToScoreWorker = {
      type: 'load',
      model: task.model,
      featureCount: task.gbdt.featureCount,
      gbdt: task.gbdt,
    };
    slot.worker.postMessage(load);
    slot.loaded.push(task.model);
  }

  private onMessage(slot: Slot, msg: FromScoreWorker): void {
    slot.healthy = true;
    const task = slot.tasks.get(msg.id);
    if (task) {
      slot.tasks.delete(msg.id);
      if (msg.type === 'done') task.resolve();
      else {
        const what = `targeting scoring worker: ${msg.error.message}`;
        // The targeting package's own errors keep their code (a malformed model stays one).
        task.reject(
          msg.error.code && TARGETING_CODES.has(msg.error.code)
            ? new TargetingError(msg.error.code as TargetingErrorCode, what)
            : failure(msg.error.message),
        );
      }
    }
    this.pump();
  }

  /** A thread died: its tasks fail; one that had been working is replaced. */
  private onExit(slot: Slot, error: Error): void {
    const at = this.slots.indexOf(slot);
    if (at < 0) return;
    this.slots.splice(at, 1);
    const reason = failure(error.message, error);
    for (const task of slot.tasks.values()) task.reject(reason);
    slot.tasks.clear();
    if (!this.closed && slot.healthy) this.slots.push(this.spawn());
    this.pump();
  }

  /** Threads keep the process alive only while they have work (an idle pool lets it exit). */
  private updateRefs(): void {
    for (const slot of this.slots) {
      if (slot.tasks.size > 0) slot.worker.ref();
      else slot.worker.unref();
    }
  }

  /** Stops every thread; queued and running batches fail (STORE_UNAVAILABLE). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const slots = this.slots.splice(0);
    const error = failure('the pool was closed');
    for (const task of this.queue.splice(0)) task.reject(error);
    for (const slot of slots) {
      for (const task of slot.tasks.values()) task.reject(error);
      slot.tasks.clear();
    }
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }
}

/**
 * `model.features(declarations, options)` and its scores: pipelined on the pool's threads
 * (ScorePool.scoreDeclarations) when the batch is large enough and not `online` (whose history
 * advances through the batch), else built and scored in process. The same matrix and scores.
 */
export async function scoreDeclarationsInWorkers(
  model: TargetingModel,
  declarations: readonly Declaration[],
  options: ScoringFeatureOptions,
  pool: ScorePool | null,
): Promise<{ matrix: FeatureMatrix; scores: Float64Array }> {
  if (!pool || options.online || declarations.length < pool.minRows) {
    const matrix = model.features(declarations, options);
    return { matrix, scores: model.scoreMatrix(matrix) };
  }
  return pool.scoreDeclarations(model, declarations);
}

/**
 * `model.scoreMatrix(matrix)`, on the pool's threads when the batch is large enough (the same
 * scores bit for bit), else in process (also when `pool` is null).
 */
export async function scoreMatrixInWorkers(
  model: TargetingModel,
  matrix: FeatureMatrix,
  pool: ScorePool | null,
): Promise<Float64Array> {
  if (!pool || matrix.rows < pool.minRows) return model.scoreMatrix(matrix);
  return pool.scoreMatrix(model, matrix);
}
