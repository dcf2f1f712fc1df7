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
  index: number;
  organisationId: string;
  recordType: string;
  bodySha256: string;
  body: unknown;
  envelope: string;
  leafHash: string;
  createdAt: string;
  erasedAt: string | null;
  proof?: string | null;
}

export const ledgerApi = {
  info: () => http.get<LedgerInfo>('/api/ledger'),
  entries: (cursor?: number) =>
    http.get<{ items: LedgerEntry[]; nextCursor?: number }>('/api/ledger/entries', {
      query: { limit: 25, cursor },
    }),
  entry: (index: number) => http.get<LedgerEntry>(`/api/ledger/entries/${index}`),
  append: (input: { type: string; body: unknown; wait?: boolean }) =>
    http.post<LedgerEntry>('/api/ledger/entries', input),
};
