import { readFileSync, unlinkSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describeError, isInterdictError } from '@interdict/core';
import {
  DEFAULT_DATA_DIR,
  MEMORY,
  openStore,
  type Actor,
  type Store,
  type StoreLogger,
} from '@interdict/store';
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

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * PGlite keeps its database in one process's memory and writes the folder from there: a second
 * process opening the same folder would corrupt it. So every CLI process (a running `start` as
 * much as `users add`) holds `interdict.pid` in the folder while the store is open; a file left by
 * a process that no longer exists (killed) is taken over. Returns the release function.
 */
async function lockDataFolder(dataDir: string): Promise<() => void> {
  await mkdir(dataDir, { recursive: true });
  const file = path.join(dataDir, 'interdict.pid');
  const mine = String(process.pid);
  for (let attempt = 0; ; attempt++) {
    try {
      await writeFile(file, mine, { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
      const holder = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (
        Number.isInteger(holder) &&
        holder > 0 &&
        holder !== process.pid &&
        processAlive(holder)
      ) {
        throw new CliExit(
          ExitCode.unavailable,
          `the data folder ${dataDir} is in use by process ${holder} (a running \`interdict start\`?): stop it first, or use the API`,
        );
      }
      await writeFile(file, mine); // stale: its process is gone
      break;
    }
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off('exit', release);
    try {
      if (readFileSync(file, 'utf8') === mine) unlinkSync(file);
    } catch {
      // already gone
    }
  };
  process.on('exit', release);
  return release;
}

/**
 * Opens the store every command uses: PostgreSQL when `DATABASE_URL` is set, otherwise the
 * embedded PGlite in `INTERDICT_DATA` (default `./.interdict`), which this process then holds
 * (see lockDataFolder). Migrations run on open. A store that cannot be reached ends the command
 * with exit code 4 and one line naming where it looked.
 */
export async function openStoreFromEnv(options: { logger?: StoreLogger } = {}): Promise<Store> {
  const folder = process.env.INTERDICT_DATA ?? DEFAULT_DATA_DIR;
  const dataDir = process.env.DATABASE_URL || folder === MEMORY ? undefined : path.resolve(folder);
  let release = () => {};
  try {
    if (dataDir) release = await lockDataFolder(dataDir);
    const store = await openStore(options.logger ? { logger: options.logger } : {});
    if (!dataDir) return store;
    const close = store.close.bind(store);
    store.close = async () => {
      try {
        await close();
      } finally {
        release();
      }
    };
    return store;
  } catch (error) {
    release();
    if (error instanceof CliExit) throw error;
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
