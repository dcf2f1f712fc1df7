import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Store } from '@interdict/store';
import { kcsLines, sdnCsvText, sharedData } from '@interdict/testkit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  byteSource,
  ENGINES,
  openEngineStore,
  type EngineStore,
} from '../../../store/src/test-support';
import { createServices, type Services } from '../services';

// An ingest job leaves planner statistics on the tables it wrote (IngestKind.tables, ANALYZE
// after the commit). QA: without them the first GET /api/targeting/days after the demo load was
// planned for empty tables and took 23 s (121 ms once analysed). PGlite has no autovacuum, so
// nothing else would ever analyse them there. (Moved from the store's suite: the kinds put list
// versions and dataset releases in force, which only jobs run by the ingest service record.)

/** What the planner knows of `table`: its estimated rows and how many columns have pg_stats. */
async function statistics(store: Store, table: string) {
  const r = await sql<{ reltuples: number; columns: string | number }>`
    SELECT c.reltuples::float8 AS reltuples,
      (SELECT count(*) FROM pg_stats s WHERE s.schemaname = n.nspname AND s.tablename = c.relname) AS columns
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.oid = to_regclass(${table})`.execute(store.db);
  const row = r.rows[0];
  if (!row) throw new Error(`no table ${table}`);
  return { reltuples: Number(row.reltuples), columns: Number(row.columns) };
}

const train = kcsLines('df_syn_train_eng.csv');
const declarations = train.slice(0, 401).join('\n') + '\n';

for (const engine of ENGINES) {
  describe(`ingest jobs analyse the tables they wrote (${engine})`, () => {
    let opened: EngineStore;
    let services: Services;

    beforeAll(async () => {
      opened = await openEngineStore(engine, 'ingest_statistics');
      services = createServices(opened.store, {
        closeStore: false,
        ledger: { key: randomBytes(32).toString('base64'), checkpointIntervalMs: 50 },
      });
    }, 60_000);

    afterAll(async () => {
      await services?.close();
      await opened?.close();
    });

    async function ingest(kind: string, sourceName: string, text: string): Promise<void> {
      const { job } = await services.ingest.run(opened.actor, {
        kind,
        sourceName,
        input: byteSource(text),
      });
      expect(job.error ?? null).toBeNull();
      expect(job.status).toBe('succeeded');
    }

    it('declarations: targeting_declarations and targeting_inspections', async () => {
      const tables = ['targeting_declarations', 'targeting_inspections'];
      for (const t of tables)
        expect((await statistics(opened.store, t)).reltuples).toBeLessThanOrEqual(0);
      await ingest('declarations', 'train.csv', declarations);
      for (const t of tables) {
        const s = await statistics(opened.store, t);
        expect(s.reltuples, t).toBeGreaterThan(0);
        expect(s.columns, t).toBeGreaterThan(0);
      }
    }, 60_000);

    it('a sanctions list: screening_entities', async () => {
      expect((await statistics(opened.store, 'screening_entities')).reltuples).toBeLessThanOrEqual(
        0,
      );
      await ingest('ofac-sdn', 'sdn.csv', sdnCsvText());
      const s = await statistics(opened.store, 'screening_entities');
      expect(s.reltuples).toBeGreaterThan(0);
      expect(s.columns).toBeGreaterThan(0);
    }, 120_000);

    it('an analytics dataset: its table', async () => {
      const table = 'analytics_bts_ports';
      expect((await statistics(opened.store, table)).reltuples).toBeLessThanOrEqual(0);
      await ingest(
        'bts-ports',
        'border_ports.csv',
        readFileSync(sharedData('border-crossings', 'border_ports.csv'), 'utf8'),
      );
      const s = await statistics(opened.store, table);
      expect(s.reltuples).toBeGreaterThan(0);
      expect(s.columns).toBeGreaterThan(0);
    }, 60_000);
  });
}
