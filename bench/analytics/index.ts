// `npm run bench -- analytics [--skip-postgres]`: ingest of the full BTS file (399,406 rows),
// both CBP files and UNODC on the embedded default (PGlite in a fresh data folder) and on
// PostgreSQL (a fresh schema), then the p95 latency of every analysis endpoint in process.
import { randomBytes } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';

process.env.LOG_LEVEL ??= 'silent';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { createApp, createLogger } from '@interdict/server';
import { bootstrapStore, openStore, type Store } from '@interdict/store';
import { createTestSchema, sharedData } from '@interdict/testkit';
import { createServices, type Services } from '@interdict/services';

const FILES: [string, string][] = [
  ['bts-crossings', sharedData('border-crossings', 'Border_Crossing_Entry_Data_full.csv.gz')],
  ['cbp-seizures', sharedData('seizures', 'cbp', 'cbp_drug_seizures_fy19_22.csv')],
  ['cbp-seizures', sharedData('seizures', 'cbp', 'cbp_drug_seizures_fy22_25.csv')],
  ['unodc-seizures', sharedData('seizures', 'unodc', 'drug_seizures_2018_2022.csv')],
  // For the traffic views' map (not part of the timed ingest total).
  ['bts-ports', sharedData('border-crossings', 'border_ports.csv')],
];

const ENDPOINTS = [
  '/api/analytics/seizures/series?group=drug',
  '/api/analytics/seizures/series?group=aor&drug=Fentanyl',
  '/api/analytics/seizures/mix?fiscalYear=2024',
  '/api/analytics/seizures/rates?unit=trucks&area=region',
  '/api/analytics/seizures/rates?unit=personal-vehicles&area=field-office',
  '/api/analytics/seizures/unusual?group=drug',
  '/api/analytics/seizures/forecast?group=total&drug=Methamphetamine',
  '/api/analytics/crossings/series?measure=Trucks&group=border',
  '/api/analytics/crossings/series?measure=Trucks&port=2304',
  '/api/analytics/crossings/ports?measure=Trucks&from=2024-01&to=2024-12',
  '/api/analytics/unodc/totals?drug=Cocaine&year=2021',
  '/api/analytics/unodc/shares?drug=Cocaine&year=2021',
  '/api/analytics/unodc/trends?drug=Cocaine',
  '/api/analytics/rows/cbp-seizures?drug=Fentanyl&month=2023-03',
  '/api/analytics/facets',
];
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

async function ingestAll(store: Store, services: Services, label: string): Promise<void> {
  await bootstrapStore(store, { adminPassword: 'bench-password-1234' });
  const actor = await store.systemActor();
  let timed = 0;
  let timedCpu = 0;
  for (const [kind, file] of FILES) {
    const started = performance.now();
    const cpu = process.cpuUsage();
    // Through the ingest service, as every edge loads data: each release with its ledger entry.
    const { job } = await services.ingest.run(actor, {
      kind,
      sourceName: path.basename(file),
      input: createReadStream(file),
    });
    const ms = performance.now() - started;
    const used = process.cpuUsage(cpu);
    // PGlite runs inside this process, so its CPU time is a figure the shared machine's load
    // does not inflate; PostgreSQL's own work happens in its server process and is not in it.
    const cpuMs = (used.user + used.system) / 1000;
    if (job.status !== 'succeeded') throw new Error(`${label} ${kind}: ${job.error}`);
    const rows = (job.summary as { rows: number }).rows;
    if (kind !== 'bts-ports') {
      timed += ms;
      timedCpu += cpuMs;
    }
    console.log(
      `${label}  ingest ${kind.padEnd(15)} ${path.basename(file).padEnd(42)} ${String(rows).padStart(7)} rows  ${seconds(ms)} (this process's CPU ${seconds(cpuMs)})`,
    );
  }
  console.log(
    `${label}  ingest total (BTS full + both CBP + UNODC): ${seconds(timed)} (CPU ${seconds(timedCpu)}; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')})`,
  );
}

async function latencies(store: Store, services: Services, label: string): Promise<void> {
  const app = createApp({ store, services, logger: createLogger() });
  const actor = await store.systemActor();
  const { secret } = await store.tokens.create(actor, {
    name: 'bench',
    role: 'analyst',
    expiresInDays: 1,
  });
  const headers = { authorization: `Bearer ${secret}` };
  for (const url of ENDPOINTS) {
    const first = await app.request(url, { headers });
    if (first.status !== 200) throw new Error(`${url}: ${first.status} ${await first.text()}`);
    const times: number[] = [];
    const cpuTimes: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const started = performance.now();
      const cpu = process.cpuUsage();
      const res = await app.request(url, { headers });
      await res.arrayBuffer();
      times.push(performance.now() - started);
      const used = process.cpuUsage(cpu);
      cpuTimes.push((used.user + used.system) / 1000);
    }
    times.sort((a, b) => a - b);
    cpuTimes.sort((a, b) => a - b);
    const pick = (list: number[], q: number) =>
      list[Math.min(list.length - 1, Math.ceil(q * list.length) - 1)] ?? NaN;
    const p = (q: number) => pick(times, q);
    // With PGlite the whole request runs in this process: its CPU time is close to what the
    // request takes on an idle machine (PostgreSQL's share runs elsewhere and is not counted).
    const cpuNote =
      store.engine === 'pglite' ? `  (CPU p95 ${pick(cpuTimes, 0.95).toFixed(1)} ms)` : '';
    console.log(
      `${label}  ${url.padEnd(72)} p50 ${p(0.5).toFixed(1).padStart(6)} ms  p95 ${p(0.95).toFixed(1).padStart(6)} ms${cpuNote}`,
    );
  }
}

const dir = mkdtempSync(path.join(tmpdir(), 'interdict-bench-analytics-'));
try {
  const embedded = await openStore({ dataDir: path.join(dir, 'data') });
  const services = createServices(embedded);
  try {
    await ingestAll(embedded, services, 'pglite  ');
    await latencies(embedded, services, 'pglite  ');
  } finally {
    await services.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

if (!process.argv.includes('--skip-postgres')) {
  const schema = await createTestSchema('bench_analytics');
  const pg = await openStore({ databaseUrl: schema.url });
  // A throwaway log key: without one the ledger would keep its key file in the working folder.
  const services = createServices(pg, { ledger: { key: randomBytes(32).toString('base64') } });
  try {
    await ingestAll(pg, services, 'postgres');
    await latencies(pg, services, 'postgres');
  } finally {
    await services.close();
    await schema.drop();
  }
}
