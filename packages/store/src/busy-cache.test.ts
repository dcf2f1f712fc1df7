import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import {
  bootstrapStore,
  openStore,
  SESSION_LIFETIME_MS,
  registerIngestKind,
  startIngestJob,
  type Actor,
  type Store,
} from './index';
import { authCacheMs, BusyCache } from './busy-cache';

let store: Store;
let admin: Actor;
let password: string;

beforeAll(async () => {
  store = await openStore({ dataDir: 'memory://' });
  password = (await bootstrapStore(store, { adminEmail: 'a@example.org' })).password!;
  admin = await store.systemActor();
});

afterAll(async () => {
  await store?.close();
});

it('on PGlite, answers sessions, tokens and job progress while an ingest job holds the session', async () => {
  const signed = await store.auth.signIn('a@example.org', password);
  const { secret } = await store.tokens.create(
    { ...admin, userId: signed.user.id },
    { name: 'm', expiresInDays: 1 },
  );
  // Read once while idle: these reads go to the database and are remembered.
  expect(await store.auth.resolveSession(signed.sessionSecret)).toBeDefined();
  expect(await store.tokens.authenticate(secret)).toBeDefined();
  expect((await store.jobs.list(admin)).items).toEqual([]);

  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let reported!: () => void;
  const progressed = new Promise<void>((resolve) => (reported = resolve));
  const unregister = registerIngestKind({
    kind: 'test-held-session',
    description: 'test only: holds the job transaction open until released',
    fileHint: '-',
    async run(ctx) {
      await ctx.store.db.selectFrom('organisations').select('id').execute();
      ctx.progress(7, 10);
      reported();
      await gate;
      return { ok: true };
    },
  });
  try {
    async function* empty(): AsyncGenerator<Uint8Array> {}
    const { job, finished } = await startIngestJob(store, admin, {
      kind: 'test-held-session',
      sourceName: 's',
      input: empty(),
    });
    await progressed; // the job now runs inside its transaction, holding the only session
    let organisationsSettled = false;
    const organisations = store.organisations
      .list(admin)
      .finally(() => (organisationsSettled = true));
    // Who-is-asking and the remembered job list answer without the database (were they to wait
    // for it, these awaits would never return before release() and the test would time out)...
    expect(await store.auth.resolveSession(signed.sessionSecret)).toMatchObject({
      user: { id: signed.user.id },
    });
    expect(await store.tokens.authenticate(secret)).toMatchObject({ actor: { role: 'admin' } });
    // The list was read before the job existed; the job this process queued joins it, with progress.
    const live = { id: job.id, status: 'running', done: 7, total: 10 };
    expect((await store.jobs.list(admin)).items).toEqual([expect.objectContaining(live)]);
    expect(await store.jobs.get(admin, job.id)).toMatchObject(live);
    // ...while a query that needs the database is still waiting for the job.
    expect(organisationsSettled).toBe(false);
    release();
    expect((await finished).status).toBe('succeeded');
    expect((await organisations).items).toHaveLength(1);
    // Idle again: reads go to the database and see the finished job.
    const after = await store.jobs.list(admin);
    expect(after.items.find((j) => j.id === job.id)).toMatchObject({
      status: 'succeeded',
      done: 7,
      total: 10,
    });
  } finally {
    release();
    unregister();
  }
});

it('while idle, refuses a session whose time is up at once, although it was just read', async () => {
  const signed = await store.auth.signIn('a@example.org', password);
  expect(await store.auth.resolveSession(signed.sessionSecret)).toBeDefined();
  vi.useFakeTimers({ toFake: ['Date'] });
  try {
    vi.setSystemTime(Date.now() + SESSION_LIFETIME_MS + 1000);
    expect(await store.auth.resolveSession(signed.sessionSecret)).toBeUndefined();
  } finally {
    vi.useRealTimers();
  }
});

it('reads a change made behind its back (another replica) once INTERDICT_AUTH_CACHE_MS has passed; 0 reads every time', async () => {
  const signed = await store.auth.signIn('a@example.org', password);
  expect(await store.auth.resolveSession(signed.sessionSecret)).toBeDefined();
  // Another replica ends the session (this process may answer from memory within the bound)…
  await store.db.deleteFrom('sessions').execute();
  vi.useFakeTimers({ toFake: ['Date'] });
  try {
    vi.setSystemTime(Date.now() + authCacheMs() + 1);
    // …but not past it.
    expect(await store.auth.resolveSession(signed.sessionSecret)).toBeUndefined();
  } finally {
    vi.useRealTimers();
  }
  const again = await store.auth.signIn('a@example.org', password);
  expect(await store.auth.resolveSession(again.sessionSecret)).toBeDefined();
  await store.db.deleteFrom('sessions').execute();
  const before = process.env.INTERDICT_AUTH_CACHE_MS;
  process.env.INTERDICT_AUTH_CACHE_MS = '0';
  try {
    expect(await store.auth.resolveSession(again.sessionSecret)).toBeUndefined();
  } finally {
    if (before === undefined) delete process.env.INTERDICT_AUTH_CACHE_MS;
    else process.env.INTERDICT_AUTH_CACHE_MS = before;
  }
});

it('never remembers a row read before a change that invalidated meanwhile (epoch)', () => {
  const cache = new BusyCache('pglite', { size: 0 });
  const readAt = cache.epoch;
  // A revocation commits and invalidates between the reader's query and its set…
  cache.invalidate('user-1');
  cache.set('session:x', { who: 'stale' }, ['user-1'], Number.POSITIVE_INFINITY, readAt);
  // …so the stale row is not remembered; a read after the change is.
  expect(cache.fresh('session:x', 60_000)).toBeUndefined();
  cache.set('session:x', { who: 'fresh' }, ['user-1'], Number.POSITIVE_INFINITY, cache.epoch);
  expect(cache.fresh('session:x', 60_000)).toEqual({ who: 'fresh' });
});
