// `npx tsx bench/targeting/training.ts [fraud|critical ...]`: tree-training time per objective on
// KCS train (features built once beforehand and not timed), wall and CPU time, with the load
// average, and a SHA-256 fingerprint of the trained trees so a speed change can be checked not
// to change the model. Profile with `node --cpu-prof --import tsx bench/targeting/training.ts`.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { loadavg } from 'node:os';
import { readCsv } from '@interdict/core';
import {
  finishTraining,
  parseDeclarations,
  prepareTraining,
  type Objective,
} from '@interdict/targeting';
import { sharedData } from '@interdict/testkit';

const objectives = (
  process.argv.length > 2 ? process.argv.slice(2) : ['fraud', 'critical']
) as Objective[];
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const train = (
  await parseDeclarations(
    readCsv(
      createReadStream(sharedData('customs-synthetic', 'kcs-2023-hs6', 'df_syn_train_eng.csv')),
    ),
    { onBadRow: 'refuse' },
  )
).declarations;
console.log(`${train.length} train declarations; load average ${load()}`);
for (const objective of objectives) {
  const prepared = prepareTraining(train, { objective });
  const cpu = process.cpuUsage();
  const wall = performance.now();
  // finishTraining also builds the refit's features (the critical model's refit) and the
  // scoring history: the same span as the model's `training.treesMs` plus the history.
  const model = finishTraining(prepared, { objective });
  const ms = performance.now() - wall;
  const u = process.cpuUsage(cpu);
  const fingerprint = createHash('sha256').update(JSON.stringify(model.gbdt)).digest('hex');
  const t = model.training;
  console.log(
    `${objective}: wall ${(ms / 1e3).toFixed(2)} s (trees ${(t.treesMs / 1e3).toFixed(2)} s), CPU ${((u.user + u.system) / 1e6).toFixed(2)} s; ` +
      `${model.gbdt.trees.length} trees, members ${t.members.map((m) => `${m.bestRound}/${m.roundsRun}`).join(' ')}; ` +
      `fingerprint ${fingerprint.slice(0, 16)}; load average ${load()}`,
  );
}
