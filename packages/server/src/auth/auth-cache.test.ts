// Sessions and API tokens are answered from memory for a short while (authCacheMs in the store's
// busy-cache.ts). These tests make that while an hour long, so only the invalidation that a
// revocation, sign-out or change of role makes can let the next request see it.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { call, makeWorld, type Member, type World } from '../testing';

describe('the in-process cache of who is asking', () => {
  let w: World;
  const bearer = (secret: string) =>
    call(w.app, undefined, 'GET', '/api/tokens', undefined, { authorization: `Bearer ${secret}` });

  beforeAll(async () => {
    process.env.INTERDICT_AUTH_CACHE_MS = String(60 * 60 * 1000);
    w = await makeWorld();
  });
  afterEach(() => {
    process.env.INTERDICT_AUTH_CACHE_MS = String(60 * 60 * 1000);
  });
  afterAll(async () => {
    delete process.env.INTERDICT_AUTH_CACHE_MS;
    await w.store.close();
  });

  it('refuses a revoked API token on the very next request', async () => {
    const admin = w.members.agency.admin;
    const created = await call(w.app, admin, 'POST', '/api/tokens', {
      name: 'nightly batch',
      expiresInDays: 30,
    });
    expect(created.status).toBe(201);
    const { token, secret } = (await created.json()) as { token: { id: string }; secret: string };
    expect((await bearer(secret)).status).toBe(200);
    expect((await bearer(secret)).status).toBe(200); // now answered from memory
    expect((await call(w.app, admin, 'DELETE', `/api/tokens/${token.id}`)).status).toBe(204);
    const refused = await bearer(secret);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('refuses a token whose user was disabled, at once', async () => {
    const analyst = w.members.agency.analyst;
    const created = await call(w.app, analyst, 'POST', '/api/tokens', {
      name: 'analyst script',
      expiresInDays: 30,
    });
    const { secret } = (await created.json()) as { secret: string };
    expect((await bearer(secret)).status).toBe(200);
    const system = await w.store.systemActor();
    await w.store.users.update(system, analyst.id, { disabled: true });
    expect((await bearer(secret)).status).toBe(401);
  });

  it('ends a signed-out session at once', async () => {
    const officer: Member = w.members.agency.officer;
    expect((await call(w.app, officer, 'GET', '/api/tokens')).status).toBe(200);
    expect((await call(w.app, officer, 'POST', '/api/auth/sign-out')).status).toBeLessThan(300);
    expect((await call(w.app, officer, 'GET', '/api/tokens')).status).toBe(401);
  });

  it('applies a change of role to the next request of a signed-in user', async () => {
    const admin = w.members.agency.admin;
    const viewer = w.members.agency.viewer;
    // A viewer may not monitor parties; after promotion to analyst, the same session may.
    const party = { name: 'Dmitri Kovalenko' };
    expect((await call(w.app, viewer, 'POST', '/api/screening/parties', party)).status).toBe(403);
    const promoted = await call(w.app, admin, 'PATCH', `/api/users/${viewer.id}`, {
      role: 'analyst',
    });
    expect(promoted.status).toBe(200);
    expect((await call(w.app, viewer, 'POST', '/api/screening/parties', party)).status).toBe(201);
  });

  it('is not consulted at all when set to 0', async () => {
    process.env.INTERDICT_AUTH_CACHE_MS = '0';
    const admin = w.members.home.admin;
    const created = await call(w.app, admin, 'POST', '/api/tokens', {
      name: 'uncached',
      expiresInDays: 30,
    });
    const { token, secret } = (await created.json()) as { token: { id: string }; secret: string };
    expect((await bearer(secret)).status).toBe(200);
    // Revoked behind the store's back (as another replica would): seen at once without a cache.
    await w.store.db
      .updateTable('api_tokens')
      .set({ revoked_at: new Date() })
      .where('id', '=', token.id)
      .execute();
    expect((await bearer(secret)).status).toBe(401);
  });
});
