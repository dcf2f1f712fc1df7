import { runIngestJob, type Actor, type Store } from '@interdict/store';
import { dateOf, kcsLines, unlabelled } from '@interdict/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TargetingService } from './service';
import { byteSource, ENGINES, openServicesWorld, type ServicesWorld } from './testing';

const bytes = (text: string) => byteSource(text);

const train = kcsLines('df_syn_train_eng.csv');
const valid = kcsLines('df_syn_valid_eng.csv');
// January–February 2020 to learn from; the first days of 2021 to score (labels removed).
const trainText = train.filter((l, i) => i === 0 || dateOf(l) < '2020-03-01').join('\n') + '\n';
const header = valid[0]!;
const day = valid.filter((l) => dateOf(l) === '2021-01-04');
const unlabelledDay = [header, ...day.map(unlabelled)].join('\n') + '\n';
const nextDay = valid.filter((l) => dateOf(l) === '2021-01-05');
const nextUnlabelled = [header, ...nextDay.map(unlabelled)].join('\n') + '\n';

for (const engine of ENGINES) {
  describe(`targeting service on ${engine}`, () => {
    let store: Store;
    let actor: Actor;
    let opened: ServicesWorld | undefined;
    let targeting: TargetingService;

    beforeAll(async () => {
      opened = await openServicesWorld(engine, 'targeting');
      ({ store, actor } = opened);
      targeting = opened.services.targeting;
    });
    afterAll(async () => {
      await opened?.close();
    });

    it('refuses a file with a bad row and stores nothing', async () => {
      const bad = trainText.split('\n');
      bad[5] = bad[5]!.replace(/^(\d+),[^,]+/, '$1,not-a-date');
      const job = await runIngestJob(store, actor, {
        kind: 'declarations',
        sourceName: 'bad.csv',
        input: bytes(bad.join('\n')),
      });
      expect(job.status).toBe('failed');
      expect(job.error).toMatch(/line 6/);
      expect(await targeting.days(actor)).toEqual([]);
    });

    it('ingests declarations with their inspection results, trains, scores a day and explains', async () => {
      const job = await runIngestJob(store, actor, {
        kind: 'declarations',
        sourceName: 'train.csv',
        input: bytes(trainText),
      });
      expect(job.status).toBe('succeeded');
      const job2 = await runIngestJob(store, actor, {
        kind: 'declarations',
        sourceName: 'day.csv',
        input: bytes(unlabelledDay),
      });
      expect(job2.status).toBe('succeeded');
      const days = await targeting.days(actor);
      expect(days[0]).toMatchObject({ date: '2021-01-04', declarations: day.length, inspected: 0 });

      await expect(targeting.scoreDay(actor, { date: '2021-01-04' })).rejects.toThrow(
        /no fraud model/,
      );
      const model = await targeting.trainModel(actor, { objective: 'fraud' });
      expect(model.active).toBe(true);
      expect((await targeting.listModels(actor))[0]?.id).toBe(model.id);

      await targeting.createRule(actor, {
        lane: 'red',
        hsPrefix: day[0]!.split(',')[12]!.slice(0, 6),
        explanation: 'officer rule: this HS code',
        validFrom: '2021-01-01',
      });
      // A day the model learnt from cannot be scored with it (its outcomes would leak).
      await expect(targeting.scoreDay(actor, { date: '2020-01-15' })).rejects.toMatchObject({
        code: 'CONFLICT',
      });
      const scored = await targeting.scoreDay(actor, {
        date: '2021-01-04',
        capacityPercent: 5,
      });
      expect(scored.scored).toBe(day.length);
      const queue = await targeting.queue(actor, { date: '2021-01-04' });
      expect(queue[0]?.lane).toBe('red');
      expect(queue.some((q) => q.reasons.includes('officer rule: this HS code'))).toBe(true);
      const redFromModel = queue.find((q) => q.selectedBy === 'model');
      expect(redFromModel?.reasons.length).toBeGreaterThan(0);

      const detail = await targeting.declaration(actor, queue[0]!.id);
      const e = detail.explanation!;
      const total = e.bias + e.contributions.reduce((s, c) => s + c.contribution, 0);
      expect(total).toBeCloseTo(e.margin, 9);
      expect(1 / (1 + Math.exp(-e.margin))).toBeCloseTo(detail.score!, 6);

      const result = await targeting.recordInspection(actor, queue[0]!.id, {
        fraud: 1,
        critical: 2,
        note: 'found',
      });
      expect(result).toMatchObject({ fraud: 1, critical: 2, source: 'officer' });
      await expect(
        targeting.recordInspection(actor, queue[0]!.id, { fraud: 0, critical: 2 }),
      ).rejects.toThrow(/critical/);
    });

    it('caches parsed models yet explains with every inspection recorded since, and with a newly trained model', async () => {
      const job = await runIngestJob(store, actor, {
        kind: 'declarations',
        sourceName: 'next-day.csv',
        input: bytes(nextUnlabelled),
      });
      expect(job.status).toBe('succeeded');
      const target = nextDay[0]!.split(',')[0]!;
      const first = await targeting.declaration(actor, target);
      expect(first.explanation).not.toBeNull();
      // Served from the cache: the same answer.
      expect(await targeting.declaration(actor, target)).toEqual(first);
      // Outcomes recorded for the previous day must reach the next day's features.
      for (const line of day)
        await targeting.recordInspection(actor, line.split(',')[0]!, {
          fraud: 1,
          critical: 1,
        });
      const after = await targeting.declaration(actor, target);
      expect(after.explanation!.margin).not.toBe(first.explanation!.margin);
      targeting.forgetCached();
      expect(await targeting.declaration(actor, target)).toEqual(after);
      // A new model replaces the cached one.
      const retrained = await targeting.trainModel(actor, {
        objective: 'fraud',
        until: '2020-02-01',
      });
      const again = await targeting.declaration(actor, target);
      expect(again.explanation!.modelId).toBe(retrained.id);
      expect(again.explanation!.modelId).not.toBe(first.explanation!.modelId);
    });

    it('keeps organisations apart and refuses roles that may not write', async () => {
      const other: Actor = { userId: null, organisationId: 'another-organisation', role: 'admin' };
      expect(await targeting.days(other)).toEqual([]);
      const [first] = await targeting.queue(actor, { date: '2021-01-04', limit: 1 });
      await expect(targeting.declaration(other, first!.id)).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      const viewer: Actor = { ...actor, role: 'viewer' };
      await expect(
        targeting.recordInspection(viewer, first!.id, { fraud: 0, critical: 0 }),
      ).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
      const partner: Actor = { ...actor, role: 'partner' };
      await expect(targeting.queue(partner, { date: '2021-01-04' })).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
      const officer: Actor = { ...actor, role: 'officer' };
      await expect(targeting.trainModel(officer, { objective: 'fraud' })).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
    });

    it('shows another organisation none of its rules or models, and a partner nothing', async () => {
      const other: Actor = { userId: null, organisationId: 'another-organisation', role: 'admin' };
      expect((await targeting.rules(actor)).length).toBeGreaterThan(0);
      expect(await targeting.rules(other)).toEqual([]);
      expect((await targeting.listModels(actor)).length).toBeGreaterThan(0);
      expect(await targeting.listModels(other)).toEqual([]);
      expect(targeting.trainingStatus(other)).toEqual([]);
      const partner: Actor = { ...actor, role: 'partner' };
      for (const read of [
        () => targeting.rules(partner),
        () => targeting.listModels(partner),
        () => targeting.days(partner),
      ])
        await expect(read()).rejects.toMatchObject({ code: 'FORBIDDEN' });
      expect(() => targeting.trainingStatus(partner)).toThrowError(
        expect.objectContaining({ code: 'FORBIDDEN' }) as Error,
      );
    });
  });
}
