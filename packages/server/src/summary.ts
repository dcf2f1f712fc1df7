import type { Actor, Store } from '@interdict/store';

/** One line of GET /api/summary: what a capability has loaded. */
export interface SummaryItem {
  capability: string;
  label: string;
  count: number;
  updatedAt: string | null;
}

/**
 * A capability's contribution to GET /api/summary. Add yours with ONE line in `summaryProviders`
 * below (or call `registerSummaryProvider` from your module's `register`).
 *
 * `actor` is the signed-in caller. Public reference data loaded into the instance (sanctions
 * lists, the analytics datasets, the size of the public ledger) may be counted for everyone; an
 * organisation's own records (declarations, inspections, …) must be counted through a store
 * query scoped by `actor`, so that no agency learns how much another one holds.
 */
export interface SummaryProvider {
  capability: string;
  summarise(store: Store, actor: Actor): Promise<SummaryItem[]>;
}

export const summaryProviders: SummaryProvider[] = [
  // one line per capability, e.g. analyticsSummary; targeting registers its own (scoped) one
];

export function registerSummaryProvider(provider: SummaryProvider): void {
  if (!summaryProviders.some((p) => p.capability === provider.capability))
    summaryProviders.push(provider);
}
