import type { Store } from '@interdict/store';
import type { LedgerService } from '../ledger/service';
import type { ServicesSettings } from '../settings';

/** What the composition root hands the analytics service. */
export interface AnalyticsDeps {
  readonly store: Store;
  readonly ledger: LedgerService;
  readonly settings: ServicesSettings;
}

/** The analytics use cases: role checks, policies, orchestration, audit and ledger commits. */
export class AnalyticsService {
  constructor(private readonly deps: AnalyticsDeps) {}

  /** Releases what this service started (worker threads, timers). */
  async close(): Promise<void> {
    await Promise.resolve(this.deps);
  }
}
