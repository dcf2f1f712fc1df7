import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { createTestSchema, type TestSchema } from '@interdict/testkit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  bootstrapStore,
  openStore,
  registerIngestKind,
  runIngestJob,
  SESSION_LIFETIME_MS,
  StoreError,
  type Actor,
  type Store,
} from './index';

async function* bytes(...chunks: (string | Uint8Array)[]): AsyncGenerator<Uint8Array> {
  for (const c of chunks) {
    await Promise.resolve(); // arrive asynchronously, like an upload
    yield typeof c === 'string' ? new TextEncoder().encode(c) : c;
  }
}

async function count(
  store: Store,
  table: 'sessions' | 'users' | 'audit_events' | 'blobs' | 'api_tokens',
): Promise<number> {
  const row = await store.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StoreError);
  expect((error as StoreError).code).toBe(code);
}

interface Engine {
  name: 'pglite' | 'postgres';
  open(): Promise<Store>;
  cleanup(): Promise<void>;
}

function pgliteEngine(): Engine {
  let dir: string | undefined;
  return {
    name: 'pglite',
    async open() {
      dir ??= path.join(await mkdtemp(path.join(tmpdir(), 'interdict-store-')), 'nested', 'data');
      return openStore({ dataDir: dir });
    },
    async cleanup() {
      if (dir) await rm(path.dirname(path.dirname(dir)), { recursive: true, force: true });
    },
  };
}

function postgresEngine(): Engine {
  let schema: TestSchema | undefined;
  return {
    name: 'postgres',
    async open() {
      schema ??= await createTestSchema('store');
      return openStore({ databaseUrl: schema.url, poolSize: 3 });
    },
    async cleanup() {
      await schema?.drop();
    },
  };
}

describe.each([pgliteEngine(), postgresEngine()])('store on $name', (engine) => {
  let store: Store;
  let system: Actor;
  let adminPassword: string;
  let admin: Actor;
  let other: { id: string };
  let otherAdmin: Actor;

  beforeAll(async () => {
    store = await engine.open();
    const boot = await bootstrapStore(store, { adminEmail: 'Root@Example.org' });
    expect(boot.created).toBe(true);
    adminPassword = boot.password ?? '';
    expect(adminPassword.length).toBeGreaterThanOrEqual(20);
    system = await store.systemActor();
    const signed = await store.auth.signIn('root@example.org', adminPassword);
    admin = (await store.auth.resolveSession(signed.sessionSecret))!.actor;
    other = await store.organisations.create(system, { name: 'Port Agency', kind: 'agency' });
    const created = await store.users.create(system, {
      email: 'chief@port.example',
      name: 'Chief',
      role: 'admin',
      organisationId: other.id,
      password: 'correct horse battery',
    });
    otherAdmin = { userId: created.user.id, organisationId: other.id, role: 'admin', home: false };
  });

  afterAll(async () => {
    await store?.close();
    await engine.cleanup();
  });

  it('reports its engine and reopens an existing database without redoing anything', async () => {
    expect(store.engine).toBe(engine.name);
    await store.close();
    store = await engine.open();
    const boot = await bootstrapStore(store);
    expect(boot.created).toBe(false);
    const orgs = await store.organisations.list(system);
    expect(orgs.items.map((o) => o.name).sort()).toEqual(['Home organisation', 'Port Agency']);
  });

  it('signs in with the right password only, and records both outcomes', async () => {
    const sessionsBefore = await count(store, 'sessions');
    const auditBefore = await count(store, 'audit_events');
    await expectCode(store.auth.signIn('root@example.org', 'wrong password!!'), 'UNAUTHENTICATED');
    await expectCode(
      store.auth.signIn('nobody@example.org', 'whatever password'),
      'UNAUTHENTICATED',
    );
    expect(await count(store, 'sessions')).toBe(sessionsBefore);
    expect(await count(store, 'audit_events')).toBe(auditBefore + 2);
    const failures = await store.audit.list(system, { limit: 2 });
    expect(failures.items.map((e) => [e.action, e.outcome, e.details.reason])).toEqual([
      ['auth.sign_in', 'failure', 'unknown_email'],
      ['auth.sign_in', 'failure', 'wrong_password'],
    ]);

    const ok = await store.auth.signIn(' ROOT@example.org ', adminPassword, { ip: '10.0.0.1' });
    expect(ok.user.email).toBe('root@example.org');
    expect(ok.organisation.home).toBe(true);
    expect(await count(store, 'sessions')).toBe(sessionsBefore + 1);
    const stored = await store.db.selectFrom('sessions').select('id_hash').execute();
    expect(stored.map((s) => s.id_hash)).not.toContain(ok.sessionSecret);
    const resolved = await store.auth.resolveSession(ok.sessionSecret);
    expect(resolved?.actor).toMatchObject({ userId: ok.user.id, role: 'admin', home: true });
    expect(resolved?.csrfToken).toBe(ok.csrfToken);
    expect(
      await store.auth.resolveSession(
        ok.sessionSecret.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')),
      ),
    ).toBeUndefined();

    // A session expires when its time is up, also when it was resolved (and cached) just before.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + SESSION_LIFETIME_MS + 1000);
      expect(await store.auth.resolveSession(ok.sessionSecret)).toBeUndefined();
    } finally {
      vi.useRealTimers();
    }
  });

  it('stores passwords as salted scrypt hashes that name their parameters', async () => {
    const rows = await store.db.selectFrom('users').select('password_hash').execute();
    const hashes = rows.map((r) => r.password_hash ?? '');
    for (const h of hashes) expect(h).toMatch(/^scrypt\$N=\d+,r=\d+,p=\d+\$[\w-]+\$[\w-]+$/);
    const salts = hashes.map((h) => h.split('$')[2]);
    expect(new Set(salts).size).toBe(salts.length);
  });

  // Who may create organisations, list users, change roles, mint tokens, read the audit log and
  // run or read ingest jobs is checked by the services: those cases are in
  // packages/services/src/platform/platform.test.ts and ingest/ingest.test.ts.
  it('scopes organisations: only the home admin sees other organisations', async () => {
    await expectCode(store.organisations.get(otherAdmin, system.organisationId), 'NOT_FOUND');
    expect((await store.organisations.list(otherAdmin)).items.map((o) => o.id)).toEqual([other.id]);
    await expectCode(
      store.organisations.create(admin, { name: 'Port Agency', kind: 'agency' }),
      'CONFLICT',
    );
    await expectCode(
      store.organisations.create(admin, { name: 'Bad', kind: 'club' as 'hub' }),
      'INVALID_ARGUMENT',
    );
    expect((await store.organisations.get(admin, other.id)).name).toBe('Port Agency');
  });

  it('scopes users by organisation', async () => {
    const mine = await store.users.list(otherAdmin);
    expect(mine.items.every((u) => u.organisationId === other.id)).toBe(true);
    await expectCode(
      store.users.create(otherAdmin, {
        email: 'x@y.z',
        name: 'X',
        role: 'viewer',
        organisationId: system.organisationId,
      }),
      'NOT_FOUND',
    );
    const { user, oneTimePassword } = await store.users.create(otherAdmin, {
      email: 'Officer@Port.example',
      name: 'Officer',
      role: 'officer',
    });
    expect(user).toMatchObject({
      email: 'officer@port.example',
      organisationId: other.id,
      disabled: false,
    });
    expect(oneTimePassword).toMatch(/^[a-z2-9]{20}$/);
    const officer: Actor = {
      userId: user.id,
      organisationId: other.id,
      role: 'officer',
      home: false,
    };
    expect((await store.users.get(officer, user.id)).id).toBe(user.id);
    await expectCode(store.users.get(otherAdmin, admin.userId!), 'NOT_FOUND');
    await expectCode(
      store.users.create(otherAdmin, {
        email: 'officer@port.example',
        name: 'Dup',
        role: 'viewer',
      }),
      'CONFLICT',
    );
    await expectCode(
      store.users.create(otherAdmin, {
        email: 'short@port.example',
        name: 'S',
        role: 'viewer',
        password: 'short',
      }),
      'INVALID_ARGUMENT',
    );

    const session = await store.auth.signIn('officer@port.example', oneTimePassword!);
    const disabled = await store.users.update(otherAdmin, user.id, { disabled: true });
    expect(disabled.disabled).toBe(true);
    expect(await store.auth.resolveSession(session.sessionSecret)).toBeUndefined();
    await expectCode(
      store.auth.signIn('officer@port.example', oneTimePassword!),
      'UNAUTHENTICATED',
    );
  });

  it('keeps token secrets hashed; revoked and expired tokens stop working', async () => {
    const { token, secret } = await store.tokens.create(admin, {
      name: 'ci',
      role: 'analyst',
      expiresInDays: 30,
    });
    expect(secret).toMatch(/^idt_[\w-]{43}$/);
    const rows = await store.db.selectFrom('api_tokens').select('secret_hash').execute();
    expect(rows.map((r) => r.secret_hash)).not.toContain(secret);
    const auth = await store.tokens.authenticate(secret);
    expect(auth?.actor).toMatchObject({
      role: 'analyst',
      tokenId: token.id,
      organisationId: admin.organisationId,
    });
    await expectCode(
      store.tokens.create(admin, { name: 'long', expiresInDays: 10_000 }),
      'INVALID_ARGUMENT',
    );
    await expectCode(store.tokens.revoke(otherAdmin, token.id), 'NOT_FOUND');
    expect(await store.tokens.authenticate(secret)).toBeDefined();
    expect((await store.tokens.revoke(admin, token.id)).revokedAt).not.toBeNull();
    expect(await store.tokens.authenticate(secret)).toBeUndefined();

    const second = await store.tokens.create(admin, { name: 'short-lived', expiresInDays: 1 });
    await store.db
      .updateTable('api_tokens')
      .set({ expires_at: new Date(Date.now() - 1) })
      .where('id', '=', second.token.id)
      .execute();
    expect(await store.tokens.authenticate(second.secret)).toBeUndefined();
    expect(await store.tokens.authenticate('idt_forged')).toBeUndefined();
  });

  it('pages the audit log newest first, scoped to the organisation', async () => {
    const first = await store.audit.list(admin, { limit: 3 });
    expect(first.items).toHaveLength(3);
    const second = await store.audit.list(admin, { limit: 3, cursor: first.nextCursor! });
    expect(second.items[0]!.createdAt <= first.items[2]!.createdAt).toBe(true);
    expect(new Set([...first.items, ...second.items].map((e) => e.id)).size).toBe(6);
    const scoped = await store.audit.list(otherAdmin, { limit: 500 });
    expect(scoped.items.every((e) => e.organisationId === other.id)).toBe(true);
    await expectCode(store.audit.list(admin, { cursor: 'drop table' }), 'INVALID_ARGUMENT');
  });

  it('runs an ingest job in one transaction: a failure keeps nothing', async () => {
    const unregister = registerIngestKind({
      kind: `test-blobs-${engine.name}`,
      description: 'test only: stores each line as a blob row, fails on a line "boom"',
      fileHint: 'lines of text',
      async run(ctx) {
        let text = '';
        for await (const chunk of ctx.input) text += new TextDecoder().decode(chunk);
        const lines = text.split('\n').filter(Boolean);
        let n = 0;
        for (const line of lines) {
          if (line === 'boom') throw new Error(`line ${n + 1}: boom`);
          await ctx.store.db
            .insertInto('blobs')
            .values({ key: `${ctx.jobId}/${n}`, bytes: new TextEncoder().encode(line) })
            .execute();
          ctx.progress(++n, lines.length);
        }
        return { lines: n };
      },
    });
    try {
      const kind = `test-blobs-${engine.name}`;
      const blobsBefore = await count(store, 'blobs');
      const failed = await runIngestJob(store, admin, {
        kind,
        sourceName: 'bad.txt',
        input: bytes('a\nb\n', 'boom\nc\n'),
      });
      expect(failed).toMatchObject({ status: 'failed', kind, sourceName: 'bad.txt' });
      expect(failed.error).toContain('line 3: boom');
      expect(failed.done).toBe(2);
      expect(await count(store, 'blobs')).toBe(blobsBefore);

      const gz = gzipSync(Buffer.from('x\ny\nz\n'));
      const ok = await runIngestJob(store, admin, {
        kind,
        sourceName: 'good.txt.gz',
        input: bytes(gz.subarray(0, 1), gz.subarray(1)),
      });
      expect(ok).toMatchObject({ status: 'succeeded', done: 3, total: 3, summary: { lines: 3 } });
      expect(await count(store, 'blobs')).toBe(blobsBefore + 3);
      expect((await store.jobs.get(admin, ok.id)).status).toBe('succeeded');
      await expectCode(store.jobs.get(otherAdmin, ok.id), 'NOT_FOUND');
      await expectCode(
        runIngestJob(store, admin, { kind: 'no-such-kind', sourceName: 'x', input: bytes('a') }),
        'UNKNOWN_INGEST_KIND',
      );
      const events = await store.audit.list(admin, { limit: 2 });
      expect(events.items.map((e) => [e.action, e.outcome])).toEqual([
        ['ingest.run', 'success'],
        ['ingest.run', 'failure'],
      ]);
    } finally {
      unregister();
    }
  });

  it('keeps blobs immutable and refuses path-like keys', async () => {
    const key = 'tile/0/x001/002';
    await store.blobs.put(key, new Uint8Array([1, 2, 3]));
    await store.blobs.put(key, new Uint8Array([1, 2, 3]));
    expect(await store.blobs.has(key)).toBe(true);
    expect(await store.blobs.get(key)).toEqual(new Uint8Array([1, 2, 3]));
    await expectCode(store.blobs.put(key, new Uint8Array([9])), 'CONFLICT');
    expect(await store.blobs.get('tile/none')).toBeUndefined();
    await expectCode(store.blobs.put('../escape', new Uint8Array([1])), 'INVALID_ARGUMENT');
    await expectCode(store.blobs.put('/abs', new Uint8Array([1])), 'INVALID_ARGUMENT');
  });

  it('answers ping and counts as numbers on both engines', async () => {
    await store.ping();
    const { rows } = await sql<{ n: unknown }>`select count(*) as n from organisations`.execute(
      store.db,
    );
    expect(rows[0]?.n).toBe(2);
  });
});

it('takes a PostgreSQL URL without a user (defaults to postgres) and a search_path option', async () => {
  const schema = await createTestSchema('nouser');
  try {
    const url = new URL(schema.url);
    url.username = '';
    const store = await openStore({ databaseUrl: url.toString(), poolSize: 1 });
    try {
      expect(store.engine).toBe('postgres');
      const { rows } = await sql<{ s: string }>`select current_schema() as s`.execute(store.db);
      expect(rows[0]?.s).toBe(schema.schema);
    } finally {
      await store.close();
    }
  } finally {
    await schema.drop();
  }
});

it('refuses a PGlite data folder that another live process holds, and takes over a stale lock', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'interdict-lock-'));
  const lock = path.join(dir, 'interdict.lock');
  try {
    await mkdir(dir, { recursive: true });
    // The parent of this test process is alive and is not us: the folder counts as in use.
    await writeFile(lock, `${process.ppid}\n`);
    await expectCode(openStore({ dataDir: dir }), 'STORE_UNAVAILABLE');
    expect((await readFile(lock, 'utf8')).trim()).toBe(String(process.ppid));
    // A pid that cannot exist (above Linux's pid_max limit) is a stale lock.
    await writeFile(lock, '99999999\n');
    const store = await openStore({ dataDir: dir });
    expect((await readFile(lock, 'utf8')).trim()).toBe(String(process.pid));
    await expectCode(openStore({ dataDir: dir }), 'STORE_UNAVAILABLE');
    await store.close();
    await expect(readFile(lock, 'utf8')).rejects.toThrow();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
