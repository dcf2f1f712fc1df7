import type { Store } from '@interdict/store';
import type { LedgerService } from '../ledger/service';
import type { ScreeningService } from '../screening/service';
import type { ServicesSettings } from '../settings';

/** What the composition root hands the targeting service. */
export interface TargetingDeps {
  readonly store: Store;
  readonly ledger: LedgerService;
  readonly settings: ServicesSettings;
  /** Party screening for the watchlist lane raiser. */
  readonly screening: ScreeningService;
}

/** The targeting use cases: role checks, policies, orchestration, audit and ledger commits. */
export class TargetingService {
  constructor(private readonly deps: TargetingDeps) {}

  /** Releases what this service started (worker threads, timers). */
  async close(): Promise<void> {
    await Promise.resolve(this.deps);
  }
}
