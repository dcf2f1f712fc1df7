import { sql } from 'kysely';
import type { Actor } from '../actor';
import type { Store } from '../store';

// Targeting's watchlist lane raiser (packages/services/src/targeting/watchlist.ts, issue 6 §4)
// screens party names through the screening service's PartyScreener; what it reads from the
// store is only the organisation's own decisions on screened names.

/** An officer's decision on a screened name and listed entity (screening_decisions). */
export interface WatchlistDecision {
  readonly queryName: string;
  readonly entityId: string;
  readonly decision: 'confirmed' | 'dismissed';
}

/**
 * The organisation's screening decisions, oldest first (so the latest per pair wins): officers'
 * word on a screened name and listed entity, which confirms or dismisses a party's hit.
 */
export async function organisationDecisions(
  store: Store,
  actor: Actor,
): Promise<WatchlistDecision[]> {
  const rows = await sql<{ query_name: string; entity_id: string; decision: string }>`
    SELECT query_name, entity_id, decision FROM screening_decisions
    WHERE organisation_id = ${actor.organisationId}
    ORDER BY created_at, id`.execute(store.db);
  return rows.rows.map((r) => ({
    queryName: r.query_name,
    entityId: r.entity_id,
    decision: r.decision === 'confirmed' ? 'confirmed' : 'dismissed',
  }));
}
