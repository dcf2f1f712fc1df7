import {
  declarationParties,
  type AtN,
  type Declaration,
  type DeclarationParty,
  type Lane,
  type LaneRaise,
  type Objective,
  type TargetingRule,
  type TrainingMetadata,
} from '@interdict/targeting';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Actor } from '../actor';
import type { Database } from '../database';
import type { Store } from '../store';
import type { TargetingTables } from './tables';

// The targeting repository: I/O only (issue 12 §2). Every query is scoped to the caller's
// organisation (`WHERE organisation_id = actor's`), so nothing here can read or change another
// agency's declarations, models or rules; who may do what, caches, pools and the day's
// orchestration are the targeting service's (packages/services/src/targeting).

const json = <T>(value: unknown): T => (typeof value === 'string' ? JSON.parse(value) : value) as T;
const iso = (value: Date | string): string =>
  value instanceof Date ? value.toISOString() : String(value);

export interface InspectionResult {
  readonly fraud: 0 | 1;
  readonly critical: 0 | 1 | 2;
  readonly source: 'import' | 'officer';
  readonly note: string;
  readonly recordedBy: string | null;
  readonly recordedAt: string;
}

/** What a day's scoring stores beside the score and lane (`targeting_declarations.reasons`). */
export interface StoredSelection {
  readonly reasons: string[];
  /** Why it was picked for inspection (`model`, `rule`, `raised`, `random`), null if not. */
  readonly selectedBy: string | null;
  /** Lane raises behind the lane (watchlist hits, the Critical band). */
  readonly raises: LaneRaise[];
}

/** An officer's release of a red-lane declaration from the day's selection (migration 0303). */
export interface StoredRelease {
  readonly reason: string;
  readonly releasedBy: string | null;
  readonly releasedAt: string;
}

/** A declaration as stored, with its day's latest scoring, inspection result and release. */
export interface StoredDeclaration {
  /** With its labels when it has an inspection result (fraud, critical); NaN for absent numbers. */
  readonly declaration: Declaration;
  /** Named parties (only when read `withParties`). */
  readonly parties: DeclarationParty[];
  readonly score: number | null;
  /** The Critical Fraud model's probability when it scored the day (null without a score). */
  readonly criticalScore: number | null;
  /** The lane the day's scoring chose (a release does not change it: see `release`). */
  readonly lane: Lane | null;
  readonly selection: StoredSelection | null;
  readonly inspection: InspectionResult | null;
  readonly release: StoredRelease | null;
}

/** A day's scored declarations by lane, and those picked for inspection by why they were. */
export interface TargetingDay {
  readonly date: string;
  readonly declarations: number;
  readonly scored: number;
  readonly inspected: number;
  /** Scored declarations by the lane they are in now (a released one is green). */
  readonly lanes: Record<Lane, number>;
  /** Declarations to inspect (released ones are not), by why they were picked. */
  readonly toInspect: { model: number; rule: number; raised: number; random: number };
}

/** The stored training metadata shown with a model: the file's, less the curve and the slice. */
export type StoredTraining = Omit<TrainingMetadata, 'validationCurve' | 'holdoutMetrics'>;

export interface StoredModel {
  readonly id: string;
  readonly objective: Objective;
  readonly active: boolean;
  readonly createdAt: string;
  /** The model file's training metadata, less the validation curve and the slice's metrics. */
  readonly training: StoredTraining;
  /**
   * Precision/Recall@n% computed at training time on the latest-dated slice of the training
   * data held out for early stopping. The model chose its number of trees on that very slice,
   * so the figures flatter it (and a refit model then learnt from it too): they are labelled as
   * such, and the out-of-time evaluation is the one to judge it by. Null for a model trained
   * without such a slice.
   */
  readonly earlyStoppingSlice: EarlyStoppingSliceFigures | null;
}

export const EARLY_STOPPING_SLICE_LABEL =
  'early-stopping slice (the model chose its number of trees on it)';

export interface EarlyStoppingSliceFigures {
  readonly label: typeof EARLY_STOPPING_SLICE_LABEL;
  /** The slice: declarations dated from `from` to the end of the training data. */
  readonly from: string | null;
  readonly to: string;
  readonly declarations: number;
  readonly metrics: AtN[];
}

export interface StoredRule extends TargetingRule {
  readonly createdAt: string;
}

/** An inspected declaration as the out-of-time evaluation reads it. */
export interface InspectedDeclaration {
  /** With its labels (the inspection result). */
  readonly declaration: Declaration;
  /** How scoring picked it (`model`, `random`, `rule`, `raised`), null if never scored or not picked. */
  readonly selectedBy: string | null;
  readonly source: 'import' | 'officer';
}

/** One declaration's scoring, as the day's plan decided it. */
export interface ScoredDeclaration {
  readonly id: string;
  readonly score: number;
  readonly lane: Lane;
  readonly criticalScore: number | null;
  readonly selection: StoredSelection;
}

/** Which declarations to read (all conditions given must hold). */
export interface DeclarationFilter {
  readonly date?: string;
  /** Dated strictly before / after. */
  readonly before?: string;
  readonly after?: string;
  readonly id?: string;
  readonly inspectedOnly?: boolean;
  /** Join the named parties (a day's queue and a declaration's page; never history). */
  readonly withParties?: boolean;
}

type DeclarationRow = Pick<
  Selectable<TargetingTables['targeting_declarations']>,
  | 'id'
  | 'date'
  | 'data'
  | 'score'
  | 'lane'
  | 'reasons'
  | 'critical_score'
  | 'released_at'
  | 'released_by'
  | 'release_reason'
> & {
  fraud: number | null;
  critical: number | null;
  source: string | null;
  note: string | null;
  recorded_by: string | null;
  recorded_at: Date | null;
  parties?: unknown;
};

/** The declaration's JSON as stored: no labels (inspections) and no parties (their own table). */
function storedData(d: Declaration): Record<string, unknown> {
  const {
    fraud: _f,
    critical: _c,
    importerName: _in,
    importerCountry: _ic,
    consigneeName: _cn,
    consigneeCountry: _cc,
    sellerName: _sn,
    sellerCountry: _sc,
    ...rest
  } = d;
  return rest;
}

function partiesOf(value: unknown): DeclarationParty[] {
  const rows = json<
    { role: DeclarationParty['role']; name: string; country: string | null }[] | null
  >(value ?? null);
  return (rows ?? []).map((p) => ({
    role: p.role,
    name: p.name,
    ...(p.country ? { country: p.country } : {}),
  }));
}

function toDeclaration(
  data: unknown,
  parties: readonly DeclarationParty[],
  labels: { fraud: number | null; critical: number | null },
): Declaration {
  const d = json<Omit<Declaration, 'fraud' | 'critical'>>(data);
  const named: Record<string, string> = {};
  for (const p of parties) {
    named[`${p.role}Name`] = p.name;
    if (p.country) named[`${p.role}Country`] = p.country;
  }
  return {
    ...d,
    ...named,
    // JSON has no NaN: absent numbers come back as null.
    taxRate: d.taxRate ?? NaN,
    netMass: d.netMass ?? NaN,
    itemPrice: d.itemPrice ?? NaN,
    fraud: labels.fraud === null ? null : (labels.fraud as 0 | 1),
    critical: labels.critical === null ? null : (labels.critical as 0 | 1 | 2),
  };
}

function toInspection(r: DeclarationRow): InspectionResult | null {
  if (r.fraud === null) return null;
  return {
    fraud: r.fraud as 0 | 1,
    critical: (r.critical ?? 0) as 0 | 1 | 2,
    source: r.source === 'officer' ? 'officer' : 'import',
    note: r.note ?? '',
    recordedBy: r.recorded_by,
    recordedAt: r.recorded_at ? iso(r.recorded_at) : '',
  };
}

function toSelection(value: unknown): StoredSelection | null {
  const meta = json<Partial<StoredSelection> | null>(value ?? null);
  if (!meta) return null;
  return {
    reasons: meta.reasons ?? [],
    selectedBy: meta.selectedBy ?? null,
    raises: meta.raises ?? [],
  };
}

function toStored(r: DeclarationRow): StoredDeclaration {
  const parties = partiesOf(r.parties);
  return {
    declaration: toDeclaration(r.data, parties, r),
    parties,
    score: r.score,
    // Re-ingesting clears the score but not the critical score: without a score it is stale.
    criticalScore: r.score === null ? null : r.critical_score,
    lane: (r.lane as Lane | null) ?? null,
    selection: toSelection(r.reasons),
    inspection: toInspection(r),
    release:
      r.released_at && r.release_reason !== null
        ? { reason: r.release_reason, releasedBy: r.released_by, releasedAt: iso(r.released_at) }
        : null,
  };
}

function toModel(r: {
  id: string;
  objective: string;
  active: boolean;
  created_at: Date;
  training: unknown;
}): StoredModel {
  const training = json<TrainingMetadata>(r.training);
  const { validationCurve: _curve, holdoutMetrics, ...rest } = training;
  // A row written before the metrics were kept has none.
  const metrics: AtN[] = Array.isArray(holdoutMetrics) ? holdoutMetrics : [];
  return {
    id: r.id,
    objective: r.objective as Objective,
    active: r.active,
    createdAt: iso(r.created_at),
    training: rest,
    earlyStoppingSlice:
      metrics.length === 0
        ? null
        : {
            label: EARLY_STOPPING_SLICE_LABEL,
            from: training.earlyStoppingFrom ?? null,
            to: String(training.lastDate),
            declarations: Number(training.earlyStoppingRows ?? 0),
            metrics,
          },
  };
}

/** Values that count(*) and sum() come back as (bigint is text on some drivers). */
type Count = string | number | bigint;
const num = (v: Count | null | undefined): number => Number(v ?? 0);
const fingerprintPart = (v: unknown): string => (v instanceof Date ? v.toISOString() : String(v));

/** The targeting repository over `store` (or the transaction a store is bound to). */
export function targetingRepository(store: Store): TargetingRepository {
  return new TargetingRepository(store.db);
}

export class TargetingRepository {
  constructor(private readonly db: Kysely<Database>) {}

  // ---- declarations --------------------------------------------------------------------

  /**
   * Upserts a batch of declarations of the actor's organisation (a re-ingested one loses its
   * day's scoring and release, and carries exactly the parties of its new row), and stores the
   * labels they carry as inspection results from the import. Returns how many were labelled.
   */
  async upsertDeclarations(
    actor: Actor,
    batch: readonly { declaration: Declaration; line: number }[],
    source: { name: string; jobId: string | null },
  ): Promise<number> {
    if (batch.length === 0) return 0;
    const org = actor.organisationId;
    await this.db
      .insertInto('targeting_declarations')
      .values(
        batch.map(({ declaration: d, line }) => ({
          organisation_id: org,
          id: d.id,
          date: d.date,
          data: JSON.stringify(storedData(d)),
          source_name: source.name,
          source_line: line,
          job_id: source.jobId,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['organisation_id', 'id']).doUpdateSet((eb) => ({
          date: eb.ref('excluded.date'),
          data: eb.ref('excluded.data'),
          source_name: eb.ref('excluded.source_name'),
          source_line: eb.ref('excluded.source_line'),
          job_id: eb.ref('excluded.job_id'),
          score: null,
          lane: null,
          reasons: null,
          model_id: null,
          scored_at: null,
          released_at: null,
          released_by: null,
          release_reason: null,
        })),
      )
      .execute();
    const ids = batch.map((b) => b.declaration.id);
    await this.db
      .deleteFrom('targeting_declaration_parties')
      .where('organisation_id', '=', org)
      .where('declaration_id', 'in', ids)
      .execute();
    const parties = batch.flatMap(({ declaration: d }) =>
      declarationParties(d).map((p) => ({
        organisation_id: org,
        declaration_id: d.id,
        role: p.role,
        name: p.name,
        country: p.country ?? null,
      })),
    );
    if (parties.length > 0)
      await this.db.insertInto('targeting_declaration_parties').values(parties).execute();
    const labelled = batch.filter((b) => b.declaration.fraud !== null);
    if (labelled.length > 0)
      await this.db
        .insertInto('targeting_inspections')
        .values(
          labelled.map(({ declaration: d }) => ({
            organisation_id: org,
            declaration_id: d.id,
            fraud: d.fraud as number,
            critical: d.critical ?? (d.fraud === 1 ? 1 : 0),
            source: 'import',
            recorded_by: actor.userId,
          })),
        )
        .onConflict((oc) =>
          oc.columns(['organisation_id', 'declaration_id']).doUpdateSet((eb) => ({
            fraud: eb.ref('excluded.fraud'),
            critical: eb.ref('excluded.critical'),
            source: eb.ref('excluded.source'),
            recorded_at: sql<Date>`now()`,
          })),
        )
        .execute();
    return labelled.length;
  }

  /** The organisation's declarations that match `where`, in date then id order. */
  async declarations(actor: Actor, where: DeclarationFilter = {}): Promise<StoredDeclaration[]> {
    let q = this.db
      .selectFrom('targeting_declarations as d')
      .leftJoin('targeting_inspections as i', (j) =>
        j
          .onRef('i.organisation_id', '=', 'd.organisation_id')
          .onRef('i.declaration_id', '=', 'd.id'),
      )
      .select([
        'd.id',
        'd.date',
        'd.data',
        'd.score',
        'd.lane',
        'd.reasons',
        'd.critical_score',
        'd.released_at',
        'd.released_by',
        'd.release_reason',
        'i.fraud',
        'i.critical',
        'i.source',
        'i.note',
        'i.recorded_by',
        'i.recorded_at',
      ])
      .where('d.organisation_id', '=', actor.organisationId);
    if (where.withParties)
      q = q.select(
        sql<unknown>`(SELECT jsonb_agg(jsonb_build_object('role', p.role, 'name', p.name, 'country', p.country) ORDER BY p.role)
          FROM targeting_declaration_parties p
          WHERE p.organisation_id = d.organisation_id AND p.declaration_id = d.id)`.as('parties'),
      );
    if (where.date !== undefined) q = q.where('d.date', '=', where.date);
    if (where.before !== undefined) q = q.where('d.date', '<', where.before);
    if (where.after !== undefined) q = q.where('d.date', '>', where.after);
    if (where.id !== undefined) q = q.where('d.id', '=', where.id);
    if (where.inspectedOnly) q = q.where('i.fraud', 'is not', null);
    const rows: DeclarationRow[] = await q.orderBy('d.date').orderBy('d.id').execute();
    return rows.map(toStored);
  }

  /** One declaration of the organisation, with its parties; undefined if it has none such. */
  async declaration(actor: Actor, id: string): Promise<StoredDeclaration | undefined> {
    const [row] = await this.declarations(actor, { id, withParties: true });
    return row;
  }

  /**
   * The declarations dated strictly after `after` and strictly before `before`, with their
   * labels, in date then id order: what a model's history learns between two dates. Reads only
   * what features need (no scoring, parties or release).
   */
  async labelledDeclarationsBetween(
    actor: Actor,
    after: string,
    before: string,
  ): Promise<Declaration[]> {
    const rows = await this.db
      .selectFrom('targeting_declarations as d')
      .leftJoin('targeting_inspections as i', (j) =>
        j
          .onRef('i.organisation_id', '=', 'd.organisation_id')
          .onRef('i.declaration_id', '=', 'd.id'),
      )
      .select(['d.data', 'i.fraud', 'i.critical'])
      .where('d.organisation_id', '=', actor.organisationId)
      .where('d.date', '>', after)
      .where('d.date', '<', before)
      .orderBy('d.date')
      .orderBy('d.id')
      .execute();
    return rows.map((r) => toDeclaration(r.data, [], r));
  }

  /** The inspected declarations dated after `after`, in date then id order. */
  async inspectedAfter(actor: Actor, after: string): Promise<InspectedDeclaration[]> {
    const rows = await this.declarations(actor, { after, inspectedOnly: true });
    return rows.map((r) => ({
      declaration: r.declaration,
      selectedBy: r.selection?.selectedBy ?? null,
      source: r.inspection?.source ?? 'import',
    }));
  }

  /**
   * Dates with declarations, newest first, with the day's counts worked out in the query (so the
   * console's day summary is right however much of the queue it has loaded or filtered).
   */
  async days(actor: Actor, limit = 60): Promise<TargetingDay[]> {
    const selectedBy = sql<string | null>`d.reasons->>'selectedBy'`;
    const rows = await this.db
      .selectFrom('targeting_declarations as d')
      .leftJoin('targeting_inspections as i', (j) =>
        j
          .onRef('i.organisation_id', '=', 'd.organisation_id')
          .onRef('i.declaration_id', '=', 'd.id'),
      )
      .where('d.organisation_id', '=', actor.organisationId)
      .select((eb) => {
        const scored = eb('d.score', 'is not', null);
        const kept = eb.and([scored, eb('d.released_at', 'is', null)]);
        const released = eb.and([scored, eb('d.released_at', 'is not', null)]);
        const inLane = (lane: Lane) =>
          eb.fn
            .countAll<Count>()
            .filterWhere(
              lane === 'green'
                ? eb.or([eb.and([kept, eb('d.lane', '=', lane)]), released])
                : eb.and([kept, eb('d.lane', '=', lane)]),
            );
        const picked = (why: string) =>
          eb.fn.countAll<Count>().filterWhere(eb.and([kept, eb(selectedBy, '=', why)]));
        return [
          'd.date',
          eb.fn.countAll<Count>().as('n'),
          eb.fn.count<Count>('d.score').as('scored'),
          eb.fn.count<Count>('i.fraud').as('inspected'),
          inLane('red').as('red'),
          inLane('yellow').as('yellow'),
          inLane('blue').as('blue'),
          inLane('green').as('green'),
          picked('model').as('by_model'),
          picked('rule').as('by_rule'),
          picked('raised').as('by_raised'),
          picked('random').as('by_random'),
        ];
      })
      .groupBy('d.date')
      .orderBy('d.date', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      date: r.date,
      declarations: num(r.n),
      scored: num(r.scored),
      inspected: num(r.inspected),
      lanes: { red: num(r.red), yellow: num(r.yellow), blue: num(r.blue), green: num(r.green) },
      toInspect: {
        model: num(r.by_model),
        rule: num(r.by_rule),
        raised: num(r.by_raised),
        random: num(r.by_random),
      },
    }));
  }

  /**
   * Stores a day's scoring: each declaration's score, lane, reasons and critical score, with the
   * models that scored it. A new scoring is a new selection, so it clears earlier releases.
   */
  async storeDayScores(
    actor: Actor,
    input: {
      modelId: string;
      criticalModelId: string | null;
      declarations: readonly ScoredDeclaration[];
    },
  ): Promise<void> {
    for (let i = 0; i < input.declarations.length; i += 500) {
      const batch = input.declarations.slice(i, i + 500);
      // One UPDATE per batch from a VALUES list (Kysely has no builder for UPDATE … FROM VALUES).
      await sql`
        UPDATE targeting_declarations AS d SET score = v.score, lane = v.lane, reasons = v.reasons::jsonb,
          model_id = ${input.modelId}, scored_at = now(), critical_score = v.critical,
          critical_model_id = ${input.criticalModelId},
          released_at = NULL, released_by = NULL, release_reason = NULL
        FROM (VALUES ${sql.join(
          batch.map(
            (p) =>
              sql`(${p.id}, ${p.score}::double precision, ${p.lane}, ${JSON.stringify(p.selection)}, ${p.criticalScore}::double precision)`,
          ),
        )}) AS v(id, score, lane, reasons, critical)
        WHERE d.organisation_id = ${actor.organisationId} AND d.id = v.id`.execute(this.db);
    }
  }

  /**
   * Marks a declaration of the organisation as released, if it is still a scored, unreleased
   * red-lane declaration without an inspection result; whether it was.
   */
  async release(
    actor: Actor,
    id: string,
    release: { reason: string; releasedBy: string | null },
  ): Promise<boolean> {
    const result = await this.db
      .updateTable('targeting_declarations as d')
      .set({
        released_at: sql<Date>`now()`,
        released_by: release.releasedBy,
        release_reason: release.reason,
      })
      .where('d.organisation_id', '=', actor.organisationId)
      .where('d.id', '=', id)
      .where('d.lane', '=', 'red')
      .where('d.score', 'is not', null)
      .where('d.released_at', 'is', null)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('targeting_inspections as i')
              .select('i.declaration_id')
              .whereRef('i.organisation_id', '=', 'd.organisation_id')
              .whereRef('i.declaration_id', '=', 'd.id'),
          ),
        ),
      )
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  // ---- inspections ----------------------------------------------------------------------

  /** Records (or replaces) an officer's inspection result for a declaration of the organisation. */
  async recordInspection(
    actor: Actor,
    id: string,
    result: { fraud: 0 | 1; critical: 0 | 1 | 2; note: string },
  ): Promise<void> {
    await this.db
      .insertInto('targeting_inspections')
      .values({
        organisation_id: actor.organisationId,
        declaration_id: id,
        fraud: result.fraud,
        critical: result.critical,
        source: 'officer',
        note: result.note,
        recorded_by: actor.userId,
      })
      .onConflict((oc) =>
        oc.columns(['organisation_id', 'declaration_id']).doUpdateSet((eb) => ({
          fraud: eb.ref('excluded.fraud'),
          critical: eb.ref('excluded.critical'),
          source: 'officer',
          note: eb.ref('excluded.note'),
          recorded_by: eb.ref('excluded.recorded_by'),
          recorded_at: sql<Date>`now()`,
        })),
      )
      .execute();
  }

  // ---- models ---------------------------------------------------------------------------

  /** The active model of `objective`: its id and training end date (not its body). */
  async activeModel(
    actor: Actor,
    objective: Objective,
  ): Promise<{ id: string; lastDate: string } | undefined> {
    const row = await this.db
      .selectFrom('targeting_models')
      .select(['id', sql<string>`training->>'lastDate'`.as('last_date')])
      .where('organisation_id', '=', actor.organisationId)
      .where('objective', '=', objective)
      .where('active', '=', true)
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && { id: row.id, lastDate: row.last_date };
  }

  /** A model of the organisation: id, objective and training end date; undefined if none such. */
  async modelInfo(
    actor: Actor,
    id: string,
  ): Promise<{ id: string; objective: Objective; lastDate: string | null } | undefined> {
    const row = await this.db
      .selectFrom('targeting_models')
      .select(['id', 'objective', sql<string | null>`training->>'lastDate'`.as('last_date')])
      .where('organisation_id', '=', actor.organisationId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && { id: row.id, objective: row.objective as Objective, lastDate: row.last_date };
  }

  /** A model file of the organisation (JSON text); undefined if none such. */
  async modelBody(actor: Actor, id: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('targeting_models')
      .select('body')
      .where('organisation_id', '=', actor.organisationId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row?.body;
  }

  /** The organisation's models, newest first (without their bodies). */
  async models(actor: Actor): Promise<StoredModel[]> {
    const rows = await this.db
      .selectFrom('targeting_models')
      .select(['id', 'objective', 'active', 'created_at', 'training'])
      .where('organisation_id', '=', actor.organisationId)
      .orderBy('created_at', 'desc')
      .execute();
    return rows.map(toModel);
  }

  async model(actor: Actor, id: string): Promise<StoredModel | undefined> {
    const row = await this.db
      .selectFrom('targeting_models')
      .select(['id', 'objective', 'active', 'created_at', 'training'])
      .where('organisation_id', '=', actor.organisationId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toModel(row);
  }

  /** Deactivates the organisation's active models of `objective`; the ids it deactivated. */
  async deactivateModels(actor: Actor, objective: Objective): Promise<string[]> {
    const rows = await this.db
      .updateTable('targeting_models')
      .set({ active: false })
      .where('organisation_id', '=', actor.organisationId)
      .where('objective', '=', objective)
      .where('active', '=', true)
      .returning('id')
      .execute();
    return rows.map((r) => r.id).sort();
  }

  /** Stores a trained model (its file and training metadata) as the active one. */
  async insertActiveModel(
    actor: Actor,
    model: { id: string; objective: Objective; training: TrainingMetadata; body: string },
  ): Promise<void> {
    await this.db
      .insertInto('targeting_models')
      .values({
        id: model.id,
        organisation_id: actor.organisationId,
        objective: model.objective,
        active: true,
        training: JSON.stringify(model.training),
        body: model.body,
        created_by: actor.userId,
      })
      .execute();
  }

  // ---- rules ----------------------------------------------------------------------------

  /** The organisation's rules, oldest first. */
  async rules(actor: Actor): Promise<StoredRule[]> {
    const rows = await this.db
      .selectFrom('targeting_rules')
      .select(['id', 'rule', 'created_at'])
      .where('organisation_id', '=', actor.organisationId)
      .orderBy('created_at')
      .execute();
    return rows.map((r) => ({
      ...json<TargetingRule>(r.rule),
      id: r.id,
      createdAt: iso(r.created_at),
    }));
  }

  async insertRule(actor: Actor, rule: TargetingRule): Promise<StoredRule> {
    const row = await this.db
      .insertInto('targeting_rules')
      .values({
        id: rule.id,
        organisation_id: actor.organisationId,
        rule: JSON.stringify(rule),
        created_by: actor.userId,
      })
      .returning(['id', 'rule', 'created_at'])
      .executeTakeFirstOrThrow();
    return { ...json<TargetingRule>(row.rule), id: row.id, createdAt: iso(row.created_at) };
  }

  /** Deletes a rule of the organisation; the rule as it was, or undefined if none such. */
  async deleteRule(actor: Actor, id: string): Promise<StoredRule | undefined> {
    const row = await this.db
      .deleteFrom('targeting_rules')
      .where('organisation_id', '=', actor.organisationId)
      .where('id', '=', id)
      .returning(['id', 'rule', 'created_at'])
      .executeTakeFirst();
    return row && { ...json<TargetingRule>(row.rule), id: row.id, createdAt: iso(row.created_at) };
  }

  // ---- what caches check ----------------------------------------------------------------

  /**
   * A cheap summary of the stored declarations and inspections dated in (after, before): if it
   * is unchanged, a model history advanced through them is still valid. A re-ingested
   * declaration comes with a new job id, an inspection result with a new time.
   */
  async historyFingerprint(actor: Actor, after: string, before: string): Promise<string> {
    const r = await this.db
      .selectFrom('targeting_declarations as d')
      .leftJoin('targeting_inspections as i', (j) =>
        j
          .onRef('i.organisation_id', '=', 'd.organisation_id')
          .onRef('i.declaration_id', '=', 'd.id'),
      )
      .select((eb) => [
        eb.fn.countAll<Count>().as('n'),
        eb.fn.count<Count>('i.fraud').as('inspected'),
        sql<Count>`coalesce(sum(i.fraud), 0)`.as('frauds'),
        sql<Count>`coalesce(sum(i.critical), 0)`.as('criticals'),
        eb.fn.max('i.recorded_at').as('recorded'),
        sql<Count>`coalesce(sum(hashtext(coalesce(d.job_id, '') || d.id)), 0)`.as('jobs'),
      ])
      .where('d.organisation_id', '=', actor.organisationId)
      .where('d.date', '>', after)
      .where('d.date', '<', before)
      .executeTakeFirst();
    return [r?.n, r?.inspected, r?.frauds, r?.criticals, r?.recorded, r?.jobs]
      .map(fingerprintPart)
      .join('|');
  }

  /**
   * What an out-of-time evaluation rests on: declarations, inspections and stored selections
   * dated after `after`.
   */
  async evaluationFingerprint(actor: Actor, after: string): Promise<string> {
    const r = await this.db
      .selectFrom('targeting_declarations as d')
      .leftJoin('targeting_inspections as i', (j) =>
        j
          .onRef('i.organisation_id', '=', 'd.organisation_id')
          .onRef('i.declaration_id', '=', 'd.id'),
      )
      .select((eb) => [
        eb.fn.countAll<Count>().as('n'),
        eb.fn.count<Count>('i.fraud').as('inspected'),
        sql<Count>`coalesce(sum(i.fraud), 0)`.as('frauds'),
        sql<Count>`coalesce(sum(i.critical), 0)`.as('criticals'),
        eb.fn.max('i.recorded_at').as('recorded'),
        eb.fn.max('d.scored_at').as('scored'),
        eb.fn.count<Count>('d.score').as('scores'),
        sql<Count>`coalesce(sum(hashtext(coalesce(d.job_id, '') || d.id || d.date)), 0)`.as('rows'),
      ])
      .where('d.organisation_id', '=', actor.organisationId)
      .where('d.date', '>', after)
      .executeTakeFirst();
    return [r?.n, r?.inspected, r?.frauds, r?.criticals, r?.recorded, r?.scored, r?.scores, r?.rows]
      .map(fingerprintPart)
      .join('|');
  }

  /** The organisation's declarations and inspection results, counted. */
  async counts(actor: Actor): Promise<{ declarations: number; inspections: number }> {
    const org = actor.organisationId;
    const r = await this.db
      .selectNoFrom((eb) => [
        eb
          .selectFrom('targeting_declarations')
          .select(eb.fn.countAll<Count>().as('n'))
          .where('organisation_id', '=', org)
          .as('declarations'),
        eb
          .selectFrom('targeting_inspections')
          .select(eb.fn.countAll<Count>().as('n'))
          .where('organisation_id', '=', org)
          .as('inspections'),
      ])
      .executeTakeFirst();
    return { declarations: num(r?.declarations), inspections: num(r?.inspections) };
  }
}
