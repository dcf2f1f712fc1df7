import type { Store } from '@interdict/store';
import type { LedgerService } from '../ledger/service';
import type { ServicesSettings } from '../settings';

/** What the composition root hands the platform service. */
export interface PlatformDeps {
  readonly store: Store;
  readonly ledger: LedgerService;
  readonly settings: ServicesSettings;
}

/** The platform use cases: role checks, policies, orchestration, audit and ledger commits. */
export class PlatformService {
  constructor(private readonly deps: PlatformDeps) {}

  /** Releases what this service started (worker threads, timers). */
  async close(): Promise<void> {
    await Promise.resolve(this.deps);
  }
}
