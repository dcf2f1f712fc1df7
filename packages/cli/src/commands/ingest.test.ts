import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '@interdict/store';
import { ExitCode } from '../exit-codes';
import { runCaptured } from '../testing';

// `interdict ingest declarations` with a column mapping file and a bad-row policy (issue 6),
// run in-process against a temporary data folder (the embedded PGlite), on a small CSV in a
// made-up national schema that no built-in mapping knows.

const HEADER = 'entry_no,accepted,tariff_line,importer,origin,customs_value,inspected';
const ROWS = [
  'E-1,2024-03-01,870323,IMP-1,DE,25000,0', // line 2
  'E-2,2024-02-30,620342,IMP-2,CN,900,0', // line 3: no such date
  'E-3,2024-03-02,,IMP-3,VN,300,', // line 4: no HS code
  'E-4,2024-03-03,300490,IMP-4,IN,4200,1', // line 5
];
const MAPPING = {
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
};

let dir: string;
let csv: string;
let mapping: string;
const saved = { data: process.env.INTERDICT_DATA, url: process.env.DATABASE_URL };

const run = runCaptured;

/** The `interdict:` error lines a run printed (the progress bar writes other lines). */
const errors = (r: { err: string }) => r.err.split('\n').filter((l) => l.startsWith('interdict: '));

/** Opens the folder between runs (PGlite allows one holder at a time). */
async function withDataFolder<T>(fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore({ dataDir: process.env.INTERDICT_DATA });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** Every stored declaration with its source line, and the number of ingest jobs recorded. */
const stored = () =>
  withDataFolder(async (store) => {
    const { rows } = await sql<{ id: string; date: string; source_line: number }>`
      SELECT id, date::text AS date, source_line FROM targeting_declarations ORDER BY id`.execute(
      store.db,
    );
    const jobs = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ingest_jobs`.execute(
      store.db,
    );
    return {
      declarations: rows.map((r) => `${r.id}@${Number(r.source_line)}:${r.date}`),
      jobs: Number(jobs.rows[0]?.n),
    };
  });

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'interdict-ingest-'));
  process.env.INTERDICT_DATA = path.join(dir, 'data');
  delete process.env.DATABASE_URL;
  csv = path.join(dir, 'entries.csv');
  mapping = path.join(dir, 'mapping.json');
  await writeFile(csv, `${HEADER}\n${ROWS.join('\n')}\n`);
  await writeFile(mapping, JSON.stringify(MAPPING));
  const init = await run(['init']);
  expect(init.code, init.err).toBe(ExitCode.ok);
});

afterAll(async () => {
  if (saved.data === undefined) delete process.env.INTERDICT_DATA;
  else process.env.INTERDICT_DATA = saved.data;
  if (saved.url !== undefined) process.env.DATABASE_URL = saved.url;
  await rm(dir, { recursive: true, force: true });
});

describe('interdict ingest declarations --mapping --on-bad-row', { timeout: 120_000 }, () => {
  it('names the flags in its help, with the kind that takes them', async () => {
    const r = await run(['ingest', '--help']);
    expect(r.code).toBe(ExitCode.ok);
    expect(r.out).toMatch(/--mapping <file>\s+\(declarations only\)/);
    expect(r.out).toMatch(
      /--on-bad-row <value>\s+\(declarations only\)[^[]*\[refuse\|skip; default\s+refuse\]/,
    );
    expect(r.out).toMatch(/takes --mapping <file>, --on-bad-row refuse\|skip \(default refuse\)/);
  });

  it('refuses a CSV of another schema without the mapping, storing nothing', async () => {
    const r = await run(['ingest', 'declarations', csv]);
    expect(r.code).toBe(ExitCode.badInput);
    expect(errors(r)).toEqual([expect.stringMatching(/matches no known declaration schema/)]);
    expect((await stored()).declarations).toEqual([]);
  });

  it('refuses the file at its first bad line by default and with refuse, storing nothing', async () => {
    for (const extra of [[], ['--on-bad-row', 'refuse']]) {
      const r = await run(['ingest', 'declarations', csv, '--mapping', mapping, ...extra]);
      expect(r.code).toBe(ExitCode.badInput);
      expect(errors(r)).toEqual([
        expect.stringMatching(
          /entries\.csv: 2 bad row\(s\); first at line 3: accepted: not a date: "2024-02-30" .*nothing was stored/,
        ),
      ]);
    }
    expect((await stored()).declarations).toEqual([]);
  });

  it('a missing, unreadable or bad mapping file is one line and a non-zero exit, no job', async () => {
    const before = await stored();
    const missing = await run(['ingest', 'declarations', csv, '--mapping', `${mapping}.nope`]);
    expect(missing.code).toBe(ExitCode.unavailable);
    expect(errors(missing)).toEqual([
      expect.stringMatching(/cannot read the mapping file .*mapping\.json\.nope/),
    ]);
    const folder = await run(['ingest', 'declarations', csv, '--mapping', dir]);
    expect(folder.code).toBe(ExitCode.unavailable);
    expect(errors(folder)).toHaveLength(1);

    const cases: [object | string, RegExp][] = [
      ['{"columns": ', /not valid JSON/],
      [{ columns: { ...MAPPING.columns, colour: 'x' } }, /unknown field "colour"/],
      [{ columns: { id: 'entry_no' } }, /lacks required field "date"/],
    ];
    const bad = path.join(dir, 'bad-mapping.json');
    for (const [content, reason] of cases) {
      await writeFile(bad, typeof content === 'string' ? content : JSON.stringify(content));
      const r = await run(['ingest', 'declarations', csv, '--mapping', bad]);
      expect(r.code).toBe(ExitCode.badInput);
      const lines = errors(r);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/bad-mapping\.json: column mapping/);
      expect(lines[0]).toMatch(reason);
    }
    expect(await stored()).toEqual(before);
  });

  it('refuses an unknown policy and flags the kind does not take, as usage errors', async () => {
    const before = await stored();
    const policy = await run(['ingest', 'declarations', csv, '--on-bad-row', 'ignore']);
    expect(policy.code).toBe(ExitCode.usage);
    expect(errors(policy)).toEqual([
      expect.stringMatching(/--on-bad-row must be one of refuse, skip \(got "ignore"\)/),
    ]);
    const other = await run(['ingest', 'bts-ports', csv, '--on-bad-row', 'skip']);
    expect(other.code).toBe(ExitCode.usage);
    expect(errors(other)).toEqual([
      expect.stringMatching(/ingest kind bts-ports takes no --on-bad-row/),
    ]);
    const otherFile = await run(['ingest', 'bts-ports', csv, '--mapping', mapping]);
    expect(otherFile.code).toBe(ExitCode.usage);
    expect(await stored()).toEqual(before);
  });

  it('with skip stores the good rows and prints each skipped line to stderr', async () => {
    const r = await run([
      'ingest',
      'declarations',
      csv,
      '--mapping',
      mapping,
      '--on-bad-row',
      'skip',
    ]);
    expect(r.code, r.err).toBe(ExitCode.ok);
    expect(errors(r)).toEqual([]);
    const lines = r.err.split('\n');
    expect(lines).toContain(`${csv}:3: accepted: not a date: "2024-02-30" (skipped)`);
    expect(lines).toContain(`${csv}:4: tariff_line: missing (skipped)`);
    expect(lines).toContain(`${csv}: skipped 2 row(s) with missing or malformed fields`);
    // stdout keeps its one result line; the list of skipped rows is not repeated there.
    expect(r.out).toMatch(/declarations job \S+ succeeded/);
    expect(r.out).toMatch(/"skippedRows":2/);
    expect(r.out).not.toMatch(/not a date/);
    expect((await stored()).declarations).toEqual(['E-1@2:2024-03-01', 'E-4@5:2024-03-03']);
  });
});
