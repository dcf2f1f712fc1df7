import { http } from '../../api';

// The ledger endpoints (packages/server/src/modules/ledger.ts).

export interface LedgerInfo {
  origin: string;
  vkey: string;
  witnessVkey: string;
  tilesPrefix: string;
  /** False on a replica that serves the log read-only (another one sequences it). */
  sequencing: boolean;
  size: number;
  checkpoint: string | null;
  organisationKeys: { organisationId: string; keyId: string; vkey: string }[];
}

export interface LedgerEntry {
  /** Null only while the entry waits to be sequenced. */
  index: number | null;
  /** 1: claims in clear (older logs); 2: a hiding commitment that `opening` opens. */
  version: 1 | 2;
  organisationId: string;
  recordType: string;
  /** Only for readers of the body. */
  bodySha256: string | null;
  body: unknown;
  /** The signed opening of a v2 leaf, for readers of the body. */
  opening: string | null;
  envelope: string;
  leafHash: string;
  subject: { type: string; id: string } | null;
  createdAt: string;
  erasedAt: string | null;
  proof?: string | null;
}

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
  info: () => http.get<LedgerInfo>('/api/ledger'),
  entries: (cursor?: number) =>
    http.get<{ items: LedgerEntry[]; nextCursor?: number }>('/api/ledger/entries', {
      query: { limit: 25, cursor },
    }),
  entry: (index: number) => http.get<LedgerEntry>(`/api/ledger/entries/${index}`),
  subject: (type: string, id: string) =>
    http.get<{ items: LedgerEntry[] }>(
      `/api/ledger/subjects/${encodeURIComponent(type)}/${encodeURIComponent(id)}`,
    ),
  append: (input: { type: string; body: unknown; wait?: boolean }) =>
    http.post<LedgerEntry>('/api/ledger/entries', input),
};
