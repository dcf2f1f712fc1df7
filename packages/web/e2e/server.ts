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
  const signIn = await fetch(`${server.url}/api/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: server.adminEmail, password: server.adminPassword }),
  });
  const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const { csrfToken } = (await signIn.json()) as { csrfToken: string };
  const form = new FormData();
  form.set('kind', kind);
  form.set('file', new Blob([bytes as Uint8Array<ArrayBuffer>]), name);
  const res = await fetch(`${server.url}/api/jobs`, {
    method: 'POST',
    headers: { cookie, 'x-csrf-token': csrfToken },
    body: form,
  });
  if (res.status !== 202)
    throw new Error(`upload ${kind} ${name}: ${res.status} ${await res.text()}`);
  const { id } = (await res.json()) as { id: string };
  for (;;) {
    const job = (await (
      await fetch(`${server.url}/api/jobs/${id}`, { headers: { cookie } })
    ).json()) as { status: string; error: string | null };
    if (job.status === 'succeeded') return;
    if (job.status === 'failed') throw new Error(`${kind} ${name}: ${job.error}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
