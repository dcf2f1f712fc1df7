import type { Role, OrganisationKind } from '../actor';
import type { ApiTokenRow, IngestJobRow, OrganisationRow, UserRow } from '../database';

export interface Organisation {
  id: string;
  name: string;
  kind: OrganisationKind;
  /** The instance's home organisation (created by bootstrap); its admins administer the instance. */
  home: boolean;
  createdAt: string;
}

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  organisationId: string;
  disabled: boolean;
  createdAt: string;
}

export interface ApiToken {
  id: string;
  name: string;
  role: Role;
  organisationId: string;
  userId: string | null;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed';

export interface Job {
  id: string;
  kind: string;
  sourceName: string;
  status: JobStatus;
  done: number;
  total: number | null;
  error: string | null;
  summary: unknown;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface AuditEvent {
  id: string;
  organisationId: string | null;
  actorUserId: string | null;
  actorTokenId: string | null;
  action: string;
  outcome: 'success' | 'failure';
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  details: Record<string, unknown>;
  createdAt: string;
}

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export function iso(value: Date | string): string {
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

export function isoOrNull(value: Date | string | null): string | null {
  return value == null ? null : iso(value);
}

export function toOrganisation(row: OrganisationRow): Organisation {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind as OrganisationKind,
    home: row.is_home,
    createdAt: iso(row.created_at),
  };
}

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role as Role,
    organisationId: row.organisation_id,
    disabled: row.disabled,
    createdAt: iso(row.created_at),
  };
}

export function toApiToken(row: ApiTokenRow): ApiToken {
  return {
    id: row.id,
    name: row.name,
    role: row.role as Role,
    organisationId: row.organisation_id,
    userId: row.user_id,
    createdAt: iso(row.created_at),
    expiresAt: iso(row.expires_at),
    revokedAt: isoOrNull(row.revoked_at),
    lastUsedAt: isoOrNull(row.last_used_at),
  };
}

export function toJob(row: IngestJobRow): Job {
  return {
    id: row.id,
    kind: row.kind,
    sourceName: row.source_name,
    status: row.status as JobStatus,
    done: Number(row.done),
    total: row.total == null ? null : Number(row.total),
    error: row.error,
    summary: row.summary ?? null,
    createdAt: iso(row.created_at),
    startedAt: isoOrNull(row.started_at),
    finishedAt: isoOrNull(row.finished_at),
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Ids arrive from URLs; a malformed one cannot name a row (and would make PostgreSQL throw). */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
