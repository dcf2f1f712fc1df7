// `npm run bench -- ledger-decisions [seconds] [writers]` — decisions recorded per second through
// the services, each with its ledger commit (issue 12: goal ≥ 5,000/s on the embedded store),
// on the embedded store (PGlite in a data folder, tiles fsynced to the folder) and on PostgreSQL.
//
// A decision here is what every service does: one transaction that writes the change (an audit
// row standing for the decision's own row) and stages its ledger entry (a v2 commitment signed by
// the organisation); the caller is answered once the sequencer has made the leaf durable.
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { createServices } from '@interdict/services';
import { bootstrapStore, openStore, type Store } from '@interdict/store';
import { createTestSchema } from '@interdict/testkit';

const seconds = Number(process.argv[2] ?? 5);
const writers = Number(process.argv[3] ?? 64);

async function run(label: string, store: Store): Promise<void> {
  await bootstrapStore(store, { adminPassword: 'correct horse battery staple' });
  const actor = await store.systemActor();
  const services = createServices(store, {
    closeStore: false,
    ledger: {
      origin: 'bench.interdict.example/decisions',
      key: Buffer.alloc(32, 3).toString('base64'),
      checkpointIntervalMs: 1000,
    },
  });
  await services.start();
  const decide = (n: number) =>
    services.ledger.commit(actor, async (tx, record) => {
      const id = crypto.randomUUID();
      await tx.audit.record({ actor, action: 'bench.decision', targetType: 'bench', targetId: id });
      await record({
        type: 'bench.decision',
        body: { id, n, verdict: n % 2 === 0 ? 'confirmed' : 'dismissed' },
        subject: { type: 'bench.decision', id },
      });
    });
  // Warm-up: keys registered, JIT warm.
  for (let i = 0; i < 200; i++) await decide(i);
  // The anchor, in the same run: one INSERT of the same row per decision in one transaction, no
  // ledger — what the engine itself allows a decision that writes one row.
  const anchorN = 3000;
  const t = performance.now();
  await store.transaction(async (tx) => {
    for (let i = 0; i < anchorN; i++)
      await tx.audit.record({
        actor,
        action: 'bench.anchor',
        targetType: 'bench',
        targetId: crypto.randomUUID(),
      });
  });
  const anchor = anchorN / ((performance.now() - t) / 1000);
  const latencies: number[] = [];
  let done = 0;
  const cpu = process.cpuUsage();
  const end = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let n = w; performance.now() < end; n += writers) {
        const t = performance.now();
        await decide(n);
        latencies.push(performance.now() - t);
        done++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  const { size } = await services.ledger.info(actor);
  console.log(
    `${label}: ${Math.round(done / elapsed).toLocaleString('en')} decisions/s with their ledger commit ` +
      `(${done} in ${elapsed.toFixed(1)} s, ${writers} concurrent writers; ack latency p50 ${pct(0.5).toFixed(1)} ms, ` +
      `p99 ${pct(0.99).toFixed(1)} ms; log size ${size})\n` +
      `  ${Math.round(done / cpuSeconds).toLocaleString('en')} decisions per CPU-second of this process ` +
      `(${((cpuSeconds / done) * 1e6).toFixed(0)} µs CPU each); anchor: ${Math.round(anchor).toLocaleString('en')} ` +
      `bare INSERTs/s of the same row in one transaction, no ledger (ratio ${(done / elapsed / anchor).toFixed(2)})`,
  );
  await services.close();
}

console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}; ${seconds} s per engine, ${writers} writers`,
);
const dir = await mkdtemp(path.join(tmpdir(), 'interdict-bench-decisions-'));
try {
  const embedded = await openStore({ dataDir: dir });
  await run('embedded (PGlite, data folder)', embedded);
  await embedded.close();
} finally {
  await rm(dir, { recursive: true, force: true });
}
const schema = await createTestSchema('bench_decisions');
try {
  const pg = await openStore({ databaseUrl: schema.url });
  await run('PostgreSQL (127.0.0.1)', pg);
  await pg.close();
} finally {
  await schema.drop();
}
console.log(
  `load average after ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
