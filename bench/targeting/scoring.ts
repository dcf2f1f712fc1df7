// `npx tsx bench/targeting/scoring.ts [model.json]`: scoring throughput of the Fraud model on
// valid (features + trees, trees only), for profiling with `node --cpu-prof --import tsx`.
// Trains the model on train when the model file does not exist yet, then reuses it.
import { createReadStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
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
let model: TargetingModel;
if (existsSync(file)) model = TargetingModel.parse(readFileSync(file, 'utf8'));
else {
  model = trainTargetingModel(await load('df_syn_train_eng.csv'), { objective: 'fraud' });
  writeFileSync(file, model.serialize());
}
const matrix = model.features(valid);
// Per second of this process's CPU time (user + system), the best of 15 passes: on a shared
// machine wall time mostly measures the other processes.
function best(fn: () => number): number {
  let b = 0;
  for (let k = 0; k < 15; k++) {
    const t = process.cpuUsage();
    const n = fn();
    const u = process.cpuUsage(t);
    b = Math.max(b, n / ((u.user + u.system) / 1e6));
  }
  return b;
}
const features = best(() => model.features(valid).rows);
const trees = best(() => model.compiled.margins(matrix.values, matrix.rows).length);
const full = best(() => model.score(valid).length);
console.log(
  `${model.gbdt.trees.length} trees, ${matrix.names.length} features, ${valid.length} rows: features ${Math.round(features).toLocaleString('en')}/s, trees ${Math.round(trees).toLocaleString('en')}/s, features + trees ${Math.round(full).toLocaleString('en')}/s (per CPU second)`,
);
