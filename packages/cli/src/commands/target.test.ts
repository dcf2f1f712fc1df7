import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sharedData } from '@interdict/testkit';
import { describe, expect, it } from 'vitest';
import { runCaptured } from '../testing';

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

const run = runCaptured;

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

  describe('with a Critical Fraud model (--critical-model)', () => {
    const critical = path.join(dir, 'critical.json');
    const scoreArgs = (output: string) => [
      'target',
      'score',
      '--model',
      model,
      '--input',
      valid,
      '--output',
      output,
    ];
    interface Row {
      id: string;
      lane: string;
      reasons: string;
      critical: number;
    }
    // The CLI's own CSV quoting: reasons may be quoted, the other cells never are.
    const rowsOf = (file: string): { header: string; rows: Row[] } => {
      const [header, ...lines] = readFileSync(file, 'utf8').trim().split('\n');
      return {
        header: header!,
        rows: lines.map((l) => {
          const m = /^([^,]+),([^,]+),([^,]+),("(?:[^"]|"")*"|[^,]*)(?:,([^,]+))?$/.exec(l)!;
          return {
            id: m[1]!,
            lane: m[3]!,
            reasons: m[4]!.replace(/^"|"$/g, '').replace(/""/g, '"'),
            critical: Number(m[5]),
          };
        }),
      };
    };
    const band = /Critical Fraud model: top \d+(\.\d+)? % of the day \(p = /;

    it('trains a critical model', async () => {
      const trained = await run([
        'target',
        'train',
        '--input',
        train,
        '--model',
        critical,
        '--objective',
        'critical',
      ]);
      expect(trained.code).toBe(0);
      expect(trained.out).toMatch(/trained a critical model on 6000 declarations/);
    });

    it('leaves the default output alone and adds critical_score and the band with it', async () => {
      const plainOut = path.join(dir, 'plain.csv');
      const plain = await run(scoreArgs(plainOut));
      expect(plain.code).toBe(0);
      expect(plain.out).not.toMatch(/Critical/);
      const p = rowsOf(plainOut);
      expect(p.header).toBe('Declaration ID,score,lane,reasons');
      expect(p.rows).toHaveLength(600);
      expect(p.rows.every((r) => Number.isNaN(r.critical) && !band.test(r.reasons))).toBe(true);

      const withOut = path.join(dir, 'with-critical.csv');
      const scored = await run([...scoreArgs(withOut), '--critical-model', critical]);
      expect(scored.err).not.toMatch(/interdict:/);
      expect(scored.code).toBe(0);
      const w = rowsOf(withOut);
      expect(w.header).toBe('Declaration ID,score,lane,reasons,critical_score');
      expect(w.rows.map((r) => r.id)).toEqual(p.rows.map((r) => r.id));
      expect(w.rows.every((r) => r.critical >= 0 && r.critical <= 1)).toBe(true);
      // Defaults: the top 1 % of 600 = 6 to red. Capacity 30, 3 kept for random picks, nothing
      // mandatory: the budget (27) holds the whole band.
      const raised = w.rows.filter((r) => band.test(r.reasons));
      expect(raised).toHaveLength(6);
      expect(scored.out).toMatch(/; 6 raised to red by the Critical model's top 1 %;/);
      expect(raised.every((r) => r.lane === 'red')).toBe(true);
      const others = w.rows.filter((r) => !band.test(r.reasons));
      expect(Math.min(...raised.map((r) => r.critical))).toBeGreaterThanOrEqual(
        Math.max(...others.map((r) => r.critical)),
      );
      // The band takes capacity, not more of it: still 30 reds.
      expect(w.rows.filter((r) => r.lane === 'red')).toHaveLength(30);
      // Run again without the flag: the same bytes as before.
      const again = await run(scoreArgs(plainOut));
      expect(again.code).toBe(0);
      expect(rowsOf(plainOut)).toEqual(p);
    });

    it('trims a red band to the capacity that red rules and the random share leave', async () => {
      // A red rule on one importer with a few declarations in the file makes them mandatory.
      const importers = validLines.slice(1, 601).map((l) => l.split(',')[9]!);
      const counts = new Map<string, number>();
      for (const i of importers) counts.set(i, (counts.get(i) ?? 0) + 1);
      const importer = importers.find((i) => counts.get(i)! >= 2 && counts.get(i)! <= 4)!;
      const m = counts.get(importer)!;
      const rules = path.join(dir, 'red-rule.json');
      writeFileSync(
        rules,
        JSON.stringify([{ lane: 'red', importer, explanation: 'importer under watch' }]),
      );
      const output = path.join(dir, 'trimmed.csv');
      const scored = await run([
        ...scoreArgs(output),
        '--critical-model',
        critical,
        '--critical-top-percent',
        '5',
        '--capacity',
        '12',
        '--rules',
        rules,
      ]);
      expect(scored.err).not.toMatch(/interdict:/);
      expect(scored.code).toBe(0);
      const { rows } = rowsOf(output);
      const mandatory = rows.filter((r) => r.reasons.includes('importer under watch'));
      expect(mandatory).toHaveLength(m);
      // Capacity 12, round(1.2) = 1 random: 11 - m for the band (of 30), none for the Fraud model.
      const budget = 11 - m;
      const raised = rows.filter((r) => band.test(r.reasons) && !mandatory.includes(r));
      expect(raised).toHaveLength(budget);
      const notRaised = rows.filter((r) => !band.test(r.reasons) && !mandatory.includes(r));
      expect(Math.min(...raised.map((r) => r.critical))).toBeGreaterThanOrEqual(
        Math.max(...notRaised.map((r) => r.critical)),
      );
      expect(rows.filter((r) => r.lane === 'red')).toHaveLength(12);
      expect(rows.filter((r) => r.reasons.includes('random inspection'))).toHaveLength(1);
      // A yellow band costs no capacity: all 30 of the top 5 % are raised.
      const yellow = await run([
        ...scoreArgs(output),
        '--critical-model',
        critical,
        '--critical-top-percent',
        '5',
        '--critical-lane',
        'yellow',
      ]);
      expect(yellow.code).toBe(0);
      expect(rowsOf(output).rows.filter((r) => band.test(r.reasons))).toHaveLength(30);
    });

    it('refuses a model of the wrong objective or a bad policy, writing nothing', async () => {
      const cases: [string[], number, RegExp][] = [
        [
          ['--critical-model', model],
          3,
          /--critical-model .* is a fraud model; it must be a critical model/,
        ],
        [
          ['--model', critical, '--critical-model', critical],
          3,
          /--model .* is a critical model; it must be a fraud model/,
        ],
        [
          ['--critical-model', critical, '--critical-top-percent', '0'],
          2,
          /topPercent must be in \(0, 100\]/,
        ],
        [['--critical-model', critical, '--critical-top-percent', '101'], 2, /topPercent/],
        [['--critical-model', critical, '--critical-top-percent', '1%'], 2, /topPercent/],
        [['--critical-model', critical, '--critical-lane', 'purple'], 2, /critical lane must be/],
        [['--critical-top-percent', '2'], 2, /need --critical-model/],
      ];
      for (const [extra, code, message] of cases) {
        const output = path.join(dir, 'refused.csv');
        const r = await run([...scoreArgs(output), ...extra]);
        expect(r.code).toBe(code);
        expect(r.err.split('\n').filter((l) => l.includes('interdict:'))).toEqual([
          expect.stringMatching(message),
        ]);
        expect(existsSync(output)).toBe(false);
      }
    });
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
