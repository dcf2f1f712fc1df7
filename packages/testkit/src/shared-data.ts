import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * The one way tests and benchmarks find the public datasets: `../shared/data` beside the clone,
 * or `INTERDICT_SHARED_DATA`. It fails loudly when the folder is missing: a test that silently
 * skipped its data would pass on nothing. The product itself never reads this folder.
 */
export function sharedDataRoot(): string {
  const root = process.env.INTERDICT_SHARED_DATA ?? path.resolve(repoRoot, '../shared/data');
  if (!existsSync(root)) {
    throw new Error(
      `shared data folder not found at ${root}: set INTERDICT_SHARED_DATA to the folder that holds watchlists/, seizures/, …`,
    );
  }
  return root;
}

/** Path to a file or folder inside the shared data; throws when it does not exist. */
export function sharedData(...segments: string[]): string {
  const p = path.join(sharedDataRoot(), ...segments);
  if (!existsSync(p)) throw new Error(`shared data file not found: ${p}`);
  return p;
}

export { repoRoot };
