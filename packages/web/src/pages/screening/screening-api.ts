// Typed calls to the screening API (packages/server/src/modules/screening.ts), with the types
// generated from its OpenAPI document (src/api-types.ts).
import {
  http,
  type JsonRequest,
  type JsonResponse,
  type QueryParams,
  type Schemas,
} from '../../api';

export type Explanation = Schemas['ScreeningExplanation'];
export type Hit = Schemas['ScreeningHit'];
export type MatchQuery = Schemas['ScreeningQuery'];
export type MatchResponse = Schemas['ScreeningMatchResponse'];
export type ListedEntity = Schemas['ListedEntity'];
export type EntityView = Schemas['ListedEntityView'];
export type Decision = Schemas['ScreeningDecision'];
export type DecisionInput = JsonRequest<'/api/screening/decisions', 'post'>;
export type ListVersion = Schemas['ScreeningListVersion'];
export type PartyHit = Schemas['MonitoredPartyHit'];
export type MonitoredParty = Schemas['MonitoredParty'];
export type MonitorSettings = Schemas['ScreeningMonitorSettings'];
export type ScreeningAlert = Schemas['ScreeningAlert'];
export type AlertStatus = NonNullable<QueryParams<'/api/screening/alerts', 'get'>['status']>;
export type PartyInput = JsonRequest<'/api/screening/parties', 'post'>;

/** Ledger subject type of a screening decision: its entry is found under the decision's id. */
export const DECISION_SUBJECT = 'screening.decision';

const id = (value: string) => encodeURIComponent(value);

export const screeningApi = {
  parties: () => http.get<JsonResponse<'/api/screening/parties', 'get'>>('/api/screening/parties'),
  addParty: (input: PartyInput) => http.post<MonitoredParty>('/api/screening/parties', input),
  removeParty: (partyId: string) => http.delete(`/api/screening/parties/${id(partyId)}`),
  alerts: (status: AlertStatus = 'open') =>
    http.get<JsonResponse<'/api/screening/alerts', 'get'>>(
      `/api/screening/alerts?status=${status}`,
    ),
  acknowledge: (alert: { partyId: string; entityId: string }, note: string) =>
    http.post<ScreeningAlert>(
      `/api/screening/parties/${id(alert.partyId)}/alerts/${id(alert.entityId)}/acknowledgement`,
      { note } satisfies JsonRequest<
        '/api/screening/parties/{id}/alerts/{entityId}/acknowledgement',
        'post'
      >,
    ),
  setPartyThreshold: (partyId: string, threshold: number | null) =>
    http.patch<MonitoredParty>(`/api/screening/parties/${id(partyId)}`, {
      threshold,
    } satisfies JsonRequest<'/api/screening/parties/{id}', 'patch'>),
  monitorSettings: () => http.get<MonitorSettings>('/api/screening/monitoring/settings'),
  setMonitorThreshold: (threshold: number) =>
    http.put<MonitorSettings>('/api/screening/monitoring/settings', {
      threshold,
    } satisfies JsonRequest<'/api/screening/monitoring/settings', 'put'>),
  match: (query: MatchQuery, threshold: number) =>
    http.post<MatchResponse>('/api/screening/match', {
      queries: [query],
      threshold,
      limit: 20,
    } satisfies JsonRequest<'/api/screening/match', 'post'>),
  entity: (entityId: string) => http.get<EntityView>(`/api/screening/entities/${id(entityId)}`),
  lists: () => http.get<JsonResponse<'/api/screening/lists', 'get'>>('/api/screening/lists'),
  decide: (input: DecisionInput) => http.post<Decision>('/api/screening/decisions', input),
};
