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
