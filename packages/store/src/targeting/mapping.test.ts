import { KCS_HS6_MAPPING } from '@interdict/targeting';
import { idOf, kcsAsOtherSchema, kcsDayWithImporters } from '@interdict/testkit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../actor';
import { runIngestJob, startIngestJob } from '../ingest/run';
import '../ingest/kinds';
import type { Store } from '../store';
import { byteSource, ENGINES, openEngineStore, type EngineStore } from '../test-support';
import { targetingRepository } from './repository';

// Declarations of another schema through an ingest job with a column mapping file (issue 6 §1),
// as the API and the console send it: the KCS day renamed into a made-up export's columns.

const DAY = '2021-01-04';
const { text: kcsText, rows } = kcsDayWithImporters(DAY, [{ name: 'ACME TRADING', country: 'MX' }]);
const { text: otherText, mapping } = kcsAsOtherSchema(kcsText, KCS_HS6_MAPPING.columns);
const namedId = idOf(rows[rows.length - 1]!);

for (const engine of ENGINES) {
  describe(`declarations ingest with a column mapping on ${engine}`, () => {
    let store: Store;
    let actor: Actor;
    let opened: EngineStore | undefined;
    const ingest = (text: string, attachments?: Record<string, string>) =>
      runIngestJob(store, actor, {
        kind: 'declarations',
        sourceName: 'export.csv',
        input: byteSource(text),
        ...(attachments ? { attachments } : {}),
      });
    const jobCount = async () => (await store.jobs.list(actor, { limit: 500 })).items.length;

    beforeAll(async () => {
      opened = await openEngineStore(engine, 'targeting_mapping');
      ({ store, actor } = opened);
    });
    afterAll(async () => {
      await opened?.close();
    });

    it('refuses a CSV of another schema without a mapping, storing nothing', async () => {
      const job = await ingest(otherText);
      expect(job.status).toBe('failed');
      expect(job.error).toMatch(/matches no known declaration schema/);
      expect(await targetingRepository(store).days(actor)).toEqual([]);
    });

    it('refuses a bad mapping before any job is recorded, naming the reason', async () => {
      const before = await jobCount();
      const cases: [string, RegExp][] = [
        ['{"columns": ', /not valid JSON/],
        [
          JSON.stringify({ columns: { ...mapping.columns, colour: 'x' } }),
          /unknown field "colour"/,
        ],
        [JSON.stringify({ columns: { id: 'exp_declaration_id' } }), /lacks required field "date"/],
        [JSON.stringify({ ...mapping, hsDigits: 40 }), /hsDigits/],
      ];
      for (const [text, reason] of cases) {
        await expect(
          startIngestJob(store, actor, {
            kind: 'declarations',
            sourceName: 'export.csv',
            input: byteSource(otherText),
            attachments: { mapping: text },
          }),
        ).rejects.toMatchObject({
          code: 'BAD_MAPPING',
          message: expect.stringMatching(reason) as unknown,
          details: expect.objectContaining({ file: 'mapping' }) as unknown,
        });
      }
      // A file the kind does not take is refused the same way.
      await expect(
        startIngestJob(store, actor, {
          kind: 'declarations',
          sourceName: 'export.csv',
          input: byteSource(otherText),
          attachments: { schema: '{}' },
        }),
      ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', details: { field: 'schema' } });
      expect(await jobCount()).toBe(before);
      expect(await targetingRepository(store).days(actor)).toEqual([]);
    });

    it('fails the job and stores nothing when the mapping names columns the CSV lacks', async () => {
      const wrong = { ...mapping, columns: { ...mapping.columns, date: 'exp_accepted_on' } };
      const job = await ingest(otherText, { mapping: JSON.stringify(wrong) });
      expect(job.status).toBe('failed');
      expect(job.error).toMatch(/lacks column\(s\): exp_accepted_on/);
      expect(await targetingRepository(store).days(actor)).toEqual([]);
    });

    it('stores the declarations, parties and source lines of a mapped CSV', async () => {
      const job = await ingest(otherText, { mapping: JSON.stringify(mapping) });
      expect(job.status, job.error ?? '').toBe('succeeded');
      expect(job.summary).toMatchObject({
        declarations: rows.length,
        inspections: 0,
        mapping: 'exporter-x',
      });
      const [stored] = await targetingRepository(store).days(actor);
      expect(stored).toMatchObject({ date: DAY, declarations: rows.length });
      const detail = (await targetingRepository(store).declaration(actor, namedId))!;
      const kcsRow = rows[rows.length - 1]!.split(',');
      expect(detail.declaration).toMatchObject({
        id: namedId,
        date: DAY,
        hsCode: kcsRow[12]!.padStart(6, '0'),
        importerName: 'ACME TRADING',
      });
      expect(detail.parties).toEqual([{ role: 'importer', name: 'ACME TRADING', country: 'MX' }]);
      // Line numbers follow the mapped id column, not the KCS one: the header is line 1.
      const { rows: lines } = await sql<{ source_line: number }>`
        SELECT source_line FROM targeting_declarations
        WHERE organisation_id = ${actor.organisationId} AND id = ${namedId}`.execute(store.db);
      expect(Number(lines[0]?.source_line)).toBe(rows.length + 1);
    });
  });
}
