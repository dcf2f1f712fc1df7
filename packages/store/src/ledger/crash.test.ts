import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ed25519Signer,
  openCheckpoint,
  ed25519Verifier,
  Sequencer,
  verifyConsistency,
  verifyTiles,
  type Checkpoint,
} from '@interdict/ledger';
import { nodeEd25519 } from '@interdict/ledger/node';
import { afterAll, describe, expect, it } from 'vitest';
import { folderLogStorage } from './storage';

// The crash test of issue 4: a child process appends as fast as it can and is SIGKILLed at a
// random moment, several times; after each restart nothing it acknowledged may be missing and
// every checkpoint it ever published must be consistent with the recovered log.
const here = path.dirname(fileURLToPath(import.meta.url));
const child = path.join(here, 'crash-child.ts');
const ORIGIN = 'crash.test/log';

interface Round {
  acks: Map<number, string>;
  notes: string[];
}

function runAndKill(dir: string, run: string, killAfterMs: number): Promise<Round> {
  return new Promise((resolve, reject) => {
    // node itself with tsx's loader: SIGKILL must hit the process that writes (the tsx CLI
    // would leave its node child running).
    const p = spawn(process.execPath, ['--import', 'tsx', child, dir, ORIGIN, run], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acks = new Map<number, string>();
    const notes: string[] = [];
    let buf = '';
    let err = '';
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const [kind, a, b] = line.split(' ');
        if (kind === 'ready') setTimeout(() => p.kill('SIGKILL'), killAfterMs);
        else if (kind === 'ack') acks.set(Number(a), b as string);
        else if (kind === 'cp') notes.push(Buffer.from(a as string, 'base64').toString('utf8'));
      }
    });
    p.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve({ acks, notes });
      else reject(new Error(`child exited with ${code}: ${err}`));
    });
  });
}

describe('ledger crash safety (SIGKILL)', () => {
  let dir: string;
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('never loses an acknowledged entry and stays consistent with every published checkpoint', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'interdict-crash-'));
    const acked = new Map<number, string>();
    const notes: string[] = [];
    for (let r = 0; r < 5; r++) {
      const round = await runAndKill(dir, `r${r}`, 50 + Math.floor(Math.random() * 400));
      for (const [i, id] of round.acks) {
        // An index acknowledged twice with different entries would be a lost entry.
        expect(acked.get(i) ?? id).toBe(id);
        acked.set(i, id);
      }
      notes.push(...round.notes);
    }
    expect(acked.size).toBeGreaterThan(0);
    const signer = await ed25519Signer(ORIGIN, new Uint8Array(32).fill(9), nodeEd25519);
    const storage = folderLogStorage(dir, ORIGIN);
    const seq = await Sequencer.open({ origin: ORIGIN, signer, storage, checkpointIntervalMs: 0 });
    const final = seq.checkpoint?.checkpoint as Checkpoint;
    for (const [i, id] of acked) {
      expect(i).toBeLessThan(final.size);
      expect(new TextDecoder().decode(await seq.entry(i))).toBe(id);
    }
    const verifier = ed25519Verifier(ORIGIN, signer.publicKey, nodeEd25519);
    for (const note of notes) {
      const { checkpoint } = await openCheckpoint(note, [verifier], ORIGIN);
      if (checkpoint.size === 0) continue;
      if (checkpoint.size === final.size) {
        expect(Buffer.from(checkpoint.root)).toEqual(Buffer.from(final.root));
        continue;
      }
      const proof = seq.hashes.consistencyProof(checkpoint.size, final.size);
      verifyConsistency(checkpoint.size, final.size, proof, checkpoint.root, final.root);
    }
    await verifyTiles((k) => storage.get(k), final, { entries: true });
    await seq.close();
  });
});
