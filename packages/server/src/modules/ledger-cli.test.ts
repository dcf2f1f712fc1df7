import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TILE_WIDTH, tilePath } from '@interdict/ledger';
import { openStore } from '@interdict/store';
import { repoRoot } from '@interdict/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapInstance } from '../bootstrap';
import { startServer, type RunningServer } from '../server';
import { silentLogger } from '../testing';
import { ledgerVkeys } from '@interdict/services';

// `interdict ledger verify-tiles --url` as a user runs it: the real `interdict` command in its own
// process, against a real server listening on a free port, reading the C2SP tlog-tiles the
// server publishes under /ledger/<origin>/.

const ORIGIN = 'cli.interdict.test/log';
const KEY = Buffer.alloc(32, 31).toString('base64');
const EMAIL = 'ops@cli.example';
const PASSWORD = 'correct horse battery staple';
// More than one full tile, so the tree has a level-1 tile and a partial level-0 tile.
const ENTRIES = TILE_WIDTH + 40;

let dataDir: string;
let server: RunningServer;
let vkey: string;

function interdict(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(repoRoot, 'packages/cli/bin/interdict.js'), ...args],
      // The sources themselves, never a bundle built before this change.
      { env: { ...process.env, INTERDICT_NO_BUNDLE: '1' } },
      (error, stdout, stderr) =>
        resolve({
          code: error ? (typeof error.code === 'number' ? error.code : -1) : 0,
          out: stdout,
          err: stderr,
        }),
    );
  });
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'interdict-ledger-cli-'));
  const store = await openStore({ dataDir });
  await bootstrapInstance(store, { adminEmail: EMAIL, adminPassword: PASSWORD });
  server = await startServer({
    port: 0,
    host: '127.0.0.1',
    store,
    servicesOptions: {
      ledger: {
        origin: ORIGIN,
        key: KEY,
        witnesses: [],
        witnessLogs: [],
        checkpointIntervalMs: 50,
      },
    },
    logger: silentLogger,
    handleSignals: false,
  });
  vkey = (await ledgerVkeys(ORIGIN, KEY)).vkey;
  const signIn = await fetch(`${server.url}/api/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
  });
  const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const { csrfToken } = (await signIn.json()) as { csrfToken: string };
  const appended = await Promise.all(
    Array.from({ length: ENTRIES }, (_, n) =>
      fetch(`${server.url}/api/ledger/entries`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
        body: JSON.stringify({ type: 'note', body: { n }, wait: true }),
      }).then((r) => r.status),
    ),
  );
  expect(appended.every((s) => s === 201)).toBe(true);
}, 120_000);

afterAll(async () => {
  await server?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('interdict ledger verify-tiles --url against a running server', () => {
  it('recomputes the tree from the served tiles and bundles and accepts the signed checkpoint', async () => {
    const r = await interdict([
      'ledger',
      'verify-tiles',
      '--url',
      `${server.url}/ledger/${ORIGIN}/`,
      '--vkey',
      vkey,
    ]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`^valid: .*${ENTRIES}.* entries recomputed\\n$`));
  }, 60_000);

  it('refuses with a one-line reason: an unknown key, then a tampered tile', async () => {
    const other = (await ledgerVkeys(ORIGIN, Buffer.alloc(32, 32).toString('base64'))).vkey;
    const wrongKey = await interdict([
      'ledger',
      'verify-tiles',
      '--url',
      `${server.url}/ledger/${ORIGIN}/`,
      '--vkey',
      other,
    ]);
    expect(wrongKey.code).not.toBe(0);
    expect(wrongKey.out).toBe('');
    expect(wrongKey.err.trim().split('\n')).toHaveLength(1);
    expect(wrongKey.err).toMatch(/checkpoint verification failed/);

    // Flip one bit of a stored hash tile (the folder deployment keeps tiles as plain files, served
    // as they are): the recomputed tree no longer matches the signed checkpoint.
    const file = path.join(
      dataDir,
      'blobs',
      'ledger',
      ORIGIN,
      tilePath({ level: 0, index: 0, width: TILE_WIDTH }),
    );
    const good = readFileSync(file);
    const bad = Buffer.from(good);
    bad[100] = (bad[100] ?? 0) ^ 1;
    writeFileSync(file, bad);
    try {
      const tampered = await interdict([
        'ledger',
        'verify-tiles',
        '--url',
        `${server.url}/ledger/${ORIGIN}/`,
        '--vkey',
        vkey,
      ]);
      expect(tampered.code).toBe(1);
      expect(tampered.err.trim().split('\n')).toHaveLength(1);
      expect(tampered.err).toMatch(/tile verification failed/);
    } finally {
      writeFileSync(file, good);
    }
  }, 60_000);
});
