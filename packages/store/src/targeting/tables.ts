import type { ColumnType, Generated } from 'kysely';

type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<
  Date | null,
  Date | string | null | undefined,
  Date | string | null
>;
/** A jsonb column: read as the driver gives it (parsed, or text), written as JSON text. */
type Jsonb = ColumnType<unknown, string, string>;
type NullableJsonb = ColumnType<unknown, string | null | undefined, string | null>;

/** Targeting tables (migrations 0300–0399), for typed Kysely access; see ./migrations.ts. */
export interface TargetingTables {
  /**
   * Declarations as ingested (fields as JSON, without labels or party names), with the latest
   * scoring of their day: score, lane, reasons, the models, and an officer's release (0303).
   */
  targeting_declarations: {
    organisation_id: string;
    id: string;
    date: string;
    data: Jsonb;
    source_name: string;
    source_line: number;
    job_id: string | null;
    score: number | null;
    lane: string | null;
    /** `{ reasons, selectedBy, raises }` as the day's scoring stored them. */
    reasons: NullableJsonb;
    model_id: string | null;
    scored_at: NullableTimestamp;
    critical_score: number | null;
    critical_model_id: string | null;
    released_at: NullableTimestamp;
    released_by: string | null;
    release_reason: string | null;
  };
  targeting_declaration_parties: {
    organisation_id: string;
    declaration_id: string;
    role: string;
    name: string;
    country: string | null;
  };
  targeting_inspections: {
    organisation_id: string;
    declaration_id: string;
    fraud: number;
    critical: number;
    source: string;
    note: Generated<string>;
    recorded_by: string | null;
    recorded_at: DefaultTimestamp;
  };
  targeting_models: {
    id: string;
    organisation_id: string;
    objective: string;
    active: Generated<boolean>;
    /** The model file's training metadata. */
    training: Jsonb;
    /** The model file (JSON text), tens of MB: read only by id. */
    body: string;
    created_by: string | null;
    created_at: DefaultTimestamp;
  };
  targeting_rules: {
    id: string;
    organisation_id: string;
    rule: Jsonb;
    created_by: string | null;
    created_at: DefaultTimestamp;
  };
}
