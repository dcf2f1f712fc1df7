import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  ed25519Signer,
  hashLeaf,
  openCheckpoint,
  ed25519Verifier,
  Sequencer,
  verifyInclusion,
  verifyTiles,
} from '@interdict/ledger';
import { nodeEd25519 } from '@interdict/ledger/node';
import { createTestSchema, type TestSchema } from '@interdict/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../actor';
import { bootstrapStore } from '../bootstrap';
import { MEMORY, openStore } from '../open';
import type { Store } from '../store';
import { ledgerLogStorage } from './storage';

const ORIGIN = 'ledger.store.test/log';
const enc = (s: string) => new TextEncoder().encode(s);

for (const engine of ['pglite-folder', 'pglite-memory', 'postgres'] as const) {
  describe(`ledger store on ${engine}`, () => {
    let store: Store;
    let admin: Actor;
    let schema: TestSchema | undefined;
    let dir: string | undefined;

    beforeAll(async () => {
      if (engine === 'postgres') {
        schema = await createTestSchema('ledger');
        store = await openStore({ databaseUrl: schema.url });
      } else if (engine === 'pglite-folder') {
        dir = await mkdtemp(path.join(tmpdir(), 'interdict-ledger-store-'));
        store = await openStore({ dataDir: dir });
      } else {
        store = await openStore({ dataDir: MEMORY });
      }
      await bootstrapStore(store, { adminPassword: 'correct horse battery staple' });
      admin = await store.systemActor();
    });
    afterAll(async () => {
      await store.close();
      await schema?.drop();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('a sequencer over the store writes tiles and a checkpoint, and reopens', async () => {
      const signer = await ed25519Signer(ORIGIN, new Uint8Array(32).fill(1), nodeEd25519);
      const storage = ledgerLogStorage(store, ORIGIN);
      const seq = await Sequencer.open({
        origin: ORIGIN,
        signer,
        storage,
        checkpointIntervalMs: 0,
      });
      const idx = await Promise.all(
        Array.from({ length: 300 }, (_, i) => seq.append(enc(`r${i}`))),
      );
      await seq.close();
      const again = await Sequencer.open({
        origin: ORIGIN,
        signer,
        storage,
        checkpointIntervalMs: 0,
      });
      expect(again.size).toBe(300);
      const note = new TextDecoder().decode(await storage.readCheckpoint());
      const { checkpoint } = await openCheckpoint(note, [
        ed25519Verifier(ORIGIN, signer.publicKey),
      ]);
      verifyInclusion(
        hashLeaf(enc('r7')),
        idx[7] as number,
        300,
        again.hashes.inclusionProof(idx[7] as number, 300),
        checkpoint.root,
      );
      await verifyTiles((k) => storage.get(k), checkpoint, { entries: true });
      if (dir)
        expect((await stat(path.join(dir, 'blobs', 'ledger', ORIGIN, 'checkpoint'))).isFile()).toBe(
          true,
        );
      await again.close();
    });

    it('the outbox: staged entries wait for their index; bodies are readable by their organisation only', async () => {
      const repo = store.ledger;
      const other = await store.organisations.create(admin, {
        name: `Agency ${engine}`,
        kind: 'agency',
      });
      const own = { organisationId: admin.organisationId, allMetadata: false };
      const outsider = { organisationId: other.id, allMetadata: false };
      const { seq } = await repo.stage({
        origin: ORIGIN,
        organisationId: admin.organisationId,
        recordType: 'seizure-report',
        bodySha256: 'a'.repeat(64),
        body: enc('secret'),
        opening: enc('opening'),
        envelope: enc('{}'),
        subjectType: 'seizure',
        subjectId: 's-1',
        createdBy: null,
      });
      expect((await repo.pending(ORIGIN, 10)).map((p) => p.seq)).toEqual([seq]);
      expect((await repo.indicesOf([seq])).get(seq)).toBeNull();
      // A pending entry is not listed yet.
      expect((await repo.listEntries(own, ORIGIN)).items).toHaveLength(0);
      await repo.assignIndices(ORIGIN, [{ seq, index: 0 }]);
      expect(await repo.pending(ORIGIN, 10)).toHaveLength(0);
      expect(await repo.highestIndex(ORIGIN)).toBe(0);
      const e = await repo.getEntry(own, ORIGIN, 0);
      expect(e.index).toBe(0);
      expect(new TextDecoder().decode(e.body as Uint8Array)).toBe('secret');
      expect(new TextDecoder().decode(e.opening as Uint8Array)).toBe('opening');
      expect((await repo.entriesFor(own, ORIGIN, 'seizure', 's-1')).map((x) => x.index)).toEqual([
        0,
      ]);
      await expect(repo.getEntry(outsider, ORIGIN, 0)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(await repo.entriesFor(outsider, ORIGIN, 'seizure', 's-1')).toHaveLength(0);
      expect((await repo.listEntries(outsider, ORIGIN)).items).toHaveLength(0);
      expect((await repo.listEntries(own, ORIGIN)).items).toHaveLength(1);
      // Metadata for a scope that sees all, but never another organisation's body or opening.
      const seen = await repo.getEntry({ organisationId: other.id, allMetadata: true }, ORIGIN, 0);
      expect(seen.body).toBeNull();
      expect(seen.opening).toBeNull();
      // Assigning again never moves an entry that already has its index.
      await repo.assignIndices(ORIGIN, [{ seq, index: 5 }]);
      expect((await repo.indicesOf([seq])).get(seq)).toBe(0);
      await expect(repo.eraseBody(other.id, ORIGIN, 0)).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      await repo.eraseBody(admin.organisationId, ORIGIN, 0);
      const erased = await repo.getEntry(own, ORIGIN, 0);
      expect(erased.body).toBeNull();
      expect(erased.opening).toBeNull();
      expect(erased.erasedAt).not.toBeNull();
    });

    it('witness state compare-and-swap is atomic', async () => {
      const state = store.ledger.witnessState();
      const root = new Uint8Array(32).fill(3);
      expect(
        await state.compareAndSwap('w.test/log', 0, { size: 5, root, checkpoint: 'c5' }),
      ).toEqual({ ok: true });
      expect(
        await state.compareAndSwap('w.test/log', 0, { size: 6, root, checkpoint: 'c6' }),
      ).toEqual({ ok: false, currentSize: 5 });
      const results = await Promise.all([
        state.compareAndSwap('w.test/log', 5, { size: 7, root, checkpoint: 'c7' }),
        state.compareAndSwap('w.test/log', 5, { size: 8, root, checkpoint: 'c8' }),
      ]);
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect((await state.get('w.test/log'))?.size).toBeGreaterThanOrEqual(7);
    });
  });
}
