import { storeScreener, type Actor, type PartyScreener, type Store } from '@interdict/store';
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

  /**
   * Screens declaration parties against the lists in force, as `actor` may (targeting's
   * watchlist lane raiser uses it).
   */
  partyScreener(actor: Actor): PartyScreener {
    return storeScreener(this.deps.store, actor);
  }

  /** Releases what this service started (worker threads, timers). */
  async close(): Promise<void> {
    await Promise.resolve(this.deps);
  }
}
