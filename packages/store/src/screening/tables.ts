import type { ColumnType } from 'kysely';

type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<
  Date | null,
  Date | string | null | undefined,
  Date | string | null
>;
/** A jsonb column: written as JSON text, read back parsed (both engines parse jsonb). */
type Jsonb = ColumnType<unknown, string, string>;
/** A jsonb column with a default (optional on insert). */
type DefaultJsonb = ColumnType<unknown, string | undefined, string>;
/** A column with a database default (optional on insert). */
type Defaulted<T> = ColumnType<T, T | undefined, T>;

/** Screening tables (migrations 0200–0299), for typed Kysely access; see ./migrations.ts. */
export interface ScreeningTables {
  /** The raw text of the latest file of each part of a list (OFAC's legacy set has four). */
  screening_sources: {
    list: string;
    part: string;
    source_name: string;
    sha256: string;
    body: string;
    job_id: string | null;
    ingested_at: DefaultTimestamp;
  };
  /** One row per distinct content of a list; `current` marks the version in force. */
  screening_list_versions: {
    /** `<list>@<published>#<first 8 hex of the content hash>`. */
    id: string;
    list: string;
    published: string | null;
    content_hash: string;
    /** `ListVersion['counts']` of @interdict/screening. */
    counts: Jsonb;
    /** `{ added, changed, removed, sample }` against the version it replaced. */
    diff: Jsonb;
    source_name: string;
    job_id: string | null;
    current: Defaulted<boolean>;
    ingested_at: DefaultTimestamp;
  };
  /** The parsed entities of every version (the entity model of @interdict/screening as JSON). */
  screening_entities: {
    version_id: string;
    entity_id: string;
    schema: string;
    primary_name: string;
    data: Jsonb;
  };
  /** Officers' confirm/dismiss decisions on hits, per organisation. */
  screening_decisions: {
    id: string;
    organisation_id: string;
    user_id: string | null;
    entity_id: string;
    /** The name actually screened. */
    query_name: string;
    decision: 'confirmed' | 'dismissed';
    note: Defaulted<string>;
    score: number | null;
    /** Ids of the list versions in force when the decision was taken (JSON array). */
    list_versions: Jsonb;
    created_at: DefaultTimestamp;
    /** Where the decision's ledger entry sits (migration 0202): null until it is sequenced. */
    ledger_origin: ColumnType<string | null, string | null | undefined, string | null>;
    ledger_index: ColumnType<number | null, number | null | undefined, number | null>;
  };
  /** Parties an organisation keeps under watch (migration 0201, threshold 0203). */
  screening_monitored_parties: {
    id: string;
    organisation_id: string;
    name: string;
    schema: string | null;
    birth_date: string | null;
    nationality: string | null;
    identifiers: DefaultJsonb;
    note: Defaulted<string>;
    created_by: string | null;
    created_at: DefaultTimestamp;
    threshold: number | null;
  };
  /** Every listed entity each monitored party has hit, once per (party, entity). */
  screening_party_hits: {
    party_id: string;
    entity_id: string;
    organisation_id: string;
    list_version: string;
    trigger: 'added' | 'list-update';
    score: number;
    entity_name: string;
    matched_name: string;
    explanation: Jsonb;
    created_at: DefaultTimestamp;
    acknowledged_at: NullableTimestamp;
    acknowledged_by: ColumnType<string | null, string | null | undefined, string | null>;
    acknowledgement_note: ColumnType<string | null, string | null | undefined, string | null>;
  };
  /** Each organisation's default alert threshold (migration 0203). */
  screening_monitor_settings: {
    organisation_id: string;
    threshold: number;
    updated_by: string | null;
    updated_at: DefaultTimestamp;
  };
}
