import { sql, type RawBuilder } from 'kysely';
import { StoreError } from '../errors';
import { isUuid, type Page } from './model';

/** The most rows one page may hold, whatever the caller asks for. */
export const MAX_PAGE_LIMIT = 500;

/** A page size within 1–MAX_PAGE_LIMIT; `fallback` when none is asked for. */
export function pageLimit(limit: number | undefined, fallback: number): number {
  if (limit === undefined) return fallback;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new StoreError('INVALID_ARGUMENT', `limit must be a whole number 1–${MAX_PAGE_LIMIT}`, {
      details: { field: 'limit' },
    });
  }
  return Math.min(limit, MAX_PAGE_LIMIT);
}

/**
 * Where the previous page ended, for keyset ("seek") pagination over (created_at, id): the next
 * page starts strictly after that pair, so rows added meanwhile never shift or repeat a page the
 * way OFFSET would. The time keeps PostgreSQL's microseconds (a JavaScript Date has only
 * milliseconds, and rounding would repeat or skip rows created in the same millisecond).
 */
export interface Keyset {
  at: string;
  id: string;
}

const AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

function realTime(at: string): boolean {
  const ms = Date.parse(at);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 19) === at.slice(0, 19);
}

/** An opaque cursor: base64url of `<time>|<id>`. */
export function encodeCursor(key: Keyset): string {
  return Buffer.from(`${key.at}|${key.id}`, 'utf8').toString('base64url');
}

/** The keyset behind a cursor this API issued; anything else is INVALID_ARGUMENT. */
export function decodeCursor(cursor: string): Keyset {
  const text =
    typeof cursor === 'string' && cursor.length <= 100 && /^[A-Za-z0-9_-]+$/.test(cursor)
      ? Buffer.from(cursor, 'base64url').toString('utf8')
      : '';
  const [at, id, ...rest] = text.split('|');
  // The shape alone lets "2026-13-45T99:…" through to PostgreSQL's cast (a 500): the time must
  // also be a real one, the same after a round trip through Date (to the second).
  const real = at !== undefined && AT.test(at) && realTime(at);
  if (at === undefined || id === undefined || rest.length > 0 || !real || !isUuid(id)) {
    throw new StoreError('INVALID_ARGUMENT', 'cursor is not one this API issued', {
      details: { field: 'cursor' },
    });
  }
  return { at, id };
}

/** `created_at` as UTC text with microseconds, selected `as cursor_at` beside each row. */
export function cursorAt(column: string): RawBuilder<string> {
  return sql<string>`to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

/** Rows strictly after `key` in the order (created, id) `direction`. */
export function afterKeyset(
  key: Keyset,
  direction: 'asc' | 'desc',
  created: string,
  id: string,
): RawBuilder<boolean> {
  const op = direction === 'desc' ? sql.raw('<') : sql.raw('>');
  return sql<boolean>`(${sql.ref(created)}, ${sql.ref(id)}) ${op} (${key.at}::timestamptz, ${key.id}::uuid)`;
}

/**
 * One page from rows fetched with `limit + 1`: the extra row only says that more follow; the
 * cursor names the last row kept.
 */
export function toPage<R extends { cursor_at: string; id: string }, T>(
  rows: R[],
  limit: number,
  map: (row: R) => T,
): Page<T> {
  const kept = rows.slice(0, limit);
  const last = kept.at(-1);
  return {
    items: kept.map(map),
    ...(rows.length > limit && last
      ? { nextCursor: encodeCursor({ at: last.cursor_at, id: last.id }) }
      : {}),
  };
}
