import { canonicalJsonBytes, sha256Hex } from '@interdict/core';
import {
  ed25519Signer,
  hashLeaf,
  sealCommitment,
  Sequencer,
  verifierFromVkey,
  verifyLeaf,
  verifyProofBundle,
} from '@interdict/ledger';
import { nodeEd25519 } from '@interdict/ledger/node';
import { ledgerLogStorage, type Actor } from '@interdict/store';
import { ENGINES, openEngineStore, type EngineStore } from '@interdict/store/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../services';
import { ledgerVkeys } from './keys';

const KEY = Buffer.alloc(32, 7).toString('base64');

for (const engine of ENGINES) {
  describe(`ledger service on ${engine}`, () => {
    let env: EngineStore;
    let services: Services;
    let admin: Actor;
    let outsider: Actor;
    const origin = `svc-${engine}.interdict.test/log`;

    beforeAll(async () => {
      env = await openEngineStore(engine, 'svc_ledger');
      admin = env.actor;
      const other = await env.store.organisations.create(admin, { name: 'Other', kind: 'agency' });
      outsider = { userId: null, organisationId: other.id, role: 'admin' };
      services = createServices(env.store, {
        closeStore: false,
        ledger: { origin, key: KEY, checkpointIntervalMs: 20 },
      });
    });
    afterAll(async () => {
      await services.close();
      await env.close();
    });

    const audited = async (action: string) =>
      Number(
        (
          await env.store.db
            .selectFrom('audit_events')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('action', '=', action)
            .executeTakeFirstOrThrow()
        ).n,
      );
    const entries = async () =>
      Number(
        (
          await env.store.db
            .selectFrom('ledger_entries')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('origin', '=', origin)
            .executeTakeFirstOrThrow()
        ).n,
      );

    it('commits a change and its entry together; the entry opens to the record for its organisation', async () => {
      const before = await entries();
      const { value, entries: receipts } = await services.ledger.commit(
        admin,
        async (tx, record) => {
          const id = crypto.randomUUID();
          await tx.audit.record({
            actor: admin,
            action: 'test.decision',
            targetType: 'test',
            targetId: id,
          });
          await record({
            type: 'test.decision',
            body: { id, verdict: 'release' },
            subject: { type: 'test', id },
          });
          return id;
        },
      );
      expect(await entries()).toBe(before + 1);
      expect(receipts).toHaveLength(1);
      const receipt = receipts[0]!;
      expect(receipt.index).toBeGreaterThanOrEqual(0);
      const view = await services.ledger.get(admin, receipt.index);
      expect(view.body).toEqual({ id: value, verdict: 'release' });
      expect(view.subject).toEqual({ type: 'test', id: value });
      expect(view.bodySha256).toBe(
        sha256Hex(canonicalJsonBytes({ id: value, verdict: 'release' })),
      );
      // The public leaf is a v2 commitment; the opening verifies with the organisation key.
      expect(view.version).toBe(2);
      const info = await services.ledger.info(admin);
      const keys = info.organisationKeys.map((k) => verifierFromVkey(k.vkey, nodeEd25519));
      const opened = await verifyLeaf(new TextEncoder().encode(view.envelope), keys, {
        opening: new TextEncoder().encode(view.opening ?? ''),
        body: canonicalJsonBytes(view.body),
      });
      expect(opened).toMatchObject({ type: 'test.decision', organisation: admin.organisationId });
      // Once a checkpoint covers it, its proof verifies with nothing but the log key.
      await services.ledger.waitForCheckpoint(receipt.index);
      const proven = await services.ledger.get(admin, receipt.index);
      const { vkey } = await ledgerVkeys(origin, KEY);
      await verifyProofBundle(
        proven.proof ?? '',
        hashLeaf(new TextEncoder().encode(view.envelope)),
        [verifierFromVkey(vkey, nodeEd25519)],
      );
      expect((await services.ledger.entriesFor(admin, 'test', value)).map((e) => e.index)).toEqual([
        receipt.index,
      ]);
      // Another organisation: no body, no entry, nothing about the record.
      await expect(services.ledger.get(outsider, receipt.index)).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      expect(await services.ledger.entriesFor(outsider, 'test', value)).toEqual([]);
    });

    it('a change that fails stores neither the change nor its entry', async () => {
      const [before, auditsBefore] = [await entries(), await audited('test.failed')];
      await expect(
        services.ledger.commit(admin, async (tx, record) => {
          await tx.audit.record({ actor: admin, action: 'test.failed' });
          await record({ type: 'test.failed', body: { n: 1 } });
          throw new Error('the change is refused after its record was staged');
        }),
      ).rejects.toThrow(/refused/);
      expect(await entries()).toBe(before);
      expect(await audited('test.failed')).toBe(auditsBefore);
      expect(await env.store.ledger.pending(origin, 10)).toEqual([]);
    });

    it('concurrent decisions get distinct, gap-free indices in staging order', async () => {
      const start = (await services.ledger.info(admin)).size;
      await services.ledger.waitForCheckpoint(Math.max(0, start - 1)).catch(() => undefined);
      const results = await Promise.all(
        Array.from({ length: 60 }, (_, n) =>
          services.ledger.commit(admin, async (_tx, record) => {
            await record({ type: 'test.many', body: { n } });
            return n;
          }),
        ),
      );
      const indices = results.map((r) => r.entries[0]!.index).sort((a, b) => a - b);
      expect(new Set(indices).size).toBe(60);
      expect(indices[59]! - indices[0]!).toBe(59);
      const seqOrder = results
        .map((r) => r.entries[0]!)
        .sort((a, b) => a.seq - b.seq)
        .map((e) => e.index);
      expect(seqOrder).toEqual([...seqOrder].sort((a, b) => a - b));
    });

    it('roles are checked before any work: a viewer cannot append', async () => {
      const before = await entries();
      await expect(
        services.ledger.append({ ...admin, role: 'viewer' }, { type: 'note', body: 'x' }),
      ).rejects.toMatchObject({ code: 'FORBIDDEN' });
      expect(await entries()).toBe(before);
    });
  });
}

describe('after a crash between appending leaves and recording their indices', () => {
  let env: EngineStore;
  afterAll(async () => {
    await env?.close();
  });
  beforeAll(async () => {
    env = await openEngineStore('pglite', 'svc_ledger_crash');
  });

  it('the next sequencer matches the logged leaves to their staged rows and appends nothing twice', async () => {
    const origin = 'crash.interdict.test/log';
    const admin = env.actor;
    const seed = Buffer.alloc(32, 9);
    const orgSigner = await ed25519Signer(admin.organisationId, seed, nodeEd25519);
    // Three entries committed (staged) by a process that then appended the first two leaves to the
    // log and died before recording their indices; a fourth was staged and never appended.
    const staged: { seq: number; leaf: Uint8Array }[] = [];
    for (let n = 0; n < 4; n++) {
      const body = canonicalJsonBytes({ n });
      const sealed = await sealCommitment(
        { type: 'test.crash', organisation: admin.organisationId, time: new Date(), body },
        orgSigner,
      );
      const { seq } = await env.store.ledger.stage({
        origin,
        organisationId: admin.organisationId,
        recordType: 'test.crash',
        bodySha256: sha256Hex(body),
        body,
        opening: sealed.opening,
        envelope: sealed.leaf,
        createdBy: null,
      });
      staged.push({ seq, leaf: sealed.leaf });
    }
    const logSigner = await ed25519Signer(origin, Buffer.alloc(32, 7), nodeEd25519);
    const dead = await Sequencer.open({
      origin,
      signer: logSigner,
      storage: ledgerLogStorage(env.store, origin),
      checkpointIntervalMs: 0,
    });
    // A leaf from before the outbox existed (no row), then the two staged leaves.
    await dead.append(new TextEncoder().encode('{"legacy":true}'));
    await dead.append(staged[0]!.leaf);
    await dead.append(staged[1]!.leaf);
    await dead.close();

    const services = createServices(env.store, {
      closeStore: false,
      ledger: { origin, key: Buffer.alloc(32, 7).toString('base64'), checkpointIntervalMs: 0 },
    });
    await services.start();
    // The rows never appended are drained after the reconciliation, in staging order.
    const drained = await services.ledger.acknowledge(
      staged.slice(2).map((x) => ({ seq: x.seq, type: 'test.crash' })),
    );
    expect(drained.map((r) => r.index)).toEqual([3, 4]);
    const indices = await env.store.ledger.indicesOf(staged.map((s) => s.seq));
    expect(staged.map((s) => indices.get(s.seq))).toEqual([1, 2, 3, 4]);
    const writer = services.ledger.writer();
    expect(writer.size).toBe(5);
    for (const [i, s] of staged.entries())
      expect(await writer.entry(i + 1)).toEqual(new Uint8Array(s.leaf));
    await services.close();
  });
});
