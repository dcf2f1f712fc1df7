import type { InspectionResult, StoredDeclaration, StoredRelease } from '@interdict/store';
import type { Declaration, DeclarationParty, Lane, LaneRaise } from '@interdict/targeting';
import { ServiceError } from '../errors';
import type { ScoreExplanation } from './models';

// How stored declarations read in the queue and on a declaration's page: the day's scoring, with
// an officer's release laid over it (the stored selection stays as the ledger recorded it).

/** A red-lane declaration an officer released without inspection. */
export interface DeclarationRelease extends StoredRelease {
  /** The lane the day's scoring had put it in (red), and why it had been picked. */
  readonly from: { readonly lane: Lane; readonly selectedBy: string | null };
}

export interface QueueItem {
  readonly id: string;
  readonly date: string;
  readonly importer: string;
  readonly hsCode: string;
  readonly origin: string;
  readonly itemPrice: number;
  readonly score: number;
  /** The active Critical Fraud model's probability when it scored the day; null otherwise. */
  readonly criticalScore: number | null;
  readonly lane: Lane;
  readonly inspect: boolean;
  readonly selectedBy: string | null;
  readonly reasons: string[];
  /** Lane raises behind the lane (watchlist hits; later intelligence), also among `reasons`. */
  readonly raises: LaneRaise[];
  /** Named parties, when the declaration's schema carries names. */
  readonly parties: DeclarationParty[];
  readonly inspection: InspectionResult | null;
  /** Set when an officer released it from the red lane: it is then green and not inspected. */
  readonly release: DeclarationRelease | null;
}

export interface DeclarationDetail {
  readonly declaration: Omit<Declaration, 'fraud' | 'critical'>;
  readonly score: number | null;
  /** The Critical Fraud model's probability when it scored the day. */
  readonly criticalScore: number | null;
  readonly lane: Lane | null;
  readonly reasons: string[];
  /** Lane raises found when it was scored (watchlist hits, with the list versions). */
  readonly raises: LaneRaise[];
  readonly parties: DeclarationParty[];
  readonly inspection: InspectionResult | null;
  readonly release: DeclarationRelease | null;
  /** TreeSHAP contributions of the active Fraud model, largest magnitude first. */
  readonly explanation: ScoreExplanation | null;
  /** The same for the active Critical Fraud model, when there is one that may explain the day. */
  readonly criticalExplanation: ScoreExplanation | null;
}

/** How the queue is ordered: by lane then Fraud score (default), or by critical probability. */
export type QueueSort = 'lane' | 'critical';

export interface QueueQuery {
  readonly date: string;
  readonly lane?: Lane;
  readonly limit?: number;
  readonly sort?: QueueSort;
  readonly minCritical?: number;
}

export function withoutLabels(d: Declaration): Omit<Declaration, 'fraud' | 'critical'> {
  const { fraud: _f, critical: _c, ...rest } = d;
  return rest;
}

/** As a day is scored or explained: without its own outcome. */
export function unlabelled(d: Declaration): Declaration {
  return { ...d, fraud: null, critical: null };
}

/** The lane, pick and reasons a declaration shows now: its scoring, or its release over it. */
export function currentSelection(d: StoredDeclaration): {
  lane: Lane | null;
  selectedBy: string | null;
  reasons: string[];
  release: DeclarationRelease | null;
} {
  const selectedBy = d.selection?.selectedBy ?? null;
  const reasons = d.selection?.reasons ?? [];
  if (!d.release || d.lane === null) return { lane: d.lane, selectedBy, reasons, release: null };
  return {
    lane: 'green',
    selectedBy: null,
    // First what happened to it, then why it had been picked.
    reasons: [`Released without inspection: ${d.release.reason}`, ...reasons],
    release: { ...d.release, from: { lane: d.lane, selectedBy } },
  };
}

export function queueItem(d: StoredDeclaration): QueueItem {
  const now = currentSelection(d);
  const x = d.declaration;
  return {
    id: x.id,
    date: x.date,
    importer: x.importer,
    hsCode: x.hsCode,
    origin: x.origin,
    itemPrice: x.itemPrice,
    score: d.score ?? NaN,
    criticalScore: d.criticalScore,
    lane: now.lane ?? 'green',
    inspect: now.selectedBy != null,
    selectedBy: now.selectedBy,
    reasons: now.reasons,
    raises: d.selection?.raises ?? [],
    parties: d.parties,
    inspection: d.inspection,
    release: now.release,
  };
}

/** Refuses a query no queue can answer, before anything is read. */
export function checkQueueQuery(query: QueueQuery): void {
  const min = query.minCritical;
  if (min !== undefined && !(Number.isFinite(min) && min >= 0 && min <= 1))
    throw new ServiceError('INVALID_ARGUMENT', 'minCritical must be between 0 and 1');
}

const LANE_RANK: Record<Lane, number> = { red: 0, yellow: 1, blue: 2, green: 3 };

/**
 * The day's queue: declarations by lane and descending score (scored ones first), or with
 * `sort: 'critical'` by descending critical probability (those without one last). `minCritical`
 * keeps only declarations whose critical probability is at least that.
 */
export function dayQueue(stored: readonly StoredDeclaration[], query: QueueQuery): QueueItem[] {
  const min = query.minCritical;
  const byCritical = (a: QueueItem, b: QueueItem): number =>
    (b.criticalScore ?? -1) - (a.criticalScore ?? -1);
  const byLane = (a: QueueItem, b: QueueItem): number =>
    LANE_RANK[a.lane] - LANE_RANK[b.lane] ||
    (Number.isNaN(b.score) ? -1 : b.score) - (Number.isNaN(a.score) ? -1 : a.score);
  return stored
    .map(queueItem)
    .filter((x) => !query.lane || x.lane === query.lane)
    .filter((x) => min === undefined || (x.criticalScore !== null && x.criticalScore >= min))
    .sort(
      (a, b) =>
        (query.sort === 'critical' ? byCritical(a, b) || byLane(a, b) : byLane(a, b)) ||
        a.id.localeCompare(b.id),
    )
    .slice(0, query.limit ?? 200);
}
