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
