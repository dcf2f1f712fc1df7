import {
  idOf,
  kcsDayWithImporters,
  kcsTrainText,
  kingpinCompanies,
  sdnCsvText,
} from '@interdict/testkit';
import { ScreeningIndex, type Entity } from '@interdict/screening';
import {
  listScreeningVersions,
  recordScreeningDecision,
  type Actor,
  type Store,
} from '@interdict/store';
import { indexScreener, type PartyScreener } from '../screening/party-screener';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TargetingService } from './service';
import { byteSource, ENGINES, openServicesWorld, type ServicesWorld } from './testing';
import { partyNameKey, watchlistRaiser } from './watchlist';

const sdnText = sdnCsvText();
const trainText = kcsTrainText('2020-02-01');
const DAY = '2021-01-04';
const [listed, dismissed, confirmed] = kingpinCompanies(sdnText);
// The last declarations of the day (the model's choice is not ours to predict) carry names:
// two listed kingpin companies and a name that matches nothing but that an officer confirmed.
const CONFIRMED_NAME = 'Zqx Holdings Nominee';
const {
  text: dayText,
  ids: dayIds,
  rows: dayRows,
} = kcsDayWithImporters(DAY, [
  { name: listed!.name, country: 'MX' },
  { name: dismissed!.name.toLowerCase(), country: 'MX' },
  { name: CONFIRMED_NAME, country: 'MX' },
]);
const [listedId, dismissedId, confirmedId] = dayIds as [string, string, string];
const FIRST_ID = idOf(dayRows[0]!);

for (const engine of ENGINES) {
  describe(`targeting watchlist raises on ${engine}`, () => {
    let store: Store;
    let actor: Actor;
    let opened: ServicesWorld | undefined;
    let targeting: TargetingService;
    let version = '';

    beforeAll(async () => {
      opened = await openServicesWorld(engine, 'targeting_watchlist');
      ({ store, actor } = opened);
      targeting = opened.services.targeting;
      for (const [kind, sourceName, text] of [
        ['ofac-sdn', 'sdn.csv', sdnText],
        ['declarations', 'train.csv', trainText],
        ['declarations', 'day.csv', dayText],
      ] as const) {
        // Through the ingest service: a list version put in force is committed to the ledger.
        const { job } = await opened.services.ingest.run(actor, {
          kind,
          sourceName,
          input: byteSource(text),
        });
        expect(job.status, job.error ?? '').toBe('succeeded');
      }
      await targeting.trainModel(actor, { objective: 'fraud' });
      version = (await listScreeningVersions(store)).find((v) => v.current)!.id;
    });
    afterAll(async () => {
      await opened?.close();
    });

    it('stores party names and shows them on the queue and the declaration', async () => {
      const detail = await targeting.declaration(actor, listedId);
      expect(detail.parties).toEqual([{ role: 'importer', name: listed!.name, country: 'MX' }]);
      expect(detail.declaration).toMatchObject({ importerName: listed!.name });
      const plain = await targeting.declaration(actor, FIRST_ID);
      expect(plain.parties).toEqual([]);
    });

    it('raises a declaration whose importer is a listed kingpin company to red, naming the list version', async () => {
      const result = await targeting.scoreDay(actor, { date: DAY, capacityPercent: 1 });
      expect(result.raised).toBeGreaterThanOrEqual(2);
      const queue = await targeting.queue(actor, { date: DAY, limit: 5000 });
      const hit = queue.find((q) => q.id === listedId)!;
      expect(hit).toMatchObject({ lane: 'red', inspect: true, selectedBy: 'raised' });
      expect(hit.raises[0]?.reason).toBe(
        `Importer ${listed!.name} matches OFAC SDN '${listed!.name}' (SDNTK, 1.00, list version ${version})`,
      );
      // The watchlist reason comes first, before the model's own reasons.
      expect(hit.reasons[0]).toBe(hit.raises[0]?.reason);
      expect(hit.parties).toEqual([{ role: 'importer', name: listed!.name, country: 'MX' }]);
      // A name that matches nothing on the list raises nothing.
      expect(queue.find((q) => q.id === confirmedId)?.raises).toEqual([]);
      const detail = await targeting.declaration(actor, listedId);
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
      await targeting.scoreDay(actor, { date: DAY, capacityPercent: 1 });
      const queue = await targeting.queue(actor, { date: DAY, limit: 5000 });
      expect(queue.find((q) => q.id === dismissedId)?.raises).toEqual([]);
      const raised = queue.find((q) => q.id === confirmedId)!;
      expect(raised).toMatchObject({ lane: 'red', inspect: true });
      expect(raised.raises[0]?.reason).toBe(
        `Importer ${CONFIRMED_NAME} matches OFAC SDN '${confirmed!.name}' (SDNTK, confirmed by an officer, list version ${version})`,
      );
      // The listed one still raises.
      expect(queue.find((q) => q.id === listedId)?.lane).toBe('red');
    });

    it('raises to the configured lane at the configured threshold', async () => {
      await targeting.scoreDay(actor, {
        date: DAY,
        capacityPercent: 0,
        randomShare: 0,
        watchlist: { lane: 'yellow', threshold: 0.95 },
      });
      const queue = await targeting.queue(actor, { date: DAY, limit: 5000 });
      const hit = queue.find((q) => q.id === listedId)!;
      expect(hit.lane).toBe('yellow');
      expect(hit.inspect).toBe(false);
      await expect(
        targeting.scoreDay(actor, { date: DAY, watchlist: { threshold: 2 } }),
      ).rejects.toThrow(/threshold/);
    });

    it('shows no other organisation the parties or the watchlist reasons', async () => {
      const other: Actor = { userId: null, organisationId: crypto.randomUUID(), role: 'admin' };
      expect(await targeting.queue(other, { date: DAY })).toEqual([]);
      await expect(targeting.declaration(other, listedId)).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      const partner: Actor = { ...actor, role: 'partner' };
      await expect(targeting.queue(partner, { date: DAY })).rejects.toMatchObject({
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

  it('gives party countries to the matcher, one query per name and resolved country', async () => {
    const seen: { name?: string; nationality?: unknown }[] = [];
    const recording: PartyScreener = {
      screen(queries, options) {
        seen.push(...queries.map((q) => ({ name: q.name, nationality: q.nationality })));
        return screener.screen(queries, options);
      },
    };
    await watchlistRaiser(recording).raise([
      { ...base, id: 'A', importerName: 'ACME TRADING', importerCountry: 'Mexico' },
      { ...base, id: 'B', sellerName: 'ACME TRADING', sellerCountry: 'MX' },
      { ...base, id: 'C', consigneeName: 'ACME TRADING', consigneeCountry: 'Atlantis' },
      { ...base, id: 'D', importerName: 'ACME TRADING' },
    ]);
    // "Mexico" and "MX" are one country; one the matcher cannot resolve is left out.
    expect(seen).toEqual([
      { name: 'ACME TRADING', nationality: 'mx' },
      { name: 'ACME TRADING', nationality: undefined },
    ]);
  });

  it('lets the matcher count a country none of the entity’s countries is against the hit', async () => {
    const entity: Entity = {
      id: 'ofac:9',
      list: 'ofac',
      sourceId: '9',
      schema: 'Organization',
      names: [{ full: 'ZQX CARGO IMPORTACIONES', quality: 'primary' }],
      birthDates: [],
      birthPlaces: [],
      nationalities: [],
      countries: ['mx'],
      identifiers: [],
      addresses: [{ full: 'Culiacan, Sinaloa', country: 'mx' }],
      programs: ['SDNTK'],
    };
    const real = indexScreener(ScreeningIndex.build([entity]), ['ofac@test']);
    const [same, other, none] = await watchlistRaiser(real, { policy: { threshold: 0.85 } }).raise([
      { ...base, id: 'A', importerName: 'ZQX CARGO IMPORTACIONES', importerCountry: 'MX' },
      { ...base, id: 'B', importerName: 'ZQX CARGO IMPORTACIONES', importerCountry: 'IS' },
      { ...base, id: 'C', importerName: 'ZQX CARGO IMPORTACIONES' },
    ]);
    const score = (r: typeof same) => Number(/, (\d\.\d\d), list/.exec(r![0]!.reason)![1]);
    expect(score(same)).toBe(1);
    expect(score(none)).toBe(1);
    // Iceland is none of the entity's countries: the matcher's nationality penalty applies.
    expect(score(other)).toBeLessThan(score(same));
    expect(score(other)).toBeGreaterThanOrEqual(0.85);
  });
});
