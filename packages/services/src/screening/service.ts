import type { Store } from '@interdict/store';
import type { LedgerService } from '../ledger/service';
import type { ServicesSettings } from '../settings';

/** What the composition root hands the screening service. */
export interface ScreeningDeps {
  readonly store: Store;
  readonly ledger: LedgerService;
  readonly settings: ServicesSettings;
}

/** The screening use cases: role checks, policies, orchestration, audit and ledger commits. */
export class ScreeningService {
  constructor(private readonly deps: ScreeningDeps) {}

  /** Releases what this service started (worker threads, timers). */
  async close(): Promise<void> {
    await Promise.resolve(this.deps);
  }
}
