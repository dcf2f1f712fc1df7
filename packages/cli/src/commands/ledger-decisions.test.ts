import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type LedgerEntryView, type Services } from '@interdict/services';
import { openStore, registerIngestKind, type Actor } from '@interdict/store';
import { ExitCode } from '../exit-codes';
import { runCaptured as run } from '../testing';

// Issue 12 §6 from the command line: the CLI goes through the same services as the API, so a
// user created, a role changed, a user disabled, a token created or revoked, and whatever an
// ingest job puts in force are committed to the ledger whichever edge made the change. Run in
// process against a temporary data folder (the embedded PGlite).

let dir: string;
const saved = { data: process.env.INTERDICT_DATA, url: process.env.DATABASE_URL };
let unregister: () => void;

/** Opens the folder between runs (PGlite allows one holder at a time), as its operator. */
async function withServices<T>(fn: (services: Services, operator: Actor) => Promise<T>) {
  const store = await openStore({ dataDir: process.env.INTERDICT_DATA });
  const services = createServices(store);
  try {
    return await fn(services, await store.systemActor());
  } finally {
    await services.close();
  }
}

/** Entries of a record type, oldest first, with their bodies. */
function entriesOf(type: string): Promise<LedgerEntryView[]> {
  return withServices(async (services, operator) => {
    const { items } = await services.ledger.list(operator, { recordType: type, limit: 500 });
    return items.reverse();
  });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'interdict-cli-ledger-'));
  process.env.INTERDICT_DATA = path.join(dir, 'data');
  delete process.env.DATABASE_URL;
  unregister = registerIngestKind({
    kind: 'cli-test-release',
    description: 'test only: puts a release in force',
    fileHint: 'any text',
    async run(ctx) {
      let bytes = 0;
      for await (const chunk of ctx.input) bytes += chunk.length;
      await ctx.record({
        type: 'cli-test.release',
        body: { bytes },
        subject: { type: 'cli-test.release', id: ctx.jobId },
      });
      return { bytes };
    },
  });
  const init = await run(['init']);
  expect(init.code, init.err).toBe(ExitCode.ok);
});

afterAll(async () => {
  unregister?.();
  if (saved.data === undefined) delete process.env.INTERDICT_DATA;
  else process.env.INTERDICT_DATA = saved.data;
  if (saved.url !== undefined) process.env.DATABASE_URL = saved.url;
  await rm(dir, { recursive: true, force: true });
});

describe('decisions made with the interdict command', { timeout: 120_000 }, () => {
  it('records users created, their role changed, disabled and re-enabled', async () => {
    for (const args of [
      ['users', 'add', 'ana@example.org', '--name', 'Ana', '--role', 'analyst'],
      ['users', 'set-role', 'ana@example.org', 'officer'],
      ['users', 'disable', 'ana@example.org'],
      ['users', 'enable', 'ana@example.org'],
    ]) {
      const r = await run(args);
      expect(r.code, r.err).toBe(ExitCode.ok);
    }
    const entries = await entriesOf('platform.user');
    expect(entries.map((e) => e.body)).toMatchObject([
      {
        action: 'created',
        by: { userId: null, role: 'admin' },
        user: { email: 'ana@example.org', role: 'analyst' },
      },
      {
        changed: ['role'],
        before: { role: 'analyst', disabled: false },
        after: { role: 'officer', disabled: false },
      },
      { changed: ['disabled'], after: { role: 'officer', disabled: true } },
      { changed: ['disabled'], after: { role: 'officer', disabled: false } },
    ]);
    expect(entries.every((e) => e.index !== null)).toBe(true);
  });

  it('records a token created and revoked, never its secret', async () => {
    const created = await run(['tokens', 'create', 'nightly job', '--role', 'viewer']);
    expect(created.code, created.err).toBe(ExitCode.ok);
    const secret = created.out.trim();
    const id = /created token ([0-9a-f-]{36})/.exec(created.err)?.[1] ?? '';
    const revoked = await run(['tokens', 'revoke', id]);
    expect(revoked.code, revoked.err).toBe(ExitCode.ok);
    const entries = await entriesOf('platform.token');
    expect(entries.map((e) => [e.subject?.id, (e.body as { action: string }).action])).toEqual([
      [id, 'created'],
      [id, 'revoked'],
    ]);
    expect(JSON.stringify(entries)).not.toContain(secret);
  });

  it('records what an ingest job puts in force, loaded from the command line', async () => {
    const file = path.join(dir, 'release.txt');
    await writeFile(file, 'twelve bytes');
    const r = await run(['ingest', 'cli-test-release', file]);
    expect(r.code, r.err).toBe(ExitCode.ok);
    const jobId = /job ([0-9a-f-]{36}) succeeded/.exec(r.out)?.[1] ?? '';
    const entries = await withServices((services, operator) =>
      services.ledger.entriesFor(operator, 'cli-test.release', jobId),
    );
    expect(entries.map((e) => e.body)).toEqual([{ bytes: 12 }]);
  });
});
