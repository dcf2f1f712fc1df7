import { bytesEqual, canonicalJsonBytes, fromBase64, sha256Hex, toBase64 } from '@interdict/core';
import {
  addCheckpoint,
  collectCosignatures,
  cosigner,
  ed25519Signer,
  formatProofBundle,
  hashLeaf,
  keyIdHex,
  LedgerError,
  LogReader,
  parseLeaf,
  parsePolicy,
  parseTilePath,
  sealCommitment,
  Sequencer,
  verifierFromVkey,
  verifyCheckpointWithPolicy,
  type Cosigner,
  type PublishedCheckpoint,
  type Signer,
  type TreeHashes,
  type Verifier,
  type WitnessResponse,
} from '@interdict/ledger';
import { nodeEd25519 } from '@interdict/ledger/node';
import {
  acquireSequencerLock,
  ledgerLogStorage,
  type Actor,
  type LedgerEntry,
  type LedgerReadScope,
  type Role,
  type SequencerLock,
  type StagedEntryInput,
  type Store,
} from '@interdict/store';
import { requireRole } from '../access';
import { ServiceError } from '../errors';
import { deriveKey, loadLogSeed } from './keys';
import type { LedgerSettings } from './settings';

/** Who may append free-form records to the ledger (their organisation signs them). */
export const LEDGER_WRITER_ROLES: readonly Role[] = ['admin', 'analyst', 'officer'];
/** Who may read entries their organisation submitted. */
export const LEDGER_READER_ROLES: readonly Role[] = [
  'admin',
  'analyst',
  'officer',
  'viewer',
  'partner',
];

/** One record committed to the log: a decision of consequence, or a free-form note. */
export interface LedgerRecord {
  /** Record type, e.g. `screening.decision` (1–64 of a-z 0-9 . _ -). */
  readonly type: string;
  /** The record body: any JSON value, committed as its RFC 8785 canonical form. */
  readonly body: unknown;
  /** What the record is about, so that the record's page can show its entry and proof. */
  readonly subject?: { readonly type: string; readonly id: string };
}

/** Where a committed record sits in the log: its index once sequenced. */
export interface LedgerReceipt {
  readonly origin: string;
  readonly seq: number;
  readonly index: number;
  readonly type: string;
}

/** Stages a record in the caller's transaction (see `LedgerService.commit`). */
export type RecordFn = (record: LedgerRecord) => Promise<void>;

/** An entry as the edges show it: metadata, the body and opening for entitled readers, a proof. */
export interface LedgerEntryView {
  readonly index: number | null;
  /** 1: claims in clear (older logs); 2: a hiding commitment opened by `opening`. */
  readonly version: 1 | 2;
  readonly organisationId: string;
  readonly recordType: string;
  /** The committed body's SHA-256, for readers of the body only (it would confirm a guess). */
  readonly bodySha256: string | null;
  /** The record body (JSON), for members of the submitting organisation until it is erased. */
  readonly body: unknown;
  /** The signed opening of a v2 leaf (canonical JSON text), for the same readers as the body. */
  readonly opening: string | null;
  /** The leaf as appended (canonical JSON text): public in the tiles. */
  readonly envelope: string;
  /** Base64 RFC 6962 leaf hash. */
  readonly leafHash: string;
  readonly subject: { type: string; id: string } | null;
  readonly createdAt: string;
  readonly erasedAt: string | null;
  /** A C2SP tlog-proof against the latest checkpoint, once one includes the entry. */
  readonly proof: string | null;
}

/** What a replica serves proofs from: the latest published checkpoint and the tree behind it. */
export interface LedgerView {
  readonly checkpoint: PublishedCheckpoint | undefined;
  readonly hashes: TreeHashes;
}

export interface LedgerInfo {
  origin: string;
  vkey: string;
  witnessVkey: string;
  tilesPrefix: string;
  sequencing: boolean;
  size: number;
  checkpoint: string | null;
  organisationKeys: { organisationId: string; keyId: string; vkey: string }[];
}

type KeySigner = Signer & { readonly vkey: string };

interface Identity {
  readonly seed: Uint8Array;
  readonly signer: KeySigner;
  readonly cosigner: Cosigner;
  readonly witnessLogs: ReadonlyMap<string, Verifier[]>;
}

interface Waiter {
  resolve(index: number): void;
  reject(error: unknown): void;
}

/** Entries drained per round: one sequencer batch, one UPDATE. */
const DRAIN_BATCH = 4096;
/** Decisions committed in one transaction at most (group commit). */
const MAX_GROUP = 512;

interface PendingDecision {
  readonly actor: Actor;
  readonly change: (tx: Store, record: RecordFn) => Promise<unknown>;
  resolve(result: { value: unknown; staged: { seq: number; type: string }[] }): void;
  reject(error: unknown): void;
}

/**
 * The ledger service: the log's keys, its one sequencer (per log, across replicas: a PostgreSQL
 * advisory lock, see store/ledger/lock.ts), the witness endpoint, and the one way every other
 * service commits a decision — `commit(actor, change)`.
 *
 * A decision and its ledger entry are written in ONE database transaction: the change, and an
 * entry row holding the record body, its signed v2 opening and its leaf, with no index yet — an
 * outbox (issue 12 §6). After the commit the sequencer appends the outbox's leaves in staging
 * order, waits until they are durable in the log's tiles, and sets their indices; `commit` answers
 * only then. A crash can therefore leave a committed decision whose leaf is not yet in the log,
 * never one without its entry row: on restart the sequencer first matches the leaves that reached
 * the log before the crash to their rows (`reconcile`), then drains the rest. Neither exists
 * without the other.
 */
export class LedgerService {
  private identityP: Promise<Identity> | undefined;
  private startP: Promise<void> | undefined;
  private sequencer: Sequencer | undefined;
  private reader: LogReader | undefined;
  private lock: SequencerLock | undefined;
  private closing: Promise<void> | undefined;
  private readonly orgSigners = new Map<string, Promise<KeySigner>>();
  /** Organisations whose public key is known to be in `ledger_org_keys`. */
  private readonly registered = new Set<string>();
  private readonly waiters = new Map<number, Waiter[]>();
  private draining: Promise<void> | undefined;
  private drainAgain = false;
  private pollTimer: ReturnType<typeof setInterval> | undefined;
  private readonly decisions: PendingDecision[] = [];
  private grouping = false;

  constructor(
    private readonly store: Store,
    readonly settings: LedgerSettings,
  ) {}

  get origin(): string {
    return this.settings.origin;
  }

  /** True while this replica sequences the log. */
  get sequencing(): boolean {
    return this.sequencer !== undefined;
  }

  /**
   * Keys and witness settings, without the sequencer: the witness endpoint needs only these, so
   * two instances that witness each other never wait on each other's log while starting.
   */
  identity(): Promise<Identity> {
    this.identityP ??= (async () => {
      const seed = await loadLogSeed(this.store, this.settings);
      const witnessLogs = new Map<string, Verifier[]>();
      for (const vkey of this.settings.witnessLogs) {
        const v = verifierFromVkey(vkey, nodeEd25519);
        witnessLogs.set(v.name, [...(witnessLogs.get(v.name) ?? []), v]);
      }
      const signer = await ed25519Signer(this.origin, seed, nodeEd25519);
      const cosign = await cosigner(
        `${this.origin}/witness`,
        deriveKey(seed, 'witness key'),
        nodeEd25519,
      );
      return { seed, signer, cosigner: cosign, witnessLogs };
    })();
    this.identityP.catch(() => (this.identityP = undefined));
    return this.identityP;
  }

  /**
   * Takes (or keeps trying to take) the sequencer lock; the holder recovers the log, reconciles
   * the outbox with it and drains it. Idempotent; every commit calls it.
   */
  start(): Promise<void> {
    if (this.closing) return Promise.reject(this.closedError());
    this.startP ??= this.startNow();
    this.startP.catch(() => (this.startP = undefined));
    return this.startP;
  }

  private async startNow(): Promise<void> {
    const o = this.settings;
    const { signer } = await this.identity();
    const known = new Map<string, number>();
    const policy = o.policy === undefined ? undefined : parsePolicy(o.policy, nodeEd25519);
    const previousSigner = o.previousKey
      ? await ed25519Signer(o.origin, fromBase64(o.previousKey.trim()), nodeEd25519)
      : undefined;
    const openSequencer = (writer: Parameters<typeof ledgerLogStorage>[2]) =>
      Sequencer.open({
        origin: o.origin,
        signer,
        ...(previousSigner ? { additionalSigners: [previousSigner] } : {}),
        storage: ledgerLogStorage(this.store, o.origin, writer),
        checkpointIntervalMs: o.checkpointIntervalMs,
        ...(o.witnesses.length > 0
          ? {
              cosign: async (note, checkpoint, _previous, hashes) => {
                const r = await collectCosignatures(
                  note,
                  checkpoint,
                  o.witnesses,
                  (a, b) => hashes.consistencyProof(a, b),
                  known,
                );
                // With a tlog-policy, publish only checkpoints its quorum has cosigned (the
                // previous checkpoint stays published and the next interval tries again).
                if (policy) await verifyCheckpointWithPolicy(r.note, policy);
                return r.note;
              },
            }
          : {}),
      });
    // One sequencer per log across replicas. A replica without the lock serves the published
    // log read-only, stages entries for the holder to drain, and keeps trying to take over.
    this.lock = await acquireSequencerLock(this.store, o.origin, {
      ...(o.sequencerRetryMs !== undefined ? { retryMs: o.sequencerRetryMs } : {}),
      onAcquired: async (writer) => {
        // Opening recovers whatever the previous holder made durable and publishes it.
        const s = await openSequencer(writer);
        await this.reconcile(s);
        this.sequencer = s;
        this.reader = undefined;
        this.kick();
      },
      onLost: () => {
        this.sequencer?.abort();
        this.sequencer = undefined;
      },
    });
    // Entries other replicas stage (and, after a crash, entries staged before it) are drained
    // by the holder on a timer; a replica without the lock polls for its own entries instead.
    if (o.outboxPollMs > 0) {
      this.pollTimer = setInterval(() => {
        if (this.sequencer) this.kick();
        else if (this.waiters.size > 0) void this.settleFromStore();
      }, o.outboxPollMs);
      this.pollTimer.unref();
    }
  }

  /**
   * After a crash between appending leaves and recording their indices, the log holds leaves
   * whose entry rows still wait in the outbox. They were appended in staging order, so the
   * leaves past the highest recorded index are matched, byte for byte, to the oldest pending
   * rows. A leaf with no pending row (written by a version before the outbox) is left alone.
   */
  private async reconcile(s: Sequencer): Promise<void> {
    const repo = this.store.ledger;
    const from = (await repo.highestIndex(this.origin)) + 1;
    if (from >= s.size) return;
    const pending = await repo.pending(this.origin, s.size - from + DRAIN_BATCH);
    const pairs: { seq: number; index: number }[] = [];
    let p = 0;
    for (let index = from; index < s.size && p < pending.length; index++) {
      const leaf = await s.entry(index);
      const row = pending[p];
      if (row && bytesEqual(row.envelope, leaf)) {
        pairs.push({ seq: row.seq, index });
        p++;
      }
    }
    await repo.assignIndices(this.origin, pairs);
  }

  /** Starts a drain round (or asks the running one to go round again). */
  private kick(): void {
    if (this.draining) {
      this.drainAgain = true;
      return;
    }
    this.draining = this.drain()
      .catch((error: unknown) => {
        // The entries stay staged; the sequencer reopens (recovery) and the next round retries.
        for (const list of this.waiters.values()) for (const w of list) w.reject(error);
        this.waiters.clear();
      })
      .finally(() => {
        this.draining = undefined;
        if (this.drainAgain) {
          this.drainAgain = false;
          this.kick();
        }
      });
  }

  private async drain(): Promise<void> {
    const repo = this.store.ledger;
    for (;;) {
      this.drainAgain = false;
      const s = this.sequencer;
      if (!s) return;
      const rows = await repo.pending(this.origin, DRAIN_BATCH);
      if (rows.length === 0) {
        // Entries another round (or replica) sequenced between a commit and its wait.
        await this.settleFromStore();
        return;
      }
      let indices: number[];
      try {
        indices = await Promise.all(rows.map((r) => s.append(r.envelope)));
      } catch (error) {
        this.failed(s);
        throw error;
      }
      const pairs = rows.map((r, i) => ({ seq: r.seq, index: indices[i] as number }));
      await repo.assignIndices(this.origin, pairs);
      for (const p of pairs) this.settle(p.seq, p.index);
      // Round again only when more may wait: a full batch, or a commit since this round began.
      if (rows.length < DRAIN_BATCH && !this.drainAgain) {
        await this.settleFromStore();
        return;
      }
    }
  }

  private settle(seq: number, index: number): void {
    const list = this.waiters.get(seq);
    if (!list) return;
    this.waiters.delete(seq);
    for (const w of list) w.resolve(index);
  }

  private async settleFromStore(): Promise<void> {
    if (this.waiters.size === 0) return;
    const found = await this.store.ledger.indicesOf([...this.waiters.keys()]);
    for (const [seq, index] of found) if (index !== null) this.settle(seq, index);
  }

  /** After a failed storage write the sequencer is unusable: give the lock up and take it again. */
  private failed(broken: Sequencer): void {
    if (broken !== this.sequencer || broken.healthy || this.closing) return;
    this.lock?.relinquish(() => {
      if (this.sequencer === broken) this.sequencer = undefined;
      broken.abort();
      return Promise.resolve();
    });
  }

  /** The signer of an organisation's openings: derived from the log seed, never stored. */
  private organisationSigner(organisationId: string): Promise<KeySigner> {
    let p = this.orgSigners.get(organisationId);
    if (!p) {
      p = this.identity().then(({ seed }) =>
        // Custodial organisation keys, derived so that no private key is ever stored; the
        // public key is registered so anyone entitled can verify the openings.
        ed25519Signer(
          organisationId,
          deriveKey(seed, `organisation key ${organisationId}`),
          nodeEd25519,
        ),
      );
      p.catch(() => this.orgSigners.delete(organisationId));
      this.orgSigners.set(organisationId, p);
    }
    return p;
  }

  /** Registers an organisation's public key through `store` (the caller's transaction or not). */
  private async ensureKey(store: Store, organisationId: string): Promise<KeySigner> {
    const signer = await this.organisationSigner(organisationId);
    if (!this.registered.has(organisationId)) {
      await store.ledger.registerOrganisationKey(
        organisationId,
        keyIdHex(signer.keyId),
        signer.vkey,
      );
      // Known only once committed: inside a transaction that may still roll back, register again
      // next time (the insert is idempotent).
      if (!store.db.isTransaction) this.registered.add(organisationId);
    }
    return signer;
  }

  /**
   * Stages `record` in the transaction `tx` (the store bound to the change's transaction): seals
   * it as a v2 hiding commitment signed by the actor's organisation and writes its entry row with
   * no index. Call `acknowledge` with the result after the transaction commits.
   */
  async stage(
    tx: Store,
    actor: Actor,
    record: LedgerRecord,
  ): Promise<{ seq: number; type: string }> {
    const { seq } = await tx.ledger.stage(await this.seal(tx, actor, record));
    return { seq, type: record.type };
  }

  /** Seals a record as a v2 commitment signed by the actor's organisation: the row to stage. */
  private async seal(tx: Store, actor: Actor, record: LedgerRecord): Promise<StagedEntryInput> {
    const signer = await this.ensureKey(tx, actor.organisationId);
    const body = canonicalJsonBytes(record.body ?? null);
    const sealed = await sealCommitment(
      { type: record.type, organisation: actor.organisationId, time: new Date(), body },
      signer,
    );
    return {
      origin: this.origin,
      organisationId: actor.organisationId,
      recordType: record.type,
      bodySha256: sha256Hex(body),
      body,
      opening: sealed.opening,
      envelope: sealed.leaf,
      subjectType: record.subject?.type,
      subjectId: record.subject?.id,
      createdBy: actor.userId,
    };
  }

  /** Waits until staged (and committed) entries are durable in the log; their indices. */
  async acknowledge(
    staged: readonly { seq: number; type: string }[],
    options: { drain?: boolean } = {},
  ): Promise<LedgerReceipt[]> {
    if (staged.length === 0) return [];
    await this.start();
    const waits = staged.map(
      (s) =>
        new Promise<number>((resolve, reject) => {
          const list = this.waiters.get(s.seq) ?? [];
          list.push({ resolve, reject });
          this.waiters.set(s.seq, list);
        }),
    );
    // A group commit has already started the drain for its entries (options.drain false).
    if (!this.sequencer) void this.settleFromStore();
    else if (options.drain !== false) this.kick();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new ServiceError(
              'LEDGER_PENDING',
              'the change is committed, but its ledger entry is not sequenced yet: the replica that sequences the log does not answer (it will be appended when it does)',
            ),
          ),
        this.settings.ackTimeoutMs,
      );
      timer.unref();
    });
    try {
      const indices = await Promise.race([Promise.all(waits), timeout]);
      return staged.map((s, i) => ({
        origin: this.origin,
        seq: s.seq,
        index: indices[i] as number,
        type: s.type,
      }));
    } finally {
      clearTimeout(timer);
      for (const s of staged) this.waiters.delete(s.seq);
    }
  }

  /**
   * Commits a decision: runs `change` in a transaction, in which it calls `record` for each
   * ledger record the decision makes; answers once those entries are durable in the log. If
   * `change` throws, neither its writes nor its records are stored.
   *
   * `change` must write only through `tx` (no other side effects): decisions that arrive together
   * are committed together (group commit, below), and a group is re-run without a decision that
   * failed in it. Never call `commit` from inside a change.
   */
  async commit<T>(
    actor: Actor,
    change: (tx: Store, record: RecordFn) => Promise<T>,
  ): Promise<{ value: T; entries: LedgerReceipt[] }> {
    // The sequencer and the organisation key before the transaction: on PGlite a transaction
    // holds the only session, so nothing may wait on the outer store inside it.
    await this.start();
    await this.ensureKey(this.store, actor.organisationId);
    const { value, staged } = await new Promise<{
      value: unknown;
      staged: { seq: number; type: string }[];
    }>((resolve, reject) => {
      this.decisions.push({ actor, change, resolve, reject });
      if (!this.grouping) {
        this.grouping = true;
        // After pending I/O callbacks, so that decisions arriving together form one group.
        setImmediate(() => void this.commitGroups());
      }
    });
    return { value: value as T, entries: await this.acknowledge(staged, { drain: false }) };
  }

  /**
   * Group commit. A transaction per decision costs a round trip for BEGIN and COMMIT and one per
   * staged row; on the embedded engine each is a call into PGlite's one session (≈0.1–0.3 ms), so
   * one transaction per decision caps an instance near a thousand decisions a second. Decisions
   * waiting together run one after another in one transaction — exactly as if run serially — and
   * their entries are staged with one INSERT. A decision that throws is rejected alone; the
   * transaction is rolled back (its writes may have been partial) and the others run again
   * without it. PostgreSQL gains too: one commit (one WAL flush) per group.
   */
  private async commitGroups(): Promise<void> {
    try {
      while (this.decisions.length > 0) {
        let group = this.decisions.splice(0, MAX_GROUP);
        while (group.length > 0) group = await this.commitGroup(group);
      }
    } finally {
      this.grouping = false;
      if (this.decisions.length > 0) {
        this.grouping = true;
        setImmediate(() => void this.commitGroups());
      }
    }
  }

  /** Commits `group` in one transaction; returns the decisions still to run (after a failure). */
  private async commitGroup(group: PendingDecision[]): Promise<PendingDecision[]> {
    const values: unknown[] = [];
    const rows: { decision: number; row: StagedEntryInput }[] = [];
    let failed: { index: number; error: unknown } | undefined;
    let seqs: number[] = [];
    try {
      await this.store.transaction(async (tx) => {
        for (const [i, d] of group.entries()) {
          try {
            values[i] = await d.change(tx, async (record) => {
              rows.push({ decision: i, row: await this.seal(tx, d.actor, record) });
            });
          } catch (error) {
            failed = { index: i, error };
            throw error;
          }
        }
        seqs = await tx.ledger.stageMany(rows.map((r) => r.row));
      });
    } catch (error) {
      if (!failed) {
        // The transaction itself failed (commit, connection): every decision in it failed.
        for (const d of group) d.reject(error);
        return [];
      }
      group[failed.index]?.reject(failed.error);
      return group.filter((_, i) => i !== failed?.index);
    }
    // One drain for the whole group (its entries are committed now).
    if (rows.length > 0 && this.sequencer) this.kick();
    for (const [i, d] of group.entries()) {
      const mine = rows.flatMap((r, k) =>
        r.decision === i ? [{ seq: seqs[k] as number, type: r.row.recordType }] : [],
      );
      d.resolve({ value: values[i], staged: mine });
    }
    return [];
  }

  /** The published state: the sequencer's, or re-read from storage on a read-only replica. */
  async view(): Promise<LedgerView> {
    await this.start();
    const s = this.sequencer;
    if (s) return { checkpoint: s.checkpoint, hashes: s.hashes };
    this.reader ??= await LogReader.open(ledgerLogStorage(this.store, this.origin), this.origin);
    await this.reader.refresh();
    return { checkpoint: this.reader.checkpoint, hashes: this.reader.hashes };
  }

  /** The sequencer, for tests and tools that append below the outbox. */
  writer(): Sequencer {
    if (this.sequencer) return this.sequencer;
    throw new LedgerError(
      'LEDGER_NOT_SEQUENCER',
      'another replica sequences this log (this one serves it read-only)',
    );
  }

  private scope(actor: Actor): LedgerReadScope {
    // Home-organisation admins see every entry's metadata; bodies only ever go to their owners.
    return {
      organisationId: actor.organisationId,
      allMetadata: actor.home === true && actor.role === 'admin',
    };
  }

  private async proof(index: number | null): Promise<string | null> {
    if (index === null) return null;
    const { checkpoint: cp, hashes } = await this.view();
    if (!cp || cp.checkpoint.size <= index) return null;
    return formatProofBundle({
      index,
      proof: hashes.inclusionProof(index, cp.checkpoint.size),
      checkpoint: cp.note,
    });
  }

  private async toView(e: LedgerEntry): Promise<LedgerEntryView> {
    const readable = e.body !== null || e.opening !== null;
    let body: unknown = null;
    if (e.body) {
      try {
        body = JSON.parse(new TextDecoder().decode(e.body));
      } catch {
        body = null;
      }
    }
    const leaf = parseLeaf(e.envelope);
    return {
      index: e.index,
      version: leaf.v,
      organisationId: e.organisationId,
      recordType: e.recordType,
      // A v1 leaf carries its body hash in clear anyway; a v2 one only for the body's readers.
      bodySha256: leaf.v === 1 || readable ? e.bodySha256 : null,
      body,
      opening: e.opening ? new TextDecoder().decode(e.opening) : null,
      envelope: new TextDecoder().decode(e.envelope),
      leafHash: toBase64(hashLeaf(e.envelope)),
      subject:
        e.subjectType !== null && e.subjectId !== null
          ? { type: e.subjectType, id: e.subjectId }
          : null,
      createdAt: e.createdAt.toISOString(),
      erasedAt: e.erasedAt ? e.erasedAt.toISOString() : null,
      proof: await this.proof(e.index),
    };
  }

  // ---- use cases of the ledger itself ------------------------------------------------------

  /** The log: origin, verifier keys, latest checkpoint (with cosignatures), organisation keys. */
  async info(actor: Actor): Promise<LedgerInfo> {
    void actor;
    const id = await this.identity();
    const cp = (await this.view()).checkpoint;
    return {
      origin: this.origin,
      vkey: id.signer.vkey,
      witnessVkey: id.cosigner.vkey,
      tilesPrefix: `/ledger/${this.origin}/`,
      sequencing: this.sequencing,
      size: cp?.checkpoint.size ?? 0,
      checkpoint: cp?.note ?? null,
      organisationKeys: await this.store.ledger.organisationKeys(),
    };
  }

  /** The summary line: the size of the public log (anyone may count it). */
  async summary(
    actor: Actor,
  ): Promise<{ capability: string; label: string; count: number; updatedAt: string | null }[]> {
    void actor;
    const cp = (await this.view()).checkpoint;
    return [
      {
        capability: 'ledger',
        label: 'Ledger entries (published)',
        count: cp?.checkpoint.size ?? 0,
        updatedAt: null,
      },
    ];
  }

  /** A free-form record (a note, a report) signed by the actor's organisation. */
  async append(
    actor: Actor,
    input: { type: string; body: unknown; wait?: boolean },
  ): Promise<LedgerEntryView> {
    requireRole(actor, ...LEDGER_WRITER_ROLES);
    const { entries } = await this.commit(actor, async (_tx, record) => {
      await record({ type: input.type, body: input.body });
    });
    const receipt = entries[0] as LedgerReceipt;
    if (input.wait) await this.waitForCheckpoint(receipt.index);
    return this.get(actor, receipt.index);
  }

  /**
   * Resolves once a published checkpoint includes `index`: from the sequencer when this replica
   * holds it, else by re-reading the published checkpoint (bounded by the ack timeout).
   */
  async waitForCheckpoint(index: number): Promise<void> {
    const deadline = Date.now() + this.settings.ackTimeoutMs;
    for (;;) {
      const s = this.sequencer;
      if (s) {
        await s.waitForCheckpoint(index);
        return;
      }
      const cp = (await this.view()).checkpoint;
      if (cp && cp.checkpoint.size > index) return;
      if (Date.now() > deadline)
        throw new ServiceError(
          'LEDGER_PENDING',
          `no published checkpoint includes entry ${index} yet`,
        );
      await new Promise((r) => setTimeout(r, Math.max(10, this.settings.outboxPollMs / 4)));
    }
  }

  async list(
    actor: Actor,
    options: { limit?: number; cursor?: number; recordType?: string } = {},
  ): Promise<{ items: LedgerEntryView[]; nextCursor?: number }> {
    requireRole(actor, ...LEDGER_READER_ROLES);
    const page = await this.store.ledger.listEntries(this.scope(actor), this.origin, {
      ...(options.limit !== undefined ? { limit: options.limit } : {}),
      ...(options.cursor !== undefined ? { before: options.cursor } : {}),
      ...(options.recordType !== undefined ? { recordType: options.recordType } : {}),
    });
    const items = await Promise.all(page.items.map((e) => this.toView(e)));
    return page.nextCursor !== undefined ? { items, nextCursor: page.nextCursor } : { items };
  }

  async get(actor: Actor, index: number): Promise<LedgerEntryView> {
    requireRole(actor, ...LEDGER_READER_ROLES);
    return this.toView(await this.store.ledger.getEntry(this.scope(actor), this.origin, index));
  }

  /** The entries about one record (a decision, a rule, a model…), for its page. */
  async entriesFor(
    actor: Actor,
    subjectType: string,
    subjectId: string,
  ): Promise<LedgerEntryView[]> {
    requireRole(actor, ...LEDGER_READER_ROLES);
    const rows = await this.store.ledger.entriesFor(
      this.scope(actor),
      this.origin,
      subjectType,
      subjectId,
    );
    return Promise.all(rows.map((e) => this.toView(e)));
  }

  /** Erases a body and its opening (the owner's admins); the leaf and its proofs stay valid. */
  async erase(actor: Actor, index: number): Promise<void> {
    requireRole(actor, 'admin');
    await this.store.ledger.eraseBody(actor.organisationId, this.origin, index);
  }

  /** RFC 9162 consistency proof between two published sizes. */
  async consistencyProof(oldSize: number, newSize: number): Promise<Uint8Array[]> {
    const view = await this.view();
    const published = view.checkpoint?.checkpoint.size ?? 0;
    if (newSize > published || oldSize > newSize || oldSize < 1)
      throw new ServiceError('INVALID_ARGUMENT', `sizes must satisfy 1 ≤ old ≤ new ≤ ${published}`);
    return view.hashes.consistencyProof(oldSize, newSize);
  }

  /** The published checkpoint note (C2SP tlog-tiles `checkpoint`), if any. */
  async checkpointNote(): Promise<string | undefined> {
    return (await this.view()).checkpoint?.note;
  }

  /** An immutable tile or entry bundle (C2SP tlog-tiles), or undefined. */
  async tile(path: string): Promise<Uint8Array | undefined> {
    try {
      parseTilePath(path);
    } catch {
      return undefined;
    }
    return ledgerLogStorage(this.store, this.origin).get(path);
  }

  /** C2SP tlog-witness add-checkpoint: cosigns a witnessed log's checkpoint after checking it. */
  async addCheckpoint(body: Uint8Array): Promise<WitnessResponse> {
    const id = await this.identity();
    return addCheckpoint(
      { cosigner: id.cosigner, logs: id.witnessLogs, state: this.store.ledger.witnessState() },
      body,
    );
  }

  /** The witness's vkey and the logs it witnesses (no sequencer needed). */
  async witness(): Promise<{ vkey: string; logs: ReadonlyMap<string, Verifier[]> }> {
    const id = await this.identity();
    return { vkey: id.cosigner.vkey, logs: id.witnessLogs };
  }

  /** Drains what is staged, publishes a final checkpoint and releases the sequencer lock. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.pollTimer) clearInterval(this.pollTimer);
      await this.startP?.catch(() => undefined);
      if (this.sequencer) {
        this.kick();
        await this.draining?.catch(() => undefined);
      }
      for (const list of this.waiters.values()) for (const w of list) w.reject(this.closedError());
      this.waiters.clear();
      await this.lock?.release(async () => {
        const s = this.sequencer;
        this.sequencer = undefined;
        await s?.close();
      });
    })();
    return this.closing;
  }

  private closedError(): LedgerError {
    return new LedgerError('SEQUENCER_CLOSED', 'the ledger service is closed');
  }
}
