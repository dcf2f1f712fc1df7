import type { ColumnType, Generated } from 'kysely';

type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<
  Date | null,
  Date | string | null | undefined,
  Date | string | null
>;

/** Ledger tables (migrations 0100–0199), for typed Kysely access; see ./migrations.ts. */
export interface LedgerTables {
  ledger_checkpoints: {
    origin: string;
    size: string | number;
    note: Uint8Array;
    updated_at: DefaultTimestamp;
  };
  /**
   * One row per record committed to the log. A row is written in the same transaction as the
   * change it records, with `leaf_index` null (the outbox); the sequencer appends its leaf and then
   * sets `leaf_index` (migration 0101).
   */
  ledger_entries: {
    seq: Generated<string>;
    origin: string;
    leaf_index: string | number | null;
    organisation_id: string;
    record_type: string;
    body_sha256: string;
    body: Uint8Array | null;
    /** The leaf bytes: a v1 envelope, or a v2 commitment (public). */
    envelope: Uint8Array;
    /** The signed v2 opening (private, like the body); null for v1 leaves. */
    opening: Uint8Array | null;
    /** What the record is about, so its page can show its entry (e.g. `screening_decision`, id). */
    subject_type: string | null;
    subject_id: string | null;
    created_by: string | null;
    created_at: DefaultTimestamp;
    sequenced_at: NullableTimestamp;
    erased_at: NullableTimestamp;
  };
  ledger_org_keys: {
    organisation_id: string;
    key_id: string;
    vkey: string;
    created_at: DefaultTimestamp;
  };
  ledger_witness_state: {
    origin: string;
    size: string | number;
    root: Uint8Array;
    checkpoint: string;
    updated_at: DefaultTimestamp;
  };
}
