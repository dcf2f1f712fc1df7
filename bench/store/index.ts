// `npm run bench -- store [n]`: the backbone's costs on the embedded default (PGlite) and on
// PostgreSQL: opening a data folder, reopening it, one password sign-in (scrypt), and resolving a
// session cookie / serving GET /api/auth/me in process, n times (default 500).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApp } from '@interdict/server';
import { bootstrapStore, openStore, type Store } from '@interdict/store';
import { createTestSchema } from '@interdict/testkit';
import pino from 'pino';
import { createServices } from '@interdict/services';

const n = Number(process.argv[2] ?? 500);
const password = 'correct horse battery staple';

function ms(start: number): string {
  return `${(performance.now() - start).toFixed(0)} ms`;
}

async function perRequest(store: Store, label: string): Promise<void> {
  let t = performance.now();
  const signed = await store.auth.signIn('admin@interdict.local', password);
  console.log(`${label}: one sign-in (scrypt N=2^15 r=8 p=3 + session insert): ${ms(t)}`);
  t = performance.now();
  for (let i = 0; i < n; i++) await store.auth.resolveSession(signed.sessionSecret);
  const resolve = (performance.now() - t) / n;
  console.log(`${label}: resolveSession: ${resolve.toFixed(2)} ms each (${n} runs)`);
  const app = createApp({
    store,
    services: createServices(store, { closeStore: false }),
    logger: pino({ level: 'silent' }),
  });
  const cookie = `interdict_session=${signed.sessionSecret}`;
  t = performance.now();
  for (let i = 0; i < n; i++) {
    const res = await app.request('/api/auth/me', { headers: { cookie } });
    if (res.status !== 200) throw new Error(`me answered ${res.status}`);
    await res.arrayBuffer();
  }
  console.log(
    `${label}: GET /api/auth/me in process: ${((performance.now() - t) / n).toFixed(2)} ms each (${n} runs)`,
  );
}

const dir = await mkdtemp(path.join(tmpdir(), 'interdict-bench-store-'));
try {
  const dataDir = path.join(dir, 'data');
  let t = performance.now();
  let store = await openStore({ dataDir });
  console.log(`pglite: create data folder and migrate: ${ms(t)}`);
  await bootstrapStore(store, { adminPassword: password });
  await store.close();
  for (let i = 1; i <= 3; i++) {
    t = performance.now();
    store = await openStore({ dataDir });
    console.log(`pglite: reopen ${i}: ${ms(t)}`);
    if (i < 3) await store.close();
  }
  await perRequest(store, 'pglite');
  await store.close();
} finally {
  await rm(dir, { recursive: true, force: true });
}

const schema = await createTestSchema('bench');
try {
  const t = performance.now();
  const store = await openStore({ databaseUrl: schema.url });
  console.log(`postgres: connect and migrate an empty schema: ${ms(t)}`);
  await bootstrapStore(store, { adminPassword: password });
  await perRequest(store, 'postgres');
  await store.close();
} finally {
  await schema.drop();
}
process.exit(0);
