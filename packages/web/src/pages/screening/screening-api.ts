// Typed calls to the screening API (packages/server/src/modules/screening.ts), with the types
// generated from its OpenAPI document (src/api-types.ts) where its schemas are precise.
import { http, type JsonRequest, type QueryParams, type Schemas } from '../../api';

export interface Alignment {
  query: string;
  candidate: string;
  how: string;
  similarity: number;
  weight: number;
}
export interface Adjustment {
  feature: string;
  delta: number;
  detail: string;
}
export interface Explanation {
  queryName: string;
  matchedName: string;
  matchedNameQuality: string;
  nameScore: number;
  name: {
    score: number;
    aligned: Alignment[];
    unmatchedQuery: string[];
    unmatchedCandidate: string[];
    notes: string[];
  };
  adjustments: Adjustment[];
}
export type Hit = Omit<Schemas['ScreeningHit'], 'explanation'> & {
  // server schema is loose: typed by hand until its response schema is
  explanation: Explanation;
};
export type MatchQuery = Schemas['ScreeningQuery'];
export type MatchResponse = Omit<Schemas['ScreeningMatchResponse'], 'results'> & {
  // server schema is loose: typed by hand until its response schema is
  results: { query: MatchQuery; hits: Hit[] }[];
};
export interface EntityName {
  full: string;
  quality: string;
  kind?: string;
}
// server schema is loose: typed by hand until its response schema is
export interface ListedEntity {
  id: string;
  list: string;
  schema: string;
  names: EntityName[];
  birthDates: string[];
  birthPlaces: string[];
  nationalities: string[];
  countries: string[];
  gender?: string;
  identifiers: { type: string; value: string; country?: string; label?: string }[];
  addresses: { full: string }[];
  programs: string[];
  remarks?: string;
}
// server schema is loose: typed by hand until its response schema is
export interface Decision {
  id: string;
  entityId: string;
  queryName: string;
  decision: 'confirmed' | 'dismissed';
  note: string;
  score: number | null;
  listVersions: string[];
  createdAt: string;
  ledger: { origin: string; index: number } | null;
}
// server schema is loose: typed by hand until its response schema is
export interface ListVersion {
  id: string;
  storedId: string;
  source: string;
  published?: string;
  current: boolean;
  sourceName: string;
  ingestedAt: string;
  counts: { entities: number; names: number };
  diff: { added: number; changed: number; removed: number };
}

// server schema is loose: typed by hand until its response schema is
export interface PartyHit {
  partyId: string;
  entityId: string;
  entityName: string;
  matchedName: string;
  score: number;
  listVersion: string;
  trigger: 'added' | 'list-update';
  createdAt: string;
  acknowledgement: { at: string; by: string | null; byName: string | null; note: string } | null;
}
// server schema is loose: typed by hand until its response schema is
export interface MonitoredParty {
  id: string;
  name: string;
  schema: string | null;
  birthDate: string | null;
  nationality: string | null;
  identifiers: { type?: string; value: string }[];
  note: string;
  createdAt: string;
  threshold: number | null;
  effectiveThreshold: number;
  hits: PartyHit[];
}
// server schema is loose: typed by hand until its response schema is
export interface MonitorSettings {
  threshold: number;
  custom: boolean;
  updatedBy: string | null;
  updatedAt: string | null;
}
export type AlertStatus = NonNullable<QueryParams<'/api/screening/alerts', 'get'>['status']>;
export type PartyInput = JsonRequest<'/api/screening/parties', 'post'>;
// server schema is loose: typed by hand until its response schema is
export interface ScreeningAlert extends PartyHit {
  partyName: string;
}

const id = (value: string) => encodeURIComponent(value);

export const screeningApi = {
  parties: () => http.get<{ items: MonitoredParty[] }>('/api/screening/parties'),
  addParty: (input: PartyInput) => http.post<MonitoredParty>('/api/screening/parties', input),
  removeParty: (partyId: string) => http.delete(`/api/screening/parties/${id(partyId)}`),
  alerts: (status: AlertStatus = 'open') =>
    http.get<{ items: ScreeningAlert[] }>(`/api/screening/alerts?status=${status}`),
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
  entity: (entityId: string) =>
    http.get<{ entity: ListedEntity; version: string; decisions: Decision[] }>(
      `/api/screening/entities/${id(entityId)}`,
    ),
  lists: () => http.get<{ items: ListVersion[] }>('/api/screening/lists'),
  decide: (input: JsonRequest<'/api/screening/decisions', 'post'>) =>
    http.post<Decision>('/api/screening/decisions', input),
};
