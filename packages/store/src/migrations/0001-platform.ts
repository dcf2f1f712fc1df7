import { sql, type Kysely } from 'kysely';
import { sessionIds } from './0002-session-ids';
import type { MigrationSet } from './types';

const ROLE_CHECK = sql`check (role in ('admin', 'analyst', 'officer', 'viewer', 'partner'))`;

export const platformMigrations: MigrationSet = {
  capability: 'platform',
  range: [1, 99],
  migrations: {
    '0001_platform': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('organisations')
          .addColumn('id', 'uuid', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull().unique())
          .addColumn('kind', 'text', (c) =>
            c.notNull().check(sql`kind in ('agency', 'hub', 'insurer')`),
          )
          .addColumn('is_home', 'boolean', (c) => c.notNull().defaultTo(false))
          .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
          .execute();
        // At most one home organisation per instance.
        await sql`create unique index organisations_one_home on organisations (is_home) where is_home`.execute(
          db,
        );

        await db.schema
          .createTable('users')
          .addColumn('id', 'uuid', (c) => c.primaryKey())
          .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisations.id'))
          .addColumn('email', 'text', (c) => c.notNull().unique())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('role', 'text', (c) => c.notNull().modifyEnd(ROLE_CHECK))
          .addColumn('password_hash', 'text')
          .addColumn('disabled', 'boolean', (c) => c.notNull().defaultTo(false))
          .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
          .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
          .execute();
        await db.schema
          .createIndex('users_organisation')
          .on('users')
          .column('organisation_id')
          .execute();

        await db.schema
          .createTable('api_tokens')
          .addColumn('id', 'uuid', (c) => c.primaryKey())
          .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisations.id'))
          .addColumn('user_id', 'uuid', (c) => c.references('users.id'))
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('role', 'text', (c) => c.notNull().modifyEnd(ROLE_CHECK))
          .addColumn('secret_hash', 'text', (c) => c.notNull().unique())
          .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
          .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
          .addColumn('revoked_at', 'timestamptz')
          .addColumn('last_used_at', 'timestamptz')
          .execute();

        await db.schema
          .createTable('sessions')
          .addColumn('id_hash', 'text', (c) => c.primaryKey())
          .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id'))
          .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
          .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
          .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
          .addColumn('ip', 'text')
          .addColumn('user_agent', 'text')
          .execute();
        await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();

        await db.schema
          .createTable('audit_events')
          .addColumn('seq', 'bigserial', (c) => c.primaryKey())
          .addColumn('id', 'uuid', (c) => c.notNull().unique())
          .addColumn('organisation_id', 'uuid')
          .addColumn('actor_user_id', 'uuid')
          .addColumn('actor_token_id', 'uuid')
          .addColumn('action', 'text', (c) => c.notNull())
          .addColumn('outcome', 'text', (c) =>
            c.notNull().check(sql`outcome in ('success', 'failure')`),
          )
          .addColumn('target_type', 'text')
          .addColumn('target_id', 'text')
          .addColumn('ip', 'text')
          .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
          .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
          .execute();
        await db.schema
          .createIndex('audit_events_organisation')
          .on('audit_events')
          .columns(['organisation_id', 'seq'])
          .execute();

        await db.schema
          .createTable('ingest_jobs')
          .addColumn('id', 'uuid', (c) => c.primaryKey())
          .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisations.id'))
          .addColumn('created_by', 'uuid')
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('source_name', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) =>
            c.notNull().check(sql`status in ('queued', 'running', 'succeeded', 'failed')`),
          )
          .addColumn('done', 'bigint', (c) => c.notNull().defaultTo(0))
          .addColumn('total', 'bigint')
          .addColumn('error', 'text')
          .addColumn('summary', 'jsonb')
          .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
          .addColumn('started_at', 'timestamptz')
          .addColumn('finished_at', 'timestamptz')
          .execute();
        await db.schema
          .createIndex('ingest_jobs_organisation')
          .on('ingest_jobs')
          .columns(['organisation_id', 'created_at'])
          .execute();

        // Immutable blobs (ledger tiles) for PostgreSQL; PGlite keeps them as files instead.
        await db.schema
          .createTable('blobs')
          .addColumn('key', 'text', (c) => c.primaryKey())
          .addColumn('bytes', 'bytea', (c) => c.notNull())
          .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
          .execute();
      },
    },
    '0002_session_ids': sessionIds,
  },
};
