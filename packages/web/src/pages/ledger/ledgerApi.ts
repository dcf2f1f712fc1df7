import { http, type JsonRequest, type JsonResponse, type Schemas } from '../../api';

// The ledger endpoints (packages/server/src/modules/ledger.ts), with the types generated from
// the OpenAPI document (src/api-types.ts).

/** The log's keys and size; `sequencing` is false on a replica that serves it read-only. */
export type LedgerInfo = Schemas['LedgerInfo'];

/** An entry: v1 names its claims in clear, v2 is a hiding commitment that `opening` opens. */
export type LedgerEntry = Schemas['LedgerEntry'];

/** The time an entry claims: in the leaf (v1) or in its opening (v2), else when it was stored. */
export function entryTime(entry: LedgerEntry): string {
  for (const text of [entry.opening, entry.envelope]) {
    if (!text) continue;
    try {
      const t = (JSON.parse(text) as { time?: unknown }).time;
      if (typeof t === 'string') return t;
    } catch {
      // not JSON: fall through
    }
  }
  return entry.createdAt;
}

export const ledgerApi = {
  info: () => http.get<JsonResponse<'/api/ledger', 'get'>>('/api/ledger'),
  entries: (cursor?: number) =>
    http.get<JsonResponse<'/api/ledger/entries', 'get'>>('/api/ledger/entries', {
      query: { limit: 25, cursor },
    }),
  entry: (index: number) =>
    http.get<JsonResponse<'/api/ledger/entries/{index}', 'get'>>(`/api/ledger/entries/${index}`),
  subject: (type: string, id: string) =>
    http.get<JsonResponse<'/api/ledger/subjects/{type}/{id}', 'get'>>(
      `/api/ledger/subjects/${encodeURIComponent(type)}/${encodeURIComponent(id)}`,
    ),
  append: (input: JsonRequest<'/api/ledger/entries', 'post'>) =>
    http.post<JsonResponse<'/api/ledger/entries', 'post'>>('/api/ledger/entries', input),
};
