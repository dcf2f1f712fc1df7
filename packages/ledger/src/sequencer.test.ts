import { bytesEqual, toHex } from '@interdict/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openCheckpoint } from './checkpoint';
import { LedgerError } from './errors';
import { hashLeaf, verifyConsistency, verifyInclusion } from './merkle';
import { memoryLogStorage } from './memory-storage';
import { nodeEd25519 } from './node-crypto';
import { ed25519Signer, ed25519Verifier } from './note';
import { Sequencer, type LogStorage, type PublishedCheckpoint } from './sequencer';
import { verifyTiles } from './tiles';

const ORIGIN = 'ledger.test/log';
const signerP = ed25519Signer(ORIGIN, new Uint8Array(32).fill(7), nodeEd25519);
const enc = (s: string) => new TextEncoder().encode(s);

async function open(storage: LogStorage, extra: { maxBatch?: number } = {}) {
  return Sequencer.open({
    origin: ORIGIN,
    signer: await signerP,
    storage,
    checkpointIntervalMs: 0,
    ...extra,
  });
}

describe('Sequencer', () => {
  it('sequences concurrent appends, acks indices, publishes a verifiable checkpoint', async () => {
    const storage = memoryLogStorage();
    const seq = await open(storage, { maxBatch: 100 });
    const entries = Array.from({ length: 1000 }, (_, i) => enc(`e${i}`));
    const indices = await Promise.all(entries.map((e) => seq.append(e)));
    expect([...indices].sort((a, b) => a - b)).toEqual(entries.map((_, i) => i));
    const waited = seq.waitForCheckpoint(999);
    const pub = (await seq.publish()) as PublishedCheckpoint;
    expect((await waited).checkpoint.size).toBe(1000);
    const signer = await signerP;
    const { checkpoint } = await openCheckpoint(
      pub.note,
      [ed25519Verifier(ORIGIN, signer.publicKey)],
      ORIGIN,
    );
    expect(checkpoint.size).toBe(1000);
    // Inclusion of every entry at the index it was acknowledged with.
    for (let i = 0; i < entries.length; i += 97) {
      const idx = indices[i] as number;
      verifyInclusion(
        hashLeaf(entries[i] as Uint8Array),
        idx,
        1000,
        seq.hashes.inclusionProof(idx, 1000),
        checkpoint.root,
      );
      expect(bytesEqual(await seq.entry(idx), entries[i] as Uint8Array)).toBe(true);
    }
    const v = await verifyTiles((p) => storage.get(p), checkpoint, { entries: true });
    expect(v.entries).toBe(1000);
    expect(new TextDecoder().decode(storage.checkpoint)).toBe(pub.note);
    await seq.close();
  });

  it('reopens from storage and continues consistently', async () => {
    const storage = memoryLogStorage();
    const a = await open(storage);
    for (let i = 0; i < 300; i++) void a.append(enc(`a${i}`));
    await a.close();
    const first = a.checkpoint as PublishedCheckpoint;
    const b = await open(storage);
    expect(b.size).toBe(300);
    await Promise.all(Array.from({ length: 50 }, (_, i) => b.append(enc(`b${i}`))));
    const second = (await b.publish()) as PublishedCheckpoint;
    verifyConsistency(
      300,
      350,
      b.hashes.consistencyProof(300, 350),
      first.checkpoint.root,
      second.checkpoint.root,
    );
    await b.close();
  });

  it('signs with an additional key during a rotation; either vkey verifies', async () => {
    const next = await ed25519Signer(ORIGIN, new Uint8Array(32).fill(8), nodeEd25519);
    const seq = await Sequencer.open({
      origin: ORIGIN,
      signer: next,
      additionalSigners: [await signerP],
      storage: memoryLogStorage(),
      checkpointIntervalMs: 0,
    });
    await seq.append(enc('x'));
    const note = ((await seq.publish()) as PublishedCheckpoint).note;
    for (const k of [next, await signerP]) {
      const { checkpoint } = await openCheckpoint(
        note,
        [ed25519Verifier(ORIGIN, k.publicKey)],
        ORIGIN,
      );
      expect(checkpoint.size).toBe(1);
    }
    await seq.close();
  });

  it('keeps the previous checkpoint while witnesses withhold the quorum', async () => {
    let quorum = false;
    const storage = memoryLogStorage();
    const seq = await Sequencer.open({
      origin: ORIGIN,
      signer: await signerP,
      storage,
      checkpointIntervalMs: 0,
      cosign: (note) =>
        quorum
          ? Promise.resolve(`${note}\u2014 w.test/x AAAAAAAA\n`)
          : Promise.reject(new LedgerError('QUORUM_NOT_MET', 'no')),
    });
    expect(seq.checkpoint).toBeUndefined();
    await seq.append(enc('x'));
    await expect(seq.publish()).rejects.toMatchObject({ code: 'QUORUM_NOT_MET' });
    expect(storage.checkpoint).toBeUndefined();
    quorum = true;
    const pub = (await seq.publish()) as PublishedCheckpoint;
    expect(pub.checkpoint.size).toBe(1);
    expect(pub.note).toContain('\u2014 w.test/x AAAAAAAA\n');
    await seq.close();
  });

  it('refuses oversized entries and appends after close', async () => {
    const seq = await open(memoryLogStorage());
    await expect(seq.append(new Uint8Array(70000))).rejects.toMatchObject({
      code: 'ENTRY_TOO_LARGE',
    });
    await seq.close();
    await expect(seq.append(enc('x'))).rejects.toMatchObject({ code: 'SEQUENCER_CLOSED' });
  });

  it('never loses an acknowledged entry nor breaks consistency when storage dies at any write', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 700 }),
        fc.integer({ min: 1, max: 300 }),
        async (crashAfter, total, batch) => {
          const base = memoryLogStorage();
          // "Crash": after `crashAfter` completed writes, every further operation fails and nothing
          // more reaches the blobs (what a SIGKILL leaves behind).
          let writes = 0;
          let dead = false;
          const dying: LogStorage = {
            get: (k) => base.get(k),
            readCheckpoint: () => base.readCheckpoint(),
            async put(k, b) {
              if (dead || ++writes > crashAfter) {
                dead = true;
                throw new Error('killed');
              }
              await base.put(k, b);
            },
            async writeCheckpoint(b) {
              if (dead || ++writes > crashAfter) {
                dead = true;
                throw new Error('killed');
              }
              await base.writeCheckpoint(b);
            },
          };
          const published: PublishedCheckpoint[] = [];
          const acked = new Map<number, Uint8Array>();
          let seq: Sequencer;
          try {
            seq = await open(dying, { maxBatch: batch });
          } catch {
            return;
          }
          const jobs: Promise<void>[] = [];
          for (let i = 0; i < total; i++) {
            const e = enc(`entry-${i}`);
            jobs.push(
              seq.append(e).then(
                (idx) => void acked.set(idx, e),
                () => undefined,
              ),
            );
            if (i % 97 === 0) {
              await Promise.all(jobs);
              const p = await seq.publish().catch(() => undefined);
              if (p) published.push(p);
            }
          }
          await Promise.all(jobs);
          await seq.publish().then(
            (p) => p && published.push(p),
            () => undefined,
          );
          // Restart on what is stored.
          const again = await open(base);
          const now = again.checkpoint as PublishedCheckpoint;
          for (const [idx, e] of acked) {
            expect(idx).toBeLessThan(now.checkpoint.size);
            expect(toHex(await again.entry(idx))).toBe(toHex(e));
          }
          for (const p of published) {
            if (p.checkpoint.size === 0 || p.checkpoint.size === now.checkpoint.size) {
              expect(toHex(p.checkpoint.root)).toBe(toHex(again.hashes.root(p.checkpoint.size)));
              continue;
            }
            const proof = again.hashes.consistencyProof(p.checkpoint.size, now.checkpoint.size);
            verifyConsistency(
              p.checkpoint.size,
              now.checkpoint.size,
              proof,
              p.checkpoint.root,
              now.checkpoint.root,
            );
          }
          await verifyTiles((k) => base.get(k), now.checkpoint, { entries: true });
          await again.close();
        },
      ),
      { numRuns: 40 },
    );
  });

  it('a storage failure poisons the sequencer until it is reopened', async () => {
    const base = memoryLogStorage();
    let fail = false;
    const flaky: LogStorage = {
      ...base,
      put: (k, b) => (fail ? Promise.reject(new Error('disk full')) : base.put(k, b)),
    };
    const seq = await open(flaky);
    await seq.append(enc('ok'));
    fail = true;
    await expect(seq.append(enc('lost'))).rejects.toThrow('disk full');
    fail = false;
    await expect(seq.append(enc('after'))).rejects.toBeInstanceOf(LedgerError);
  });
});
