// `npx tsx bench/targeting/scoring.ts [model.json]`: scoring throughput of the Fraud model on
// valid (features, trees only, features + trees) in process, the generated tree code beside the
// packed walk, and trees on the scoring pool's threads (INTERDICT_SCORE_WORKERS; BENCH_PASSES,
// default 15). For profiling: `node --cpu-prof --import tsx`.
// Trains the model on train when the model file does not exist yet, then reuses it.
import { createReadStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { readCsv } from '@interdict/core';
import { ScorePool, scoreMatrixInWorkers, scoringWorkerCount } from '@interdict/services';
import {
  CompiledGbdt,
  TargetingModel,
  parseDeclarations,
  trainTargetingModel,
} from '@interdict/targeting';
import { sharedData } from '@interdict/testkit';

const file = process.argv[2] ?? '/tmp/interdict-bench-fraud-model.json';
const load = async (name: string) =>
  (
    await parseDeclarations(
      readCsv(createReadStream(sharedData('customs-synthetic', 'kcs-2023-hs6', name))),
      { onBadRow: 'refuse' },
    )
  ).declarations;
const valid = await load('df_syn_valid_eng.csv');
// A cached model this build refuses (an older format version) is trained again.
function cached(): TargetingModel | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return TargetingModel.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    console.log(`retraining: ${(error as Error).message}`);
    return undefined;
  }
}
let model = cached();
if (!model) {
  model = trainTargetingModel(await load('df_syn_train_eng.csv'), { objective: 'fraud' });
  writeFileSync(file, model.serialize());
}
const matrix = model.features(valid);
const passes = Number(process.env.BENCH_PASSES ?? 15);
const started = loadavg();
// Per second of wall time and of this process's CPU time (user + system, every thread: the
// scoring pool's included), each the best of `passes` passes: on a shared machine wall time
// mostly measures the other processes.
async function best(fn: () => number | Promise<number>): Promise<{ wall: number; cpu: number }> {
  let wall = 0;
  let cpu = 0;
  for (let k = 0; k < passes; k++) {
    const t = process.cpuUsage();
    const w = performance.now();
    const n = await fn();
    const ms = performance.now() - w;
    const u = process.cpuUsage(t);
    wall = Math.max(wall, n / (ms / 1e3));
    cpu = Math.max(cpu, n / ((u.user + u.system) / 1e6));
  }
  return { wall, cpu };
}
const rate = (x: number) => Math.round(x).toLocaleString('en');
const show = ({ wall, cpu }: { wall: number; cpu: number }) => `${rate(wall)} (CPU ${rate(cpu)})`;
const { compiled } = model;
const walked = new CompiledGbdt(model.gbdt, { generate: false });
// Side by side in one process, alternating: the generated code against the packed walk.
let generated = { wall: 0, cpu: 0 };
let walk = { wall: 0, cpu: 0 };
const better = (a: typeof walk, b: typeof walk) => ({
  wall: Math.max(a.wall, b.wall),
  cpu: Math.max(a.cpu, b.cpu),
});
for (let round = 0; round < 3; round++) {
  walk = better(walk, await best(() => walked.margins(matrix.values, matrix.rows).length));
  generated = better(
    generated,
    await best(() => compiled.marginsGenerated(matrix.values, matrix.rows).length),
  );
}
const features = await best(() => model.features(valid).rows);
const trees = await best(() => compiled.margins(matrix.values, matrix.rows).length);
const full = await best(() => model.score(valid).length);
// The scoring pool (INTERDICT_SCORE_WORKERS threads, default every core); its threads start and
// receive the model before timing (one untimed pass).
const pool = new ScorePool(scoringWorkerCount() || 1, { minRows: 0 });
await pool.scoreMatrix(model, matrix);
const poolTrees = await best(async () => (await pool.scoreMatrix(model, matrix)).length);
const poolFull = await best(
  async () => (await scoreMatrixInWorkers(model, model.features(valid), pool)).length,
);
const poolPipelined = await best(
  async () => (await pool.scoreDeclarations(model, valid)).scores.length,
);
await pool.close();
const avg = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
console.log(
  [
    `${model.gbdt.trees.length} trees, ${matrix.names.length} features, ${valid.length} rows; declarations per second of wall time (CPU time), best of ${passes} passes`,
    `in process (one thread, ${compiled.scoringPath}): features ${show(features)}, trees ${show(trees)}, features + trees ${show(full)}`,
    `trees side by side (3 × ${passes} passes each): generated code ${show(generated)}, packed walk ${show(walk)}`,
    `pool of ${pool.size} threads (trees there, features here): trees ${show(poolTrees)}, features + trees ${show(poolFull)}, features + trees pipelined (features of the next chunk built while the threads score) ${show(poolPipelined)}`,
    `load average ${avg(started)} at the start, ${avg(loadavg())} at the end`,
  ].join('\n'),
);
