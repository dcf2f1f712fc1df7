// Typed calls to the screening API (packages/server/src/modules/screening.ts).
import { http } from '../../api';

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
export interface Hit {
  entityId: string;
  score: number;
  schema: string;
  name: string;
  matchedName: string;
  list: string;
  programs: string[];
  explanation: Explanation;
}
export interface MatchQuery {
  name: string;
  schema?: string;
  birthDate?: string;
  nationality?: string;
}
export interface MatchResponse {
  listVersions: string[];
  results: { query: MatchQuery; hits: Hit[] }[];
}
export interface EntityName {
  full: string;
  quality: string;
  kind?: string;
}
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
export interface MonitorSettings {
  threshold: number;
  custom: boolean;
  updatedBy: string | null;
  updatedAt: string | null;
}
export type AlertStatus = 'open' | 'acknowledged' | 'all';
export interface PartyInput {
  name: string;
  schema?: string;
  birthDate?: string;
  nationality?: string;
  note?: string;
  threshold?: number;
}
export interface ScreeningAlert extends PartyHit {
  partyName: string;
}

export const screeningApi = {
  parties: () => http.get<{ items: MonitoredParty[] }>('/api/screening/parties'),
  addParty: (input: PartyInput) => http.post<MonitoredParty>('/api/screening/parties', input),
  removeParty: (id: string) => http.delete(`/api/screening/parties/${encodeURIComponent(id)}`),
  alerts: (status: AlertStatus = 'open') =>
    http.get<{ items: ScreeningAlert[] }>(`/api/screening/alerts?status=${status}`),
  acknowledge: (alert: { partyId: string; entityId: string }, note: string) =>
    http.post<ScreeningAlert>(
      `/api/screening/parties/${encodeURIComponent(alert.partyId)}/alerts/${encodeURIComponent(alert.entityId)}/acknowledgement`,
      { note },
    ),
  setPartyThreshold: (id: string, threshold: number | null) =>
    http.patch<MonitoredParty>(`/api/screening/parties/${encodeURIComponent(id)}`, { threshold }),
  monitorSettings: () => http.get<MonitorSettings>('/api/screening/monitoring/settings'),
  setMonitorThreshold: (threshold: number) =>
    http.put<MonitorSettings>('/api/screening/monitoring/settings', { threshold }),
  match: (query: MatchQuery, threshold: number) =>
    http.post<MatchResponse>('/api/screening/match', { queries: [query], threshold, limit: 20 }),
  entity: (id: string) =>
    http.get<{ entity: ListedEntity; version: string; decisions: Decision[] }>(
      `/api/screening/entities/${encodeURIComponent(id)}`,
    ),
  lists: () => http.get<{ items: ListVersion[] }>('/api/screening/lists'),
  decide: (input: {
    entityId: string;
    queryName: string;
    decision: 'confirmed' | 'dismissed';
    note?: string;
    score?: number;
  }) => http.post<Decision>('/api/screening/decisions', input),
};
