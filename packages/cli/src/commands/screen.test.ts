import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { createServices } from '@interdict/services';
import { openStore } from '@interdict/store';
import { sharedData } from '@interdict/testkit';
import { describe, expect, it } from 'vitest';
import { runCli } from '../main';
import { runCaptured } from '../testing';
import { FIXTURE_COLUMNS, loadListSpec, screenInWorkers } from './screen';

const UN = `un:${sharedData('watchlists', 'un-consolidated-2026-02', 'UN_consolidated.xml')}`;
const dir = mkdtempSync(path.join(tmpdir(), 'interdict-screen-'));

describe('interdict screen', () => {
  it('pairs: adds a score in [0,1] and changes nothing else', async () => {
    const input = path.join(dir, 'cases.csv');
    const output = path.join(dir, 'scored.csv');
    const text =
      'case_group,schema,name1,name2,is_match,quality,category,notes\n' +
      'x,Person,Vladimir Putin,"PUTIN, Vladimir",true,STRONG,,\n' +
      'x,Company,Acme Ltd,Zenith Mining,false,MEDIUM,"a, b",note\n';
    writeFileSync(input, text);
    expect(
      await runCli(['screen', 'pairs', '--input', input, '--output', output, '--no-lists']),
    ).toBe(0);
    const before = parse<Record<string, string>>(text, { columns: true });
    const after = parse<Record<string, string>>(readFileSync(output), { columns: true });
    expect(after).toHaveLength(2);
    after.forEach((row, i) => {
      const { score, ...rest } = row;
      expect(rest).toEqual(before[i]);
      expect(Number(score)).toBeGreaterThanOrEqual(0);
      expect(Number(score)).toBeLessThanOrEqual(1);
    });
    expect(Number(after[0]!.score)).toBe(1);
    expect(Number(after[1]!.score)).toBeLessThan(0.7);
  });

  it('batch: screens fixture rows and adds the top hit columns', async () => {
    const input = path.join(dir, 'in.csv');
    const output = path.join(dir, 'out.csv');
    writeFileSync(
      input,
      `${FIXTURE_COLUMNS.join(',')}\nERIC BADEGE,,,,male,1971,,cd\nJane Nobody,Jane,,Nobody,female,1990-01-01,,France\n`,
    );
    expect(
      await runCli(['screen', 'batch', '--input', input, '--output', output, '--list', UN]),
    ).toBe(0);
    const rows = parse<Record<string, string>>(readFileSync(output), { columns: true });
    expect(rows[0]).toMatchObject({ top_entity_id: 'un:6907993', list: 'un', top_score: '1.0000' });
    expect(rows[1]).toMatchObject({ top_entity_id: '', top_score: '0' });
  });

  it('batch: refuses a CSV without the name column', async () => {
    const input = path.join(dir, 'bad.csv');
    writeFileSync(input, 'name,dob\nA,1\n');
    const code = await runCli([
      'screen',
      'batch',
      '--input',
      input,
      '--output',
      path.join(dir, 'x.csv'),
      '--list',
      UN,
    ]);
    expect(code).toBe(3);
  });

  it('query: a bad list spec is a usage error; a missing list file is unavailable', async () => {
    expect(await runCli(['screen', 'query', 'x', '--list', 'nonsense'])).toBe(2);
    expect(await runCli(['screen', 'query', 'x', '--list', 'un:/no/such/file.xml'])).toBe(4);
  });

  it('spreads batch rows over worker threads and keeps their order', async () => {
    const un = await loadListSpec(UN);
    const names = un.entities.slice(0, 300).map((e) => e.names[0]!.full);
    const rows = names.map((full_name, i) => ({ line: i + 2, fields: { full_name } }));
    const results = await screenInWorkers(
      rows,
      { entities: un.entities, threshold: 0.7 },
      2,
      () => {},
    );
    expect(results).toHaveLength(300);
    results.forEach((r, i) => {
      // Each row's own name is found (namesakes may tie at the top, so check the name).
      expect(r[2]?.toLowerCase()).toBe(names[i]!.toLowerCase());
    });
  });

  it('query: without --list, screens against the lists in force in the store', async () => {
    const saved = { data: process.env.INTERDICT_DATA, url: process.env.DATABASE_URL };
    process.env.INTERDICT_DATA = mkdtempSync(path.join(tmpdir(), 'interdict-screen-store-'));
    delete process.env.DATABASE_URL;
    try {
      expect((await runCaptured(['init'])).code).toBe(0);
      // A list put in force as every edge does it: through the services (and onto the ledger).
      const store = await openStore({ dataDir: process.env.INTERDICT_DATA });
      const services = createServices(store);
      try {
        const sdn = `701,"ZAMBRANO ORTEGA, Hector","individual","SDNTK",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- `;
        const { job } = await services.ingest.run(await store.systemActor(), {
          kind: 'ofac-sdn',
          sourceName: 'sdn-2024-01-01.csv',
          input: Readable.from([new TextEncoder().encode(sdn)]) as AsyncIterable<Uint8Array>,
        });
        expect(job.status, job.error ?? '').toBe('succeeded');
      } finally {
        await services.close();
      }
      const r = await runCaptured(['screen', 'query', 'Hector Zambrano Ortega', '--json']);
      expect(r.code, r.err).toBe(0);
      const out = JSON.parse(r.out) as {
        listVersions: { id: string }[];
        hits: { entity: { id: string } }[];
      };
      expect(out.listVersions.map((v) => v.id)).toEqual(['ofac@2024-01-01']);
      expect(out.hits[0]?.entity.id).toBe('ofac:701');
    } finally {
      for (const [k, v] of [
        ['INTERDICT_DATA', saved.data],
        ['DATABASE_URL', saved.url],
      ] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});
