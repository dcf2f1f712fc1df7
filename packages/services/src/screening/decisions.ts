import { checkQueryName } from '@interdict/screening';
import {
  currentScreeningVersions,
  getScreeningEntity,
  recordAudit,
  recordScreeningDecision,
  setScreeningDecisionLedger,
  type Actor,
  type ScreeningDecision,
  type Store,
} from '@interdict/store';
import { requireRole } from '../access';
import { ServiceError } from '../errors';
import type { LedgerService } from '../ledger/service';
import { SCREENING_DECIDER_ROLES } from './roles';

/** Ledger record type, and subject type, of an officer's confirm/dismiss decision on a hit. */
export const SCREENING_DECISION_RECORD = 'screening.decision';

/** A decision on a hit as an officer takes it. */
export interface ScreeningDecisionInput {
  readonly entityId: string;
  /** The name actually screened (not the listed name it matched). */
  readonly queryName: string;
  readonly decision: 'confirmed' | 'dismissed';
  readonly note?: string;
  /** The hit's score as the officer saw it. */
  readonly score?: number;
}

/**
 * The record a decision's ledger entry commits to: every field of the decision as taken (who,
 * on which listed entity, for which screened name at which score, against which list versions),
 * not where it was later committed. Its RFC 8785 canonical JSON is the entry's body.
 */
export function screeningDecisionRecord(d: ScreeningDecision): Record<string, unknown> {
  return {
    id: d.id,
    organisationId: d.organisationId,
    userId: d.userId,
    entityId: d.entityId,
    queryName: d.queryName,
    decision: d.decision,
    note: d.note,
    score: d.score,
    listVersions: [...d.listVersions],
    createdAt: d.createdAt,
  };
}

/** A decision's input, checked before anything is written (the API's schema checks it too). */
function checkDecision(input: ScreeningDecisionInput): void {
  const invalid = (field: string, message: string): never => {
    throw new ServiceError('INVALID_ARGUMENT', `${field}: ${message}`, { details: { field } });
  };
  checkQueryName(input.queryName);
  if (input.decision !== 'confirmed' && input.decision !== 'dismissed')
    invalid('decision', 'must be confirmed or dismissed');
  if (
    input.score !== undefined &&
    !(Number.isFinite(input.score) && input.score >= 0 && input.score <= 1)
  )
    invalid('score', 'must be a number from 0 to 1');
  if ((input.note?.length ?? 0) > 2000) invalid('note', 'at most 2000 characters');
}

/**
 * Records an officer's decision on a hit (issue 12 §6): the decision, its audit event and its
 * ledger entry in one transaction, answered once the entry is durable in the log (with where it
 * sits). Bad input, or a decision on an entity not listed in force (NOT_FOUND), is refused before
 * anything is written, so it leaves no ledger entry.
 */
export async function decideOnHit(
  deps: { readonly store: Store; readonly ledger: LedgerService },
  actor: Actor,
  input: ScreeningDecisionInput,
): Promise<ScreeningDecision> {
  requireRole(actor, ...SCREENING_DECIDER_ROLES);
  checkDecision(input);
  await getScreeningEntity(deps.store, input.entityId);
  const versions = await currentScreeningVersions(deps.store);
  const { value: decision, entries } = await deps.ledger.commit(actor, async (tx, record) => {
    const d = await recordScreeningDecision(tx, actor, {
      ...input,
      listVersions: versions.map((v) => v.id),
    });
    await recordAudit(tx.db, {
      action: `screening.decision.${input.decision}`,
      actor,
      targetType: 'screening-entity',
      targetId: input.entityId,
      details: { queryName: input.queryName, score: input.score ?? null },
    });
    await record({
      type: SCREENING_DECISION_RECORD,
      body: screeningDecisionRecord(d),
      subject: { type: SCREENING_DECISION_RECORD, id: d.id },
    });
    return d;
  });
  const entry = entries[0];
  // Where the entry sits, for the decision's page; the entry itself is already durable.
  return entry
    ? setScreeningDecisionLedger(deps.store, actor, decision.id, {
        origin: entry.origin,
        index: entry.index,
      })
    : decision;
}
