import { readFileSync } from 'node:fs';
import { sharedData } from '@interdict/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../actor';
import { runIngestJob } from '../ingest/run';
import '../ingest/kinds';
import { listScreeningVersions, recordScreeningDecision } from '../screening/repository';
import type { Store } from '../store';
import { byteSource, ENGINES, openEngineStore, type EngineStore } from '../test-support';
import {
  getTargetingDeclaration,
  scoreTargetingDay,
  targetingQueue,
  trainTargetingModelFromStore,
} from './repository';
import { dateOf, kcsLines, kingpinCompanies, unlabelled } from './test-data';
import { partyNameKey, watchlistRaiser, type PartyScreener } from './watchlist';

const sdnText = readFileSync(sharedData('watchlists', 'ofac-sdn-2024-05-03', 'sdn.csv'), 'utf8');
const train = kcsLines('df_syn_train_eng.csv');
const valid = kcsLines('df_syn_valid_eng.csv');
const trainText = train.filter((l, i) => i === 0 || dateOf(l) < '2020-02-01').join('\n') + '\n';
const DAY = '2021-01-04';
const day = valid.filter((l) => dateOf(l) === DAY);
const [listed, dismissed, confirmed] = kingpinCompanies(sdnText);
// The last declarations of the day (the model's choice is not ours to predict) carry names:
// two listed kingpin companies, and a name that matches nothing but that an officer confirmed.
const CONFIRMED_NAME = 'Zqx Holdings Nominee';
const named = new Map([
  [day.length - 1, listed!.name],
  [day.length - 2, dismissed!.name.toLowerCase()],
  [day.length - 3, CONFIRMED_NAME],
]);
const dayText =
  [
    `${valid[0]!},Importer Name,Importer Country`,
    ...day.map((l, i) => `${unlabelled(l)},"${named.get(i) ?? ''}",${named.has(i) ? 'MX' : ''}`),
  ].join('\n') + '\n';
const idOf = (i: number) => day[i]!.split(',')[0]!;

for (const engine of ENGINES) {
  describe(`targeting watchlist raises on ${engine}`, () => {
    let store: Store;
    let actor: Actor;
    let opened: EngineStore | undefined;
    let version = '';

    beforeAll(async () => {
      opened = await openEngineStore(engine, 'targeting_watchlist');
      ({ store, actor } = opened);
      for (const [kind, sourceName, text] of [
        ['ofac-sdn', 'sdn.csv', sdnText],
        ['declarations', 'train.csv', trainText],
        ['declarations', 'day.csv', dayText],
      ] as const) {
        const job = await runIngestJob(store, actor, { kind, sourceName, input: byteSource(text) });
        expect(job.status, job.error ?? '').toBe('succeeded');
      }
      await trainTargetingModelFromStore(store, actor, { objective: 'fraud' });
      version = (await listScreeningVersions(store, actor)).find((v) => v.current)!.id;
    });
    afterAll(async () => {
      await opened?.close();
    });

    it('stores party names and shows them on the queue and the declaration', async () => {
      const detail = await getTargetingDeclaration(store, actor, idOf(day.length - 1));
      expect(detail.parties).toEqual([{ role: 'importer', name: listed!.name, country: 'MX' }]);
      expect(detail.declaration).toMatchObject({ importerName: listed!.name });
      const plain = await getTargetingDeclaration(store, actor, idOf(0));
      expect(plain.parties).toEqual([]);
    });

    it('raises a declaration whose importer is a listed kingpin company to red, naming the list version', async () => {
      const result = await scoreTargetingDay(store, actor, { date: DAY, capacityPercent: 1 });
      expect(result.raised).toBeGreaterThanOrEqual(2);
      const queue = await targetingQueue(store, actor, { date: DAY, limit: 5000 });
      const hit = queue.find((q) => q.id === idOf(day.length - 1))!;
      expect(hit).toMatchObject({ lane: 'red', inspect: true, selectedBy: 'raised' });
      expect(hit.raises[0]?.reason).toBe(
        `Importer ${listed!.name} matches OFAC SDN '${listed!.name}' (SDNTK, 1.00, list version ${version})`,
      );
      // The watchlist reason comes first, before the model's own reasons.
      expect(hit.reasons[0]).toBe(hit.raises[0]?.reason);
      expect(hit.parties).toEqual([{ role: 'importer', name: listed!.name, country: 'MX' }]);
      // A name that matches nothing on the list raises nothing.
      expect(queue.find((q) => q.id === idOf(day.length - 3))?.raises).toEqual([]);
      const detail = await getTargetingDeclaration(store, actor, idOf(day.length - 1));
      expect(detail.raises).toEqual(hit.raises);
      expect(detail.reasons[0]).toBe(hit.raises[0]?.reason);
    });

    it('honours officers’ screening decisions on that name and entity', async () => {
      await recordScreeningDecision(store, actor, {
        entityId: dismissed!.entityId,
        // Screened under another spelling: decisions meet party names case- and punctuation-blind.
        queryName: `${dismissed!.name.toUpperCase()}.`,
        decision: 'dismissed',
        listVersions: [],
      });
      await recordScreeningDecision(store, actor, {
        entityId: confirmed!.entityId,
        queryName: CONFIRMED_NAME,
        decision: 'confirmed',
        listVersions: [],
      });
      await scoreTargetingDay(store, actor, { date: DAY, capacityPercent: 1 });
      const queue = await targetingQueue(store, actor, { date: DAY, limit: 5000 });
      expect(queue.find((q) => q.id === idOf(day.length - 2))?.raises).toEqual([]);
      const raised = queue.find((q) => q.id === idOf(day.length - 3))!;
      expect(raised).toMatchObject({ lane: 'red', inspect: true });
      expect(raised.raises[0]?.reason).toBe(
        `Importer ${CONFIRMED_NAME} matches OFAC SDN '${confirmed!.name}' (SDNTK, confirmed by an officer, list version ${version})`,
      );
      // The listed one still raises.
      expect(queue.find((q) => q.id === idOf(day.length - 1))?.lane).toBe('red');
    });

    it('raises to the configured lane at the configured threshold', async () => {
      await scoreTargetingDay(store, actor, {
        date: DAY,
        capacityPercent: 0,
        randomShare: 0,
        watchlist: { lane: 'yellow', threshold: 0.95 },
      });
      const queue = await targetingQueue(store, actor, { date: DAY, limit: 5000 });
      const hit = queue.find((q) => q.id === idOf(day.length - 1))!;
      expect(hit.lane).toBe('yellow');
      expect(hit.inspect).toBe(false);
      await expect(
        scoreTargetingDay(store, actor, { date: DAY, watchlist: { threshold: 2 } }),
      ).rejects.toThrow(/threshold/);
    });

    it('shows no other organisation the parties or the watchlist reasons', async () => {
      const other: Actor = { userId: null, organisationId: crypto.randomUUID(), role: 'admin' };
      expect(await targetingQueue(store, other, { date: DAY })).toEqual([]);
      await expect(
        getTargetingDeclaration(store, other, idOf(day.length - 1)),
      ).rejects.toMatchObject({ code: 'NOT_FOUND' });
      const partner: Actor = { ...actor, role: 'partner' };
      await expect(targetingQueue(store, partner, { date: DAY })).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
    });
  });
}

describe('partyNameKey', () => {
  it('compares names without case, accents or punctuation', () => {
    expect(partyNameKey('  Acmé  Ltd. ')).toBe(partyNameKey('ACME LTD'));
    expect(partyNameKey('Acme Ltd')).not.toBe(partyNameKey('Acme Ltda'));
  });
});

describe('watchlistRaiser', () => {
  const base = {
    date: '2021-01-04',
    day: 18631,
    office: '',
    processType: '',
    importType: '',
    importUse: '',
    paymentType: '',
    transportMode: '',
    declarant: '',
    importer: '',
    seller: '',
    courier: '',
    hsCode: '850440',
    departure: '',
    origin: '',
    taxRate: NaN,
    taxType: '',
    originIndicator: '',
    netMass: NaN,
    itemPrice: NaN,
    fraud: null,
    critical: null,
  } as const;
  const asked: string[][] = [];
  // Answers every name containing "ACME" with one hit on a made-up entity.
  const screener: PartyScreener = {
    screen(queries) {
      asked.push(queries.map((q) => q.name ?? ''));
      return Promise.resolve({
        listVersions: ['ofac@2024-05-03'],
        hits: queries.map((q) =>
          q.name?.toUpperCase().includes('ACME')
            ? [
                {
                  entityId: 'ofac:1',
                  score: 0.9,
                  schema: 'Organization',
                  name: 'ACME LIMITED',
                  matchedName: 'ACME LIMITED',
                  list: 'ofac',
                  programs: ['SDNTK'],
                },
              ]
            : [],
        ),
      });
    },
  };

  it('does not screen at all when no declaration names a party', async () => {
    asked.length = 0;
    const raised = await watchlistRaiser(screener).raise([
      { ...base, id: 'A' },
      { ...base, id: 'B' },
    ]);
    expect(raised).toEqual([[], []]);
    expect(asked).toEqual([]);
  });

  it('screens each distinct name once and raises every declaration that carries it', async () => {
    asked.length = 0;
    const raised = await watchlistRaiser(screener, {
      decisions: [{ queryName: 'acme ltd', entityId: 'ofac:1', decision: 'dismissed' }],
    }).raise([
      { ...base, id: 'A', importerName: 'ACME TRADING' },
      { ...base, id: 'B', sellerName: 'ACME TRADING', importerName: 'Other Co' },
      { ...base, id: 'C', consigneeName: 'ACME LTD.' },
    ]);
    expect(asked).toEqual([['ACME TRADING', 'Other Co', 'ACME LTD.']]);
    expect(raised.map((r) => r.map((x) => x.reason))).toEqual([
      [
        "Importer ACME TRADING matches OFAC SDN 'ACME LIMITED' (SDNTK, 0.90, list version ofac@2024-05-03)",
      ],
      [
        "Seller ACME TRADING matches OFAC SDN 'ACME LIMITED' (SDNTK, 0.90, list version ofac@2024-05-03)",
      ],
      // Dismissed for this name (compared without case or punctuation): no raise.
      [],
    ]);
  });
});
