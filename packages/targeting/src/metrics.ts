import { TargetingError } from './errors';

/**
 * Precision@n% and Recall@n% (Kim et al., DATE, KDD 2020 §5.1; arXiv:2208.02484 §4): inspect the
 * top n% of declarations by score; precision is the share of them that are positive, recall the
 * share of all positives caught. Ties are broken by input order, so the figure is deterministic.
 */
export interface AtN {
  readonly percent: number;
  readonly inspected: number;
  readonly precision: number;
  readonly recall: number;
}

export const STANDARD_PERCENTS = [1, 2, 5, 10] as const;

/** How many declarations n% of `total` allows (rounded, at least one). */
export function capacityFor(total: number, percent: number): number {
  return Math.max(1, Math.round((total * percent) / 100));
}

/** Row indices by descending score; equal scores keep input order. */
export function rankByScore(scores: ArrayLike<number>): Uint32Array {
  const order = Uint32Array.from({ length: scores.length }, (_, i) => i);
  return order.sort((a, b) => (scores[b] as number) - (scores[a] as number) || a - b);
}

export function precisionRecallAt(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  percents: readonly number[] = STANDARD_PERCENTS,
): AtN[] {
  if (scores.length !== labels.length)
    throw new TargetingError('INVALID_ARGUMENT', 'scores and labels differ in length');
  const order = rankByScore(scores);
  let positives = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] === 1) positives++;
  return percents.map((percent) => {
    const k = Math.min(scores.length, capacityFor(scores.length, percent));
    let hits = 0;
    for (let i = 0; i < k; i++) if (labels[order[i] as number] === 1) hits++;
    return {
      percent,
      inspected: k,
      precision: k === 0 ? 0 : hits / k,
      recall: positives === 0 ? 0 : hits / positives,
    };
  });
}
