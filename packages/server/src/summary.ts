import type { Store } from '@interdict/store';

/** One line of GET /api/summary: what a capability has loaded. */
export interface SummaryItem {
  capability: string;
  label: string;
  count: number;
  updatedAt: string | null;
}

/**
 * A capability's contribution to GET /api/summary. Add yours with ONE line in `summaryProviders`
 * below (or call `registerSummaryProvider` from your module's `register`). Counts are of data
 * loaded into this instance, which every signed-in user may know exists.
 */
export interface SummaryProvider {
  capability: string;
  summarise(store: Store): Promise<SummaryItem[]>;
}

export const summaryProviders: SummaryProvider[] = [
  // one line per capability, e.g. analyticsSummary,
];

export function registerSummaryProvider(provider: SummaryProvider): void {
  if (!summaryProviders.some((p) => p.capability === provider.capability))
    summaryProviders.push(provider);
}
