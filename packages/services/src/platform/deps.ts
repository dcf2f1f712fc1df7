import type { Store } from '@interdict/store';
import type { LedgerService } from '../ledger/service';
import type { ServicesSettings } from '../settings';

/** What the composition root hands the platform service (and it hands each of its parts). */
export interface PlatformDeps {
  readonly store: Store;
  readonly ledger: LedgerService;
  readonly settings: ServicesSettings;
}

/** Where a request came from, for the audit log. */
export interface RequestMeta {
  ip?: string | null;
  userAgent?: string | null;
}
