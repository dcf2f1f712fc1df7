import { readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { StoreError } from './errors';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0: existence check only
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One process per PGlite data folder: PGlite is a single-user PostgreSQL with no lock of its own,
 * and two processes writing one cluster would corrupt it. The lock file holds the owner's pid; a
 * lock left by a process that no longer exists is taken over. Returns the release function.
 */
export async function lockDataFolder(root: string): Promise<() => Promise<void>> {
  const file = path.join(root, 'interdict.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(file, `${process.pid}\n`, { flag: 'wx' });
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        await unlink(file).catch(() => undefined);
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) {
        throw new StoreError(
          'STORE_UNAVAILABLE',
          `the data folder ${root} is in use by process ${owner}; stop it first or use its API (if that process is not Interdict, delete ${file})`,
          { details: { pid: owner } },
        );
      }
      if (owner === process.pid) {
        throw new StoreError(
          'STORE_UNAVAILABLE',
          `the data folder ${root} is already open in this process`,
        );
      }
      await unlink(file).catch(() => undefined); // stale: its process is gone
    }
  }
  throw new StoreError('STORE_UNAVAILABLE', `cannot lock the data folder ${root}`);
}
