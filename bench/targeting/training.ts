// `npx tsx bench/targeting/training.ts [fraud|critical ...] [--no-xgboost]`: tree-training time per
// objective on KCS train (features built once beforehand and not timed), wall and CPU time, with
// the load average, and a SHA-256 fingerprint of the trained trees so a speed change can be
// checked not to change the model. Each objective is trained twice: in this thread, and with the
// bagged members on the store's training pool (INTERDICT_TRAIN_WORKERS threads, default every
// core; the pool's start-up is inside the timed span), whose trees must have the same
// fingerprint; then XGBoost (2 threads) on the same matrices with as many seeds, in the same run
// so that both see the same load. Profile with `node --cpu-prof --import tsx
// bench/targeting/training.ts`.
import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { readCsv } from '@interdict/core';
import { TrainingPool, trainingWorkerCount } from '@interdict/services';
import {
  finishTraining,
  finishTrainingWith,
  parseDeclarations,
  prepareTraining,
  trainingParams,
  type Objective,
  type TargetingModel,
} from '@interdict/targeting';
import { sharedData } from '@interdict/testkit';
import { ensureXgboost, runXgboost } from './xgboost';

const args = process.argv.slice(2);
const withXgboost = !args.includes('--no-xgboost');
const named = args.filter((a) => !a.startsWith('--'));
const objectives = (named.length > 0 ? named : ['fraud', 'critical']) as Objective[];
const workers = trainingWorkerCount();
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const file = (split: string) =>
  sharedData('customs-synthetic', 'kcs-2023-hs6', `df_syn_${split}_eng.csv`);
const train = (
  await parseDeclarations(readCsv(createReadStream(file('train'))), { onBadRow: 'refuse' })
).declarations;
const xgbVersion = withXgboost ? ensureXgboost() : undefined;
const tmp = mkdtempSync(path.join(tmpdir(), 'interdict-bench-training-'));
console.log(
  `${train.length} train declarations; ${workers} training workers; ` +
    `${xgbVersion ? `XGBoost ${xgbVersion}` : 'no XGBoost'}; load average ${load()}`,
);

/** Wall and CPU seconds (every thread of this process) of `fn`. */
async function timed<T>(
  fn: () => T | Promise<T>,
): Promise<{ value: T; wall: number; cpu: number }> {
  const cpu = process.cpuUsage();
  const wall = performance.now();
  const value = await fn();
  const u = process.cpuUsage(cpu);
  return { value, wall: (performance.now() - wall) / 1e3, cpu: (u.user + u.system) / 1e6 };
}
/**
 * CPU seconds per thread of this process (Linux: /proc/self/task/<tid>/stat, utime + stime in
 * clock ticks of 1/100 s). On a loaded machine the wall time says little (the kernel shares the
 * cores between sessions, not threads); the busiest thread's CPU is about what the wall time
 * would be on free cores.
 */
function threadCpu(): Map<number, number> {
  const cpu = new Map<number, number>();
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      cpu.set(Number(tid), (Number(fields[11]) + Number(fields[12])) / 100);
    }
  } catch {
    // Not Linux, or a thread ended while being read: no per-thread figures.
  }
  return cpu;
}
const fingerprint = (m: TargetingModel) =>
  createHash('sha256').update(JSON.stringify(m.gbdt)).digest('hex').slice(0, 16);
const s = (x: number) => `${x.toFixed(2)} s`;

for (const objective of objectives) {
  const prepared = prepareTraining(train, { objective });
  const bags = trainingParams({ objective }).bags;
  // finishTraining also builds the refit's features (the critical model's refit) and the
  // scoring history: the same span as the model's `training.treesMs` plus the history.
  const inProcess = await timed(() => finishTraining(prepared, { objective }));
  const t = inProcess.value.training;
  console.log(
    `${objective}, in process: wall ${s(inProcess.wall)} (trees ${s(t.treesMs / 1e3)}), CPU ${s(inProcess.cpu)}; ` +
      `${inProcess.value.gbdt.trees.length} trees, members ${t.members.map((m) => `${m.bestRound}/${m.roundsRun}`).join(' ')}; ` +
      `fingerprint ${fingerprint(inProcess.value)}; load average ${load()}`,
  );
  if (workers > 0) {
    const threads = Math.min(workers, bags);
    let perThread: number[] = [];
    const pooled = await timed(async () => {
      const before = threadCpu();
      const pool = new TrainingPool(threads);
      try {
        const model = await finishTrainingWith(prepared, { objective }, 0, (task, onRound) =>
          pool.run(task, onRound),
        );
        // Read before the pool closes: the worker threads' entries go with them.
        perThread = [...threadCpu()]
          .map(([tid, c]) => c - (before.get(tid) ?? 0))
          .sort((a, b) => b - a);
        return model;
      } finally {
        await pool.close();
      }
    });
    const same = fingerprint(pooled.value) === fingerprint(inProcess.value);
    console.log(
      `${objective}, ${threads} worker thread${threads > 1 ? 's' : ''}: wall ${s(pooled.wall)} ` +
        `(trees ${s(pooled.value.training.treesMs / 1e3)}), CPU ${s(pooled.cpu)} (all threads; ` +
        `busiest ${perThread
          .slice(0, threads + 1)
          .map((c) => c.toFixed(2))
          .join(', ')} s); ` +
        `fingerprint ${fingerprint(pooled.value)} (${same ? 'same' : 'DIFFERENT'}); load average ${load()}`,
    );
    if (!same) process.exitCode = 1;
  }
  if (xgbVersion && prepared.holdout) {
    const width = prepared.names.length;
    const fit = { ...prepared.fit, width };
    const hold = { ...prepared.holdout, width };
    // Scored on the holdout only (the figure wanted here is the training time).
    const x = runXgboost(
      tmp,
      `${objective}-training`,
      fit,
      hold,
      hold,
      { bags },
      { throughput: false },
    );
    console.log(
      `${objective}, XGBoost (2 threads${bags > 1 ? `, ${bags} seeds` : ''}, no refit): ` +
        `trees ${s(x.trainSeconds)} (${x.bestRound} rounds); load average ${load()}`,
    );
  }
}
rmSync(tmp, { recursive: true, force: true });
