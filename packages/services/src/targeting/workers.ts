import {
  trainTargetingModel,
  type Declaration,
  type FeatureMatrix,
  type ScoringFeatureOptions,
  type TargetingModel,
  type TrainOptions,
} from '@interdict/targeting';
import { ServiceError } from '../errors';
import {
  ScorePool,
  scoreDeclarationsInWorkers,
  scoreMatrixInWorkers,
  scoringWorkerCount,
  type ScorePoolOptions,
} from './score-pool';
import {
  TrainingPool,
  trainTargetingModelOnPool,
  trainingPoolSize,
  trainingWorkerCount,
} from './train-pool';

/** Thread counts, as settings give them (`INTERDICT_SCORE_WORKERS`, `INTERDICT_TRAIN_WORKERS`). */
export interface TargetingWorkerSettings {
  /** Scoring threads: unset = every core, 0 = score in process. */
  readonly scoreWorkers: string | undefined;
  /** Training threads: unset = every core, 0 = train in process. */
  readonly trainWorkers: string | undefined;
}

/**
 * The thread counts from the environment, for an edge that runs targeting on files without the
 * services (the CLI's `target train` and `target score`); the same variables as the services'
 * settings (servicesSettingsFromEnv).
 */
export function targetingWorkerSettingsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): TargetingWorkerSettings {
  return { scoreWorkers: env.INTERDICT_SCORE_WORKERS, trainWorkers: env.INTERDICT_TRAIN_WORKERS };
}

/**
 * The worker threads targeting runs on (docs/architecture.md, "Worker threads"), owned by whoever
 * made them and stopped by `close()`: the targeting service's (closed with the services), or the
 * CLI's for a file. Scoring threads start on first use and are kept (each remembers the compiled
 * models it was sent); training threads are started per training, as many as it has bagged
 * members, so that no idle trainer holds memory between trainings.
 */
export class TargetingWorkers {
  /** undefined: not started; null: scoring in process (0 threads). */
  private scoring: ScorePool | null | undefined;
  private readonly training = new Set<TrainingPool>();
  private closed = false;

  constructor(
    private readonly settings: TargetingWorkerSettings,
    private readonly scorePoolOptions: ScorePoolOptions = {},
  ) {}

  private assertOpen(): void {
    if (this.closed)
      throw new ServiceError('STORE_UNAVAILABLE', 'targeting workers: the service is closed');
  }

  /**
   * The scoring pool, started on first use (a bad thread count is refused then, as
   * INVALID_ARGUMENT); null when scoring runs in process. A pool whose threads have all died
   * is replaced.
   */
  scorePool(): ScorePool | null {
    this.assertOpen();
    if (this.scoring && (this.scoring.isClosed || this.scoring.workers === 0)) {
      void this.scoring.close();
      this.scoring = undefined;
    }
    if (this.scoring === undefined) {
      const n = scoringWorkerCount(this.settings.scoreWorkers);
      this.scoring = n === 0 ? null : new ScorePool(n, this.scorePoolOptions);
    }
    return this.scoring;
  }

  /** `model.features(declarations, options)` and its scores, on the pool when large enough. */
  scoreDeclarations(
    model: TargetingModel,
    declarations: readonly Declaration[],
    options: ScoringFeatureOptions = {},
  ): Promise<{ matrix: FeatureMatrix; scores: Float64Array }> {
    return scoreDeclarationsInWorkers(model, declarations, options, this.scorePool());
  }

  /** `model.scoreMatrix(matrix)`, on the pool when large enough. */
  scoreMatrix(model: TargetingModel, matrix: FeatureMatrix): Promise<Float64Array> {
    return scoreMatrixInWorkers(model, matrix, this.scorePool());
  }

  /**
   * Trains a model, its bagged members on training threads (the same model as in process, byte
   * for byte); in this thread with 0 training threads.
   */
  async train(
    declarations: readonly Declaration[],
    options: TrainOptions = {},
  ): Promise<TargetingModel> {
    this.assertOpen();
    const n = trainingWorkerCount(this.settings.trainWorkers);
    if (n === 0) return trainTargetingModel(declarations, options);
    const pool = new TrainingPool(trainingPoolSize(n, options));
    this.training.add(pool);
    try {
      return await trainTargetingModelOnPool(pool, declarations, options);
    } finally {
      this.training.delete(pool);
      await pool.close();
    }
  }

  /** Threads running now: scoring (once started) and training (while a training runs). */
  threads(): { scoring: number; training: number } {
    let training = 0;
    for (const pool of this.training) training += pool.size;
    return { scoring: this.scoring?.workers ?? 0, training };
  }

  /** Stops every thread: running scorings and trainings fail (STORE_UNAVAILABLE). */
  async close(): Promise<void> {
    this.closed = true;
    const pools: { close(): Promise<void> }[] = [...this.training];
    if (this.scoring) pools.push(this.scoring);
    this.training.clear();
    this.scoring = undefined;
    await Promise.all(pools.map((p) => p.close()));
  }
}
