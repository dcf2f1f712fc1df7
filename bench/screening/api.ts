// `npm run bench -- screening-api`: POST /api/screening/match over HTTP against an in-process
// server (fresh in-memory store, OFAC sdn.csv 2024-05-03 + UN consolidated 2026-02 ingested as
// ordinary jobs). Prints the first match after start (worker start-up and index build), then
// requests/s and p50/p99 latency of one-query requests at concurrency 1 and 8, a 1,000-query
// batch request, and /healthz latency while batches run (the main thread stays free).
// INTERDICT_SCREENING_WORKERS=0 gives the main-thread matcher for comparison;
// INTERDICT_AUTH_CACHE_MS=0 INTERDICT_SCREENING_VERSION_TTL_MS=0 turns off the in-process caches of
// the session and of the list-version key (one database query each per request, as before them).
// "main thread busy" is the event loop's utilisation (the thread that answers HTTP) per phase.
//
// Queries are the names of `negatives_us.csv` (mostly no hit) and `positives_un_untreated.csv`
// (hits), interleaved; they are only timed, nothing is chosen from them.
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { sharedData } from '@interdict/testkit';
import { bootstrapInstance, createLogger, startServer } from '@interdict/server';
import { screeningWorkerCount } from '@interdict/services';
import { MEMORY, openStore } from '@interdict/store';

const quick = process.argv.includes('--quick');
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
const workers = screeningWorkerCount(process.env.INTERDICT_SCREENING_WORKERS);
console.log(
  `screening API bench — ${availableParallelism()} cores, ${workers === 0 ? 'main-thread matcher' : `${workers} screening workers`}, load average ${load()}${quick ? ' (quick)' : ''}`,
);

type Row = Record<string, string>;
const csv = (file: string): Row[] =>
  parse<Row>(readFileSync(file), { columns: true, skip_empty_lines: true });
const FX = (f: string) => sharedData('name-matching', 'yente-screening-fixtures', f);
const negatives = csv(FX('negatives_us.csv'));
const positives = csv(FX('positives_un_untreated.csv'));
const nameOf = (r: Row) =>
  (r.full_name ?? '').trim() ||
  [r.first_name, r.middle_name, r.last_name].filter((x) => x?.trim()).join(' ');
const names: string[] = [];
for (let i = 0; names.length < 4000 && i < negatives.length; i++) {
  const n = nameOf(negatives[i]!);
  if (/[\p{L}]/u.test(n)) names.push(n);
  const p = positives[i % positives.length];
  if (p && i % 4 === 0 && /[\p{L}]/u.test(nameOf(p))) names.push(nameOf(p));
}

// ---- server --------------------------------------------------------------------------------
process.env.LOG_LEVEL ??= 'warn';
const store = await openStore({ dataDir: MEMORY });
const adminEmail = 'bench@interdict.test';
const adminPassword = 'bench-password-screening-api';
await bootstrapInstance(store, { adminEmail, adminPassword });
const system = await store.systemActor();
const server = await startServer({
  port: 0,
  host: '127.0.0.1',
  store,
  demoData: false,
  logger: createLogger(),
  handleSignals: false,
});
// Lists go in force through the server's services, so each version is committed to the ledger.
for (const [kind, sourceName, file] of [
  ['ofac-sdn', 'sdn-2024-05-03.csv', sharedData('watchlists', 'ofac-sdn-2024-05-03', 'sdn.csv')],
  [
    'un-consolidated',
    'UN_consolidated.xml',
    sharedData('watchlists', 'un-consolidated-2026-02', 'UN_consolidated.xml'),
  ],
] as const) {
  const t = performance.now();
  const { job } = await server.services.ingest.run(system, {
    kind,
    sourceName,
    input: Readable.from([readFileSync(file)]) as AsyncIterable<Uint8Array>,
  });
  if (job.status !== 'succeeded') throw new Error(`${kind}: ${job.error}`);
  console.log(`ingested ${kind} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}

const signIn = await fetch(`${server.url}/api/auth/sign-in`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ email: adminEmail, password: adminPassword }),
});
const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
const { csrfToken } = (await signIn.json()) as { csrfToken: string };

async function match(queries: { name: string }[]): Promise<number> {
  const t = performance.now();
  const res = await fetch(`${server.url}/api/screening/match`, {
    method: 'POST',
    headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' },
    body: JSON.stringify({ queries, threshold: 0.7, limit: 10 }),
  });
  const body = (await res.json()) as { results?: unknown[]; detail?: string };
  if (res.status !== 200 || body.results?.length !== queries.length) {
    throw new Error(`match answered ${res.status}: ${body.detail ?? ''}`);
  }
  return performance.now() - t;
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const ms = (x: number) => x.toFixed(2);

// ---- first request: workers start and build the index ---------------------------------------
const first = await match([{ name: 'Ismael Zambada Garcia' }]);
console.log(
  `first match after start (worker start-up + index build): ${(first / 1000).toFixed(2)} s`,
);
for (let i = 0; i < 200; i++) await match([{ name: names[i % names.length]! }]); // warm caches

// ---- single-query requests at concurrency 1 and 8 -------------------------------------------
async function run(concurrency: number, total: number): Promise<void> {
  const latencies: number[] = [];
  let next = 0;
  const cpu0 = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        latencies.push(await match([{ name: names[(i + 200) % names.length]! }]));
      }
    }),
  );
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const busy = performance.eventLoopUtilization(elu0).utilization;
  latencies.sort((a, b) => a - b);
  console.log(
    `concurrency ${concurrency}: ${(total / wall).toFixed(0)} requests/s, p50 ${ms(quantile(latencies, 0.5))} ms, ` +
      `p99 ${ms(quantile(latencies, 0.99))} ms (${total} one-query requests; ` +
      `${((cpu.user + cpu.system) / 1000 / total).toFixed(2)} ms CPU per request, all threads, client included; ` +
      `main thread busy ${(busy * 100).toFixed(0)}%; load ${load()})`,
  );
}
await run(1, quick ? 500 : 2000);
await run(8, quick ? 1000 : 4000);

// ---- batch requests, with /healthz probed meanwhile ------------------------------------------
const batch = names.slice(0, 1000).map((name) => ({ name }));
const rounds = quick ? 2 : 5;
let probing = true;
const probes: number[] = [];
const prober = (async () => {
  while (probing) {
    const t = performance.now();
    await (await fetch(`${server.url}/healthz`)).text();
    probes.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 5));
  }
})();
const tb = performance.now();
const cpuBatch0 = process.cpuUsage();
const eluBatch0 = performance.eventLoopUtilization();
for (let i = 0; i < rounds; i++) await match(batch);
const batchWall = (performance.now() - tb) / 1000;
const cpuBatch = process.cpuUsage(cpuBatch0);
const batchCpuSeconds = (cpuBatch.user + cpuBatch.system) / 1e6;
const batchBusy = performance.eventLoopUtilization(eluBatch0).utilization;
probing = false;
await prober;
probes.sort((a, b) => a - b);
console.log(
  `batch: ${((rounds * batch.length) / batchWall).toFixed(0)} queries/s (${rounds} requests of ${batch.length} queries; ` +
    `${((rounds * batch.length) / batchCpuSeconds).toFixed(0)} queries per CPU-second, all threads; ` +
    `main thread busy ${(batchBusy * 100).toFixed(0)}%); ` +
    `/healthz meanwhile p50 ${ms(quantile(probes, 0.5))} ms, p99 ${ms(quantile(probes, 0.99))} ms, max ${ms(probes[probes.length - 1]!)} ms (${probes.length} probes); load ${load()}`,
);

await server.close();
process.exit(0);
