// Messages between the screening pool (worker-pool.ts) and its worker threads
// (screening-worker.ts). Plain data only: they travel by structured clone.
import type {
  MatchExplanation,
  ScreeningHit,
  ScreeningQuery,
  SearchOptions,
} from '@interdict/screening';

/** A hit as it crosses the thread boundary: the entity reduced to what a result shows. */
export interface PooledHit {
  readonly entityId: string;
  readonly score: number;
  readonly schema: string;
  /** The entity's primary name. */
  readonly name: string;
  /** The listed name (primary or alias) that matched. */
  readonly matchedName: string;
  readonly list: string;
  readonly programs: readonly string[];
  /** Left out when the caller asked for none (the CLI's batch keeps only the top columns). */
  readonly explanation?: MatchExplanation;
}

/** A hit reduced for the thread boundary (and for API answers, which show the same fields). */
export function compactHit(hit: ScreeningHit, explain: boolean): PooledHit {
  return {
    entityId: hit.entity.id,
    score: hit.score,
    schema: hit.entity.schema,
    name: hit.entity.names[0]?.full ?? '',
    matchedName: hit.explanation.matchedName,
    list: hit.entity.list,
    programs: [...hit.entity.programs],
    ...(explain ? { explanation: hit.explanation } : {}),
  };
}

export type ToWorker =
  | { readonly type: 'load'; readonly gen: number; readonly entitiesJson: string }
  | { readonly type: 'drop'; readonly gen: number }
  | {
      readonly type: 'search';
      readonly id: number;
      readonly gen: number;
      /** `null` stands for a row with no usable query: its answer is no hits. */
      readonly queries: readonly (ScreeningQuery | null)[];
      readonly options: SearchOptions;
      readonly explain: boolean;
      readonly onError: 'throw' | 'empty';
      /** Answer each query's hits as a JSON text (the API sends it as is) instead of objects. */
      readonly json: boolean;
    };

export interface WorkerError {
  readonly code?: string;
  readonly message: string;
}

export type FromWorker =
  | { readonly type: 'loaded'; readonly gen: number }
  | { readonly type: 'load-failed'; readonly gen: number; readonly error: WorkerError }
  | { readonly type: 'result'; readonly id: number; readonly hits: PooledHit[][] | string[] }
  | { readonly type: 'failed'; readonly id: number; readonly error: WorkerError };
