import type { WitnessState } from '@interdict/ledger';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database } from '../database';
import { StoreError } from '../errors';
import type { LedgerTables } from './tables';

export interface LedgerEntry {
  /** Staging order (the outbox's); leaves are appended in this order. */
  readonly seq: number;
  readonly origin: string;
  /** The leaf's index in the log; null while the entry waits in the outbox. */
  readonly index: number | null;
  readonly organisationId: string;
  readonly recordType: string;
  readonly bodySha256: string;
  /** Present only for readers allowed to see the body, and until it is erased. */
  readonly body: Uint8Array | null;
  /** The signed v2 opening, for the same readers as the body (null for v1 leaves). */
  readonly opening: Uint8Array | null;
  /** The leaf bytes (public in the tiles). */
  readonly envelope: Uint8Array;
  readonly subjectType: string | null;
  readonly subjectId: string | null;
  readonly createdBy: string | null;
  readonly createdAt: Date;
  readonly sequencedAt: Date | null;
  readonly erasedAt: Date | null;
}

/**
 * Who reads: the organisation whose bodies they may open, and whether they may see every
 * entry's metadata (the services decide both from the actor's role; the queries enforce them).
 */
export interface LedgerReadScope {
  readonly organisationId: string;
  readonly allMetadata: boolean;
}

export interface StagedEntryInput {
  origin: string;
  organisationId: string;
  recordType: string;
  bodySha256: string;
  body: Uint8Array;
  opening: Uint8Array | null;
  envelope: Uint8Array;
  subjectType?: string | undefined;
  subjectId?: string | undefined;
  createdBy: string | null;
}

type EntryRow = Selectable<LedgerTables['ledger_entries']>;

function toEntry(r: EntryRow, readable: boolean): LedgerEntry {
  return {
    seq: Number(r.seq),
    origin: r.origin,
    index: r.leaf_index === null ? null : Number(r.leaf_index),
    organisationId: r.organisation_id,
    recordType: r.record_type,
    bodySha256: r.body_sha256,
    body: readable && r.body ? new Uint8Array(r.body) : null,
    opening: readable && r.opening ? new Uint8Array(r.opening) : null,
    envelope: new Uint8Array(r.envelope),
    subjectType: r.subject_type,
    subjectId: r.subject_id,
    createdBy: r.created_by,
    createdAt: new Date(r.created_at),
    sequencedAt: r.sequenced_at === null ? null : new Date(r.sequenced_at),
    erasedAt: r.erased_at === null ? null : new Date(r.erased_at),
  };
}

/**
 * Ledger rows, I/O only: the outbox of staged entries and their leaf indices, record bodies and
 * openings under the read scope the ledger service computes, organisation keys and the witness's
 * state. The leaf (envelope) is public in the log's tiles; the body and opening are not: only the
 * submitting organisation reads them, and everyone else gets NOT_FOUND, so existence does not leak.
 */
export class LedgerRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Writes an entry to the outbox (call inside the transaction of the change it records). */
  async stage(e: StagedEntryInput): Promise<{ seq: number }> {
    const [seq] = await this.stageMany([e]);
    return { seq: seq as number };
  }

  /**
   * Writes several entries to the outbox in one statement, in order, and returns their seqs in
   * the same order: the VALUES rows are inserted in order and `seq`'s default (nextval) is drawn
   * row by row, so ascending seqs are the entries in order, whatever order RETURNING uses.
   */
  async stageMany(entries: readonly StagedEntryInput[]): Promise<number[]> {
    if (entries.length === 0) return [];
    const rows = await this.db
      .insertInto('ledger_entries')
      .values(
        entries.map((e) => ({
          origin: e.origin,
          leaf_index: null,
          organisation_id: e.organisationId,
          record_type: e.recordType,
          body_sha256: e.bodySha256,
          body: e.body,
          opening: e.opening,
          envelope: e.envelope,
          subject_type: e.subjectType ?? null,
          subject_id: e.subjectId ?? null,
          created_by: e.createdBy,
        })),
      )
      .returning('seq')
      .execute();
    if (rows.length !== entries.length)
      throw new StoreError('STORE_UNAVAILABLE', 'the outbox did not take every staged entry');
    return rows.map((r) => Number(r.seq)).sort((a, b) => a - b);
  }

  /** The oldest entries still waiting for a leaf index, in staging order. */
  async pending(origin: string, limit: number): Promise<{ seq: number; envelope: Uint8Array }[]> {
    const rows = await this.db
      .selectFrom('ledger_entries')
      .select(['seq', 'envelope'])
      .where('origin', '=', origin)
      .where('leaf_index', 'is', null)
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ seq: Number(r.seq), envelope: new Uint8Array(r.envelope) }));
  }

  /** Records the leaf indices the sequencer gave staged entries (one statement). */
  async assignIndices(
    origin: string,
    pairs: readonly { seq: number; index: number }[],
  ): Promise<void> {
    if (pairs.length === 0) return;
    const values = sql.join(pairs.map((p) => sql`(${p.seq}::bigint, ${p.index}::bigint)`));
    await sql`
      UPDATE ledger_entries AS e SET leaf_index = v.idx, sequenced_at = now()
      FROM (VALUES ${values}) AS v(seq, idx)
      WHERE e.seq = v.seq AND e.origin = ${origin} AND e.leaf_index IS NULL`.execute(this.db);
  }

  /** The highest leaf index any entry of `origin` holds (-1 when none). */
  async highestIndex(origin: string): Promise<number> {
    const r = await this.db
      .selectFrom('ledger_entries')
      .select((eb) => eb.fn.max('leaf_index').as('m'))
      .where('origin', '=', origin)
      .executeTakeFirst();
    return r?.m === null || r?.m === undefined ? -1 : Number(r.m);
  }

  /** Leaf indices of staged entries (null while pending), by seq. */
  async indicesOf(seqs: readonly number[]): Promise<Map<number, number | null>> {
    if (seqs.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('ledger_entries')
      .select(['seq', 'leaf_index'])
      .where('seq', 'in', seqs.map(String))
      .execute();
    return new Map(
      rows.map((r) => [Number(r.seq), r.leaf_index === null ? null : Number(r.leaf_index)]),
    );
  }

  async getEntry(scope: LedgerReadScope, origin: string, index: number): Promise<LedgerEntry> {
    const row = await this.db
      .selectFrom('ledger_entries')
      .selectAll()
      .where('origin', '=', origin)
      .where('leaf_index', '=', index)
      .where((eb) =>
        scope.allMetadata ? eb.val(true) : eb('organisation_id', '=', scope.organisationId),
      )
      .executeTakeFirst();
    if (!row) throw new StoreError('NOT_FOUND', `ledger entry ${index} not found`);
    return toEntry(row, row.organisation_id === scope.organisationId);
  }

  /** Entries about one record (its page shows them), oldest first, in the reader's scope. */
  async entriesFor(
    scope: LedgerReadScope,
    origin: string,
    subjectType: string,
    subjectId: string,
  ): Promise<LedgerEntry[]> {
    const rows = await this.db
      .selectFrom('ledger_entries')
      .selectAll()
      .where('origin', '=', origin)
      .where('subject_type', '=', subjectType)
      .where('subject_id', '=', subjectId)
      .where((eb) =>
        scope.allMetadata ? eb.val(true) : eb('organisation_id', '=', scope.organisationId),
      )
      .orderBy('seq')
      .execute();
    return rows.map((r) => toEntry(r, r.organisation_id === scope.organisationId));
  }

  async listEntries(
    scope: LedgerReadScope,
    origin: string,
    options: { limit?: number; before?: number; recordType?: string } = {},
  ): Promise<{ items: LedgerEntry[]; nextCursor?: number }> {
    const limit = Math.min(Math.max(options.limit ?? 50, 1), 500);
    let q = this.db
      .selectFrom('ledger_entries')
      .selectAll()
      .where('origin', '=', origin)
      .where('leaf_index', 'is not', null)
      .where((eb) =>
        scope.allMetadata ? eb.val(true) : eb('organisation_id', '=', scope.organisationId),
      );
    if (options.before !== undefined) q = q.where('leaf_index', '<', options.before);
    if (options.recordType !== undefined) q = q.where('record_type', '=', options.recordType);
    const rows = await q
      .orderBy('leaf_index', 'desc')
      .limit(limit + 1)
      .execute();
    const items = rows
      .slice(0, limit)
      .map((row) => toEntry(row, row.organisation_id === scope.organisationId));
    const last = items[items.length - 1];
    return rows.length > limit && last?.index != null
      ? { items, nextCursor: last.index }
      : { items };
  }

  /** Erases a body and its opening (the leaf and its proofs stay valid). */
  async eraseBody(organisationId: string, origin: string, index: number): Promise<void> {
    const r = await this.db
      .updateTable('ledger_entries')
      .set({ body: null, opening: null, erased_at: new Date() })
      .where('origin', '=', origin)
      .where('leaf_index', '=', index)
      .where('organisation_id', '=', organisationId)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0)
      throw new StoreError('NOT_FOUND', `ledger entry ${index} not found`);
  }

  async countEntries(scope: LedgerReadScope, origin: string): Promise<number> {
    const r = await this.db
      .selectFrom('ledger_entries')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('origin', '=', origin)
      .where('leaf_index', 'is not', null)
      .where((eb) =>
        scope.allMetadata ? eb.val(true) : eb('organisation_id', '=', scope.organisationId),
      )
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  /** Public organisation verifier keys (vkeys), for verifying envelopes and openings. */
  async organisationKeys(): Promise<{ organisationId: string; keyId: string; vkey: string }[]> {
    const rows = await this.db
      .selectFrom('ledger_org_keys')
      .select(['organisation_id', 'key_id', 'vkey'])
      .orderBy('organisation_id')
      .orderBy('created_at')
      .execute();
    return rows.map((x) => ({ organisationId: x.organisation_id, keyId: x.key_id, vkey: x.vkey }));
  }

  /** Records an organisation's public key (idempotent). Keys are public, no secret is stored. */
  async registerOrganisationKey(
    organisationId: string,
    keyId: string,
    vkey: string,
  ): Promise<void> {
    await this.db
      .insertInto('ledger_org_keys')
      .values({ organisation_id: organisationId, key_id: keyId, vkey })
      .onConflict((oc) => oc.columns(['organisation_id', 'key_id']).doNothing())
      .execute();
  }

  /** The witness's durable state, with the atomic compare-and-swap tlog-witness requires. */
  witnessState(): WitnessState {
    const db = this.db;
    return {
      async get(origin) {
        const row = await db
          .selectFrom('ledger_witness_state')
          .select(['size', 'root'])
          .where('origin', '=', origin)
          .executeTakeFirst();
        return row ? { size: Number(row.size), root: new Uint8Array(row.root) } : undefined;
      },
      async compareAndSwap(origin, expectedSize, next) {
        // One statement each way, so two concurrent requests can never both succeed.
        const r =
          expectedSize === 0
            ? await sql`
                INSERT INTO ledger_witness_state (origin, size, root, checkpoint)
                VALUES (${origin}, ${next.size}, ${next.root}, ${next.checkpoint})
                ON CONFLICT (origin) DO UPDATE SET size = excluded.size, root = excluded.root,
                  checkpoint = excluded.checkpoint, updated_at = now()
                WHERE ledger_witness_state.size = 0`.execute(db)
            : await sql`
                UPDATE ledger_witness_state SET size = ${next.size}, root = ${next.root},
                  checkpoint = ${next.checkpoint}, updated_at = now()
                WHERE origin = ${origin} AND size = ${expectedSize}`.execute(db);
        if (Number(r.numAffectedRows ?? 0) === 1) return { ok: true };
        const cur = await db
          .selectFrom('ledger_witness_state')
          .select('size')
          .where('origin', '=', origin)
          .executeTakeFirst();
        return { ok: false, currentSize: Number(cur?.size ?? 0) };
      },
    };
  }
}
