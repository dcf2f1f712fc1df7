import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../actor';
import { listIngestKinds, registerIngestKind } from '../ingest/registry';
import { runIngestJob, startIngestJob } from '../ingest/run';
import '../ingest/kinds';
import type { Store } from '../store';
import { byteSource, ENGINES, openEngineStore, type EngineStore } from '../test-support';
import { SKIPPED_LISTED } from './ingest';
import { targetingRepository } from './repository';

// A declarations job's bad-row policy (issue 6: "rows with missing or malformed fields are
// reported by line with the reason and skipped or refused per a flag; nothing is half-stored"),
// on a small CSV in a made-up national schema read through a column mapping.

const MAPPING = JSON.stringify({
  name: 'national-entries',
  hsDigits: 6,
  columns: {
    id: 'entry_no',
    date: 'accepted',
    hsCode: 'tariff_line',
    importer: 'importer',
    origin: 'origin',
    itemPrice: 'customs_value',
    fraud: 'inspected',
  },
});
const HEADER = 'entry_no,accepted,tariff_line,importer,origin,customs_value,inspected';

/** The file's lines after the header (line 1), so line n of the file is `body[n - 2]`. */
const body = [
  'E-1,2024-03-01,870323,IMP-1,DE,25000,0', // line 2
  'E-2,2024-02-30,620342,IMP-2,CN,900,0', // line 3: no such date
  'E-3,2024-03-02,,IMP-3,VN,300,', // line 4: no HS code
  'E-4,2024-03-02,85235,IMP-4,KR,abc,7', // line 5: two problems in one row
  'E-5,2024-03-03,300490,IMP-5,IN,4200,1', // line 6
];
const csv = (lines: readonly string[]) => `${HEADER}\n${lines.join('\n')}\n`;

for (const engine of ENGINES) {
  describe(`declarations ingest, bad-row policy, on ${engine}`, () => {
    let store: Store;
    let actor: Actor;
    let opened: EngineStore | undefined;
    const ingest = (text: string, options?: Record<string, string>) =>
      runIngestJob(store, actor, {
        kind: 'declarations',
        sourceName: 'entries.csv',
        input: byteSource(text),
        attachments: { mapping: MAPPING },
        ...(options ? { options } : {}),
      });
    const jobCount = async () => (await store.jobs.list(actor, { limit: 500 })).items.length;
    /** Every targeting row of this organisation, to show a refused file changed nothing. */
    const snapshot = async () => {
      const out: Record<string, unknown[]> = {};
      for (const table of [
        'targeting_declarations',
        'targeting_declaration_parties',
        'targeting_inspections',
      ]) {
        const { rows } = await sql<{ row: string }>`
          SELECT t::text AS row FROM ${sql.table(table)} t
          WHERE organisation_id = ${actor.organisationId} ORDER BY 1`.execute(store.db);
        out[table] = rows.map((r) => r.row);
      }
      return out;
    };
    const sourceLine = async (id: string) => {
      const { rows } = await sql<{ source_line: number }>`
        SELECT source_line FROM targeting_declarations
        WHERE organisation_id = ${actor.organisationId} AND id = ${id}`.execute(store.db);
      return rows.length ? Number(rows[0]!.source_line) : undefined;
    };

    beforeAll(async () => {
      opened = await openEngineStore(engine, 'targeting_bad_rows');
      ({ store, actor } = opened);
    });
    afterAll(async () => {
      await opened?.close();
    });

    it('lists the option with its values and default', () => {
      expect(listIngestKinds().find((k) => k.kind === 'declarations')?.options).toEqual([
        expect.objectContaining({
          name: 'onBadRow',
          values: ['refuse', 'skip'],
          default: 'refuse',
        }),
      ]);
    });

    it('refuses the whole file at a bad row by default and with refuse, changing nothing stored', async () => {
      // Something stored first, which the refused files would otherwise overwrite (E-1, E-5).
      const first = await ingest(csv(['E-1,2024-01-10,010121,IMP-0,FR,10,1']));
      expect(first.status, first.error ?? '').toBe('succeeded');
      const before = await snapshot();
      for (const options of [undefined, { onBadRow: 'refuse' }]) {
        const job = await ingest(csv(body), options);
        expect(job.status).toBe('failed');
        expect(job.error).toMatch(/4 bad row\(s\); first at line 3: accepted: not a date/);
        expect(await snapshot()).toEqual(before);
      }
      expect(
        (await targetingRepository(store).declaration(actor, 'E-1'))?.declaration,
      ).toMatchObject({
        date: '2024-01-10',
        hsCode: '010121',
      });
    });

    it('with skip stores the good rows at their own lines and lists the skipped ones', async () => {
      const job = await ingest(csv(body), { onBadRow: 'skip' });
      expect(job.status, job.error ?? '').toBe('succeeded');
      expect(job.summary).toEqual({
        declarations: 2,
        inspections: 2,
        firstDate: '2024-03-01',
        lastDate: '2024-03-03',
        mapping: 'national-entries',
        onBadRow: 'skip',
        skippedRows: 3,
        skipped: [
          { line: 3, field: 'accepted', reason: 'not a date: "2024-02-30"' },
          { line: 4, field: 'tariff_line', reason: 'missing' },
          { line: 5, field: 'customs_value', reason: 'not a number: "abc"' },
          { line: 5, field: 'inspected', reason: 'must be 0 or 1: "7"' },
        ],
        skippedNotListed: 0,
      });
      // The good rows replaced E-1 and added E-5; the skipped ones are nowhere.
      expect(
        (await targetingRepository(store).declaration(actor, 'E-1'))?.declaration,
      ).toMatchObject({
        date: '2024-03-01',
        hsCode: '870323',
      });
      expect(await sourceLine('E-1')).toBe(2);
      expect(await sourceLine('E-5')).toBe(6);
      for (const id of ['E-2', 'E-3', 'E-4']) expect(await sourceLine(id)).toBeUndefined();
    });

    it('skips a row with more or fewer fields than the header, by line, and keeps the rest', async () => {
      const lines = [
        'E-6,2024-03-04,870323,IMP-6,DE,25000,0,extra', // line 2: one field too many
        'E-7,2024-03-04,870323,IMP-7', // line 3: three fields missing
        'E-8,2024-03-05,300490,IMP-8,IN,4200,1', // line 4
      ];
      const job = await ingest(csv(lines), { onBadRow: 'skip' });
      expect(job.status, job.error ?? '').toBe('succeeded');
      expect(job.summary).toMatchObject({
        declarations: 1,
        skippedRows: 2,
        skipped: [
          { line: 2, field: '(row)', reason: '8 field(s) where the header has 7' },
          { line: 3, field: '(row)', reason: '4 field(s) where the header has 7' },
        ],
      });
      expect(await sourceLine('E-8')).toBe(4);
      for (const id of ['E-6', 'E-7']) expect(await sourceLine(id)).toBeUndefined();
      // Refused by default, naming the first such line, and nothing changes.
      const before = await snapshot();
      const refused = await ingest(csv(lines.map((l) => l.replace('E-', 'F-'))));
      expect(refused.status).toBe('failed');
      expect(refused.error).toMatch(/line 2: \(row\): 8 field\(s\)/);
      expect(await snapshot()).toEqual(before);
    });

    it('refuses, even with skip, a file whose CSV structure is broken (rows cannot be told apart)', async () => {
      const before = await snapshot();
      const job = await ingest(csv([...body, 'E-9,2024-03-04,"870323,IMP-9']), {
        onBadRow: 'skip',
      });
      expect(job.status).toBe('failed');
      expect(job.error).toMatch(/malformed CSV/);
      expect(await snapshot()).toEqual(before);
    });

    it(`lists the first ${SKIPPED_LISTED} problems of a skipping job and counts the rest`, async () => {
      const bad = Array.from(
        { length: SKIPPED_LISTED + 30 },
        (_, i) => `B-${i},yesterday,870323,,,,`,
      );
      const job = await ingest(csv([...bad, 'G-1,2024-04-01,870323,IMP-9,US,5,']), {
        onBadRow: 'skip',
      });
      expect(job.status, job.error ?? '').toBe('succeeded');
      const summary = job.summary as {
        declarations: number;
        skippedRows: number;
        skipped: { line: number }[];
        skippedNotListed: number;
      };
      expect(summary.declarations).toBe(1);
      expect(summary.skippedRows).toBe(SKIPPED_LISTED + 30);
      expect(summary.skipped).toHaveLength(SKIPPED_LISTED);
      expect(summary.skipped.map((p) => p.line)).toEqual(
        Array.from({ length: SKIPPED_LISTED }, (_, i) => i + 2),
      );
      expect(summary.skippedNotListed).toBe(30);
      expect(await sourceLine('G-1')).toBe(SKIPPED_LISTED + 30 + 2);
    });

    it('refuses an unknown policy, or the option on another kind, before any job is recorded', async () => {
      const before = await jobCount();
      const stored = await snapshot();
      await expect(
        startIngestJob(store, actor, {
          kind: 'declarations',
          sourceName: 'entries.csv',
          input: byteSource(csv(body)),
          options: { onBadRow: 'ignore' },
        }),
      ).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        message: expect.stringMatching(/"onBadRow" must be one of refuse, skip/) as unknown,
        details: { field: 'onBadRow', allowed: ['refuse', 'skip'] },
      });
      await expect(
        startIngestJob(store, actor, {
          kind: 'declarations',
          sourceName: 'entries.csv',
          input: byteSource(csv(body)),
          options: { onBadCell: 'skip' },
        }),
      ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', details: { field: 'onBadCell' } });
      await expect(
        startIngestJob(store, actor, {
          kind: 'bts-ports',
          sourceName: 'ports.csv',
          input: byteSource('x\n'),
          options: { onBadRow: 'skip' },
        }),
      ).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        message: expect.stringMatching(/bts-ports takes no "onBadRow" option/) as unknown,
      });
      expect(await jobCount()).toBe(before);
      expect(await snapshot()).toEqual(stored);
    });
    // Who may start such a job is the ingest service's check: services/src/ingest/ingest.test.ts.
  });
}

describe('ingest kind options at registration', () => {
  const base = { description: 'test only', fileHint: 'x', run: () => Promise.resolve(null) };
  it('refuses a default outside the values, and a name clashing with an attachment', () => {
    expect(() =>
      registerIngestKind({
        ...base,
        kind: 'test-bad-default',
        options: [{ name: 'mode', description: 'm', values: ['a', 'b'], default: 'c' }],
      }),
    ).toThrow(/default among them/);
    expect(() =>
      registerIngestKind({
        ...base,
        kind: 'test-clash',
        attachments: [{ name: 'mode', description: 'a file' }],
        options: [{ name: 'mode', description: 'm', values: ['a'], default: 'a' }],
      }),
    ).toThrow(/camelCase and unique/);
    expect(listIngestKinds().map((k) => k.kind)).not.toContain('test-clash');
  });
});
