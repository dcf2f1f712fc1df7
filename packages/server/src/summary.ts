import { TARGETING_READER_ROLES, targetingCounts, type Actor, type Store } from '@interdict/store';

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

/**
 * Targeting's counts, scoped to the caller's organisation by the store (targetingCounts). Listed
 * here rather than registered by modules/targeting.ts so that it comes first: registration keeps
 * the first provider of a capability, and the module's older one counted every organisation.
 */
const targetingSummary: SummaryProvider = {
  capability: 'targeting',
  async summarise(store, actor) {
    // A role that may not read targeting (partner) sees no targeting line rather than a 403.
    if (!TARGETING_READER_ROLES.includes(actor.role)) return [];
    const counts = await targetingCounts(store, actor);
    return [
      {
        capability: 'targeting',
        label: 'Customs declarations',
        count: counts.declarations,
        updatedAt: null,
      },
      {
        capability: 'targeting',
        label: 'Inspection results',
        count: counts.inspections,
        updatedAt: null,
      },
    ];
  },
};

export const summaryProviders: SummaryProvider[] = [
  // one line per capability, e.g. analyticsSummary,
  targetingSummary,
];

export function registerSummaryProvider(provider: SummaryProvider): void {
  if (!summaryProviders.some((p) => p.capability === provider.capability))
    summaryProviders.push(provider);
}
