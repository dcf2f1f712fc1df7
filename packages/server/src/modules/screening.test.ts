import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { canonicalJson } from '@interdict/core';
import { sharedData } from '@interdict/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, closeWorld, makeWorld, type Member, type World } from '../testing';

interface Match {
  listVersions: string[];
  results: {
    hits: { entityId: string; score: number; explanation: { adjustments: unknown[] } }[];
  }[];
}

describe('screening module', () => {
  let w: World;

  beforeAll(async () => {
    w = await makeWorld();
    const system = await w.store.systemActor();
    const xml = readFileSync(
      sharedData('watchlists', 'un-consolidated-2026-02', 'UN_consolidated.xml'),
    );
    const { job } = await w.services.ingest.run(system, {
      kind: 'un-consolidated',
      sourceName: 'UN_consolidated.xml',
      input: Readable.from([xml]) as AsyncIterable<Uint8Array>,
    });
    expect(job.status, job.error ?? '').toBe('succeeded');
  });
  afterAll(async () => {
    await closeWorld(w);
  });

  it('matches one or many queries with explained hits and the list versions used', async () => {
    const res = await call(w.app, w.members.agency.officer, 'POST', '/api/screening/match', {
      queries: [
        { name: 'Eric Badege' },
        { name: 'BADEGE Eric', birthDate: '1990' },
        { name: 'Nobody Atall' },
      ],
      threshold: 0.5,
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Match;
    expect(body.listVersions).toEqual(['un@2026-02-27']);
    expect(body.results[0]?.hits[0]?.entityId).toBe('un:6907993');
    expect(body.results[0]?.hits[0]?.score).toBe(1);
    // A contradicting year of birth subtracts, and says so.
    expect(body.results[1]?.hits[0]?.score).toBeLessThan(1);
    expect(body.results[1]?.hits[0]?.explanation.adjustments).toHaveLength(1);
    expect(body.results[2]?.hits).toEqual([]);
  });

  it('answers a batch of more than 200 queries as the same queries one by one', async () => {
    const names = ['Eric Badege', 'Nobody Atall', 'BADEGE Eric'];
    const queries = Array.from({ length: 230 }, (_, i) => ({ name: names[i % 3]! }));
    const res = await call(w.app, w.members.agency.analyst, 'POST', '/api/screening/match', {
      queries,
      threshold: 0.5,
    });
    expect(res.status).toBe(200);
    const batch = (await res.json()) as Match;
    expect(batch.results).toHaveLength(230);
    for (const [i, name] of names.entries()) {
      const one = (await (
        await call(w.app, w.members.agency.analyst, 'POST', '/api/screening/match', {
          queries: [{ name }],
          threshold: 0.5,
        })
      ).json()) as Match;
      expect(batch.results[i]).toEqual(one.results[0]);
      expect(batch.results[i + 225]).toEqual(one.results[0]);
    }
  });

  it('refuses anonymous callers and partners, and bad queries', async () => {
    const q = { queries: [{ name: 'Eric Badege' }] };
    expect((await call(w.app, undefined, 'POST', '/api/screening/match', q)).status).toBe(401);
    expect(
      (await call(w.app, w.members.agency.partner, 'POST', '/api/screening/match', q)).status,
    ).toBe(403);
    const empty = await call(w.app, w.members.home.analyst, 'POST', '/api/screening/match', {
      queries: [{ name: '---' }],
    });
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as { code: string }).code).toBe('NAME_EMPTY');
    const long = await call(w.app, w.members.home.analyst, 'POST', '/api/screening/match', {
      queries: [{ name: 'x'.repeat(5000) }],
    });
    expect(long.status).toBe(400);
  });

  it('shows an entity, records a decision for the officer organisation only', async () => {
    const officer = w.members.agency.officer;
    const entity = await call(w.app, officer, 'GET', '/api/screening/entities/un:6907993');
    expect(entity.status).toBe(200);
    const d = await call(w.app, officer, 'POST', '/api/screening/decisions', {
      entityId: 'un:6907993',
      queryName: 'Eric Badege',
      decision: 'dismissed',
      note: 'different date of birth',
      score: 0.8,
    });
    expect(d.status).toBe(201);
    const decision = (await d.json()) as Record<string, unknown> & {
      ledger: { origin: string; index: number } | null;
    };
    // Committed to the ledger: the leaf is a hiding commitment to an opening that names the
    // organisation and the SHA-256 of the decision as stored (RFC 8785 canonical JSON of every
    // field but where it was committed); the deciding organisation reads the opening.
    expect(decision.ledger?.index).toEqual(expect.any(Number));
    const leaf = await call(w.app, officer, 'GET', `/api/ledger/entries/${decision.ledger!.index}`);
    expect(leaf.status).toBe(200);
    const entry = (await leaf.json()) as {
      recordType: string;
      envelope: string;
      opening: string;
      body: unknown;
    };
    expect(entry.recordType).toBe('screening.decision');
    const { ledger: _where, ...stored } = decision;
    expect(Object.keys(JSON.parse(entry.envelope) as object).sort()).toEqual(['commitment', 'v']);
    const envelope = JSON.parse(entry.opening) as { bodySha256: string; organisation: string };
    expect(envelope.organisation).toBe(officer.organisationId);
    expect(envelope.bodySha256).toBe(
      createHash('sha256').update(canonicalJson(stored)).digest('hex'),
    );
    expect(entry.body).toEqual(stored);
    // Another organisation cannot read the entry behind it.
    expect(
      (
        await call(
          w.app,
          w.members.home.officer,
          'GET',
          `/api/ledger/entries/${decision.ledger!.index}`,
        )
      ).status,
    ).toBe(404);
    const mine = (await (
      await call(w.app, officer, 'GET', '/api/screening/entities/un:6907993')
    ).json()) as {
      decisions: { ledger: unknown }[];
    };
    expect(mine.decisions).toHaveLength(1);
    expect(mine.decisions[0]?.ledger).toEqual(decision.ledger);
    const theirs = (await (
      await call(w.app, w.members.home.officer, 'GET', '/api/screening/entities/un:6907993')
    ).json()) as { decisions: unknown[] };
    expect(theirs.decisions).toHaveLength(0);
    const viewer = await call(w.app, w.members.agency.viewer, 'POST', '/api/screening/decisions', {
      entityId: 'un:6907993',
      queryName: 'Eric Badege',
      decision: 'confirmed',
    });
    expect(viewer.status).toBe(403);
    expect((await call(w.app, officer, 'GET', '/api/screening/entities/un:missing')).status).toBe(
      404,
    );
    const lists = (await (await call(w.app, officer, 'GET', '/api/screening/lists')).json()) as {
      items: { current: boolean }[];
    };
    expect(lists.items.filter((v) => v.current)).toHaveLength(1);
  });

  it('commits each decision as one ledger entry that names the screened name and score, for its organisation only', async () => {
    const officer = w.members.agency.officer;
    const before = await ledgerEntries(w);
    const d = await call(w.app, officer, 'POST', '/api/screening/decisions', {
      entityId: 'un:6907993',
      queryName: 'BADEGE Eric',
      decision: 'confirmed',
      note: 'same year of birth',
      score: 0.93,
    });
    expect(d.status).toBe(201);
    const decision = (await d.json()) as { id: string; ledger: { index: number } };
    expect(await ledgerEntries(w)).toBe(before + 1);
    const entry = (await (
      await call(w.app, officer, 'GET', `/api/ledger/entries/${decision.ledger.index}`)
    ).json()) as { recordType: string; body: Record<string, unknown> };
    expect(entry.recordType).toBe('screening.decision');
    expect(entry.body).toMatchObject({
      id: decision.id,
      entityId: 'un:6907993',
      queryName: 'BADEGE Eric',
      decision: 'confirmed',
      score: 0.93,
      userId: officer.id,
      organisationId: officer.organisationId,
    });
    // The decision's page finds its entry (with a proof once checkpointed) by subject.
    const subject = `/api/ledger/subjects/screening.decision/${decision.id}`;
    const mine = (await (await call(w.app, officer, 'GET', subject)).json()) as {
      items: { index: number }[];
    };
    expect(mine.items.map((e) => e.index)).toEqual([decision.ledger.index]);
    for (const other of [w.members.home.officer, w.members.home.viewer]) {
      expect(
        (await call(w.app, other, 'GET', `/api/ledger/entries/${decision.ledger.index}`)).status,
      ).toBe(404);
      const theirs = (await (await call(w.app, other, 'GET', subject)).json()) as {
        items: unknown[];
      };
      expect(theirs.items).toEqual([]);
    }
  });

  it('refuses a decision on an entity not listed, bad input or a role that may not decide, and logs nothing', async () => {
    const officer = w.members.agency.officer;
    const before = await ledgerEntries(w);
    const decide = (member: Member | undefined, body: Record<string, unknown>) =>
      call(w.app, member, 'POST', '/api/screening/decisions', {
        entityId: 'un:6907993',
        queryName: 'Eric Badege',
        decision: 'dismissed',
        ...body,
      });
    const missing = await decide(officer, { entityId: 'un:missing' });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { detail: string }).detail).toMatch(/un:missing/);
    expect((await decide(officer, { score: 1.5 })).status).toBe(400);
    expect((await decide(officer, { decision: 'maybe' })).status).toBe(400);
    expect((await decide(officer, { queryName: '---' })).status).toBe(400);
    expect((await decide(w.members.agency.partner, {})).status).toBe(403);
    expect((await decide(w.members.agency.viewer, {})).status).toBe(403);
    expect((await decide(undefined, {})).status).toBe(401);
    expect(await ledgerEntries(w)).toBe(before);
  });
});

/** Every entry staged in the ledger (the outbox included), whoever's. */
async function ledgerEntries(world: World): Promise<number> {
  const row = await world.store.db
    .selectFrom('ledger_entries')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

// Small OFAC legacy sdn.csv files written for this test; the newer one adds entry 203.
const sdnRow = (id: number, name: string, type: string) =>
  `${id},"${name}","${type}","SDNTK",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- `;
const OLD_SDN = [
  sdnRow(201, 'ZAMBRANO ORTEGA, Hector', 'individual'),
  sdnRow(202, 'BLUE SEA SHIPPING LTD', '-0- '),
].join('\r\n');
const NEW_SDN = [OLD_SDN, sdnRow(203, 'KOVALENKO, Dmitri Ivanovich', 'individual')].join('\r\n');

describe('screening monitored parties over HTTP', () => {
  let w: World;
  const ingest = async (sourceName: string, text: string) => {
    const { job } = await w.services.ingest.run(await w.store.systemActor(), {
      kind: 'ofac-sdn',
      sourceName,
      input: Readable.from([new TextEncoder().encode(text)]) as AsyncIterable<Uint8Array>,
    });
    expect(job.status, job.error ?? '').toBe('succeeded');
    return job.summary as { version: string };
  };

  beforeAll(async () => {
    w = await makeWorld();
  });
  afterAll(async () => {
    await closeWorld(w);
  });

  it('adds a party, and after a newer list reports exactly its new hit as an alert', async () => {
    await ingest('sdn-2024-01-01.csv', OLD_SDN);
    const analyst = w.members.agency.analyst;
    const added = await call(w.app, analyst, 'POST', '/api/screening/parties', {
      name: 'Dmitri Kovalenko',
      schema: 'Person',
      note: 'shipper on declaration 17',
    });
    expect(added.status).toBe(201);
    const party = (await added.json()) as { id: string; hits: unknown[] };
    expect(party.hits).toEqual([]);
    const baseline = await call(w.app, analyst, 'POST', '/api/screening/parties', {
      name: 'Hector Zambrano Ortega',
    });
    expect(((await baseline.json()) as { hits: { entityId: string }[] }).hits).toMatchObject([
      { entityId: 'ofac:201' },
    ]);
    const update = await ingest('sdn-2024-02-01.csv', NEW_SDN);
    const alerts = await call(w.app, w.members.agency.officer, 'GET', '/api/screening/alerts');
    expect(alerts.status).toBe(200);
    const items = ((await alerts.json()) as { items: Record<string, unknown>[] }).items;
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      partyId: party.id,
      entityId: 'ofac:203',
      listVersion: update.version,
      trigger: 'list-update',
    });
  });

  it('acknowledges alerts and sets thresholds for the own organisation only', async () => {
    const officer = w.members.agency.officer;
    const [alert] = (
      (await (await call(w.app, officer, 'GET', '/api/screening/alerts')).json()) as {
        items: { partyId: string; entityId: string }[];
      }
    ).items;
    const path = `/api/screening/parties/${alert!.partyId}/alerts/${encodeURIComponent(alert!.entityId)}/acknowledgement`;
    const note = { note: 'not our shipper: different father name' };
    expect((await call(w.app, undefined, 'POST', path, note)).status).toBe(401);
    expect((await call(w.app, w.members.agency.viewer, 'POST', path, note)).status).toBe(403);
    expect((await call(w.app, w.members.agency.partner, 'POST', path, note)).status).toBe(403);
    expect((await call(w.app, w.members.home.officer, 'POST', path, note)).status).toBe(404);
    const empty = await call(w.app, officer, 'POST', path, { note: ' ' });
    expect(empty.status).toBe(400);
    expect(empty.headers.get('content-type')).toContain('application/problem+json');
    const done = await call(w.app, officer, 'POST', path, note);
    expect(done.status).toBe(200);
    expect(await done.json()).toMatchObject({
      acknowledgement: { by: officer.id, note: note.note },
    });
    expect((await call(w.app, officer, 'POST', path, note)).status).toBe(409);
    const list = async (status: string) =>
      (
        (await (
          await call(
            w.app,
            w.members.agency.viewer,
            'GET',
            `/api/screening/alerts?status=${status}`,
          )
        ).json()) as { items: unknown[] }
      ).items.length;
    expect([await list('open'), await list('acknowledged'), await list('all')]).toEqual([0, 1, 1]);
    expect((await call(w.app, officer, 'GET', '/api/screening/alerts?status=closed')).status).toBe(
      400,
    );

    // Thresholds: a party's own (officers), the organisation's default (admins).
    const party = `/api/screening/parties/${alert!.partyId}`;
    expect((await call(w.app, officer, 'PATCH', party, { threshold: 0.2 })).status).toBe(400);
    expect(
      (await call(w.app, w.members.agency.viewer, 'PATCH', party, { threshold: 0.8 })).status,
    ).toBe(403);
    expect(
      (await call(w.app, w.members.home.officer, 'PATCH', party, { threshold: 0.8 })).status,
    ).toBe(404);
    const patched = await call(w.app, officer, 'PATCH', party, { threshold: 0.8 });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({ threshold: 0.8, effectiveThreshold: 0.8 });
    const settings = '/api/screening/monitoring/settings';
    expect((await call(w.app, officer, 'PUT', settings, { threshold: 0.9 })).status).toBe(403);
    expect((await call(w.app, w.members.agency.partner, 'GET', settings)).status).toBe(403);
    const put = await call(w.app, w.members.agency.admin, 'PUT', settings, { threshold: 0.9 });
    expect(put.status).toBe(200);
    const mine = (await (await call(w.app, w.members.agency.viewer, 'GET', settings)).json()) as {
      threshold: number;
    };
    const theirs = (await (await call(w.app, w.members.home.viewer, 'GET', settings)).json()) as {
      threshold: number;
    };
    expect([mine.threshold, theirs.threshold]).toEqual([0.9, 0.7]);
    expect((await call(w.app, officer, 'PATCH', party, { threshold: null })).status).toBe(200);
  });

  it('keeps parties and alerts from other organisations, viewers and partners', async () => {
    const home = w.members.home.admin;
    const mine = (await (
      await call(w.app, w.members.agency.admin, 'GET', '/api/screening/parties')
    ).json()) as { items: { id: string }[] };
    expect(mine.items).toHaveLength(2);
    const theirs = (await (await call(w.app, home, 'GET', '/api/screening/parties')).json()) as {
      items: unknown[];
    };
    expect(theirs.items).toEqual([]);
    const homeAlerts = (await (await call(w.app, home, 'GET', '/api/screening/alerts')).json()) as {
      items: unknown[];
    };
    expect(homeAlerts.items).toEqual([]);
    const id = mine.items[0]!.id;
    expect((await call(w.app, home, 'DELETE', `/api/screening/parties/${id}`)).status).toBe(404);
    // Viewers read their organisation's parties and alerts; partners read neither.
    const viewer = w.members.agency.viewer;
    expect((await call(w.app, viewer, 'GET', '/api/screening/parties')).status).toBe(200);
    expect((await call(w.app, viewer, 'GET', '/api/screening/alerts')).status).toBe(200);
    const partner = w.members.agency.partner;
    expect((await call(w.app, partner, 'GET', '/api/screening/parties')).status).toBe(403);
    expect((await call(w.app, partner, 'GET', '/api/screening/alerts')).status).toBe(403);
    for (const m of [viewer, partner]) {
      expect(
        (await call(w.app, m, 'POST', '/api/screening/parties', { name: 'Someone Else' })).status,
      ).toBe(403);
      expect((await call(w.app, m, 'DELETE', `/api/screening/parties/${id}`)).status).toBe(403);
    }
    expect((await call(w.app, undefined, 'GET', '/api/screening/alerts')).status).toBe(401);
    const bad = await call(w.app, w.members.agency.analyst, 'POST', '/api/screening/parties', {
      name: 'A B',
      nationality: 'Atlantis',
    });
    expect(bad.status).toBe(400);
    const gone = await call(
      w.app,
      w.members.agency.analyst,
      'DELETE',
      `/api/screening/parties/${id}`,
    );
    expect(gone.status).toBe(204);
    const left = (await (
      await call(w.app, w.members.agency.admin, 'GET', '/api/screening/parties')
    ).json()) as { items: { id: string }[] };
    expect(left.items.map((p) => p.id)).not.toContain(id);
  });
});
