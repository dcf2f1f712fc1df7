import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The project's PostgreSQL on every machine and in CI (trust auth, database `test`). */
export const TEST_POSTGRES_URL =
  process.env.INTERDICT_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestSchema {
  /** Connection string whose sessions use the fresh schema first on their search_path. */
  readonly url: string;
  readonly schema: string;
  drop(): Promise<void>;
}

/**
 * A fresh, uniquely named schema for one test file, so that parallel runs and parallel files
 * never collide; `drop()` removes it. PostgreSQL must be reachable: tests that need it fail (never
 * skip) when it is not, because CI machines always run it.
 */
export async function createTestSchema(prefix = 't'): Promise<TestSchema> {
  const schema = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA "${schema}"`);
  } finally {
    await client.end();
  }
  const url = new URL(TEST_POSTGRES_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    schema,
    async drop() {
      const c = new pg.Client({ connectionString: TEST_POSTGRES_URL });
      await c.connect();
      try {
        await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await c.end();
      }
    },
  };
}
