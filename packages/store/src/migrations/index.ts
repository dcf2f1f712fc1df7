import { platformMigrations } from './0001-platform';
import { analyticsMigrations } from '../analytics/migrations';
import { ledgerMigrations } from '../ledger/migrations';
import { screeningMigrations } from '../screening/migrations';
import { targetingMigrations } from '../targeting/migrations';
import type { MigrationSet } from './types';

/**
 * Every migration set the store runs on open, one line per capability
 * (`import { ledgerMigrations } from '../ledger/migrations'` and add it here).
 */
export const migrationSets: MigrationSet[] = [
  platformMigrations,
  // capabilities below, one per line
  analyticsMigrations,
  ledgerMigrations,
  screeningMigrations,
  targetingMigrations,
];
