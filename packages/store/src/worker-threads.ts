// What the store's worker-thread pools (screening: screening/worker-pool.ts; targeting training:
// targeting/train-pool.ts) share: how a worker loads its TypeScript entry, and how a thread count
// is read from an environment setting.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { StoreError } from './errors';

/**
 * Code for `new Worker(code, { eval: true })` that runs the TypeScript module `entry`. Workers run
 * the sources through tsx, as the main thread does (a loader registered on the main thread is not
 * inherited by workers); this holds in the CLI bundle too, whose build pins each module's
 * import.meta.url to its source file. tsx is resolved from here so the worker does not depend on
 * the process's working directory.
 */
export function tsxWorkerCode(entry: URL): string {
  let tsx = 'tsx/esm/api';
  try {
    // require.resolve finds the CommonJS build; the worker imports the ES module beside it.
    const esm = createRequire(import.meta.url)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs');
    if (existsSync(esm)) tsx = pathToFileURL(esm).href;
  } catch {
    // Fall back to the bare specifier (resolved from the working directory).
  }
  return `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); });`;
}

/** A thread count from the setting `variable`: unset = every core, 0 = none (in process). */
export function workerCountSetting(
  variable: string,
  setting: string | undefined,
  max: number,
): number {
  if (setting === undefined || setting.trim() === '') return availableParallelism();
  const n = Number(setting);
  if (!Number.isInteger(n) || n < 0 || n > max) {
    throw new StoreError(
      'INVALID_ARGUMENT',
      `${variable} must be a whole number from 0 to ${max}, got "${setting}"`,
    );
  }
  return n;
}
