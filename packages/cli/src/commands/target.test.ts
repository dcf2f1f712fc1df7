import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sharedData } from '@interdict/testkit';
import { describe, expect, it, vi } from 'vitest';
import { runCli } from '../main';

const dir = mkdtempSync(path.join(os.tmpdir(), 'interdict-target-'));
const source = (name: string) =>
  readFileSync(sharedData('customs-synthetic', 'kcs-2023-hs6', name), 'utf8').split('\n');
const trainLines = source('df_syn_train_eng.csv');
const validLines = source('df_syn_valid_eng.csv');
const train = path.join(dir, 'train.csv');
const valid = path.join(dir, 'valid.csv');
// The first 6,000 declarations of 2020 and 600 of 2021: small enough for a quick test.
writeFileSync(train, trainLines.slice(0, 6001).join('\n') + '\n');
writeFileSync(valid, validLines.slice(0, 601).join('\n') + '\n');

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    const code = await runCli(args);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe('interdict target', () => {
  const model = path.join(dir, 'model.json');

  it('trains, scores and evaluates', async () => {
    const trained = await run(['target', 'train', '--input', train, '--model', model]);
    expect(trained.err).not.toMatch(/interdict:/);
    expect(trained.code).toBe(0);
    expect(trained.out).toMatch(/trained a fraud model on 6000 declarations/);

    const output = path.join(dir, 'scores.csv');
    const scored = await run([
      'target',
      'score',
      '--model',
      model,
      '--input',
      valid,
      '--output',
      output,
    ]);
    expect(scored.code).toBe(0);
    const lines = readFileSync(output, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('Declaration ID,score,lane,reasons');
    expect(lines).toHaveLength(601);
    // 5% of 600 = 30 declarations go to the red lane by default.
    expect(lines.filter((l) => l.split(',')[2] === 'red')).toHaveLength(30);

    const evaluated = await run(['target', 'evaluate', '--model', model, '--input', valid]);
    expect(evaluated.code).toBe(0);
    expect(evaluated.out).toMatch(/P@1%.*P@2%.*P@5%.*P@10%.*R@1%/);
    expect(evaluated.out).toMatch(/^Fraud\s/m);
    expect(evaluated.out).toMatch(/^Critical Fraud\s/m);
  });

  it('raises declarations whose parties are on the lists given with --list', async () => {
    const ofacDir = sharedData('watchlists', 'ofac-sdn-2024-05-03');
    const unFile = sharedData('watchlists', 'un-consolidated-2026-02', 'UN_consolidated.xml');
    // Real listed names: an SDNTK company from OFAC, a company from the UN list.
    const kingpin = readFileSync(path.join(ofacDir, 'sdn.csv'), 'utf8')
      .split('\n')
      .map((line) => /^(\d+),"([^"]+)",-0- ?,"SDNTK",/.exec(line)?.[2])
      .find((name) => name !== undefined && name.split(' ').length >= 3)!;
    const unXml = readFileSync(unFile, 'utf8');
    const unEntity = [...unXml.slice(unXml.indexOf('<ENTITIES>')).matchAll(/<FIRST_NAME>([^<]+)</g)]
      .map((m) => m[1]!)
      .find((name) => /^[A-Z ]+$/.test(name) && name.split(' ').length >= 3)!;
    const unVersion = `un@${/dateGenerated="(\d{4}-\d{2}-\d{2})/.exec(unXml)![1]!}`;
    const rows = validLines.slice(0, 601);
    const named = path.join(dir, 'named.csv');
    writeFileSync(
      named,
      [
        `${rows[0]!},Importer Name,Seller Name,Seller Country`,
        ...rows.slice(1).map((l, i) => {
          if (i === 599) return `${l},"${kingpin}",,`;
          if (i === 598) return `${l},,"${unEntity}",XX`;
          return `${l},,,`;
        }),
      ].join('\n') + '\n',
    );
    const output = path.join(dir, 'named-scores.csv');
    const args = ['target', 'score', '--model', model, '--input', named, '--output', output];
    const scored = await run([...args, '--list', `ofac:${ofacDir}`, '--list', `un:${unFile}`]);
    expect(scored.err).not.toMatch(/interdict:/);
    expect(scored.code).toBe(0);
    expect(scored.out).toMatch(/; 2 raised by watchlist hits;/);
    const byId = new Map(
      readFileSync(output, 'utf8')
        .trim()
        .split('\n')
        .map((l) => [l.split(',')[0]!, l]),
    );
    const idOf = (i: number) => rows[i + 1]!.split(',')[0]!;
    expect(byId.get(idOf(599))).toContain(
      `,red,"Importer ${kingpin} matches OFAC SDN '${kingpin}' (SDNTK, 1.00, list version ofac@2024-05-03)`,
    );
    expect(byId.get(idOf(598))).toMatch(
      new RegExp(
        `,red,"Seller ${unEntity} matches UN Security Council list '${unEntity}' \\(.*list version ${unVersion}\\)`,
      ),
    );
    // Without --list the same file has no watchlist reasons.
    const plain = await run(args);
    expect(plain.code).toBe(0);
    expect(readFileSync(output, 'utf8')).not.toMatch(/matches OFAC SDN|matches UN/);

    const badLane = await run([...args, '--list', `un:${unFile}`, '--watchlist-lane', 'purple']);
    expect(badLane.code).toBe(2);
    expect(badLane.err).toMatch(/lane/);
    const missing = await run([...args, '--list', `un:${path.join(dir, 'nope.xml')}`]);
    expect(missing.code).toBe(4);
    // One readable error line (the rest of stderr is the reading progress).
    expect(missing.err.split('\n').filter((l) => l.includes('interdict:'))).toEqual([
      expect.stringMatching(/list file not found: .*nope\.xml/),
    ]);
  });

  it('refuses bad rows with --on-bad-row refuse (exit 3) and names the line', async () => {
    const bad = path.join(dir, 'bad.csv');
    const lines = trainLines.slice(0, 50);
    lines[10] = (lines[10] as string).replace(/^\d+,\d{4}-\d{2}-\d{2}/, (m) =>
      m.replace(/\d{4}-\d{2}-\d{2}/, 'yesterday'),
    );
    writeFileSync(bad, lines.join('\n') + '\n');
    const r = await run([
      'target',
      'train',
      '--input',
      bad,
      '--model',
      path.join(dir, 'x.json'),
      '--on-bad-row',
      'refuse',
    ]);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/line 11/);
  });

  it('refuses a model file of another version (exit 3)', async () => {
    const json = JSON.parse(readFileSync(model, 'utf8')) as { version: number };
    json.version = 99;
    const wrong = path.join(dir, 'wrong.json');
    writeFileSync(wrong, JSON.stringify(json));
    const r = await run(['target', 'evaluate', '--model', wrong, '--input', valid]);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/version 99 is not supported/);
  });
});
