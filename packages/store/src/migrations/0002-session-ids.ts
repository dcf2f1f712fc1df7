import { sql, type Kysely } from 'kysely';
import type { ForwardMigration } from './types';

/**
 * Sessions get a public id, so a user can list and end them (`GET /api/sessions`,
 * `DELETE /api/sessions/{id}`) without the API ever handling the secret or its hash: the
 * primary key stays the SHA-256 of the cookie secret, the id is a random UUID that says
 * nothing about it. Sessions from before this migration get an id too.
 */
export const sessionIds: ForwardMigration = {
  async up(db: Kysely<unknown>) {
    await sql`alter table sessions add column id uuid not null default gen_random_uuid()`.execute(
      db,
    );
    await db.schema.createIndex('sessions_id').on('sessions').column('id').unique().execute();
    // Listing a user's sessions newest first, and paging through them.
    await db.schema
      .createIndex('sessions_user_created')
      .on('sessions')
      .columns(['user_id', 'created_at', 'id'])
      .execute();
  },
};
