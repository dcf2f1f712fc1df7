import {
  hashLeaf,
  openCheckpoint,
  verifierFromVkey,
  verifyConsistency,
  verifyProofBundle,
  verifyTiles,
} from '@interdict/ledger';
import { nodeEd25519 } from '@interdict/ledger/node';
import { openStore, sequencerLockHolder, type Store } from '@interdict/store';
import { createTestSchema, type TestSchema } from '@interdict/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapInstance } from '../bootstrap';
import { startServer, type RunningServer } from '../server';
import { silentLogger } from '../testing';
import { ledgerVkeys } from '@interdict/services';

// Two server replicas over one PostgreSQL schema: only the holder of the log's advisory lock
// sequences; the other serves the log read-only, refuses appends with 503 LEDGER_NOT_SEQUENCER,
// and takes over once the holder is gone.

const ORIGIN = 'replicas.interdict.test/log';
const KEY = Buffer.alloc(32, 21).toString('base64');
const EMAIL = 'ops@replicas.example';
const PASSWORD = 'correct horse battery staple';

interface Replica {
  store: Store;
  server: RunningServer;
  closed: boolean;
}

async function replica(url: string): Promise<Replica> {
  const store = await openStore({ databaseUrl: url, poolSize: 4 });
  const server = await startServer({
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
        sequencerRetryMs: 50,
      },
    },
    logger: silentLogger,
    handleSignals: false,
  });
  return { store, server, closed: false };
}

interface Session {
  cookie: string;
  csrf: string;
}

async function signIn(base: string): Promise<Session> {
  const res = await fetch(`${base}/api/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
  });
  expect(res.status).toBe(200);
  return {
    cookie: (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '',
    csrf: ((await res.json()) as { csrfToken: string }).csrfToken,
  };
}

function append(base: string, s: Session, body: unknown): Promise<Response> {
  return fetch(`${base}/api/ledger/entries`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: s.cookie, 'x-csrf-token': s.csrf },
    body: JSON.stringify({ type: 'note', body, wait: true }),
  });
}

async function getJson<T>(base: string, s: Session, p: string): Promise<T> {
  const res = await fetch(`${base}${p}`, { headers: { cookie: s.cookie } });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

describe('ledger on PostgreSQL: one sequencer per log across replicas', () => {
  let schema: TestSchema;
  let a: Replica;
  let b: Replica;

  beforeAll(async () => {
    schema = await createTestSchema('ledger_replicas');
    a = await replica(schema.url);
    await bootstrapInstance(a.store, { adminEmail: EMAIL, adminPassword: PASSWORD });
    b = await replica(schema.url);
  });
  afterAll(async () => {
    for (const r of [a, b]) if (r && !r.closed) await r.server.close();
    await schema?.drop();
  });

  it('only the lock holder sequences; the other stages decisions for it, serves proofs, then takes over', async () => {
    const { vkey } = await ledgerVkeys(ORIGIN, KEY);
    const logKey = verifierFromVkey(vkey, nodeEd25519);
    const sa = await signIn(a.server.url);
    const sb = await signIn(b.server.url);

    // A's first ledger request starts its service, which takes the lock; B's finds it taken.
    const first = await append(a.server.url, sa, { n: 0 });
    expect(first.status).toBe(201);
    // B does not sequence: it commits the entry to the shared outbox and answers once A, the
    // lock holder, has appended it (issue 12: decisions never wait on which replica took them).
    const viaB = await append(b.server.url, sb, { n: 'via b' });
    expect(viaB.status).toBe(201);
    expect(((await viaB.json()) as { index: number }).index).toBe(1);

    for (let n = 1; n < 5; n++) expect((await append(a.server.url, sa, { n })).status).toBe(201);

    // B serves the log A wrote: the same checkpoint, tiles that rebuild it, and proofs.
    const infoA = await getJson<{ checkpoint: string; size: number; sequencing: boolean }>(
      a.server.url,
      sa,
      '/api/ledger',
    );
    const infoB = await getJson<{
      checkpoint: string;
      size: number;
      tilesPrefix: string;
      sequencing: boolean;
    }>(b.server.url, sb, '/api/ledger');
    expect(infoB.checkpoint).toBe(infoA.checkpoint);
    expect([infoA.sequencing, infoB.sequencing]).toEqual([true, false]);
    const old = (await openCheckpoint(infoB.checkpoint, [logKey])).checkpoint;
    expect(old.size).toBe(6);
    const entry = await getJson<{ proof: string; leafHash: string; envelope: string }>(
      b.server.url,
      sb,
      '/api/ledger/entries/3',
    );
    expect(Buffer.from(hashLeaf(new TextEncoder().encode(entry.envelope))).toString('base64')).toBe(
      entry.leafHash,
    );
    await verifyProofBundle(entry.proof, Buffer.from(entry.leafHash, 'base64'), [logKey]);
    const tiles = await verifyTiles(
      async (p) => {
        const r = await fetch(`${b.server.url}${infoB.tilesPrefix}${p}`);
        return r.status === 200 ? new Uint8Array(await r.arrayBuffer()) : undefined;
      },
      old,
      { entries: true },
    );
    expect(tiles.entries).toBe(6);

    // A goes away (its store closes, its session ends, the lock is released); B takes over
    // within its retry loop. Bounded wait: at most 200 attempts.
    await a.server.close();
    a.closed = true;
    let status = 0;
    for (let i = 0; i < 200 && status !== 201; i++) {
      const res = await append(b.server.url, sb, { n: 5 });
      status = res.status;
      if (status !== 201) {
        expect(status).toBe(503);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    expect(status).toBe(201);
    for (let n = 6; n < 9; n++) expect((await append(b.server.url, sb, { n })).status).toBe(201);

    // The log continued where A left it: consistency from A's last checkpoint verifies.
    const after = await getJson<{ checkpoint: string }>(b.server.url, sb, '/api/ledger');
    const now = (await openCheckpoint(after.checkpoint, [logKey])).checkpoint;
    expect(now.size).toBe(10);
    const c = await getJson<{ proof: string[] }>(
      b.server.url,
      sb,
      `/api/ledger/proofs/consistency?old=${old.size}&new=${now.size}`,
    );
    verifyConsistency(
      old.size,
      now.size,
      c.proof.map((p) => new Uint8Array(Buffer.from(p, 'base64'))),
      old.root,
      now.root,
    );
    const list = await getJson<{ items: { index: number }[] }>(
      b.server.url,
      sb,
      '/api/ledger/entries?limit=50',
    );
    expect(list.items.map((e) => e.index).sort((x, y) => x - y)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
    ]);
  });

  it('when the sequencing session is killed, the log is reopened from storage and stays consistent', async () => {
    const { vkey } = await ledgerVkeys(ORIGIN, KEY);
    const logKey = verifierFromVkey(vkey, nodeEd25519);
    const sb = await signIn(b.server.url);
    const before = await getJson<{ checkpoint: string }>(b.server.url, sb, '/api/ledger');
    const old = (await openCheckpoint(before.checkpoint, [logKey])).checkpoint;
    // End the session holding B's lock (as a DBA, a failover or a network cut would).
    const pid = await sequencerLockHolder(b.store, ORIGIN);
    expect(pid).toBeTypeOf('number');
    const killed = await b.store.db
      .selectNoFrom((eb) => eb.fn<boolean>('pg_terminate_backend', [eb.val(pid)]).as('ok'))
      .executeTakeFirst();
    expect(killed?.ok).toBe(true);
    // Appends fail until B notices and reopens the log; bounded wait, at most 200 attempts.
    let status = 0;
    for (let i = 0; i < 200 && status !== 201; i++) {
      status = (await append(b.server.url, sb, { n: 'after kill' })).status;
      if (status !== 201) await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe(201);
    const after = await getJson<{ checkpoint: string; tilesPrefix: string }>(
      b.server.url,
      sb,
      '/api/ledger',
    );
    const now = (await openCheckpoint(after.checkpoint, [logKey])).checkpoint;
    expect(now.size).toBeGreaterThan(old.size);
    const c = await getJson<{ proof: string[] }>(
      b.server.url,
      sb,
      `/api/ledger/proofs/consistency?old=${old.size}&new=${now.size}`,
    );
    verifyConsistency(
      old.size,
      now.size,
      c.proof.map((p) => new Uint8Array(Buffer.from(p, 'base64'))),
      old.root,
      now.root,
    );
    const tiles = await verifyTiles(
      async (p) => {
        const r = await fetch(`${b.server.url}${after.tilesPrefix}${p}`);
        return r.status === 200 ? new Uint8Array(await r.arrayBuffer()) : undefined;
      },
      now,
      { entries: true },
    );
    expect(tiles.entries).toBe(now.size);
  });
});
