import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppEnv } from '../env';
import { closeWorld, makeWorld, type World } from '../testing';
import { authenticate, CSRF_HEADER, SESSION_COOKIE } from './middleware';

// The middleware asks the platform service who is asking (issue 12: sessions and tokens through
// the platform service). A small app with only the middleware and one route that echoes the
// actor, over a world's services.

let w: World;
let app: OpenAPIHono<AppEnv>;

beforeAll(async () => {
  w = await makeWorld();
  app = new OpenAPIHono<AppEnv>();
  app.use('/api/*', authenticate(w.services));
  const echo = (c: Context<AppEnv>) =>
    c.json({ actor: c.get('auth')?.actor ?? null, via: c.get('auth')?.via ?? null });
  app.get('/api/who', (c) => echo(c));
  app.post('/api/who', (c) => echo(c));
});

afterAll(async () => {
  await closeWorld(w);
});

async function who(init: RequestInit = {}, method = 'GET') {
  const res = await app.request('/api/who', { method, ...init });
  return { status: res.status, body: (await res.json()) as { actor: unknown; via: unknown } };
}

describe('authenticate over the platform service', () => {
  it('resolves a bearer token until it is revoked', async () => {
    const admin = w.members.agency.admin;
    const actor = { userId: admin.id, organisationId: admin.organisationId, role: admin.role };
    const { token, secret } = await w.services.platform.tokens.create(actor, {
      name: 'machine',
      role: 'viewer',
      expiresInDays: 1,
    });
    const headers = { authorization: `Bearer ${secret}` };
    expect(await who({ headers })).toEqual({
      status: 200,
      body: {
        actor: expect.objectContaining({ tokenId: token.id, role: 'viewer' }) as unknown,
        via: 'token',
      },
    });
    await w.services.platform.tokens.revoke(actor, token.id);
    const refused = await app.request('/api/who', { headers });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Bearer');
    expect(
      (await app.request('/api/who', { headers: { authorization: 'Bearer idt_forged' } })).status,
    ).toBe(401);
  });

  it('resolves a session cookie, and asks for its CSRF token on unsafe requests', async () => {
    const viewer = w.members.home.viewer;
    const cookie = viewer.cookie;
    expect(await who({ headers: { cookie } })).toEqual({
      status: 200,
      body: {
        actor: expect.objectContaining({ userId: viewer.id, role: 'viewer' }) as unknown,
        via: 'session',
      },
    });
    expect((await app.request('/api/who', { method: 'POST', headers: { cookie } })).status).toBe(
      403,
    );
    expect((await who({ headers: { cookie, [CSRF_HEADER]: viewer.csrf } }, 'POST')).body.via).toBe(
      'session',
    );
    const forged = `${SESSION_COOKIE}=${'A'.repeat(43)}`;
    expect(await who({ headers: { cookie: forged } })).toEqual({
      status: 200,
      body: { actor: null, via: null },
    });
  });
});
