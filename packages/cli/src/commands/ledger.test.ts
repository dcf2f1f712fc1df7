import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  ed25519Signer,
  formatProofBundle,
  hashLeaf,
  Sequencer,
  TreeHashes,
} from '@interdict/ledger';
import { folderLogStorage } from '@interdict/store';
import { sharedData } from '@interdict/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../exit-codes';
import { runCaptured } from '../testing';

// serverless-log checkpoints and key: ../shared/data/merkle-vectors/SOURCE.md §2.
const ASTRA = 'astra+cad5a3d2+AZJqeuyE/GnknsCNh1eCtDtwdAwKBddOlS8M2eI1Jt4b';
const OTHER = 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k';
const logDir = sharedData('merkle-vectors', 'serverless-log', 'testdata', 'log');
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

const run = (args: string[]) => runCaptured(['ledger', ...args]);

describe('interdict ledger verify-*', () => {
  const tree = new TreeHashes();
  for (let i = 0; i < 15; i++)
    tree.append(
      hashLeaf(readFileSync(`${logDir}/seq/00/00/00/00/${i.toString(16).padStart(2, '0')}`)),
    );
  const cp = (n: number) => `${logDir}/checkpoint.${n}`;
  let dir: string;
  let vkey: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'interdict-cli-ledger-'));
    const signer = await ed25519Signer('cli.test/log', new Uint8Array(32).fill(4));
    vkey = signer.vkey;
    const seq = await Sequencer.open({
      origin: 'cli.test/log',
      signer,
      storage: folderLogStorage(dir, 'cli.test/log'),
      checkpointIntervalMs: 0,
    });
    await Promise.all(
      Array.from({ length: 600 }, (_, i) => seq.append(new TextEncoder().encode(`entry ${i}`))),
    );
    await seq.close();
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('verify-checkpoint: 0 when valid, 1 for an untrusted key, 3 for a malformed file', async () => {
    const ok = await run(['verify-checkpoint', '--checkpoint', cp(5), '--vkey', ASTRA]);
    expect(ok.code).toBe(ExitCode.ok);
    expect(ok.out).toMatch(/^valid: example\.com\/testdata size 5 /);
    const bad = await run(['verify-checkpoint', '--checkpoint', cp(5), '--vkey', OTHER]);
    expect(bad.code).toBe(ExitCode.checkFailed);
    expect(bad.err.trim().split('\n')).toHaveLength(1);
    expect(bad.err).toMatch(/NOTE_NO_VERIFIED_SIGNATURE/);
    const file = path.join(dir, 'broken');
    await writeFile(file, 'example.com/testdata\n5\n\n\u2014 astra AAAAAAAA\n');
    expect((await run(['verify-checkpoint', '--checkpoint', file, '--vkey', ASTRA])).code).toBe(
      ExitCode.badInput,
    );
  });

  it('verify-inclusion and verify-consistency', async () => {
    const leaf = b64(tree.node(0, 2));
    const proof = tree.inclusionProof(2, 5).map(b64).join(',');
    expect(
      (
        await run([
          'verify-inclusion',
          '--checkpoint',
          cp(5),
          '--vkey',
          ASTRA,
          '--leaf-hash',
          leaf,
          '--index',
          '2',
          '--proof',
          proof,
        ])
      ).code,
    ).toBe(ExitCode.ok);
    const wrong = await run([
      'verify-inclusion',
      '--checkpoint',
      cp(5),
      '--vkey',
      ASTRA,
      '--leaf-hash',
      leaf,
      '--index',
      '3',
      '--proof',
      proof,
    ]);
    expect(wrong.code).toBe(ExitCode.checkFailed);
    const cproof = tree.consistencyProof(3, 12).map(b64).join(',');
    expect(
      (
        await run([
          'verify-consistency',
          '--old',
          cp(3),
          '--new',
          cp(12),
          '--vkey',
          ASTRA,
          '--proof',
          cproof,
        ])
      ).code,
    ).toBe(ExitCode.ok);
    const swapped = await run([
      'verify-consistency',
      '--old',
      cp(4),
      '--new',
      cp(12),
      '--vkey',
      ASTRA,
      '--proof',
      cproof,
    ]);
    expect(swapped.code).toBe(ExitCode.checkFailed);
  });

  it('verify-inclusion --bundle checks a C2SP tlog-proof file', async () => {
    const bundle = path.join(dir, 'entry.tlog-proof');
    const note = readFileSync(cp(7), 'utf8');
    await writeFile(
      bundle,
      formatProofBundle({ index: 4, proof: tree.inclusionProof(4, 7), checkpoint: note }),
    );
    const leaf = b64(tree.node(0, 4));
    expect(
      (await run(['verify-inclusion', '--bundle', bundle, '--vkey', ASTRA, '--leaf-hash', leaf]))
        .code,
    ).toBe(ExitCode.ok);
    const other = b64(tree.node(0, 5));
    expect(
      (await run(['verify-inclusion', '--bundle', bundle, '--vkey', ASTRA, '--leaf-hash', other]))
        .code,
    ).toBe(ExitCode.checkFailed);
  });

  it('verify-tiles --dir recomputes the tree, and fails on a truncated tile', async () => {
    const logRoot = path.join(dir, 'ledger', 'cli.test/log');
    const ok = await run(['verify-tiles', '--dir', logRoot, '--vkey', vkey]);
    expect(ok.out).toMatch(/600 entries recomputed/);
    expect(ok.code).toBe(ExitCode.ok);
    await truncate(path.join(logRoot, 'tile/0/000'), 100);
    const bad = await run(['verify-tiles', '--dir', logRoot, '--vkey', vkey]);
    expect(bad.code).toBe(ExitCode.badInput);
    expect(bad.err).toMatch(/TILE_MALFORMED/);
  });
});
