import type { WitnessState } from '@interdict/ledger';
import { sql } from 'kysely';
import { assertRole, type Actor, type Role } from '../actor';
import { StoreError } from '../errors';
import type { Store } from '../store';

/** Who may append records to the ledger (their organisation signs them). */
export const LEDGER_WRITER_ROLES: readonly Role[] = ['admin', 'analyst', 'officer'];
/** Who may read entries their organisation submitted. */
export const LEDGER_READER_ROLES: readonly Role[] = [
  'admin',
  'analyst',
  'officer',
  'viewer',
  'partner',
];

export interface LedgerEntry {
  readonly origin: string;
  readonly index: number;
  readonly organisationId: string;
  readonly recordType: string;
  readonly bodySha256: string;
  /** Present only for readers allowed to see the body, and until it is erased. */
  readonly body: Uint8Array | null;
  readonly envelope: Uint8Array;
  readonly createdBy: string | null;
  readonly createdAt: Date;
  readonly erasedAt: Date | null;
}

interface EntryRow {
  origin: string;
  leaf_index: string | number;
  organisation_id: string;
  record_type: string;
  body_sha256: string;
  body: Uint8Array | null;
  envelope: Uint8Array;
  created_by: string | null;
  created_at: Date | string;
  erased_at: Date | string | null;
}

function toEntry(r: EntryRow, withBody: boolean): LedgerEntry {
  return {
    origin: r.origin,
    index: Number(r.leaf_index),
    organisationId: r.organisation_id,
    recordType: r.record_type,
    bodySha256: r.body_sha256,
    body: withBody && r.body ? new Uint8Array(r.body) : null,
    envelope: new Uint8Array(r.envelope),
    createdBy: r.created_by,
    createdAt: new Date(r.created_at),
    erasedAt: r.erased_at === null ? null : new Date(r.erased_at),
  };
}

/** Home-organisation admins see every entry's metadata; bodies only ever go to their owners. */
function seesAll(actor: Actor): boolean {
  return actor.home === true && actor.role === 'admin';
}

/**
 * Record bodies and their leaf indices. The leaf (envelope) is public in the log's tiles; the
 * body is not: only members of the submitting organisation read it, and its admins can erase it
 * (the tree keeps the commitment). Everyone else gets NOT_FOUND, so existence does not leak.
 */
export class LedgerRepository {
  constructor(private readonly store: Store) {}

  async recordEntry(
    actor: Actor,
    e: {
      origin: string;
      index: number;
      recordType: string;
      bodySha256: string;
      body: Uint8Array;
      envelope: Uint8Array;
    },
  ): Promise<LedgerEntry> {
    assertRole(actor, ...LEDGER_WRITER_ROLES);
    const r = await sql<EntryRow>`
      INSERT INTO ledger_entries (origin, leaf_index, organisation_id, record_type, body_sha256, body, envelope, created_by)
      VALUES (${e.origin}, ${e.index}, ${actor.organisationId}, ${e.recordType}, ${e.bodySha256}, ${e.body}, ${e.envelope}, ${actor.userId})
      RETURNING *`.execute(this.store.db);
    return toEntry(r.rows[0] as EntryRow, true);
  }

  async getEntry(actor: Actor, origin: string, index: number): Promise<LedgerEntry> {
    assertRole(actor, ...LEDGER_READER_ROLES);
    const r = await sql<EntryRow>`
      SELECT * FROM ledger_entries WHERE origin = ${origin} AND leaf_index = ${index}
        AND (organisation_id = ${actor.organisationId} OR ${seesAll(actor)})`.execute(
      this.store.db,
    );
    const row = r.rows[0];
    if (!row) throw new StoreError('NOT_FOUND', `ledger entry ${index} not found`);
    return toEntry(row, row.organisation_id === actor.organisationId);
  }

  async listEntries(
    actor: Actor,
    origin: string,
    options: { limit?: number; before?: number } = {},
  ): Promise<{ items: LedgerEntry[]; nextCursor?: number }> {
    assertRole(actor, ...LEDGER_READER_ROLES);
    const limit = Math.min(Math.max(options.limit ?? 50, 1), 500);
    const before = options.before ?? Number.MAX_SAFE_INTEGER;
    const r = await sql<EntryRow>`
      SELECT * FROM ledger_entries WHERE origin = ${origin} AND leaf_index < ${before}
        AND (organisation_id = ${actor.organisationId} OR ${seesAll(actor)})
      ORDER BY leaf_index DESC LIMIT ${limit + 1}`.execute(this.store.db);
    const rows = r.rows.slice(0, limit);
    const items = rows.map((row) => toEntry(row, row.organisation_id === actor.organisationId));
    const last = items[items.length - 1];
    return r.rows.length > limit && last ? { items, nextCursor: last.index } : { items };
  }

  /** Erases a body (its owner's admin only); the leaf and its proofs stay valid. */
  async eraseBody(actor: Actor, origin: string, index: number): Promise<void> {
    assertRole(actor, 'admin');
    const r = await sql`
      UPDATE ledger_entries SET body = NULL, erased_at = now()
      WHERE origin = ${origin} AND leaf_index = ${index} AND organisation_id = ${actor.organisationId}`.execute(
      this.store.db,
    );
    if (Number(r.numAffectedRows ?? 0) === 0)
      throw new StoreError('NOT_FOUND', `ledger entry ${index} not found`);
  }

  async countEntries(actor: Actor, origin: string): Promise<number> {
    assertRole(actor, ...LEDGER_READER_ROLES);
    const r = await sql<{ n: string | number }>`
      SELECT count(*) AS n FROM ledger_entries WHERE origin = ${origin}
        AND (organisation_id = ${actor.organisationId} OR ${seesAll(actor)})`.execute(
      this.store.db,
    );
    return Number(r.rows[0]?.n ?? 0);
  }

  /** Public organisation verifier keys (vkeys), for verifying envelopes. */
  async organisationKeys(): Promise<{ organisationId: string; keyId: string; vkey: string }[]> {
    const r = await sql<{ organisation_id: string; key_id: string; vkey: string }>`
      SELECT organisation_id, key_id, vkey FROM ledger_org_keys ORDER BY organisation_id, created_at`.execute(
      this.store.db,
    );
    return r.rows.map((x) => ({
      organisationId: x.organisation_id,
      keyId: x.key_id,
      vkey: x.vkey,
    }));
  }

  /** Records an organisation's public key (idempotent). Keys are public, no secret is stored. */
  async registerOrganisationKey(
    organisationId: string,
    keyId: string,
    vkey: string,
  ): Promise<void> {
    await sql`
      INSERT INTO ledger_org_keys (organisation_id, key_id, vkey) VALUES (${organisationId}, ${keyId}, ${vkey})
      ON CONFLICT (organisation_id, key_id) DO NOTHING`.execute(this.store.db);
  }

  /** The witness's durable state, with the atomic compare-and-swap tlog-witness requires. */
  witnessState(): WitnessState {
    const db = this.store.db;
    return {
      async get(origin) {
        const r = await sql<{ size: string | number; root: Uint8Array }>`
          SELECT size, root FROM ledger_witness_state WHERE origin = ${origin}`.execute(db);
        const row = r.rows[0];
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
        const cur = await sql<{ size: string | number }>`
          SELECT size FROM ledger_witness_state WHERE origin = ${origin}`.execute(db);
        return { ok: false, currentSize: Number(cur.rows[0]?.size ?? 0) };
      },
    };
  }
}
