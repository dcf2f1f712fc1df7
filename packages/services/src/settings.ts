import { ledgerSettingsFromEnv, type LedgerSettings } from './ledger/settings';

/**
 * Everything the services are configured with, read once from the environment by the edges
 * (`servicesSettingsFromEnv`) or given by tests and embedders. Worker counts: 0 runs the work on
 * the calling thread.
 */
export interface ServicesSettings {
  ledger: LedgerSettings;
  /** Screening worker threads (`INTERDICT_SCREENING_WORKERS`, default one per core). */
  screeningWorkers: string | undefined;
  /** How long a match waits for warming workers before a 503 (`INTERDICT_SCREENING_WAIT_MS`). */
  screeningWaitMs: number;
  /** Targeting training threads (`INTERDICT_TRAIN_WORKERS`). */
  trainWorkers: string | undefined;
  /** Targeting scoring threads (`INTERDICT_SCORE_WORKERS`). */
  scoreWorkers: string | undefined;
}

export function servicesSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): ServicesSettings {
  const wait = Number(env.INTERDICT_SCREENING_WAIT_MS ?? 30_000);
  return {
    ledger: ledgerSettingsFromEnv(env),
    screeningWorkers: env.INTERDICT_SCREENING_WORKERS,
    screeningWaitMs: Number.isFinite(wait) && wait >= 0 ? wait : 30_000,
    trainWorkers: env.INTERDICT_TRAIN_WORKERS,
    scoreWorkers: env.INTERDICT_SCORE_WORKERS,
  };
}

/** Settings from the environment with `partial` on top (nested ledger settings merged). */
export function resolveSettings(
  partial: Partial<Omit<ServicesSettings, 'ledger'>> & { ledger?: Partial<LedgerSettings> } = {},
  env: NodeJS.ProcessEnv = process.env,
): ServicesSettings {
  const base = servicesSettingsFromEnv(env);
  const { ledger, ...rest } = partial;
  return { ...base, ...rest, ledger: { ...base.ledger, ...ledger } };
}
