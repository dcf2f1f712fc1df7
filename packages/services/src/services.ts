import type { Actor, Store } from '@interdict/store';
import { AnalyticsService } from './analytics/service';
import { IngestService } from './ingest/service';
import { LedgerService } from './ledger/service';
import type { LedgerSettings } from './ledger/settings';
import { PlatformService } from './platform/service';
import { ScreeningService } from './screening/service';
import { resolveSettings, type ServicesSettings } from './settings';
import { TargetingService } from './targeting/service';

/** One line of the home page's summary: what a capability holds, as the caller may count it. */
export interface SummaryItem {
  capability: string;
  label: string;
  count: number;
  updatedAt: string | null;
}

/**
 * A service that contributes summary lines. Public reference data (lists, datasets, the size of
 * the public log) may be counted for everyone; an organisation's own records must be counted by
 * a store query scoped to `actor`, so that no agency learns how much another one holds.
 */
export interface SummarySource {
  summary(actor: Actor): Promise<SummaryItem[]>;
}

function hasSummary(x: object): x is SummarySource {
  return typeof (x as Partial<SummarySource>).summary === 'function';
}

/** Every use case of the product, built over one store. */
export interface Services {
  readonly settings: ServicesSettings;
  readonly ledger: LedgerService;
  readonly platform: PlatformService;
  readonly ingest: IngestService;
  readonly screening: ScreeningService;
  readonly targeting: TargetingService;
  readonly analytics: AnalyticsService;
  /** What every capability holds, as `actor` may count it (GET /api/summary). */
  summary(actor: Actor): Promise<SummaryItem[]>;
  /** Starts what should run before the first request (the ledger's sequencer and its recovery). */
  start(): Promise<void>;
  /** Stops every pool, timer and the sequencer, then closes the store (unless told not to). */
  close(): Promise<void>;
}

export type ServicesOptions = Partial<Omit<ServicesSettings, 'ledger'>> & {
  ledger?: Partial<LedgerSettings>;
  /** Close the store with the services (default true). */
  closeStore?: boolean;
};

/**
 * The one composition root (issue 12 §1): owns every pool, cache, key and the ledger sequencer,
 * and hands each service the others it needs — services never reach each other through an edge.
 * Settings come from the environment (`INTERDICT_*`) with `options` on top.
 */
export function createServices(store: Store, options: ServicesOptions = {}): Services {
  const { closeStore = true, ...partial } = options;
  const settings = resolveSettings(partial);
  const ledger = new LedgerService(store, settings.ledger);
  const base = { store, ledger, settings };
  const platform = new PlatformService(base);
  const screening = new ScreeningService(base);
  const ingest = new IngestService({ ...base, screening: screening.listImport });
  const targeting = new TargetingService({ ...base, screening });
  const analytics = new AnalyticsService(base);
  let closing: Promise<void> | undefined;
  return {
    settings,
    ledger,
    platform,
    ingest,
    screening,
    targeting,
    analytics,
    async summary(actor) {
      const all: object[] = [ledger, screening, targeting, analytics, ingest, platform];
      const sources = all.filter(hasSummary);
      return (await Promise.all(sources.map((s) => s.summary(actor)))).flat();
    },
    start: () => ledger.start(),
    close() {
      closing ??= (async () => {
        // Users of the ledger first (they may still commit), the ledger, then the store.
        await Promise.allSettled([
          analytics.close(),
          targeting.close(),
          screening.close(),
          ingest.close(),
          platform.close(),
        ]);
        await ledger.close().catch(() => undefined);
        if (closeStore) await store.close();
      })();
      return closing;
    },
  };
}
