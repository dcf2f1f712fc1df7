import { openStore, runIngestJob } from '@interdict/store';
import { dateOf, kcsLines, kcsTrainText, unlabelled } from '@interdict/testkit';
import { Readable } from 'node:stream';
import { expect, it } from 'vitest';
import { bootstrapInstance } from './bootstrap';
import { startServer } from './server';
import { silentLogger } from './testing';

it('listens on a free port, answers over real HTTP, then drains and closes the store', async () => {
  const store = await openStore({ dataDir: 'memory://' });
  const boot = await bootstrapInstance(store, { adminEmail: 'ops@example.org' });
  expect(boot).toMatchObject({ created: true, email: 'ops@example.org' });
  expect(boot.password).toMatch(/^[a-z2-9]{20}$/);
  expect((await bootstrapInstance(store)).created).toBe(false);

  const server = await startServer({
    port: 0,
    host: '127.0.0.1',
    store,
    logger: silentLogger,
    handleSignals: false,
  });
  expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  const health = await fetch(`${server.url}/healthz`);
  expect(health.status).toBe(200);
  const signIn = await fetch(`${server.url}/api/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'ops@example.org', password: boot.password }),
  });
  expect(signIn.status).toBe(200);
  await server.close();
  await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  await expect(store.ping()).rejects.toThrow();
});

it('shares sign-in rate limits between replicas through Redis when REDIS_URL is set', async () => {
  const store = await openStore({ dataDir: 'memory://' });
  const email = `ops-${crypto.randomUUID()}@example.org`;
  await bootstrapInstance(store, {
    adminEmail: email,
    adminPassword: 'correct horse battery staple',
  });
  const previous = process.env.REDIS_URL;
  process.env.REDIS_URL = 'redis://127.0.0.1:6379';
  const common = {
    host: '127.0.0.1',
    store,
    logger: silentLogger,
    handleSignals: false,
    closeStore: false,
    config: { signInLimitPerAccount: 2 },
  };
  const [a, b] = [
    await startServer({ ...common, port: 0 }),
    await startServer({ ...common, port: 0 }),
  ];
  try {
    const attempt = (url: string, password: string) =>
      fetch(`${url}/api/auth/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password }),
      });
    expect((await attempt(a.url, 'wrong password 1')).status).toBe(401);
    expect((await attempt(b.url, 'wrong password 2')).status).toBe(401);
    // Two failures across two replicas exhaust the account's allowance on both.
    expect((await attempt(a.url, 'correct horse battery staple')).status).toBe(429);
  } finally {
    if (previous === undefined) delete process.env.REDIS_URL;
    else process.env.REDIS_URL = previous;
    await a.close();
    await b.close();
    await store.close();
  }
});

it("stops targeting's scoring threads at shutdown", async () => {
  const store = await openStore({ dataDir: 'memory://' });
  await bootstrapInstance(store, { adminEmail: 'ops@example.org' });
  const server = await startServer({
    port: 0,
    host: '127.0.0.1',
    store,
    logger: silentLogger,
    handleSignals: false,
    // One thread is enough to tell a running pool from a closed one (the machine has 2 cores).
    servicesOptions: { scoreWorkers: '1' },
  });
  const { targeting } = server.services;
  const actor = await store.systemActor();
  // The scoring threads start on a day's first scoring: a January model scores a day of 2021.
  const valid = kcsLines('df_syn_valid_eng.csv');
  const day = [valid[0]!, ...valid.filter((l) => dateOf(l) === '2021-01-04').map(unlabelled)];
  for (const text of [kcsTrainText(), day.join('\n') + '\n']) {
    const job = await runIngestJob(store, actor, {
      kind: 'declarations',
      sourceName: 'd.csv',
      input: Readable.from([new TextEncoder().encode(text)], {
        objectMode: true,
      }) as AsyncIterable<Uint8Array>,
    });
    expect(job.status, job.error ?? '').toBe('succeeded');
  }
  await targeting.trainModel(actor, { objective: 'fraud' });
  await targeting.scoreDay(actor, { date: '2021-01-04' });
  expect(targeting.threads().scoring).toBe(1);
  await server.close();
  expect(targeting.threads()).toEqual({ scoring: 0, training: 0 });
});
