// The OpenAPI document as the server publishes it, without a running server or a data folder:
// the source of the console's generated API types (`npm run api:types`, scripts/api-types.ts).
import { createServices } from '@interdict/services';
import { MEMORY, openStore } from '@interdict/store';
import pino from 'pino';
import { createApp } from './app';
import type { App } from './env';

/**
 * The one place that builds an app, over a throwaway in-memory store: change it when
 * createApp's signature changes. `close` stops the services and closes the store with them.
 */
async function throwawayApp(): Promise<{ app: App; close: () => Promise<void> }> {
  const store = await openStore({ dataDir: MEMORY });
  const services = createServices(store);
  const app = createApp({ store, services, logger: pino({ level: 'silent' }) });
  return { app, close: () => services.close() };
}

/** GET /api/openapi.json of an app over a throwaway in-memory store. */
export async function openApiDocument(): Promise<unknown> {
  const { app, close } = await throwawayApp();
  try {
    const res = await app.request('/api/openapi.json');
    if (res.status !== 200)
      throw new Error(`/api/openapi.json answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as unknown;
  } finally {
    await close();
  }
}
