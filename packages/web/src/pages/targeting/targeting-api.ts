// Typed calls to the targeting API (packages/server/src/modules/targeting.ts).
import { http, withQuery, type ListResponse } from '../../api';

export type Lane = 'red' | 'yellow' | 'blue' | 'green';

export interface Inspection {
  fraud: number;
  critical: number;
  source: 'import' | 'officer';
  note: string;
  recordedBy: string | null;
  recordedAt: string;
}
export interface Day {
  date: string;
  declarations: number;
  scored: number;
  inspected: number;
  /** Scored declarations by lane, counted by the server over the whole day. */
  lanes: Record<Lane, number>;
  /** Picked for inspection, by why. */
  toInspect: { model: number; rule: number; raised: number; random: number };
}
/** Something beyond score and rules that raised the lane: a watchlist hit (later: intelligence). */
export interface LaneRaise {
  source: string;
  lane: Lane;
  reason: string;
}
export interface Party {
  role: 'importer' | 'consignee' | 'seller';
  name: string;
  country?: string;
}
export interface QueueItem {
  id: string;
  date: string;
  importer: string;
  hsCode: string;
  origin: string;
  itemPrice: number | null;
  score: number | null;
  /** The Critical Fraud model's probability, when one scored the day. */
  criticalScore: number | null;
  lane: Lane;
  inspect: boolean;
  selectedBy: string | null;
  reasons: string[];
  raises: LaneRaise[];
  parties: Party[];
  inspection: Inspection | null;
}
export interface Contribution {
  feature: string;
  value: number | null;
  contribution: number;
}
export interface ScoreExplanation {
  modelId: string;
  bias: number;
  margin: number;
  contributions: Contribution[];
}
export interface DeclarationDetail {
  declaration: Record<string, string | number | null>;
  score: number | null;
  criticalScore: number | null;
  lane: Lane | null;
  reasons: string[];
  raises: LaneRaise[];
  parties: Party[];
  inspection: Inspection | null;
  explanation: ScoreExplanation | null;
  /** The Critical Fraud model's TreeSHAP explanation, when there is such a model. */
  criticalExplanation: ScoreExplanation | null;
}
/** The queue's order: by lane and Fraud score (default) or by critical probability. */
export type QueueSort = 'lane' | 'critical';
export interface TargetingModel {
  id: string;
  objective: 'fraud' | 'critical';
  active: boolean;
  createdAt: string;
  training: Record<string, unknown>;
  /** Training-time figures on the slice the model chose its number of trees on (optimistic). */
  earlyStoppingSlice: {
    label: string;
    from: string | null;
    to: string;
    declarations: number;
    metrics: { percent: number; inspected: number; precision: number; recall: number }[];
  } | null;
}
export interface RuleInput {
  lane: Lane;
  explanation: string;
  hsPrefix?: string;
  origin?: string;
  departure?: string;
  importer?: string;
  declarant?: string;
  office?: string;
  validFrom?: string;
  validTo?: string;
}
export interface Rule extends RuleInput {
  id: string;
  createdAt: string;
}

export interface Capacity {
  unit: 'percent' | 'count';
  value: number;
}
/** A model training running on the server for the organisation. */
export interface Training {
  objective: 'fraud' | 'critical';
  startedAt: string;
  startedBy: string | null;
  /** `failed`: the organisation's last training, which failed (until the next one starts). */
  status: 'running' | 'failed';
  finishedAt?: string;
  error?: string;
}

const id = (value: string) => encodeURIComponent(value);

export const targetingApi = {
  // Up to ten years of days: the picker must reach every loaded day, not only the latest 60.
  days: () => http.get<ListResponse<Day>>(withQuery('/api/targeting/days', { limit: 3660 })),
  queue: (date: string, lane?: Lane, sort: QueueSort = 'lane', minCritical?: number) =>
    http.get<ListResponse<QueueItem>>(
      withQuery('/api/targeting/queue', {
        date,
        lane,
        limit: 500,
        ...(sort === 'critical' ? { sort } : {}),
        minCritical,
      }),
    ),
  /** Capacity as a share of the day (`percent`) or a number of declarations (`count`). */
  score: (date: string, capacity: Capacity, randomShare: number) =>
    http.post<{
      scored: number;
      raised: number;
      criticalRaised: number;
      criticalModelId: string | null;
      lanes: Record<Lane, number>;
    }>('/api/targeting/score', {
      date,
      ...(capacity.unit === 'percent'
        ? { capacityPercent: capacity.value }
        : { capacityCount: capacity.value }),
      randomShare,
    }),
  declaration: (declarationId: string) =>
    http.get<DeclarationDetail>(`/api/targeting/declarations/${id(declarationId)}`),
  recordInspection: (
    declarationId: string,
    body: { fraud: 0 | 1; critical: 0 | 1 | 2; note: string },
  ) => http.post<Inspection>(`/api/targeting/declarations/${id(declarationId)}/inspection`, body),
  models: () => http.get<ListResponse<TargetingModel>>('/api/targeting/models'),
  train: (objective: 'fraud' | 'critical', until?: string) =>
    http.post<TargetingModel>(
      '/api/targeting/models',
      until ? { objective, until } : { objective },
    ),
  training: () => http.get<ListResponse<Training>>('/api/targeting/models/training'),
  rules: () => http.get<ListResponse<Rule>>('/api/targeting/rules'),
  createRule: (rule: RuleInput) => http.post<Rule>('/api/targeting/rules', rule),
  deleteRule: (ruleId: string) => http.delete(`/api/targeting/rules/${id(ruleId)}`),
};
