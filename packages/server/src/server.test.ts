import { openStore } from '@interdict/store';
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
