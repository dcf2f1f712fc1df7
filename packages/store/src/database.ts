import type { AnalyticsTables } from './analytics/tables';
import type { LedgerTables } from './ledger/tables';
import type { ScreeningTables } from './screening/tables';
import type { TargetingTables } from './targeting/tables';
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** A timestamptz column with a default (optional on insert). */
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** A timestamptz column the writer must set (or leave null where nullable). */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json = ColumnType<unknown, string, string>;

export interface OrganisationsTable {
  id: string;
  name: string;
  kind: string;
  is_home: Generated<boolean>;
  created_at: DefaultTimestamp;
}

export interface UsersTable {
  id: string;
  organisation_id: string;
  email: string;
  name: string;
  role: string;
  password_hash: string | null;
  disabled: Generated<boolean>;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface ApiTokensTable {
  id: string;
  organisation_id: string;
  user_id: string | null;
  name: string;
  role: string;
  secret_hash: string;
  created_at: DefaultTimestamp;
  expires_at: Timestamp;
  revoked_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  last_used_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface SessionsTable {
  id_hash: string;
  /** Public id (migration 0002); the API names sessions by it, never by the hash. */
  id: string;
  user_id: string;
  created_at: DefaultTimestamp;
  expires_at: Timestamp;
  last_seen_at: DefaultTimestamp;
  ip: string | null;
  user_agent: string | null;
}

export interface AuditEventsTable {
  seq: Generated<number>;
  id: string;
  organisation_id: string | null;
  actor_user_id: string | null;
  actor_token_id: string | null;
  action: string;
  outcome: string;
  target_type: string | null;
  target_id: string | null;
  ip: string | null;
  details: Json;
  created_at: DefaultTimestamp;
}

export interface IngestJobsTable {
  id: string;
  organisation_id: string;
  created_by: string | null;
  kind: string;
  source_name: string;
  status: string;
  done: Generated<number>;
  total: number | null;
  error: string | null;
  summary: Json | null;
  created_at: DefaultTimestamp;
  started_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  finished_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface BlobsTable {
  key: string;
  bytes: Uint8Array;
  created_at: DefaultTimestamp;
}

/** Tables of the platform itself (migrations 0001–0099). */
export interface PlatformTables {
  organisations: OrganisationsTable;
  users: UsersTable;
  api_tokens: ApiTokensTable;
  sessions: SessionsTable;
  audit_events: AuditEventsTable;
  ingest_jobs: IngestJobsTable;
  blobs: BlobsTable;
}

/** Intersection of a tuple of table maps: `[A, B, C]` → `A & B & C`. */
type Intersect<T extends readonly unknown[]> = T extends readonly [infer H, ...infer R]
  ? H & Intersect<R>
  : unknown;

/**
 * Every capability's tables, ONE line each (import the capability's `…Tables` interface from
 * `./<capability>/tables` and list it here), so parallel work never edits the same line.
 */
type SchemaParts = [
  PlatformTables,
  // capabilities below, one per line
  AnalyticsTables,
  LedgerTables,
  ScreeningTables,
  TargetingTables,
];

/** The whole schema, as Kysely sees it. */
export type Database = Intersect<SchemaParts>;

export type OrganisationRow = Selectable<OrganisationsTable>;
export type UserRow = Selectable<UsersTable>;
export type ApiTokenRow = Selectable<ApiTokensTable>;
export type IngestJobRow = Selectable<IngestJobsTable>;
export type NewAuditEvent = Insertable<AuditEventsTable>;
export type UserUpdate = Updateable<UsersTable>;
