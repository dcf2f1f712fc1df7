import { EARLY_STOPPING_SLICE_LABEL, runIngestJob, type Actor, type Store } from '@interdict/store';
import { precisionRecallAt } from '@interdict/targeting';
import { dateOf, kcsLines } from '@interdict/testkit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TargetingService } from './service';
import { byteSource, ENGINES, expectCode, openServicesWorld, type ServicesWorld } from './testing';

// The training split only (never the `valid` file): January–February 2020 to learn from, the
// first days of March 2020, with their labels, as the declarations inspected after the model.
const train = kcsLines('df_syn_train_eng.csv');
const header = train[0]!;
const learnText = [header, ...train.filter((l, i) => i > 0 && dateOf(l) < '2020-03-01')].join('\n');
const laterDays = ['2020-03-02', '2020-03-03', '2020-03-04'];
const laterText = [header, ...train.filter((l) => laterDays.includes(dateOf(l)))].join('\n');

for (const engine of ENGINES) {
  describe(`out-of-time evaluation of a model version on ${engine}`, () => {
    let store: Store;
    let actor: Actor;
    let opened: ServicesWorld | undefined;
    let targeting: TargetingService;
    let modelId: string;

    /** The stored inspected declarations dated after `after`, read with SQL of the test's own. */
    const storedInspected = async (after: string) =>
      (
        await sql<{ id: string; date: string; fraud: number }>`
          SELECT d.id, d.date, i.fraud FROM targeting_declarations d
          JOIN targeting_inspections i
            ON i.organisation_id = d.organisation_id AND i.declaration_id = d.id
          WHERE d.organisation_id = ${actor.organisationId} AND d.date > ${after}`.execute(store.db)
      ).rows;

    beforeAll(async () => {
      opened = await openServicesWorld(engine, 'targeting_eval');
      ({ store, actor } = opened);
      targeting = opened.services.targeting;
      const job = await runIngestJob(store, actor, {
        kind: 'declarations',
        sourceName: 'learn.csv',
        input: byteSource(learnText + '\n'),
      });
      expect(job.status).toBe('succeeded');
      modelId = (await targeting.trainModel(actor, { objective: 'fraud' })).id;
    });
    afterAll(async () => {
      await opened?.close();
    });

    it('labels the training-time figures as the early-stopping slice', async () => {
      const [model] = await targeting.listModels(actor);
      expect(model?.earlyStoppingSlice?.label).toBe(EARLY_STOPPING_SLICE_LABEL);
      expect(model?.earlyStoppingSlice?.metrics.map((m) => m.percent)).toEqual([1, 2, 5, 10]);
      expect(model?.earlyStoppingSlice?.to).toBe('2020-02-29');
      // Not also under the old unlabelled name.
      expect(model?.training).not.toHaveProperty('holdoutMetrics');
    });

    it('says when nothing has been inspected after the training data', async () => {
      const e = await targeting.evaluateModel(actor, modelId);
      expect(e).toMatchObject({
        modelId,
        trainedThrough: '2020-02-29',
        status: 'not-enough',
        firstDate: null,
        days: 0,
        randomShare: null,
        all: { inspected: 0, positives: 0, enough: false, metrics: null },
      });
    });

    it('scores each later day as the queue does and reports the random share apart', async () => {
      const job = await runIngestJob(store, actor, {
        kind: 'declarations',
        sourceName: 'later.csv',
        input: byteSource(laterText + '\n'),
      });
      expect(job.status).toBe('succeeded');
      // The queue of each day, scored with a large random share so that there is one to report.
      for (const date of laterDays)
        await targeting.scoreDay(actor, { date, capacityPercent: 10, randomShare: 0.5 });
      const queue = (
        await Promise.all(laterDays.map((date) => targeting.queue(actor, { date, limit: 5000 })))
      )
        .flat()
        .filter((q) => q.inspection !== null)
        .sort((a, b) => a.date.localeCompare(b.date) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

      const rows = await storedInspected('2020-02-29');
      const positives = rows.filter((r) => r.fraud === 1).length;
      expect(queue.length).toBe(rows.length);

      const e = await targeting.evaluateModel(actor, modelId);
      expect(e.status).toBe('ok');
      expect(e.cached).toBe(false);
      expect(e.all.inspected).toBe(rows.length);
      expect(e.all.positives).toBe(positives);
      expect(e.sources).toEqual({ import: rows.length, officer: 0 });
      expect([e.firstDate, e.lastDate, e.days]).toEqual(['2020-03-02', '2020-03-04', 3]);
      // The queue's stored scores, ranked with its own labels: the same figures.
      const labels = queue.map((q) => q.inspection!.fraud);
      expect(e.all.metrics).toEqual(
        precisionRecallAt(
          queue.map((q) => q.score),
          labels,
        ),
      );

      const random = queue.filter((q) => q.selectedBy === 'random');
      expect(random.length).toBeGreaterThan(0);
      expect(e.randomShare).toMatchObject({
        inspected: random.length,
        positives: random.filter((q) => q.inspection!.fraud === 1).length,
      });
      // Fewer than the minimum: withheld rather than shown on a handful.
      expect(random.length).toBeLessThan(100);
      expect(e.randomShare?.enough).toBe(false);
      expect(e.randomShare?.metrics).toBeNull();
    });

    it('answers from its cache until an inspection changes, then recomputes', async () => {
      const first = await targeting.evaluateModel(actor, modelId);
      const again = await targeting.evaluateModel(actor, modelId);
      expect(again.cached).toBe(true);
      expect(again.all).toEqual(first.all);
      // An officer finds fraud on a declaration the import said was clean.
      const rows = await storedInspected('2020-02-29');
      const clean = rows.find((r) => r.fraud === 0)!;
      await targeting.recordInspection(actor, clean.id, { fraud: 1, critical: 1 });
      const after = await targeting.evaluateModel(actor, modelId);
      expect(after.cached).toBe(false);
      expect(after.all.positives).toBe(first.all.positives + 1);
      expect(after.sources).toEqual({ import: rows.length - 1, officer: 1 });
      targeting.forgetCached();
      const fresh = await targeting.evaluateModel(actor, modelId);
      expect(fresh.all).toEqual(after.all);
      // It read the model without taking a place in the cache of the models the queue uses.
      expect(targeting.holdsModel(actor.organisationId, modelId)).toBe(false);
    });

    it('lets a viewer read it and no one outside the organisation or without a role', async () => {
      const viewer: Actor = { ...actor, role: 'viewer' };
      expect((await targeting.evaluateModel(viewer, modelId)).modelId).toBe(modelId);
      await expectCode(
        targeting.evaluateModel({ ...actor, role: 'partner' }, modelId),
        'FORBIDDEN',
      );
      const other: Actor = { userId: null, organisationId: 'another-organisation', role: 'admin' };
      await expectCode(targeting.evaluateModel(other, modelId), 'NOT_FOUND');
      await expectCode(targeting.evaluateModel(actor, 'no-such-model'), 'NOT_FOUND');
      // The list of versions (with the labelled training-time figures) is scoped the same way.
      expect(await targeting.listModels(other)).toEqual([]);
      await expectCode(targeting.listModels({ ...actor, role: 'partner' }), 'FORBIDDEN');
    });
  });
}
