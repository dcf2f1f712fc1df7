import {
  organisationDecisions,
  recordAudit,
  targetingRepository,
  type Actor,
  type ScoredDeclaration,
  type Store,
} from '@interdict/store';
import {
  TargetingError,
  collectLaneRaises,
  parseCriticalPolicy,
  parseWatchlistPolicy,
  planInspectionDay,
  type CriticalPolicy,
  type Lane,
  type WatchlistPolicy,
} from '@interdict/targeting';
import { ServiceError } from '../errors';
import type { LedgerService } from '../ledger/service';
import type { ScreeningService } from '../screening/service';
import type { TargetingModels } from './models';
import { unlabelled } from './queue';
import { daySelectionRecord } from './records';
import { watchlistRaiser } from './watchlist';
import type { TargetingWorkers } from './workers';

export interface DayScoringInput {
  readonly date: string;
  /** Capacity as a share of the day (default 5 %), or `capacityCount` declarations; not both. */
  readonly capacityPercent?: number;
  readonly capacityCount?: number;
  readonly randomShare?: number;
  /** What a watchlist hit on a party does (threshold, lane); see DEFAULT_WATCHLIST_POLICY. */
  readonly watchlist?: Partial<WatchlistPolicy>;
  /** Which of the Critical model's top scores are raised, and to what; DEFAULT_CRITICAL_POLICY. */
  readonly critical?: Partial<CriticalPolicy>;
}

export interface DayScoring {
  readonly date: string;
  readonly scored: number;
  readonly modelId: string;
  /** The Critical Fraud model that also scored the day, if the organisation has one. */
  readonly criticalModelId: string | null;
  readonly lanes: Record<Lane, number>;
  readonly raised: number;
  /** Declarations raised by the Critical model's top band. */
  readonly criticalRaised: number;
}

export interface DayScoringDeps {
  readonly store: Store;
  readonly ledger: LedgerService;
  readonly screening: ScreeningService;
  readonly models: TargetingModels;
  readonly workers: TargetingWorkers;
}

function policies(input: DayScoringInput): {
  watchlist: WatchlistPolicy;
  critical: CriticalPolicy;
  capacity: { readonly count: number } | { readonly percent: number };
} {
  let watchlist: WatchlistPolicy;
  let critical: CriticalPolicy;
  try {
    watchlist = parseWatchlistPolicy(input.watchlist);
    critical = parseCriticalPolicy(input.critical);
  } catch (error) {
    if (error instanceof TargetingError) throw new ServiceError('INVALID_ARGUMENT', error.message);
    throw error;
  }
  if (input.capacityPercent !== undefined && input.capacityCount !== undefined)
    throw new ServiceError('INVALID_ARGUMENT', 'give capacityPercent or capacityCount, not both');
  if (
    input.capacityCount !== undefined &&
    !(Number.isInteger(input.capacityCount) && input.capacityCount >= 0)
  )
    throw new ServiceError('INVALID_ARGUMENT', 'capacityCount must be a whole number, 0 or more');
  const capacity =
    input.capacityCount !== undefined
      ? { count: input.capacityCount }
      : { percent: input.capacityPercent ?? 5 };
  return { watchlist, critical, capacity };
}

/**
 * Scores the declarations of `input.date` with the active Fraud model, picks those to inspect
 * within capacity (with a random share, the organisation's rules and watchlist raises), and stores
 * score, lane and reasons; the selection is committed to the ledger with them (one
 * `targeting.day.selected` record per scoring). When the organisation has an active Critical
 * Fraud model, the day is also scored with it (its history advanced to the date like the Fraud
 * model's), each declaration's critical probability is stored, and the day's top band of it is
 * raised (`planInspectionDay`: within the capacity that rules and watchlist hits leave). Without
 * one, nothing differs from Fraud-only scoring. The caller has checked the actor's role.
 */
export async function scoreDay(
  deps: DayScoringDeps,
  actor: Actor,
  input: DayScoringInput,
): Promise<DayScoring> {
  const policy = policies(input);
  const { store, models, workers } = deps;
  const repo = targetingRepository(store);
  const rows = await repo.declarations(actor, { date: input.date, withParties: true });
  // Scoring a date without declarations is almost always a mistyped date: saying "0 scored"
  // would read like success.
  if (rows.length === 0)
    throw new ServiceError('NOT_FOUND', `no declarations dated ${input.date}: nothing to score`);
  const { id: modelId, model } = await models.asOf(store, actor, 'fraud', input.date);
  // An active Critical model that learnt from this day's outcomes is refused like the Fraud one
  // (CONFLICT from asOf) rather than silently left out: the officer would not know.
  const critical = (await repo.activeModel(actor, 'critical'))
    ? await models.asOf(store, actor, 'critical', input.date)
    : null;
  const ds = rows.map((r) => unlabelled(r.declaration));
  // A large day's trees are scored on the service's scoring threads while its features are built
  // (score-pool.ts), to the same scores bit for bit; a small day in process.
  const { matrix, scores } = await workers.scoreDeclarations(model, ds);
  const criticalScores = critical
    ? (await workers.scoreDeclarations(critical.model, ds)).scores
    : null;
  const rules = (await repo.rules(actor)).filter((r) => !r.validTo || r.validTo >= input.date);
  // Party names are screened by the screening service, with officers' decisions on them.
  const raisers = [
    watchlistRaiser(deps.screening.partyScreener(actor), {
      policy: policy.watchlist,
      decisions: await organisationDecisions(store, actor),
    }),
  ];
  const raises = await collectLaneRaises(ds, raisers);
  const randomShare = input.randomShare ?? 0.1;
  // The Critical band (within the red budget that rules, raises and the random share leave),
  // the selection and the reasons are the pure day plan the CLI's `target score` shares.
  const plan = planInspectionDay({
    declarations: ds,
    scores,
    capacity: policy.capacity,
    randomShare,
    seed: Number(input.date.replace(/-/g, '')),
    rules,
    raises,
    critical: criticalScores ? { scores: criticalScores, policy: policy.critical } : undefined,
    // TreeSHAP reasons, only for the declarations not released green.
    modelReasons: (i) => model.reasons(matrix, i).map((r) => r.text),
  });
  const picked = plan.declarations;
  const raised = picked.filter((p) => p.raises.length > 0).length;
  const scored = picked.map((p): ScoredDeclaration => ({
    id: p.id,
    score: p.score,
    lane: p.lane,
    criticalScore: p.criticalScore,
    selection: { reasons: p.reasons, selectedBy: p.selectedBy, raises: p.raises },
  }));
  const criticalModelId = critical?.id ?? null;
  // The scores, the audit event and the ledger record of the selection in one transaction.
  await deps.ledger.commit(actor, async (tx, record) => {
    await targetingRepository(tx).storeDayScores(actor, {
      modelId,
      criticalModelId,
      declarations: scored,
    });
    await recordAudit(tx.db, {
      action: 'targeting.score',
      actor,
      targetType: 'targeting-day',
      targetId: input.date,
      details: {
        modelId,
        declarations: picked.length,
        policy: policy.watchlist,
        raised,
        ...(critical
          ? {
              criticalModelId,
              criticalPolicy: policy.critical,
              criticalRaised: plan.criticalRaised,
            }
          : {}),
      },
    });
    await record(
      daySelectionRecord(actor, {
        date: input.date,
        modelId,
        criticalModelId,
        capacity: policy.capacity,
        randomShare,
        watchlist: policy.watchlist,
        critical: critical ? policy.critical : null,
        rules,
        declarations: ds,
        plan,
      }),
    );
  });
  return {
    date: input.date,
    scored: picked.length,
    modelId,
    criticalModelId,
    lanes: plan.lanes,
    raised,
    criticalRaised: plan.criticalRaised,
  };
}
