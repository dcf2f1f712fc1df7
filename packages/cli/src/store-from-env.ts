import { describeError, isInterdictError } from '@interdict/core';
import {
  DEFAULT_DATA_DIR,
  openStore,
  type Actor,
  type Store,
  type StoreLogger,
} from '@interdict/store';
import { createServices, type Services } from '@interdict/services';
import { CliExit, ExitCode } from './exit-codes';

/** Where the store lives, from the same settings as `interdict start`, for messages. */
export function storeLocationFromEnv(): string {
  const url = process.env.DATABASE_URL;
  if (url) {
    // Never print a password that may sit in the URL.
    try {
      const u = new URL(url);
      if (u.password) u.password = '***';
      return u.toString();
    } catch {
      return 'DATABASE_URL';
    }
  }
  return process.env.INTERDICT_DATA ?? DEFAULT_DATA_DIR;
}

/**
 * Opens the store every command uses: PostgreSQL when `DATABASE_URL` is set, otherwise the
 * embedded PGlite in `INTERDICT_DATA` (default `./.interdict`), which the store then holds for
 * this process alone (`interdict.lock`). Migrations run on open. A store that cannot be reached or
 * is held by another process ends the command with exit code 4 and one line naming where it looked.
 */
export async function openStoreFromEnv(options: { logger?: StoreLogger } = {}): Promise<Store> {
  try {
    return await openStore(options.logger ? { logger: options.logger } : {});
  } catch (error) {
    if (isInterdictError(error) && !/UNAVAILABLE|CONNECT/.test(error.code)) throw error;
    throw new CliExit(
      ExitCode.unavailable,
      `cannot open the store at ${storeLocationFromEnv()}: ${describeError(error)}`,
    );
  }
}

/** Opens the store, runs `fn`, and closes the store whatever happens. */
export async function withStore<T>(fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStoreFromEnv();
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/**
 * The CLI acts as the instance's operator: an admin of the home organisation with no user behind
 * it (audit events show no user). Before the first `init`/`start` there is none.
 */
export async function operatorActor(store: Store): Promise<Actor> {
  try {
    return await store.systemActor();
  } catch (error) {
    if (isInterdictError(error) && error.code === 'NOT_FOUND') {
      throw new CliExit(
        ExitCode.unavailable,
        `${storeLocationFromEnv()} is not initialised yet: run \`interdict init\` (or \`interdict start\`) first`,
      );
    }
    throw error;
  }
}

/**
 * Opens the store, builds the services over it (settings from the environment), runs `fn`, and
 * closes both whatever happens: the CLI's way into every use case (packages/services).
 */
export async function withServices<T>(
  fn: (services: Services, store: Store) => Promise<T>,
): Promise<T> {
  const store = await openStoreFromEnv();
  const services = createServices(store);
  try {
    return await fn(services, store);
  } finally {
    await services.close();
  }
}
