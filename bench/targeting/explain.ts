// `npx tsx bench/targeting/explain.ts`: latency of a declaration's page (its explanation) through
// the targeting service: the whole KCS train set ingested and a Fraud model trained from it in an
// in-memory PGlite store, then the first days of valid explained: the first call for a day (model
// read, history advanced), then repeated calls (served from the service's model cache), and calls
// with the cache emptied first (what every page cost before it).
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { createServices } from '@interdict/services';
import { MEMORY, bootstrapStore, openStore, runIngestJob } from '@interdict/store';
import { sharedData } from '@interdict/testkit';

const text = (name: string) =>
  readFileSync(sharedData('customs-synthetic', 'kcs-2023-hs6', name), 'utf8');
const bytes = (s: string) =>
  Readable.from([new TextEncoder().encode(s)], { objectMode: true }) as AsyncIterable<Uint8Array>;
const store = await openStore({ dataDir: MEMORY });
await bootstrapStore(store, { adminPassword: 'correct horse battery staple' });
const actor = await store.systemActor();
const services = createServices(store);
const { targeting } = services;
const first = await runIngestJob(store, actor, {
  kind: 'declarations',
  sourceName: 'train.csv',
  input: bytes(text('df_syn_train_eng.csv')),
});
const [header, ...rows] = text('df_syn_valid_eng.csv').trim().split('\n');
const firstDays = rows.filter((l) => (l.split(',')[1] as string) < '2021-01-09');
const job = await runIngestJob(store, actor, {
  kind: 'declarations',
  sourceName: 'valid-first-days.csv',
  input: bytes([header, ...firstDays.map((l) => l.replace(/,\d,\d$/, ',,'))].join('\n') + '\n'),
});
for (const j of [first, job]) if (j.status !== 'succeeded') throw new Error(String(j.error));
const t0 = performance.now();
const model = await targeting.trainModel(actor, { objective: 'fraud' });
console.log(`trained ${model.id} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
const byDay = new Map<string, string[]>();
for (const l of firstDays) {
  const [id, date] = l.split(',') as [string, string];
  byDay.set(date, [...(byDay.get(date) ?? []), id]);
}
for (const [date, ids] of byDay) {
  const times: number[] = [];
  for (const id of ids.slice(0, 20)) {
    const t = performance.now();
    await targeting.declaration(actor, id);
    times.push(performance.now() - t);
  }
  const rest = times.slice(1).sort((a, b) => a - b);
  // As before the cache: every page reads and parses the model and advances its history.
  const cold: number[] = [];
  for (const id of ids.slice(0, 3)) {
    targeting.forgetCached();
    const t = performance.now();
    await targeting.declaration(actor, id);
    cold.push(performance.now() - t);
  }
  cold.sort((a, b) => a - b);
  console.log(
    `${date}: first page ${times[0]?.toFixed(0)} ms, next ${rest.length} pages median ${rest[Math.floor(rest.length / 2)]?.toFixed(1)} ms; without the cache median ${cold[1]?.toFixed(0)} ms`,
  );
}
// The services close the store with them.
await services.close();
