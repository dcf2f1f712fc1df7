import type { Actor } from '../actor';
import type { Store } from '../store';

/** Ledger record type (and subject type) of a list version put in force (issue 12 §6). */
export const LIST_VERSION_RECORD = 'screening.list-version';

/**
 * What a list import asks of the screening service inside its job's transaction (issue 12 §2:
 * the store is I/O only; the monitored parties are screened on the service's worker pool, and the
 * service remembers which versions are in force). The ingest service lends it to the job.
 */
export interface ListImportServices {
  /**
   * A list version was put in force in `tx` (not committed yet): forget what is remembered of the
   * versions in force, re-screen every organisation's monitored parties against them as `tx`
   * sees them, and record the hits on entities a party never hit before as alerts, in `tx`.
   */
  listVersionInstalled(tx: Store, actor: Actor): Promise<{ parties: number; newHits: number }>;
}

declare module '../ingest/registry' {
  interface IngestContext {
    /** The screening service's part of a list import (IngestRequest.screening). */
    readonly screening?: ListImportServices;
  }
}

declare module '../ingest/run' {
  interface IngestRequest {
    /** Lent to the list kinds' jobs by the ingest service (see ListImportServices). */
    screening?: ListImportServices;
  }
}
