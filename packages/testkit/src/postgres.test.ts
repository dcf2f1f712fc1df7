import pg from 'pg';
import { expect, it } from 'vitest';
import { createTestSchema } from './postgres';
import { sharedData } from './shared-data';

it('creates an isolated schema that the connection string selects', async () => {
  const schema = await createTestSchema();
  const client = new pg.Client({ connectionString: schema.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ s: string }>('SELECT current_schema() AS s');
    expect(rows[0]?.s).toBe(schema.schema);
  } finally {
    await client.end();
    await schema.drop();
  }
});

it('finds the shared data and refuses a missing file', () => {
  expect(sharedData('watchlists', 'SOURCE.md')).toMatch(/SOURCE\.md$/);
  expect(() => sharedData('no-such-dataset')).toThrow(/not found/);
});
