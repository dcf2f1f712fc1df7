// Typed calls to the targeting API (packages/server/src/modules/targeting.ts), with the types
// generated from its OpenAPI document (src/api-types.ts).
import {
  http,
  withQuery,
  type JsonRequest,
  type JsonResponse,
  type ListResponse,
  type QueryParams,
  type Schemas,
} from '../../api';

export type Lane = Schemas['TargetingLane'];

export type Inspection = NonNullable<Schemas['TargetingInspection']>;
/** A red-lane declaration released without inspection: by whom, when, why, and from what lane. */
export type Release = NonNullable<Schemas['TargetingRelease']>;
/** A day: declarations by lane and those picked for inspection by why, counted by the server. */
export type Day = JsonResponse<'/api/targeting/days', 'get'>['items'][number];
/** Something beyond score and rules that raised the lane: a watchlist hit, the Critical band. */
export type LaneRaise = Schemas['TargetingLaneRaise'];
export type Party = Schemas['TargetingParty'];
export type QueueItem = Schemas['TargetingQueueItem'];
export type ScoreExplanation = NonNullable<Schemas['TargetingExplanation']>;
export type Contribution = ScoreExplanation['contributions'][number];
export type DeclarationDetail = Omit<Schemas['TargetingDeclaration'], 'declaration' | 'lane'> & {
  // server schema is loose: typed by hand until its response schema is
  declaration: Record<string, string | number | null>;
  // server schema drops null (a nullable $ref becomes allOf): typed by hand until it keeps it
  lane: Lane | null;
};
/** The queue's order: by lane and Fraud score (default) or by critical probability. */
export type QueueSort = NonNullable<QueryParams<'/api/targeting/queue', 'get'>['sort']>;
export type TargetingModel = Omit<Schemas['TargetingModel'], 'training'> & {
  // server schema is loose: typed by hand until its response schema is
  training: Record<string, unknown>;
};
export type RuleInput = Schemas['TargetingRuleInput'];
export type Rule = Schemas['TargetingRule'];
/** A model training running on the server for the organisation (`failed`: the last one failed). */
export type Training = Schemas['TargetingTraining'];
export type EvaluationFigures = Schemas['TargetingEvaluationFigures'];
/** A model's out-of-time evaluation (packages/server/src/modules/targeting-evaluation.ts). */
export type ModelEvaluation = Omit<Schemas['TargetingModelEvaluation'], 'randomShare'> & {
  // server schema drops null (a nullable $ref becomes allOf): typed by hand until it keeps it
  randomShare: EvaluationFigures | null;
};
type ScoreResult = Omit<JsonResponse<'/api/targeting/score', 'post'>, 'lanes'> & {
  // server schema is loose: typed by hand until its response schema is
  lanes: Record<Lane, number>;
};

export interface Capacity {
  unit: 'percent' | 'count';
  value: number;
}

const id = (value: string) => encodeURIComponent(value);

export const targetingApi = {
  // Up to ten years of days: the picker must reach every loaded day, not only the latest 60.
  days: () =>
    http.get<JsonResponse<'/api/targeting/days', 'get'>>(
      withQuery('/api/targeting/days', { limit: 3660 }),
    ),
  queue: (date: string, lane?: Lane, sort: QueueSort = 'lane', minCritical?: number) =>
    http.get<JsonResponse<'/api/targeting/queue', 'get'>>(
      withQuery('/api/targeting/queue', {
        date,
        lane,
        limit: 500,
        ...(sort === 'critical' ? { sort } : {}),
        minCritical,
      } satisfies QueryParams<'/api/targeting/queue', 'get'>),
    ),
  /** Capacity as a share of the day (`percent`) or a number of declarations (`count`). */
  score: (date: string, capacity: Capacity, randomShare: number) =>
    http.post<ScoreResult>('/api/targeting/score', {
      date,
      ...(capacity.unit === 'percent'
        ? { capacityPercent: capacity.value }
        : { capacityCount: capacity.value }),
      randomShare,
    } satisfies JsonRequest<'/api/targeting/score', 'post'>),
  declaration: (declarationId: string) =>
    http.get<DeclarationDetail>(`/api/targeting/declarations/${id(declarationId)}`),
  recordInspection: (
    declarationId: string,
    body: JsonRequest<'/api/targeting/declarations/{id}/inspection', 'post'>,
  ) =>
    // server schema makes TargetingInspection itself nullable: narrowed by hand until it is precise
    http.post<Inspection>(`/api/targeting/declarations/${id(declarationId)}/inspection`, body),
  /** Officers and admins: a red-lane, uninspected declaration released, with the reason. */
  release: (declarationId: string, reason: string) =>
    // server schema makes TargetingRelease itself nullable: narrowed by hand until it is precise
    http.post<
      Omit<JsonResponse<'/api/targeting/declarations/{id}/release', 'post'>, 'release'> & {
        release: Release;
      }
    >(`/api/targeting/declarations/${id(declarationId)}/release`, {
      reason,
    } satisfies JsonRequest<'/api/targeting/declarations/{id}/release', 'post'>),
  models: () => http.get<ListResponse<TargetingModel>>('/api/targeting/models'),
  train: (objective: TargetingModel['objective'], until?: string) => {
    const body: JsonRequest<'/api/targeting/models', 'post'> = until
      ? { objective, until }
      : { objective };
    return http.post<TargetingModel>('/api/targeting/models', body);
  },
  training: () =>
    http.get<JsonResponse<'/api/targeting/models/training', 'get'>>(
      '/api/targeting/models/training',
    ),
  evaluation: (modelId: string) =>
    http.get<ModelEvaluation>(`/api/targeting/models/${id(modelId)}/evaluation`),
  rules: () => http.get<JsonResponse<'/api/targeting/rules', 'get'>>('/api/targeting/rules'),
  createRule: (rule: RuleInput) =>
    http.post<JsonResponse<'/api/targeting/rules', 'post'>>('/api/targeting/rules', rule),
  deleteRule: (ruleId: string) => http.delete(`/api/targeting/rules/${id(ruleId)}`),
};
