import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from './auth/middleware';
import { call, makeApp, makeWorld, PASSWORD, signIn, type Member, type World } from './testing';

let world: World;
let consoleDir: string;
const INLINE = "document.documentElement.dataset.scheme = 'dark';";

beforeAll(async () => {
  world = await makeWorld();
  consoleDir = await mkdtemp(path.join(tmpdir(), 'interdict-csp-'));
  await mkdir(path.join(consoleDir, 'assets'));
  await writeFile(
    path.join(consoleDir, 'index.html'),
    `<!doctype html><html><head><title>console-index</title><script>${INLINE}</script><script type="module" src="/assets/app.js"></script></head><body><header>h</header></body></html>`,
  );
  await writeFile(path.join(consoleDir, 'assets', 'app.js'), 'console.log("app")');
});

afterAll(async () => {
  await world?.store.close();
  await rm(consoleDir, { recursive: true, force: true });
});

function directives(policy: string | null): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const part of (policy ?? '').split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) map.set(name, values);
  }
  return map;
}

describe('security headers', () => {
  it('sends the fixed headers on API answers, problems and the console alike', async () => {
    const app = makeApp(world.store, { consoleDir });
    for (const p of ['/healthz', '/api/nothing-here', '/api/auth/me', '/', '/assets/app.js']) {
      const res = await app.request(p);
      expect(res.headers.get('x-content-type-options'), p).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), p).toBe('no-referrer');
      expect(res.headers.get('x-frame-options'), p).toBe('DENY');
      expect(res.headers.get('cross-origin-opener-policy'), p).toBe('same-origin');
      expect(res.headers.get('permissions-policy'), p).toMatch(/(^|, )camera=\(\)/);
      expect(res.headers.get('permissions-policy'), p).toMatch(/geolocation=\(\)/);
      const csp = directives(res.headers.get('content-security-policy'));
      expect(csp.get('frame-ancestors'), p).toEqual(["'none'"]);
      expect(csp.get('object-src'), p).toEqual(["'none'"]);
      // Plain http: no HSTS (RFC 6797 §8.1 — it would be ignored and mislead).
      expect(res.headers.get('strict-transport-security'), p).toBeNull();
    }
    const api = await app.request('/api/auth/me');
    expect(directives(api.headers.get('content-security-policy')).get('default-src')).toEqual([
      "'none'",
    ]);
  });

  it('gives the console a fresh style nonce per page and allows only its own inline script', async () => {
    const app = makeApp(world.store, { consoleDir });
    const first = await app.request('/administration/users');
    const second = await app.request('/');
    const nonces: string[] = [];
    for (const res of [first, second]) {
      const html = await res.text();
      expect(html).toContain('console-index');
      const nonce = /<meta property="csp-nonce" nonce="([^"]+)">/.exec(html)?.[1];
      expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
      expect(html.indexOf('csp-nonce')).toBeLessThan(html.indexOf('<header>'));
      expect(res.headers.get('cache-control')).toBe('no-store');
      const csp = directives(res.headers.get('content-security-policy'));
      expect(csp.get('default-src')).toEqual(["'self'"]);
      expect(csp.get('style-src')).toEqual(["'self'", `'nonce-${nonce}'`]);
      const hash = createHash('sha256').update(INLINE).digest('base64');
      expect(csp.get('script-src')).toEqual(["'self'", `'sha256-${hash}'`]);
      // Only style attributes (ECharts' tooltips) are inline; never scripts or style elements.
      for (const [name, values] of csp) {
        expect(values, name).not.toContain("'unsafe-eval'");
        if (name !== 'style-src-attr') expect(values, name).not.toContain("'unsafe-inline'");
      }
      expect(csp.get('style-src-attr')).toEqual(["'unsafe-inline'"]);
      expect(csp.get('style-src-elem')).toBeUndefined(); // falls back to style-src's nonce
      nonces.push(nonce!);
    }
    expect(nonces[0]).not.toBe(nonces[1]);
    const asset = await app.request('/assets/app.js');
    expect(directives(asset.headers.get('content-security-policy')).get('script-src')).toEqual([
      "'self'",
    ]);
  });

  it('lets Swagger UI use its inline styles on /api/docs only, never inline scripts', async () => {
    for (const p of ['/api/docs', '/api/docs/swagger-ui-bundle.js', '/api/docs/init.js']) {
      const csp = directives((await world.app.request(p)).headers.get('content-security-policy'));
      expect(csp.get('script-src'), p).toEqual(["'self'"]);
      expect(csp.get('style-src'), p).toEqual(["'self'", "'unsafe-inline'"]);
      expect(csp.get('frame-ancestors'), p).toEqual(["'none'"]);
    }
    expect(await (await world.app.request('/api/docs')).text()).not.toMatch(/<script>(?!<)/);
  });

  it('sends HSTS over TLS, and behind a proxy only when the proxy is trusted', async () => {
    const direct = await world.app.request('https://interdict.example/healthz');
    expect(direct.headers.get('strict-transport-security')).toMatch(/^max-age=\d{8}/);
    const headers = { 'x-forwarded-proto': 'https' };
    const untrusted = await world.app.request('/healthz', { headers });
    expect(untrusted.headers.get('strict-transport-security')).toBeNull();
    const trusted = await makeApp(world.store, { trustProxy: true }).request('/healthz', {
      headers,
    });
    expect(trusted.headers.get('strict-transport-security')).toMatch(/includeSubDomains/);
  });
});

interface SessionRow {
  id: string;
  userId: string;
  current: boolean;
  ip: string | null;
  userAgent: string | null;
}

async function sessionsOf(member: Member, path = '/api/sessions'): Promise<SessionRow[]> {
  const res = await call(world.app, member, 'GET', path);
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { items: SessionRow[] }).items;
}

/** A second signed-in session for `member`, as from another browser. */
async function anotherSession(member: Member): Promise<Member> {
  return { ...member, ...(await signIn(world.app, member.email)) };
}

describe('sessions over HTTP', () => {
  it('lists your sessions without their secrets and flags the current one', async () => {
    const viewer = world.members.home.viewer;
    const other = await anotherSession(viewer);
    const res = await call(world.app, viewer, 'GET', '/api/sessions');
    const text = await res.clone().text();
    const secret = viewer.cookie.split('=')[1]!;
    expect(text).not.toContain(secret);
    expect(text).not.toContain(createHash('sha256').update(secret).digest('hex'));
    const items = await sessionsOf(viewer);
    expect(items.length).toBeGreaterThanOrEqual(2);
    expect(items.filter((s) => s.current)).toHaveLength(1);
    expect(items.every((s) => s.userId === viewer.id)).toBe(true);
    // The other browser sees the same sessions with its own flagged.
    const seen = await sessionsOf(other);
    expect(seen.find((s) => s.current)?.id).not.toBe(items.find((s) => s.current)?.id);
  });

  it('refuses to list or end another user’s sessions without the right', async () => {
    const analyst = world.members.home.analyst;
    const victim = world.members.home.officer;
    const [victimSession] = await sessionsOf(victim);
    const list = await call(world.app, analyst, 'GET', `/api/users/${victim.id}/sessions`);
    expect(list.status).toBe(403);
    const end = await call(world.app, analyst, 'DELETE', `/api/sessions/${victimSession!.id}`);
    expect(end.status).toBe(404);
    const agencyAdmin = world.members.agency.admin;
    const foreign = await call(
      world.app,
      agencyAdmin,
      'DELETE',
      `/api/sessions/${victimSession!.id}`,
    );
    expect(foreign.status).toBe(404);
    const foreignList = await call(
      world.app,
      agencyAdmin,
      'GET',
      `/api/users/${victim.id}/sessions`,
    );
    expect(foreignList.status).toBe(404);
    // Still signed in.
    expect((await call(world.app, victim, 'GET', '/api/auth/me')).status).toBe(200);
  });

  it('lets an admin end a user’s session, which then stops working, and audits it', async () => {
    const admin = world.members.agency.admin;
    const target = await anotherSession(world.members.agency.partner);
    const sessions = await sessionsOf(admin, `/api/users/${target.id}/sessions`);
    expect(sessions.every((s) => !s.current)).toBe(true);
    const mine = (await sessionsOf(target)).find((s) => s.current)!;
    const res = await call(world.app, admin, 'DELETE', `/api/sessions/${mine.id}`);
    expect(res.status).toBe(204);
    expect(res.headers.get('set-cookie')).toBeNull(); // not the admin's own session
    expect((await call(world.app, target, 'GET', '/api/auth/me')).status).toBe(401);
    const audit = await call(world.app, admin, 'GET', '/api/audit?limit=1');
    const [event] = ((await audit.json()) as { items: { action: string; targetId: string }[] })
      .items;
    expect(event).toMatchObject({ action: 'session.revoke', targetId: target.id });
  });

  it('signs out everywhere else, and ending the current session clears the cookie', async () => {
    const base = world.members.home.partner;
    const here = await anotherSession(base);
    const elsewhere = await anotherSession(base);
    const res = await call(world.app, here, 'POST', '/api/sessions/sign-out-others');
    expect(res.status).toBe(200);
    expect(((await res.json()) as { sessionsEnded: number }).sessionsEnded).toBeGreaterThanOrEqual(
      2,
    );
    expect((await call(world.app, elsewhere, 'GET', '/api/auth/me')).status).toBe(401);
    expect((await call(world.app, base, 'GET', '/api/auth/me')).status).toBe(401);
    const left = await sessionsOf(here);
    expect(left).toHaveLength(1);
    const end = await call(world.app, here, 'DELETE', `/api/sessions/${left[0]!.id}`);
    expect(end.status).toBe(204);
    expect(end.headers.get('set-cookie')).toMatch(new RegExp(`^${SESSION_COOKIE}=;`));
    expect((await call(world.app, here, 'GET', '/api/auth/me')).status).toBe(401);
    // Put the world's member back for other tests.
    world.members.home.partner = { ...base, ...(await signIn(world.app, base.email)) };
  });

  it('ends every session of a user who is disabled', async () => {
    const admin = world.members.home.admin;
    const created = await call(world.app, admin, 'POST', '/api/users', {
      email: 'disable-me@home.example',
      name: 'Disable me',
      role: 'viewer',
      password: PASSWORD,
    });
    const { id } = (await created.json()) as { id: string };
    const one = await signIn(world.app, 'disable-me@home.example');
    const two = await signIn(world.app, 'disable-me@home.example');
    const patched = await call(world.app, admin, 'PATCH', `/api/users/${id}`, { disabled: true });
    expect(patched.status).toBe(200);
    for (const s of [one, two]) {
      const me = await world.app.request('/api/auth/me', { headers: { cookie: s.cookie } });
      expect(me.status).toBe(401);
    }
    expect(await sessionsOf(admin, `/api/users/${id}/sessions`)).toEqual([]);
  });
});

describe('paged lists over HTTP', () => {
  it('pages users with limit and cursor, and refuses limits beyond the maximum', async () => {
    const admin = world.members.home.admin;
    const ids: string[] = [];
    let path: string | undefined = '/api/users?limit=3';
    let pages = 0;
    while (path && pages < 50) {
      const res = await call(world.app, admin, 'GET', path);
      expect(res.status).toBe(200);
      const page = (await res.json()) as { items: { id: string }[]; nextCursor?: string };
      expect(page.items.length).toBeLessThanOrEqual(3);
      ids.push(...page.items.map((u) => u.id));
      path = page.nextCursor
        ? `/api/users?limit=3&cursor=${encodeURIComponent(page.nextCursor)}`
        : undefined;
      pages++;
    }
    const all = (await world.store.users.list(await world.store.systemActor())).items;
    expect(ids).toEqual(all.map((u) => u.id));
    expect(pages).toBe(Math.ceil(all.length / 3));
    for (const bad of [
      '/api/users?limit=501',
      '/api/tokens?limit=0',
      '/api/jobs?cursor=nonsense',
      '/api/sessions?limit=x',
    ]) {
      expect((await call(world.app, admin, 'GET', bad)).status, bad).toBe(400);
    }
  });

  it('documents limit and cursor on every paged list in the OpenAPI document', async () => {
    const doc = (await (await world.app.request('/api/openapi.json')).json()) as {
      paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>;
    };
    for (const p of [
      '/api/users',
      '/api/tokens',
      '/api/jobs',
      '/api/audit',
      '/api/sessions',
      '/api/users/{id}/sessions',
    ]) {
      const names = (doc.paths[p]?.get?.parameters ?? [])
        .filter((x) => x.in === 'query')
        .map((x) => x.name);
      expect(names, p).toEqual(expect.arrayContaining(['limit', 'cursor']));
    }
  });
});
