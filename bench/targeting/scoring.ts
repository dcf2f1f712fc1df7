// `npx tsx bench/targeting/scoring.ts [model.json]`: scoring throughput of the Fraud model on
// valid (features, trees only, features + trees), for profiling with
// `node --cpu-prof --import tsx`.
// Trains the model on train when the model file does not exist yet, then reuses it.
import { createReadStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { readCsv } from '@interdict/core';
import { TargetingModel, parseDeclarations, trainTargetingModel } from '@interdict/targeting';
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
// Per second of wall time and of this process's CPU time (user + system), each the best of 15
// passes: on a shared machine wall time mostly measures the other processes.
function best(fn: () => number): { wall: number; cpu: number } {
  let wall = 0;
  let cpu = 0;
  for (let k = 0; k < 15; k++) {
    const t = process.cpuUsage();
    const w = performance.now();
    const n = fn();
    const ms = performance.now() - w;
    const u = process.cpuUsage(t);
    wall = Math.max(wall, n / (ms / 1e3));
    cpu = Math.max(cpu, n / ((u.user + u.system) / 1e6));
  }
  return { wall, cpu };
}
const rate = (x: number) => Math.round(x).toLocaleString('en');
const show = ({ wall, cpu }: { wall: number; cpu: number }) => `${rate(wall)} (CPU ${rate(cpu)})`;
const features = best(() => model.features(valid).rows);
const trees = best(() => model.compiled.margins(matrix.values, matrix.rows).length);
const full = best(() => model.score(valid).length);
console.log(
  `${model.gbdt.trees.length} trees, ${matrix.names.length} features, ${valid.length} rows, per second of wall time (CPU time): features ${show(features)}, trees ${show(trees)}, features + trees ${show(full)}; load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
