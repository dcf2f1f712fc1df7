import type { Kysely } from 'kysely';
import type { Database } from '../database';

/** Run `fn` in a transaction, joining the caller's when `db` already is one. */
export function inTransaction<T>(
  db: Kysely<Database>,
  fn: (trx: Kysely<Database>) => Promise<T>,
): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}

/** PostgreSQL's unique_violation (SQLSTATE 23505), from either engine. */
export function isUniqueViolation(error: unknown): boolean {
  return (
    typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505'
  );
}
