// A real Interdict server in process for the browser tests: a fresh PGlite data folder in a
// temporary directory, bootstrapped with a known admin password, no demo data.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrapInstance, createLogger, startServer } from '@interdict/server';
import { openStore } from '@interdict/store';
import { inject } from 'vitest';

export interface TestServer {
  url: string;
  adminEmail: string;
  adminPassword: string;
  close(): Promise<void>;
}

export async function startTestServer(): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'interdict-e2e-'));
  const adminEmail = 'admin@interdict.test';
  const adminPassword = 'e2e-admin-password-7Qk2';
  process.env.LOG_LEVEL ??= 'warn';
  const store = await openStore({ dataDir: join(dataDir, 'data') });
  try {
    await bootstrapInstance(store, { adminEmail, adminPassword });
    const server = await startServer({
      port: 0,
      host: '127.0.0.1',
      store,
      demoData: false,
      logger: createLogger(),
      handleSignals: false,
      // The console built for this test run by global-setup.ts.
      config: { consoleDir: inject('consoleDir') },
    });
    return {
      url: server.url,
      adminEmail,
      adminPassword,
      async close() {
        await server.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/** A signed-in API client (session cookie and CSRF token), as a script or a colleague would be. */
export interface ApiSession {
  readonly cookie: string;
  readonly csrfToken: string;
  /** A request with the session; a body is sent as JSON, a FormData as multipart. */
  request(method: string, path: string, body?: unknown): Promise<Response>;
}

/** Signs in through the API (the administrator unless another account is given). */
export async function apiSession(
  server: TestServer,
  email = server.adminEmail,
  password = server.adminPassword,
): Promise<ApiSession> {
  const res = await fetch(`${server.url}/api/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (res.status !== 200) throw new Error(`sign-in of ${email}: ${res.status}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return {
    cookie,
    csrfToken,
    request: (method, path, body) =>
      fetch(`${server.url}${path}`, {
        method,
        headers: {
          cookie,
          'x-csrf-token': csrfToken,
          ...(body === undefined || body instanceof FormData
            ? {}
            : { 'content-type': 'application/json' }),
        },
        ...(body === undefined
          ? {}
          : { body: body instanceof FormData ? body : JSON.stringify(body) }),
      }),
  };
}

/** POST /api/targeting/models as the administrator, outside the browser (a colleague's request). */
export async function trainThroughApi(
  server: TestServer,
  body: { objective: string; until?: string },
): Promise<Response> {
  return (await apiSession(server)).request('POST', '/api/targeting/models', body);
}

/**
 * Loads a file the way an administrator would: sign in through the API, POST /api/jobs, then poll
 * the job until it ends. Throws with the job's error when the ingest fails.
 */
export async function ingestThroughApi(
  server: TestServer,
  kind: string,
  name: string,
  bytes: Uint8Array,
): Promise<void> {
  const session = await apiSession(server);
  const form = new FormData();
  form.set('kind', kind);
  form.set('file', new Blob([bytes as Uint8Array<ArrayBuffer>]), name);
  const res = await session.request('POST', '/api/jobs', form);
  if (res.status !== 202)
    throw new Error(`upload ${kind} ${name}: ${res.status} ${await res.text()}`);
  const { id } = (await res.json()) as { id: string };
  for (;;) {
    const job = (await (await session.request('GET', `/api/jobs/${id}`)).json()) as {
      status: string;
      error: string | null;
    };
    if (job.status === 'succeeded') return;
    if (job.status === 'failed') throw new Error(`${kind} ${name}: ${job.error}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
