// `npx tsx bench/targeting/critical-selection.ts [--valid]`: chooses how to rank Critical Fraud
// on a later-dated slice of train only (fit on train before 2020-11-01, compare on 2020-11-01 to
// 2020-12-31). With --valid, the candidates are also evaluated on valid (2021Q1), for the report
// once the choice is made; valid never chooses anything.
import { createReadStream } from 'node:fs';
import { readCsv } from '@interdict/core';
import {
  labelFor,
  parseDeclarations,
  precisionRecallAt,
  trainTargetingModel,
  type Declaration,
} from '@interdict/targeting';
import { sharedData } from '@interdict/testkit';

const load = async (name: string) =>
  (
    await parseDeclarations(
      readCsv(createReadStream(sharedData('customs-synthetic', 'kcs-2023-hs6', name))),
      { onBadRow: 'refuse' },
    )
  ).declarations;
const train = await load('df_syn_train_eng.csv');
const onValid = process.argv.includes('--valid');
const groupKey = !process.argv.includes('--no-group-key');
const [fit, test] = onValid
  ? [train, await load('df_syn_valid_eng.csv')]
  : [train.filter((d) => d.date < '2020-11-01'), train.filter((d) => d.date >= '2020-11-01')];
const labels = test.map((d) => labelFor(d, 'critical') ?? 0);
console.log(
  `fit ${fit.length} rows, compare on ${test.length} (${labels.filter((l) => l === 1).length} critical)${groupKey ? '' : ', no group key'}`,
);
const features = { groupKey };
const show = (name: string, s: ArrayLike<number>) => {
  const m = precisionRecallAt(s, labels);
  console.log(
    `${name.padEnd(44)} R@1/2/5/10% ${m.map((x) => x.recall.toFixed(3)).join(' ')}  P ${m.map((x) => x.precision.toFixed(3)).join(' ')}`,
  );
};
const t0 = performance.now();
const fraud = trainTargetingModel(fit, { objective: 'fraud', features });
const pf = fraud.score(test);
show('fraud model', pf);
const crit = trainTargetingModel(fit, { objective: 'critical', features });
const pc = crit.score(test);
show('critical model', pc);
const frauds = fit.filter((d: Declaration) => d.fraud === 1);
const cond = trainTargetingModel(frauds, { objective: 'critical', features });
const pcf = cond.score(test);
show('P(critical | fraud) alone', pcf);
show(
  'P(fraud) × P(critical | fraud)',
  Array.from(pf, (p, i) => p * (pcf[i] as number)),
);
show(
  'sqrt(P(fraud) × P(critical))',
  Array.from(pf, (p, i) => Math.sqrt(p * (pc[i] as number))),
);
for (const w of [5, 20]) {
  const m = trainTargetingModel(fit, {
    objective: 'critical',
    features,
    gbdt: { positiveWeight: w, minChildWeight: 5, maxLeaves: 15, lambda: 5 },
  });
  const s = m.score(test);
  show(`critical, weight ${w}, regularised`, s);
  show(
    `  × P(fraud) (geometric mean)`,
    Array.from(pf, (p, i) => Math.sqrt(p * (s[i] as number))),
  );
}
const cond2 = trainTargetingModel(frauds, {
  objective: 'critical',
  features,
  gbdt: { minChildWeight: 5, maxLeaves: 15, lambda: 5 },
});
const pcf2 = cond2.score(test);
show(
  'P(fraud) × P(critical | fraud), regularised',
  Array.from(pf, (p, i) => p * (pcf2[i] as number)),
);
console.log(`(${((performance.now() - t0) / 1000).toFixed(0)} s)`);
