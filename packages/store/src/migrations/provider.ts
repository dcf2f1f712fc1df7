import type { Migration, MigrationProvider } from 'kysely';
import { StoreError } from '../errors';
import type { MigrationSet } from './types';

const NAME = /^(\d{4})_[a-z0-9_]+$/;

/**
 * Kysely's Migrator reads migrations through a provider; ours flattens the registered sets and
 * refuses a name outside its capability's number range or a duplicate, before anything runs.
 */
export class RegistryMigrationProvider implements MigrationProvider {
  readonly #sets: readonly MigrationSet[];

  constructor(sets: readonly MigrationSet[]) {
    this.#sets = sets;
  }

  getMigrations(): Promise<Record<string, Migration>> {
    const all: Record<string, Migration> = {};
    const numbers = new Map<number, string>();
    for (const set of this.#sets) {
      for (const [name, migration] of Object.entries(set.migrations)) {
        const match = NAME.exec(name);
        const n = match ? Number(match[1]) : NaN;
        if (!match || n < set.range[0] || n > set.range[1]) {
          throw new StoreError(
            'MIGRATION_FAILED',
            `migration ${name} of ${set.capability} must be named NNNN_words with NNNN in ${set.range[0]}–${set.range[1]}`,
          );
        }
        const clash = numbers.get(n);
        if (clash !== undefined) {
          throw new StoreError(
            'MIGRATION_FAILED',
            `migrations ${clash} and ${name} share number ${n}`,
          );
        }
        numbers.set(n, name);
        all[name] = { up: (db) => migration.up(db) };
      }
    }
    return Promise.resolve(all);
  }
}
