import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { registerIngestKind, SESSION_LIFETIME_MS } from '@interdict/store';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { call, makeApp, makeWorld, PASSWORD, signIn, type World } from './testing';

let world: World;
let consoleDir: string;

beforeAll(async () => {
  world = await makeWorld();
  consoleDir = await mkdtemp(path.join(tmpdir(), 'interdict-console-'));
  await mkdir(path.join(consoleDir, 'assets'));
  await writeFile(
    path.join(consoleDir, 'index.html'),
    '<!doctype html><title>console-index</title>',
  );
  await writeFile(path.join(consoleDir, 'assets', 'app-1234.js'), 'console.log("app")');
});

afterAll(async () => {
  await world?.store.close();
  await rm(consoleDir, { recursive: true, force: true });
});

async function problemOf(res: Response): Promise<Record<string, unknown>> {
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const body = (await res.json()) as Record<string, unknown>;
  expect(body).toMatchObject({ status: res.status });
  for (const field of ['type', 'title', 'detail', 'instance', 'code'])
    expect(typeof body[field]).toBe('string');
  return body;
}

async function countRows(
  table: 'users' | 'sessions' | 'organisations' | 'api_tokens' | 'audit_events',
): Promise<number> {
  const row = await world.store.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('operations endpoints', () => {
  it('answers health, readiness and Prometheus metrics', async () => {
    expect((await world.app.request('/healthz')).status).toBe(200);
    const ready = await world.app.request('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', engine: 'pglite' });
    const metrics = await world.app.request('/metrics');
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await metrics.text();
    expect(text).toMatch(/^# HELP interdict_http_requests_total /m);
    expect(text).toMatch(
      /interdict_http_requests_total\{method="GET",route="\/healthz",status="200"\} \d+/,
    );
  });

  it('serves an OpenAPI 3.1 document that the official schema accepts', async () => {
    const doc = (await (await world.app.request('/api/openapi.json')).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(doc.openapi).toBe('3.1.0');
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    for (const p of [
      '/api/auth/sign-in',
      '/api/users/{id}',
      '/api/jobs',
      '/api/tokens/{id}',
      '/api/summary',
    ]) {
      expect(Object.keys(doc.paths)).toContain(p);
    }
  });

  it('serves Swagger UI from local files', async () => {
    const page = await world.app.request('/api/docs');
    expect(await page.text()).toContain('/api/docs/swagger-ui-bundle.js');
    const bundle = await world.app.request('/api/docs/swagger-ui-bundle.js');
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toMatch(/javascript/);
    expect((await world.app.request('/api/docs/package.json')).status).toBe(404);
  });

  it('propagates a request id and makes one up otherwise', async () => {
    const given = await world.app.request('/healthz', { headers: { 'x-request-id': 'abc-123' } });
    expect(given.headers.get('x-request-id')).toBe('abc-123');
    const made = await world.app.request('/healthz', { headers: { 'x-request-id': 'bad id\n' } });
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('console and unknown routes', () => {
  it('serves console files, falls back to index.html, and never escapes the folder', async () => {
    const app = makeApp(world.store, { consoleDir });
    expect(await (await app.request('/')).text()).toContain('console-index');
    expect(await (await app.request('/administration/users')).text()).toContain('console-index');
    const asset = await app.request('/assets/app-1234.js');
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect(await asset.text()).toContain('console.log');
    const escape = await app.request('/..%2f..%2f..%2fetc%2fpasswd');
    expect(await escape.text()).toContain('console-index');
  });

  it('answers unknown API paths 404 and wrong methods 405 with Allow, as problems', async () => {
    const missing = await world.app.request('/api/nothing-here');
    expect(missing.status).toBe(404);
    expect(await problemOf(missing)).toMatchObject({ type: 'about:blank', title: 'Not Found' });
    const wrong = await call(world.app, world.members.home.admin, 'PUT', '/api/organisations');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, HEAD, POST');
    await problemOf(wrong);
  });
});

describe('sign-in, sessions and CSRF', () => {
  it('sets an HttpOnly SameSite=Strict cookie, Secure over https', async () => {
    const res = await world.app.request('http://localhost/api/auth/sign-in', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'viewer@home.example', password: PASSWORD }),
    });
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^interdict_session=[\w-]{43};/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toMatch(/Secure/);
    const secure = await world.app.request('https://localhost/api/auth/sign-in', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'viewer@home.example', password: PASSWORD }),
    });
    expect(secure.headers.get('set-cookie')).toMatch(/; Secure/);
  });

  it('answers me, then signs out and forgets the session', async () => {
    const s = await signIn(world.app, 'analyst@agency.example');
    const me = await world.app.request('/api/auth/me', { headers: { cookie: s.cookie } });
    expect(await me.json()).toMatchObject({
      user: { email: 'analyst@agency.example', role: 'analyst' },
      organisation: { name: 'Border Agency', kind: 'agency' },
      csrfToken: s.csrf,
    });
    const out = await world.app.request('/api/auth/sign-out', {
      method: 'POST',
      headers: { cookie: s.cookie, 'x-csrf-token': s.csrf },
    });
    expect(out.status).toBe(204);
    expect(
      (await world.app.request('/api/auth/me', { headers: { cookie: s.cookie } })).status,
    ).toBe(401);
  });

  it('refuses a wrong password with 401, records it, and creates no session', async () => {
    const sessions = await countRows('sessions');
    const res = await world.app.request('/api/auth/sign-in', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'officer@agency.example', password: 'not the password' }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(await problemOf(res)).toMatchObject({
      code: 'UNAUTHENTICATED',
      detail: 'wrong email or password',
    });
    expect(await countRows('sessions')).toBe(sessions);
    const audit = await call(world.app, world.members.home.admin, 'GET', '/api/audit?limit=1');
    const { items } = (await audit.json()) as {
      items: { action: string; outcome: string; details: { reason: string } }[];
    };
    expect(items[0]).toMatchObject({
      action: 'auth.sign_in',
      outcome: 'failure',
      details: { reason: 'wrong_password' },
    });
  });

  it('treats forged and expired session cookies as signed out', async () => {
    const forged = await world.app.request('/api/auth/me', {
      headers: { cookie: `interdict_session=${'A'.repeat(43)}` },
    });
    expect(forged.status).toBe(401);
    await problemOf(forged);
    const s = await signIn(world.app, 'viewer@agency.example');
    expect(
      (await world.app.request('/api/auth/me', { headers: { cookie: s.cookie } })).status,
    ).toBe(200);
    // Its time runs out: refused at once, although it was just read (and remembered).
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + SESSION_LIFETIME_MS + 1000);
      expect(
        (await world.app.request('/api/auth/me', { headers: { cookie: s.cookie } })).status,
      ).toBe(401);
    } finally {
      vi.useRealTimers();
    }
  });

  it('requires the CSRF header on unsafe cookie requests, and changes nothing without it', async () => {
    const admin = world.members.home.admin;
    const before = await countRows('organisations');
    const res = await world.app.request('/api/organisations', {
      method: 'POST',
      headers: { cookie: admin.cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'No CSRF', kind: 'agency' }),
    });
    expect(res.status).toBe(403);
    expect(await problemOf(res)).toMatchObject({ code: 'CSRF_FAILED' });
    const wrong = await world.app.request('/api/organisations', {
      method: 'POST',
      headers: {
        cookie: admin.cookie,
        'content-type': 'application/json',
        'x-csrf-token': 'x'.repeat(43),
      },
      body: JSON.stringify({ name: 'Wrong CSRF', kind: 'agency' }),
    });
    expect(wrong.status).toBe(403);
    expect(await countRows('organisations')).toBe(before);
  });

  it('rate-limits sign-in per account and says when to retry', async () => {
    const app = makeApp(world.store, { signInLimitPerAccount: 2, signInLimitPerIp: 100 });
    const attempt = (password: string) =>
      app.request('/api/auth/sign-in', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'partner@agency.example', password }),
      });
    expect((await attempt('wrong one')).status).toBe(401);
    expect((await attempt('wrong two')).status).toBe(401);
    const limited = await attempt(PASSWORD);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await problemOf(limited)).toMatchObject({ code: 'RATE_LIMITED' });
  });
});

describe("changing one's password", () => {
  it('needs the current password, keeps this session and ends the others', async () => {
    const email = 'officer@home.example';
    const here = await signIn(world.app, email);
    const elsewhere = await signIn(world.app, email);
    const change = (currentPassword: string, newPassword: string) =>
      world.app.request('/api/auth/password', {
        method: 'POST',
        headers: {
          cookie: here.cookie,
          'x-csrf-token': here.csrf,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ currentPassword, newPassword }),
      });
    const wrong = await change('not my password', 'a brand new passphrase');
    expect(wrong.status).toBe(403);
    expect(await problemOf(wrong)).toMatchObject({ code: 'FORBIDDEN' });
    expect(
      (await world.app.request('/api/auth/me', { headers: { cookie: elsewhere.cookie } })).status,
    ).toBe(200);

    expect((await change(PASSWORD, 'a brand new passphrase')).status).toBe(204);
    expect(
      (await world.app.request('/api/auth/me', { headers: { cookie: here.cookie } })).status,
    ).toBe(200);
    expect(
      (await world.app.request('/api/auth/me', { headers: { cookie: elsewhere.cookie } })).status,
    ).toBe(401);
    await expect(signIn(world.app, email)).rejects.toThrow(/401/);
    await signIn(world.app, email, 'a brand new passphrase');
  });
});

describe('API tokens over HTTP', () => {
  it('authenticates with a bearer token until it is revoked or expires', async () => {
    const admin = world.members.agency.admin;
    const created = await call(world.app, admin, 'POST', '/api/tokens', {
      name: 'robot',
      role: 'viewer',
      expiresInDays: 7,
    });
    expect(created.status).toBe(201);
    const { token, secret } = (await created.json()) as { token: { id: string }; secret: string };
    const bearer = { authorization: `Bearer ${secret}` };
    expect((await world.app.request('/api/jobs', { headers: bearer })).status).toBe(200);
    // Machines need no CSRF token.
    const post = await world.app.request('/api/tokens', {
      method: 'POST',
      headers: { ...bearer, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'chain', expiresInDays: 1 }),
    });
    expect(post.status).toBe(403);
    const password = await world.app.request('/api/auth/password', {
      method: 'POST',
      headers: { ...bearer, 'content-type': 'application/json' },
      body: JSON.stringify({ currentPassword: PASSWORD, newPassword: 'token cannot do this' }),
    });
    expect(password.status).toBe(403);
    expect((await call(world.app, admin, 'DELETE', `/api/tokens/${token.id}`)).status).toBe(204);
    const revoked = await world.app.request('/api/jobs', { headers: bearer });
    expect(revoked.status).toBe(401);
    expect(revoked.headers.get('www-authenticate')).toBe('Bearer');
    await problemOf(revoked);

    const second = (await (
      await call(world.app, admin, 'POST', '/api/tokens', { name: 'old', expiresInDays: 1 })
    ).json()) as {
      token: { id: string };
      secret: string;
    };
    await world.store.db
      .updateTable('api_tokens')
      .set({ expires_at: new Date(Date.now() - 1) })
      .where('id', '=', second.token.id)
      .execute();
    expect(
      (
        await world.app.request('/api/jobs', {
          headers: { authorization: `Bearer ${second.secret}` },
        })
      ).status,
    ).toBe(401);
    expect(
      (await world.app.request('/api/jobs', { headers: { authorization: 'Bearer idt_made-up' } }))
        .status,
    ).toBe(401);
  });
});

describe('bad input', () => {
  const admin = () => world.members.home.admin;

  it('refuses an oversized body with 413 and stores nothing', async () => {
    const before = await countRows('users');
    const res = await call(world.app, admin(), 'POST', '/api/users', {
      email: 'big@home.example',
      name: 'x'.repeat(2 * 1024 * 1024),
      role: 'viewer',
    });
    expect(res.status).toBe(413);
    expect(await problemOf(res)).toMatchObject({ title: 'Content Too Large' });
    expect(await countRows('users')).toBe(before);
  });

  it('refuses malformed JSON', async () => {
    const res = await world.app.request('/api/organisations', {
      method: 'POST',
      headers: {
        cookie: admin().cookie,
        'x-csrf-token': admin().csrf,
        'content-type': 'application/json',
      },
      body: '{"name": "x",',
    });
    expect(res.status).toBe(400);
    expect(await problemOf(res)).toMatchObject({ code: 'MALFORMED_JSON' });
  });

  it('names unknown fields and invalid enum values', async () => {
    const before = await countRows('organisations');
    const unknown = await call(world.app, admin(), 'POST', '/api/organisations', {
      name: 'A',
      kind: 'agency',
      admin: true,
    });
    expect(unknown.status).toBe(400);
    const p1 = await problemOf(unknown);
    expect(p1.code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(p1.errors)).toContain('admin');
    const badEnum = await call(world.app, admin(), 'POST', '/api/organisations', {
      name: 'B',
      kind: 'cartel',
    });
    const p2 = await problemOf(badEnum);
    expect((p2.errors as { path: string }[])[0]?.path).toBe('kind');
    const badRole = await call(
      world.app,
      admin(),
      'PATCH',
      `/api/users/${world.members.agency.viewer.id}`,
      { role: 'root' },
    );
    expect(badRole.status).toBe(400);
    expect(await countRows('organisations')).toBe(before);
  });

  it('answers 404 for malformed ids instead of a database error', async () => {
    const res = await call(world.app, admin(), 'GET', '/api/organisations/not-a-uuid');
    expect(res.status).toBe(404);
    await problemOf(res);
  });
});

describe('ingest jobs over HTTP', () => {
  it('accepts an upload with 202, runs it in the background, and keeps nothing when it fails', async () => {
    const unregister = registerIngestKind({
      kind: 'test-api-lines',
      description: 'test only',
      fileHint: 'text',
      async run(ctx) {
        let text = '';
        for await (const chunk of ctx.input) text += new TextDecoder().decode(chunk);
        await ctx.store.db
          .insertInto('blobs')
          .values({ key: `api/${ctx.jobId}`, bytes: new TextEncoder().encode(text) })
          .execute();
        if (text.includes('bad')) throw new Error('line 1: bad record');
        return { bytes: text.length };
      },
    });
    try {
      const kinds = (await (
        await call(world.app, world.members.agency.viewer, 'GET', '/api/ingest-kinds')
      ).json()) as { items: { kind: string }[] };
      expect(kinds.items.map((k) => k.kind)).toContain('test-api-lines');

      const upload = async (content: string) => {
        const form = new FormData();
        form.set('kind', 'test-api-lines');
        form.set('file', new File([content], 'lines.txt'));
        const res = await call(world.app, world.members.agency.analyst, 'POST', '/api/jobs', form);
        expect(res.status).toBe(202);
        const job = (await res.json()) as { id: string; status: string };
        expect(job.status).toBe('queued');
        for (;;) {
          const j = (await (
            await call(world.app, world.members.agency.analyst, 'GET', `/api/jobs/${job.id}`)
          ).json()) as {
            status: string;
            error: string | null;
            summary: unknown;
          };
          if (j.status === 'succeeded' || j.status === 'failed') return j;
          await new Promise((r) => setTimeout(r, 20));
        }
      };
      const blobsBefore = await world.store.db.selectFrom('blobs').selectAll().execute();
      const failed = await upload('bad');
      expect(failed).toMatchObject({ status: 'failed', error: 'line 1: bad record' });
      expect(await world.store.db.selectFrom('blobs').selectAll().execute()).toEqual(blobsBefore);
      const ok = await upload('good');
      expect(ok).toMatchObject({ status: 'succeeded', summary: { bytes: 4 } });

      const form = new FormData();
      form.set('kind', 'no-such-kind');
      form.set('file', new File(['x'], 'x.txt'));
      const unknown = await call(
        world.app,
        world.members.agency.analyst,
        'POST',
        '/api/jobs',
        form,
      );
      expect(unknown.status).toBe(400);
      expect(await problemOf(unknown)).toMatchObject({ code: 'UNKNOWN_INGEST_KIND' });
    } finally {
      unregister();
    }
  });
});
