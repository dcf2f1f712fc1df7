// A pool of worker threads that screen queries, one index per thread (issue 5 §4: "batch screening
// uses every core"). The screening service owns one (match requests, monitored parties, targeting's
// party screening); the CLI's `interdict screen batch` starts its own, so both spread work the
// same way.
//
// Generations: every distinct set of list versions in force is one generation. Each worker builds
// its own index for it from the entities' JSON; the pool switches to the new generation only when
// every worker has built it (an atomic swap), and a request runs wholly on the generation it
// started with, so a result never mixes list versions and always names the versions it used. A
// retired generation is dropped from the workers once its last chunk has been answered.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { ScreeningError, type ScreeningQuery, type SearchOptions } from '@interdict/screening';
import { StoreError, tsxWorkerCode, workerCountSetting } from '@interdict/store';
import type { FromWorker, PooledHit, ToWorker, WorkerError } from './worker-protocol';

export type { PooledHit } from './worker-protocol';

/** What a generation is built from: its key (stored version ids), the version ids results name. */
export interface ScreeningPoolSource {
  readonly key: string;
  readonly listVersions: readonly string[];
  /** JSON array of the entities; one string crosses to each thread faster than an object graph. */
  readonly entitiesJson: string;
}

export interface ScreeningGeneration {
  readonly gen: number;
  readonly key: string;
  readonly listVersions: readonly string[];
}

export interface PoolSearchOptions {
  /** Include each hit's explanation (default true). */
  readonly explain?: boolean;
  /** `throw` (default): a bad query fails the request; `empty`: it gets no hits. */
  readonly onError?: 'throw' | 'empty';
  /** Queries per message to a worker (default: the batch split evenly, at most 256). */
  readonly chunkSize?: number;
  /** Called with the number of queries answered so far. */
  readonly onProgress?: (done: number) => void;
}

interface Generation extends ScreeningGeneration {
  /** Kept while the generation is in force, so that a replacement worker can build it. */
  entitiesJson: string;
  /** Order in which its entities were read: a later read is at least as new. */
  readonly readOrder: number;
  pending: number;
  retired: boolean;
}

interface Task {
  readonly id: number;
  readonly gen: Generation;
  readonly message: Extract<ToWorker, { type: 'search' }>;
  readonly resolve: (hits: PooledHit[][] | string[]) => void;
  readonly reject: (error: Error) => void;
}

interface Slot {
  readonly worker: Worker;
  readonly loaded: Set<number>;
  readonly tasks: Map<number, Task>;
  readonly loads: Map<number, { resolve: () => void; reject: (e: Error) => void }>;
  healthy: boolean;
}

/** Chunks a worker holds at once: one being screened, one waiting, so it never idles. */
const IN_FLIGHT_PER_WORKER = 2;

function workerEntry(): { code: string } {
  return { code: tsxWorkerCode(new URL('./screening-worker.ts', import.meta.url)) };
}

function toError(e: WorkerError): Error {
  // Bad queries keep their screening code, so the API answers them as before (400).
  if (e.code && /^(NAME_|INVALID_QUERY)/.test(e.code)) {
    return new ScreeningError(e.code as 'NAME_EMPTY', e.message);
  }
  return new StoreError('STORE_UNAVAILABLE', `screening worker: ${e.message}`);
}

/** Number of screening threads from a setting such as INTERDICT_SCREENING_WORKERS. */
export function screeningWorkerCount(setting: string | undefined): number {
  return workerCountSetting('INTERDICT_SCREENING_WORKERS', setting, 256);
}

export class ScreeningWorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private current: Generation | undefined;
  /** Generations still loaded in the workers: the one in force and retired ones still answering. */
  private readonly alive = new Map<number, Generation>();
  private genSeq = 0;
  private taskSeq = 0;
  private reads = 0;
  private chain: Promise<unknown> = Promise.resolve();
  private loadsInProgress = 0;
  private closed = false;
  private readonly entry = workerEntry();

  constructor(readonly size: number = availableParallelism()) {
    if (!Number.isInteger(size) || size < 1) {
      throw new StoreError('INVALID_ARGUMENT', `a screening pool needs at least one worker`);
    }
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
    this.updateRefs();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** The generation in force, if one has been built. */
  get generation(): ScreeningGeneration | undefined {
    return this.current;
  }

  private spawn(): Slot {
    const worker = new Worker(this.entry.code, { eval: true });
    const slot: Slot = {
      worker,
      loaded: new Set(),
      tasks: new Map(),
      loads: new Map(),
      healthy: false,
    };
    worker.on('message', (msg: FromWorker) => this.onMessage(slot, msg));
    worker.on('error', (error) => this.onExit(slot, error));
    worker.on('exit', (code) =>
      this.onExit(slot, new Error(`a screening worker stopped (exit code ${code})`)),
    );
    return slot;
  }

  private onMessage(slot: Slot, msg: FromWorker): void {
    if (msg.type === 'loaded' || msg.type === 'load-failed') {
      const waiter = slot.loads.get(msg.gen);
      slot.loads.delete(msg.gen);
      if (msg.type === 'loaded') {
        slot.healthy = true;
        // No waiter: the build was abandoned (another worker failed it) and a drop is on its way.
        if (waiter) slot.loaded.add(msg.gen);
        waiter?.resolve();
      } else {
        waiter?.reject(toError(msg.error));
      }
    } else {
      const task = slot.tasks.get(msg.id);
      if (!task) return;
      slot.tasks.delete(msg.id);
      this.settle(task);
      if (msg.type === 'result') task.resolve(msg.hits);
      else task.reject(toError(msg.error));
    }
    this.pump();
  }

  private onExit(slot: Slot, error: Error): void {
    const at = this.slots.indexOf(slot);
    if (at < 0) return;
    this.slots.splice(at, 1);
    const failure = new StoreError('STORE_UNAVAILABLE', `screening: ${error.message}`, {
      cause: error,
    });
    for (const task of slot.tasks.values()) {
      this.settle(task);
      task.reject(failure);
    }
    slot.tasks.clear();
    for (const waiter of slot.loads.values()) waiter.reject(failure);
    slot.loads.clear();
    // Replace a worker that had been working; one that never came up would fail again.
    if (!this.closed && slot.healthy) {
      const fresh = this.spawn();
      this.slots.push(fresh);
      const current = this.current;
      if (current) {
        this.loadInto(fresh, current).catch(() => {
          // A replacement that cannot build stays out of rotation (its exit removes it).
        });
      }
    }
    this.pump();
  }

  private settle(task: Task): void {
    task.gen.pending--;
    this.maybeDrop(task.gen);
  }

  private maybeDrop(gen: Generation): void {
    if (!gen.retired || gen.pending > 0) return;
    this.alive.delete(gen.gen);
    for (const slot of this.slots) {
      if (slot.loaded.delete(gen.gen)) this.post(slot, { type: 'drop', gen: gen.gen });
    }
  }

  private post(slot: Slot, msg: ToWorker): void {
    slot.worker.postMessage(msg);
  }

  private loadInto(slot: Slot, gen: Generation): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      slot.loads.set(gen.gen, { resolve, reject });
      this.post(slot, { type: 'load', gen: gen.gen, entitiesJson: gen.entitiesJson });
    });
  }

  /** Workers keep the process alive only while they have work (an idle pool lets it exit). */
  private updateRefs(): void {
    const busy = this.queue.length > 0 || this.loadsInProgress > 0;
    for (const slot of this.slots) {
      if (busy || slot.tasks.size > 0) slot.worker.ref();
      else slot.worker.unref();
    }
  }

  private pump(): void {
    if (this.slots.length === 0 && this.queue.length > 0) {
      const failure = new StoreError('STORE_UNAVAILABLE', 'screening: no worker is running');
      for (const task of this.queue.splice(0)) {
        this.settle(task);
        task.reject(failure);
      }
    }
    while (this.queue.length > 0) {
      const task = this.queue[0]!;
      const gen = task.gen.gen;
      if (!this.slots.some((slot) => slot.loaded.has(gen) || slot.loads.has(gen))) {
        // Every worker that held this generation has gone: the request cannot be answered on it.
        this.queue.shift();
        this.settle(task);
        task.reject(
          new StoreError('STORE_UNAVAILABLE', 'screening: the worker holding it stopped'),
        );
        continue;
      }
      let best: Slot | undefined;
      for (const slot of this.slots) {
        if (!slot.loaded.has(task.gen.gen) || slot.tasks.size >= IN_FLIGHT_PER_WORKER) continue;
        if (!best || slot.tasks.size < best.tasks.size) best = slot;
      }
      if (!best) break;
      this.queue.shift();
      best.tasks.set(task.id, task);
      this.post(best, task.message);
    }
    this.updateRefs();
  }

  /** Build `source` in every worker, then (unless `inForce` is false) make it the generation in force. */
  private async build(
    source: ScreeningPoolSource,
    readOrder: number,
    inForce = true,
  ): Promise<Generation> {
    const gen: Generation = {
      gen: ++this.genSeq,
      key: source.key,
      listVersions: [...source.listVersions],
      entitiesJson: source.entitiesJson,
      readOrder,
      pending: 0,
      retired: false,
    };
    this.loadsInProgress++;
    this.updateRefs();
    try {
      const slots = [...this.slots];
      if (slots.length === 0) throw new StoreError('STORE_UNAVAILABLE', 'screening: no worker');
      await Promise.all(slots.map((slot) => this.loadInto(slot, gen)));
    } catch (error) {
      gen.retired = true;
      this.maybeDrop(gen);
      // Workers still building it would keep a whole index nobody uses: abandon their loads and
      // tell them to drop it (a worker handles messages in order, so the drop follows the load).
      for (const slot of this.slots) {
        if (slot.loads.delete(gen.gen)) this.post(slot, { type: 'drop', gen: gen.gen });
      }
      throw error;
    } finally {
      this.loadsInProgress--;
      this.updateRefs();
    }
    if (!inForce) {
      this.alive.set(gen.gen, gen);
      return gen;
    }
    const old = this.current;
    this.current = gen;
    this.alive.set(gen.gen, gen);
    if (old) {
      old.retired = true;
      old.entitiesJson = '';
      this.maybeDrop(old);
    }
    this.pump();
    return gen;
  }

  /**
   * The generation for the versions whose key is `key`, built from `read()` when the one in force
   * has another key. Builds run one at a time; `read()` is called only when a build is needed,
   * and a generation read after this call started is accepted whatever its key (it is at least as
   * new as the versions the caller saw). Rejects with STORE_UNAVAILABLE (details.retryAfter, in
   * seconds) when no generation is ready within `waitMs`.
   */
  async generationFor(
    key: string,
    read: () => Promise<ScreeningPoolSource>,
    waitMs = Infinity,
  ): Promise<ScreeningGeneration> {
    const asked = this.reads;
    const current = this.current;
    if (current?.key === key && !current.retired) return current;
    const next = this.chain.then(async (): Promise<Generation> => {
      const now = this.current;
      if (now && (now.key === key || now.readOrder > asked)) return now;
      const order = ++this.reads;
      return this.build(await read(), order);
    });
    this.chain = next.catch(() => undefined);
    if (!Number.isFinite(waitMs)) return next;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(
          new StoreError('STORE_UNAVAILABLE', 'the screening index is being built; try again', {
            details: { retryAfter: Math.max(1, Math.ceil(waitMs / 1000)) },
          }),
        );
      }, waitMs);
    });
    try {
      return await Promise.race([next, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Build `source` in every worker without putting it in force, run `fn` on it, then drop it. For
   * screening inside a transaction that may not commit (a list import re-screening monitored
   * parties against the version it is installing): match requests never see that generation, and
   * it does not wait behind builds that read outside the transaction (on PGlite those would wait
   * for the transaction: a deadlock).
   */
  async withGeneration<T>(
    source: ScreeningPoolSource,
    fn: (generation: ScreeningGeneration) => Promise<T>,
  ): Promise<T> {
    const gen = await this.build(source, -1, false);
    try {
      return await fn(gen);
    } finally {
      gen.retired = true;
      gen.entitiesJson = '';
      this.maybeDrop(gen);
    }
  }

  /**
   * Screen `queries` on one generation (the one in force when omitted), split into chunks over
   * the workers; hits come back in input order. `null` queries get no hits.
   */
  async search(
    queries: readonly (ScreeningQuery | null)[],
    options: SearchOptions,
    pool: PoolSearchOptions = {},
    generation?: ScreeningGeneration,
  ): Promise<{ generation: ScreeningGeneration; hits: PooledHit[][] }> {
    const r = await this.run(queries, options, pool, generation, false);
    return { generation: r.generation, hits: r.hits as PooledHit[][] };
  }

  /**
   * As `search`, but each query's hits come back as JSON text (an array of `PooledHit` with
   * explanations): serialised in the workers, so the thread that answers HTTP only joins strings.
   */
  async searchJson(
    queries: readonly ScreeningQuery[],
    options: SearchOptions,
    generation?: ScreeningGeneration,
  ): Promise<{ generation: ScreeningGeneration; hits: string[] }> {
    const r = await this.run(queries, options, {}, generation, true);
    return { generation: r.generation, hits: r.hits as string[] };
  }

  private async run(
    queries: readonly (ScreeningQuery | null)[],
    options: SearchOptions,
    pool: PoolSearchOptions,
    generation: ScreeningGeneration | undefined,
    json: boolean,
  ): Promise<{ generation: ScreeningGeneration; hits: (PooledHit[] | string)[] }> {
    if (this.closed) throw new StoreError('STORE_UNAVAILABLE', 'the screening pool is closed');
    // The request runs wholly on one generation: the one named (still loaded while it has
    // pending chunks, even if retired since) or else the one in force.
    const gen = generation ? this.alive.get(generation.gen) : this.current;
    if (!gen) {
      throw new StoreError(
        'STORE_UNAVAILABLE',
        generation ? 'the list versions changed; ask again' : 'no screening index built yet',
        { details: { retryAfter: 1 } },
      );
    }
    const size =
      pool.chunkSize ??
      Math.min(256, Math.max(1, Math.ceil(queries.length / Math.max(1, this.slots.length))));
    const parts: Promise<PooledHit[][] | string[]>[] = [];
    let done = 0;
    for (let i = 0; i < queries.length; i += size) {
      const chunk = queries.slice(i, i + size);
      const id = ++this.taskSeq;
      gen.pending++;
      parts.push(
        new Promise<PooledHit[][] | string[]>((resolve, reject) => {
          this.queue.push({
            id,
            gen: gen,
            message: {
              type: 'search',
              id,
              gen: gen.gen,
              queries: chunk,
              options,
              explain: pool.explain ?? true,
              onError: pool.onError ?? 'throw',
              json,
            },
            resolve: (hits) => {
              done += hits.length;
              pool.onProgress?.(done);
              resolve(hits);
            },
            reject,
          });
        }),
      );
    }
    this.pump();
    const hits = (await Promise.all(parts)).flat();
    return { generation: gen, hits };
  }

  /** Stop every worker; queued and running requests fail. */
  async close(): Promise<void> {
    this.closed = true;
    const slots = this.slots.splice(0);
    const failure = new StoreError('STORE_UNAVAILABLE', 'the screening pool is closed');
    for (const task of this.queue.splice(0)) task.reject(failure);
    // Work already handed to a worker fails too: its exit handler no longer finds the slot.
    for (const slot of slots) {
      for (const task of slot.tasks.values()) {
        this.settle(task);
        task.reject(failure);
      }
      slot.tasks.clear();
      for (const waiter of slot.loads.values()) waiter.reject(failure);
      slot.loads.clear();
    }
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }
}
