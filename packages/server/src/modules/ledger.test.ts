import {
  cosignatureVerifier,
  hashLeaf,
  openCheckpoint,
  parsePolicy,
  parseVkey,
  verifierFromVkey,
  verifyCheckpointWithPolicy,
  verifyLeaf,
  verifyProofBundle,
  verifyTiles,
  type WitnessEndpoint,
} from '@interdict/ledger';
import { nodeEd25519 } from '@interdict/ledger/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerVkeys } from '@interdict/services';
import { call, closeWorld, makeWorld, type World } from '../testing';
import type { App } from '../env';

interface EntryAnswer {
  index: number;
  envelope: string;
  leafHash: string;
  body: unknown;
  opening: string | null;
  proof: string | null;
}

const keyA = Buffer.alloc(32, 11).toString('base64');
const keyB = Buffer.alloc(32, 12).toString('base64');

/** A witness reached through another world's app (`app` is read at the first cosigning). */
function witnessVia(app: () => App, vkey: string): WitnessEndpoint {
  return {
    verifier: cosignatureVerifier(parseVkey(vkey).name, parseVkey(vkey).publicKey, nodeEd25519),
    submit: async (body) => {
      const res = await app().request('/ledger/witness/add-checkpoint', { method: 'POST', body });
      return { status: res.status, body: await res.text() };
    },
  };
}

describe('ledger module: two instances that witness each other', () => {
  let a: World;
  let b: World;
  let keys: { a: { vkey: string; witnessVkey: string }; b: { vkey: string; witnessVkey: string } };

  beforeAll(async () => {
    keys = {
      a: await ledgerVkeys('a.interdict.test/log', keyA),
      b: await ledgerVkeys('b.interdict.test/log', keyB),
    };
    [a, b] = await Promise.all([
      makeWorld(
        {},
        {
          ledger: {
            origin: 'a.interdict.test/log',
            key: keyA,
            witnessLogs: [keys.b.vkey],
            witnesses: [witnessVia(() => b.app, keys.b.witnessVkey)],
            // A publishes only checkpoints B has cosigned.
            policy: `log ${keys.a.vkey}\nwitness B ${keys.b.witnessVkey}\nquorum B\n`,
            checkpointIntervalMs: 50,
          },
        },
      ),
      makeWorld(
        {},
        {
          ledger: {
            origin: 'b.interdict.test/log',
            key: keyB,
            witnessLogs: [keys.a.vkey],
            witnesses: [witnessVia(() => a.app, keys.a.witnessVkey)],
            checkpointIntervalMs: 50,
          },
        },
      ),
    ]);
  });
  afterAll(async () => {
    for (const w of [a, b]) await closeWorld(w);
  });

  it('appends, serves tiles and a checkpoint cosigned by the other instance, and proofs verify', async () => {
    const info = (await (
      await call(a.app, a.members.home.viewer, 'GET', '/api/ledger')
    ).json()) as { vkey: string; tilesPrefix: string };
    expect(info.vkey).toBe(keys.a.vkey);
    // Under A's policy even the first checkpoint carries B's cosignature.
    const first = await (await a.app.request(`${info.tilesPrefix}checkpoint`)).text();
    expect(first).toContain(parseVkey(keys.b.witnessVkey).name);
    const res = await call(a.app, a.members.home.analyst, 'POST', '/api/ledger/entries', {
      type: 'seizure-report',
      body: { kg: 42, drug: 'cocaine', port: 'NLRTM' },
      wait: true,
    });
    expect(res.status).toBe(201);
    const entry = (await res.json()) as EntryAnswer;
    expect(entry.proof).toMatch(/^c2sp\.org\/tlog-proof@v1\n/);
    // The tlog-proof verifies with nothing but the log's vkey.
    const logKey = verifierFromVkey(keys.a.vkey, nodeEd25519);
    await verifyProofBundle(entry.proof as string, Buffer.from(entry.leafHash, 'base64'), [logKey]);
    expect(Buffer.from(hashLeaf(new TextEncoder().encode(entry.envelope))).toString('base64')).toBe(
      entry.leafHash,
    );
    // The organisation's envelope signature verifies with its registered key.
    const { organisationKeys } = (await (
      await call(a.app, a.members.home.viewer, 'GET', '/api/ledger')
    ).json()) as {
      organisationKeys: { vkey: string }[];
    };
    // The entry is a v2 hiding commitment: the organisation's signature is in its opening,
    // which the submitting organisation reads and verifies with the registered key.
    expect(Object.keys(JSON.parse(entry.envelope) as object).sort()).toEqual(['commitment', 'v']);
    await verifyLeaf(
      new TextEncoder().encode(entry.envelope),
      organisationKeys.map((k) => verifierFromVkey(k.vkey, nodeEd25519)),
      { opening: new TextEncoder().encode(entry.opening ?? '') },
    );

    // Wait for a checkpoint cosigned by B (the interval is 50 ms).
    const policy = parsePolicy(
      `log ${keys.a.vkey}\nwitness B ${keys.b.witnessVkey}\nquorum B\n`,
      nodeEd25519,
    );
    let note = '';
    for (let i = 0; i < 100; i++) {
      await call(a.app, a.members.home.analyst, 'POST', '/api/ledger/entries', {
        type: 'note',
        body: i,
        wait: true,
      });
      const r = await a.app.request(`${info.tilesPrefix}checkpoint`);
      expect(r.headers.get('cache-control')).toMatch(/max-age=1/);
      note = await r.text();
      if (note.includes(parseVkey(keys.b.witnessVkey).name)) break;
    }
    const verdict = await verifyCheckpointWithPolicy(note, policy);
    expect(verdict.witnesses).toEqual(['B']);

    // Any tlog-tiles client can rebuild the tree from the served tiles and bundles.
    const tile = await a.app.request(`${info.tilesPrefix}tile/0/000.p/1`);
    expect(tile.headers.get('cache-control')).toMatch(/immutable/);
    const { checkpoint } = await openCheckpoint(note, [logKey]);
    const fetched = await verifyTiles(
      async (p) => {
        const r = await a.app.request(`${info.tilesPrefix}${p}`);
        return r.status === 200 ? new Uint8Array(await r.arrayBuffer()) : undefined;
      },
      checkpoint,
      { entries: true },
    );
    expect(fetched.entries).toBe(checkpoint.size);
  });

  it('B witnesses A and A witnesses B: the witness endpoint answers per tlog-witness', async () => {
    await call(b.app, b.members.home.officer, 'POST', '/api/ledger/entries', {
      type: 'note',
      body: 'b',
      wait: true,
    });
    const bLog = b.services.ledger.writer();
    await bLog.publish();
    // A now holds a cosigned size for B's log; a stale request gets 409 with that size.
    const stale = await a.app.request('/ledger/witness/add-checkpoint', {
      method: 'POST',
      body: `old 0\n\n${bLog.checkpoint?.note ?? ''}`,
    });
    expect([200, 409]).toContain(stale.status);
    if (stale.status === 409) expect(stale.headers.get('content-type')).toBe('text/x.tlog.size');
    const unknown = await a.app.request('/ledger/witness/add-checkpoint', {
      method: 'POST',
      body: 'old 0\n\nelsewhere.test/log\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n\u2014 elsewhere.test/log AAAAAAAAAAAA\n',
    });
    expect(unknown.status).toBe(404);
    expect(
      (await a.app.request('/ledger/witness/add-checkpoint', { method: 'POST', body: 'garbage' }))
        .status,
    ).toBe(400);
  });

  it('bodies stay with their organisation; viewers cannot append; tiles paths are validated', async () => {
    const created = (await (
      await call(a.app, a.members.home.officer, 'POST', '/api/ledger/entries', {
        type: 'tip',
        body: { secret: true },
      })
    ).json()) as EntryAnswer;
    const own = (await (
      await call(a.app, a.members.home.viewer, 'GET', `/api/ledger/entries/${created.index}`)
    ).json()) as EntryAnswer;
    expect(own.body).toEqual({ secret: true });
    expect(
      (await call(a.app, a.members.agency.admin, 'GET', `/api/ledger/entries/${created.index}`))
        .status,
    ).toBe(404);
    expect(
      (await call(a.app, undefined, 'GET', `/api/ledger/entries/${created.index}`)).status,
    ).toBe(401);
    expect(
      (
        await call(a.app, a.members.home.viewer, 'POST', '/api/ledger/entries', {
          type: 'x',
          body: 1,
        })
      ).status,
    ).toBe(403);
    const list = (await (
      await call(a.app, a.members.agency.admin, 'GET', '/api/ledger/entries')
    ).json()) as { items: unknown[] };
    expect(list.items).toHaveLength(0);
    expect((await a.app.request('/ledger/a.interdict.test/log/tile/0/1')).status).toBe(404);
    // Other /ledger paths are the console's Ledger page (SPA reload), not the log.
    expect((await a.app.request('/ledger')).headers.get('content-type')).toMatch(/text\/html/);
    const c = await call(
      a.app,
      a.members.home.viewer,
      'GET',
      '/api/ledger/proofs/consistency?old=1&new=2',
    );
    expect(c.status).toBe(200);
  });
});
