// `npx tsx bench/targeting/critical-precedent.ts [critical candidate] [fraud candidate]`: where
// the rolling-origin protocol's Critical Fraud misses are, on train (2020) alone. Reads the scores
// that bench/targeting/protocol.ts cached in $PROTOCOL_CACHE (run it first for both candidates).
// For each critical declaration of Jul–Dec 2020 it tells whether its group key (HS code,
// departure, origin, tax rate, tax type) had a critical declaration before the month, whether it
// was in that month's top 5 %, and where the Fraud model ranked it. Valid is never read.
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readCsv } from '@interdict/core';
import {
  capacityFor,
  parseDeclarations,
  rankByScore,
  type Declaration,
} from '@interdict/targeting';
import { sharedData } from '@interdict/testkit';

const MONTHS = ['2020-07', '2020-08', '2020-09', '2020-10', '2020-11', '2020-12'];
const cacheDir = process.env.PROTOCOL_CACHE ?? '/tmp/interdict-targeting-protocol';
const [criticalName = 'critical/refit-bag5', fraudName = 'fraud/single'] = process.argv.slice(2);

const train = (
  await parseDeclarations(
    readCsv(
      createReadStream(sharedData('customs-synthetic', 'kcs-2023-hs6', 'df_syn_train_eng.csv')),
    ),
    { onBadRow: 'refuse' },
  )
).declarations;

/** Each row's place in the month's ranking as a share of the month (0 = first). */
function places(name: string, m: string): Float64Array {
  const file = path.join(cacheDir, `${name.replace('/', '__')}__${m}.json`);
  if (!existsSync(file)) {
    console.error(`no cached scores for ${name} ${m}: run bench/targeting/protocol.ts ${name}`);
    process.exit(1);
  }
  const scores = JSON.parse(readFileSync(file, 'utf8')) as number[];
  const out = new Float64Array(scores.length);
  rankByScore(scores).forEach((row, i) => (out[row] = i / scores.length));
  return out;
}

const groupKey = (d: Declaration) =>
  `${d.hsCode}|${d.departure}|${d.origin}|${d.taxRate}|${d.taxType}`;
const tally = { precedent: [0, 0], novel: [0, 0] };
const novelFraudPlaces: number[] = [];
for (const m of MONTHS) {
  const before = new Set(train.filter((d) => d.date < `${m}-01` && d.critical === 2).map(groupKey));
  const test = train.filter((d) => d.date.startsWith(m));
  const critical = places(criticalName, m);
  const fraud = places(fraudName, m);
  const top = capacityFor(test.length, 5) / test.length;
  test.forEach((d, r) => {
    if (d.critical !== 2) return;
    const kind = before.has(groupKey(d)) ? tally.precedent : tally.novel;
    kind[0] = (kind[0] as number) + 1;
    if ((critical[r] as number) < top) kind[1] = (kind[1] as number) + 1;
    if (kind === tally.novel) novelFraudPlaces.push(fraud[r] as number);
  });
}
novelFraudPlaces.sort((a, b) => a - b);
const [pn, ph] = tally.precedent as [number, number];
const [nn, nh] = tally.novel as [number, number];
console.log(`${criticalName}, top 5 % per month, pooled Jul–Dec 2020:`);
console.log(`  group key had an earlier critical declaration: ${ph} of ${pn} caught`);
console.log(`  group key without one:                         ${nh} of ${nn} caught`);
console.log(
  `  those ${nn} under ${fraudName}: in its top 10 % ${novelFraudPlaces.filter((p) => p < 0.1).length}, median place ${(100 * (novelFraudPlaces[Math.floor(nn / 2)] ?? NaN)).toFixed(0)} %`,
);
