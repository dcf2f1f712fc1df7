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
import { LedgerRepository } from './repository';
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

    it('bodies are readable by their organisation only; others get NOT_FOUND; admins erase', async () => {
      const repo = new LedgerRepository(store);
      const other = await store.organisations.create(admin, {
        name: `Agency ${engine}`,
        kind: 'agency',
      });
      const outsider: Actor = { userId: null, organisationId: other.id, role: 'analyst' };
      const e = await repo.recordEntry(admin, {
        origin: ORIGIN,
        index: 0,
        recordType: 'seizure-report',
        bodySha256: 'a'.repeat(64),
        body: enc('secret'),
        envelope: enc('{}'),
      });
      expect(e.index).toBe(0);
      expect(
        new TextDecoder().decode((await repo.getEntry(admin, ORIGIN, 0)).body as Uint8Array),
      ).toBe('secret');
      await expect(repo.getEntry(outsider, ORIGIN, 0)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect((await repo.listEntries(outsider, ORIGIN)).items).toHaveLength(0);
      expect((await repo.listEntries(admin, ORIGIN)).items).toHaveLength(1);
      await expect(
        repo.recordEntry(
          { ...outsider, role: 'viewer' },
          {
            origin: ORIGIN,
            index: 1,
            recordType: 'x',
            bodySha256: 'b'.repeat(64),
            body: enc('x'),
            envelope: enc('{}'),
          },
        ),
      ).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(repo.eraseBody({ ...outsider, role: 'admin' }, ORIGIN, 0)).rejects.toMatchObject(
        { code: 'NOT_FOUND' },
      );
      await repo.eraseBody(admin, ORIGIN, 0);
      const erased = await repo.getEntry(admin, ORIGIN, 0);
      expect(erased.body).toBeNull();
      expect(erased.erasedAt).not.toBeNull();
    });

    it('witness state compare-and-swap is atomic', async () => {
      const state = new LedgerRepository(store).witnessState();
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
