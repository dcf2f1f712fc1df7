import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { hashLeaf, openCheckpoint, verifierFromVkey, verifyTiles } from '@interdict/ledger';
import { nodeEd25519 } from '@interdict/ledger/node';
import { bootstrapStore, ledgerLogStorage, openStore } from '@interdict/store';
import { afterAll, describe, expect, it } from 'vitest';
import { createServices } from '../services';
import { ledgerVkeys } from './keys';

// Issue 12's crash test: a child process records decisions through the services (a change and
// its ledger entry in one transaction) and is SIGKILLed at a random moment, several times. After
// each restart no acknowledged decision is lost, every stored decision has its ledger entry and
// every entry its decision, and the log's tiles verify against its signed checkpoint.
const here = path.dirname(fileURLToPath(import.meta.url));
const child = path.join(here, 'crash-child.ts');
const ORIGIN = 'crash.interdict.test/decisions';
const KEY = Buffer.alloc(32, 5).toString('base64');

function runAndKill(dir: string, run: string, killAfterMs: number): Promise<Map<string, number>> {
  return new Promise((resolve, reject) => {
    // node itself with tsx's loader: SIGKILL must hit the process that writes.
    const p = spawn(process.execPath, ['--import', 'tsx', child, dir, run], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acks = new Map<string, number>();
    let buf = '';
    let err = '';
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const [kind, id, index] = buf.slice(0, nl).split(' ');
        buf = buf.slice(nl + 1);
        if (kind === 'ready') setTimeout(() => p.kill('SIGKILL'), killAfterMs);
        else if (kind === 'ack') acks.set(id as string, Number(index));
      }
    });
    p.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(acks);
      else reject(new Error(`child exited with ${code}: ${err}`));
    });
  });
}

describe('decisions and their ledger entries survive SIGKILL (embedded store)', () => {
  let dir: string;
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('loses no acknowledged decision; after restart decisions and entries match one to one', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'interdict-decisions-crash-'));
    const first = await openStore({ dataDir: dir });
    await bootstrapStore(first, { adminPassword: 'correct horse battery staple' });
    await first.close();
    const acked = new Map<string, number>();
    const runs = 4;
    for (let r = 0; r < runs; r++) {
      const round = await runAndKill(dir, `r${r}`, 200 + Math.floor(Math.random() * 1500));
      for (const [id, index] of round) acked.set(id, index);
    }
    expect(acked.size).toBeGreaterThan(0);

    // Restart: the sequencer reconciles the log with the outbox and drains what is staged.
    const store = await openStore({ dataDir: dir });
    const services = createServices(store, {
      ledger: { origin: ORIGIN, key: KEY, checkpointIntervalMs: 0 },
    });
    try {
      await services.start();
      const pending = await store.ledger.pending(ORIGIN, 1_000_000);
      await services.ledger.acknowledge(
        pending.map((p) => ({ seq: p.seq, type: 'crash.decision' })),
      );
      await services.ledger.writer().publish();

      const decisions = await store.db
        .selectFrom('audit_events')
        .select('target_id')
        .where('action', '=', 'crash.decision')
        .execute();
      const entries = await store.db
        .selectFrom('ledger_entries')
        .select(['subject_id', 'leaf_index', 'envelope'])
        .where('origin', '=', ORIGIN)
        .execute();
      const decided = new Set(decisions.map((d) => d.target_id));
      const logged = new Map(entries.map((e) => [e.subject_id, e]));
      // One to one: every decision its entry, every entry its decision, each sequenced once.
      expect(decided.size).toBe(decisions.length);
      expect(logged.size).toBe(entries.length);
      expect([...decided].sort()).toEqual([...logged.keys()].sort());
      expect(entries.every((e) => e.leaf_index !== null)).toBe(true);
      // Nothing acknowledged is lost, and it kept the index it was acknowledged with.
      for (const [id, index] of acked) {
        expect(decided.has(id)).toBe(true);
        expect(Number(logged.get(id)?.leaf_index)).toBe(index);
      }
      // The log holds exactly these leaves, and its tiles verify against the signed checkpoint.
      const writer = services.ledger.writer();
      expect(writer.size).toBe(entries.length);
      for (const e of entries.slice(0, 200))
        expect(await writer.entry(Number(e.leaf_index))).toEqual(new Uint8Array(e.envelope));
      const note = (await services.ledger.checkpointNote()) ?? '';
      const { vkey } = await ledgerVkeys(ORIGIN, KEY);
      const { checkpoint } = await openCheckpoint(note, [verifierFromVkey(vkey, nodeEd25519)]);
      expect(checkpoint.size).toBe(entries.length);
      const storage = ledgerLogStorage(store, ORIGIN);
      const verified = await verifyTiles((p) => storage.get(p), checkpoint, { entries: true });
      expect(verified.entries).toBe(entries.length);
      expect(hashLeaf(new Uint8Array(entries[0]!.envelope))).toHaveLength(32);
    } finally {
      await services.close();
    }
  });
});
