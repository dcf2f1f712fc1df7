// The XGBoost side of the targeting benches (Debian's python3-xgboost through xgb.py): installs it
// when absent, writes feature matrices as numeric CSV and reads back scores and timings.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_GBDT_PARAMS, type GbdtParams } from '@interdict/targeting';

const here = path.dirname(fileURLToPath(import.meta.url));
// Debian's python3-xgboost lives under the system interpreter, not a pyenv/virtualenv shim.
const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

export function ensureXgboost(): string {
  const probe = () => spawnSync(python, ['-c', 'import xgboost; print(xgboost.__version__)']);
  let r = probe();
  if (r.status !== 0) {
    const policy = spawnSync('apt-cache', ['policy', 'python3-xgboost'], { encoding: 'utf8' });
    console.log(policy.stdout.trim());
    console.log('installing python3-xgboost with apt-get …');
    spawnSync('apt-get', ['install', '-y', 'python3-xgboost'], { stdio: 'inherit' });
    r = probe();
    if (r.status !== 0) throw new Error('python3-xgboost could not be installed');
  }
  return r.stdout.toString().trim();
}

/** A row-major numeric matrix with 0/1 labels (NaN is missing). */
export interface Mat {
  values: Float64Array;
  rows: number;
  width: number;
  labels: ArrayLike<number>;
}

function writeCsv(file: string, m: Mat) {
  const lines = [['label', ...Array.from({ length: m.width }, (_, i) => `f${i}`)].join(',')];
  for (let r = 0; r < m.rows; r++) {
    const cells = [String(m.labels[r])];
    for (let f = 0; f < m.width; f++) {
      const v = m.values[r * m.width + f] as number;
      cells.push(Number.isNaN(v) ? 'nan' : String(v));
    }
    lines.push(cells.join(','));
  }
  writeFileSync(file, lines.join('\n') + '\n');
}

export interface XgbResult {
  version: string;
  trainSeconds: number;
  bestRound: number;
  scoresPerSecond: number;
  scoresPerCpuSecond: number;
  scores: number[];
}

/**
 * Fits XGBoost on `fit`, early-stopped on `holdout`, with the GBDT's hyperparameters (`bags` >
 * 1: that many seeds averaged in log-odds, as the Interdict GBDT does), and scores `valid`.
 */
export function runXgboost(
  dir: string,
  name: string,
  fit: Mat,
  holdout: Mat,
  valid: Mat,
  params: Partial<GbdtParams> = {},
  options: { throughput?: boolean } = {},
): XgbResult {
  const files = ['fit', 'holdout', 'valid'].map((k) => path.join(dir, `${name}-${k}.csv`));
  [fit, holdout, valid].forEach((m, i) => writeCsv(files[i] as string, m));
  const paramsFile = path.join(dir, `${name}-params.json`);
  writeFileSync(
    paramsFile,
    JSON.stringify({ ...DEFAULT_GBDT_PARAMS, ...params, throughput: options.throughput ?? true }),
  );
  const out = path.join(dir, `${name}-out.json`);
  const r = spawnSync(python, [path.join(here, 'xgb.py'), paramsFile, ...files, out], {
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error(`xgb.py failed for ${name}`);
  return JSON.parse(readFileSync(out, 'utf8')) as XgbResult;
}
