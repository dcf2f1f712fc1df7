import type { Actor, Store } from '@interdict/store';

/** One line of GET /api/summary: what a capability has loaded. */
export interface SummaryItem {
  capability: string;
  label: string;
  count: number;
  updatedAt: string | null;
}

/**
 * A capability's contribution to GET /api/summary, from the time before the services (issue 12).
 * A capability now gives its lines with a `summary(actor)` method on its service
 * (`SummarySource` in packages/services/src/services.ts), which `Services.summary` collects; the
 * route still adds the lines of the providers registered here until the last one has moved,
 * and then this registry goes.
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
