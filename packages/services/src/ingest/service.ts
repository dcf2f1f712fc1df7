import type { Store } from '@interdict/store';
import type { LedgerService } from '../ledger/service';
import type { ServicesSettings } from '../settings';

/** What the composition root hands the ingest service. */
export interface IngestDeps {
  readonly store: Store;
  readonly ledger: LedgerService;
  readonly settings: ServicesSettings;
}

/** The ingest use cases: role checks, policies, orchestration, audit and ledger commits. */
export class IngestService {
  constructor(private readonly deps: IngestDeps) {}

  /** Releases what this service started (worker threads, timers). */
  async close(): Promise<void> {
    await Promise.resolve(this.deps);
  }
}
