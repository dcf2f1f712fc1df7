import {
  kcsDayWithImporters,
  kcsTrainText,
  kingpinCompanies,
  sdnCsvText,
} from '@interdict/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, closeWorld, makeWorld, type World } from '../testing';
import { ingestText } from './targeting-test-data';

// Watchlist lane raises through the API (issue 6 §4): a declaration whose importer is on the
// OFAC SDN list goes red with the reason; another organisation sees none of it.

const sdnText = sdnCsvText();
// The first SDNTK (narcotics kingpin) company of three or more words, from the real list.
const kingpin = kingpinCompanies(sdnText)[0]!.name;
const DAY = '2021-01-04';
const {
  text: dayText,
  ids: [flaggedId],
} = kcsDayWithImporters(DAY, [{ name: kingpin }]);
const trainText = kcsTrainText('2020-02-01');

let world: World;

interface Item {
  id: string;
  lane: string;
  inspect: boolean;
  reasons: string[];
  raises: { source: string; lane: string; reason: string }[];
  parties: { role: string; name: string }[];
}

beforeAll(async () => {
  world = await makeWorld();
  await ingestText(world, 'ofac-sdn', 'sdn.csv', sdnText);
  await ingestText(world, 'declarations', 'train.csv', trainText);
  await ingestText(world, 'declarations', 'day.csv', dayText);
}, 300_000);

afterAll(async () => {
  // The services first (their scoring threads, the ledger's sequencer), then the store.
  await closeWorld(world);
});

describe('targeting API: watchlist raises', () => {
  it('scores the day with the watchlist reason on the queue and the declaration page', async () => {
    const { home } = world.members;
    expect(
      (await call(world.app, home.analyst, 'POST', '/api/targeting/models', { objective: 'fraud' }))
        .status,
    ).toBe(201);
    const versions = (await (
      await call(world.app, home.viewer, 'GET', '/api/screening/lists')
    ).json()) as { items: { id: string; current: boolean }[] };
    const version = versions.items.find((v) => v.current)!.id;
    const scored = await call(world.app, home.officer, 'POST', '/api/targeting/score', {
      date: DAY,
      capacityPercent: 1,
      watchlist: { threshold: 0.9 },
    });
    expect(scored.status).toBe(200);
    expect(((await scored.json()) as { raised: number }).raised).toBe(1);
    const queue = (await (
      await call(world.app, home.viewer, 'GET', `/api/targeting/queue?date=${DAY}&lane=red`)
    ).json()) as { items: Item[] };
    const flagged = queue.items.find((i) => i.id === flaggedId)!;
    const reason = `Importer ${kingpin} matches OFAC SDN '${kingpin}' (SDNTK, 1.00, list version ${version})`;
    expect(flagged).toMatchObject({
      lane: 'red',
      inspect: true,
      raises: [{ source: 'watchlist', lane: 'red', reason }],
      parties: [{ role: 'importer', name: kingpin }],
    });
    expect(flagged.reasons[0]).toBe(reason);
    const detail = (await (
      await call(world.app, home.viewer, 'GET', `/api/targeting/declarations/${flaggedId}`)
    ).json()) as Item & { declaration: Record<string, unknown> };
    expect(detail.raises[0]?.reason).toBe(reason);
    expect(detail.declaration.importerName).toBe(kingpin);
  });

  it('refuses a watchlist threshold out of range', async () => {
    const res = await call(world.app, world.members.home.officer, 'POST', '/api/targeting/score', {
      date: DAY,
      watchlist: { threshold: 0 },
    });
    expect(res.status).toBe(400);
  });

  it('shows another organisation neither the declarations nor their watchlist reasons', async () => {
    const { agency, home } = world.members;
    for (const member of [agency.admin, agency.officer]) {
      const queue = await call(world.app, member, 'GET', `/api/targeting/queue?date=${DAY}`);
      expect(queue.status).toBe(200);
      expect(((await queue.json()) as { items: unknown[] }).items).toEqual([]);
      expect(
        (await call(world.app, member, 'GET', `/api/targeting/declarations/${flaggedId}`)).status,
      ).toBe(404);
    }
    // Scoring its own (empty) day finds nothing of the other organisation's: no declarations.
    const scored = await call(world.app, agency.officer, 'POST', '/api/targeting/score', {
      date: DAY,
    });
    expect(scored.status).toBe(404);
    expect(await scored.json()).toMatchObject({
      detail: `no declarations dated ${DAY}: nothing to score`,
    });
    expect(
      (await call(world.app, home.partner, 'GET', `/api/targeting/queue?date=${DAY}`)).status,
    ).toBe(403);
  });
});
