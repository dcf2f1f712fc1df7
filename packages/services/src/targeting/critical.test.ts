import { runIngestJob, type Actor, type Store } from '@interdict/store';
import { capacityFor, randomReserve } from '@interdict/targeting';
import { dateOf, kcsLines, kcsTrainText, unlabelled } from '@interdict/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueueItem } from './queue';
import type { TargetingService } from './service';
import { byteSource, ENGINES, expectCode, openServicesWorld, type ServicesWorld } from './testing';

const DAY = '2021-01-04';
const valid = kcsLines('df_syn_valid_eng.csv');
const dayRows = valid.filter((l) => dateOf(l) === DAY);
const dayText = [valid[0]!, ...dayRows.map(unlabelled)].join('\n') + '\n';
const N = dayRows.length;
const CRITICAL_REASON = /^Critical Fraud model: top (\S+) % of the day \(p = (\d\.\d\d)\)$/;

const criticalRaises = (q: QueueItem) => q.raises.filter((r) => r.source === 'critical-model');
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

for (const engine of ENGINES) {
  describe(`targeting with a Critical Fraud model on ${engine}`, () => {
    let store: Store;
    let actor: Actor;
    let opened: ServicesWorld | undefined;
    let targeting: TargetingService;
    let fraudOnly: QueueItem[] = [];

    beforeAll(async () => {
      opened = await openServicesWorld(engine, 'targeting_critical');
      ({ store, actor } = opened);
      targeting = opened.services.targeting;
      for (const [sourceName, text] of [
        ['train.csv', kcsTrainText('2020-03-01')],
        ['day.csv', dayText],
      ] as const) {
        const job = await runIngestJob(store, actor, {
          kind: 'declarations',
          sourceName,
          input: byteSource(text),
        });
        expect(job.status, job.error ?? '').toBe('succeeded');
      }
      await targeting.trainModel(actor, { objective: 'fraud' });
    });
    afterAll(async () => {
      await opened?.close();
    });

    it('without a Critical model scores as before: no critical score, raise or explanation', async () => {
      const result = await targeting.scoreDay(actor, {
        date: DAY,
        // A policy given without a Critical model changes nothing.
        critical: { topPercent: 50, lane: 'red' },
      });
      expect(result).toMatchObject({ criticalModelId: null, criticalRaised: 0, raised: 0 });
      fraudOnly = await targeting.queue(actor, { date: DAY, limit: 5000 });
      expect(fraudOnly).toHaveLength(N);
      expect(fraudOnly.every((q) => q.criticalScore === null && q.raises.length === 0)).toBe(true);
      // Exactly the capacity (5 %) is inspected, by the Fraud model and the random share.
      expect(fraudOnly.filter((q) => q.inspect)).toHaveLength(capacityFor(N, 5));
      const again = await targeting.scoreDay(actor, { date: DAY });
      expect(again.lanes).toEqual(result.lanes);
      const detail = await targeting.declaration(actor, fraudOnly[0]!.id);
      expect(detail.criticalScore).toBeNull();
      expect(detail.criticalExplanation).toBeNull();
      expect(detail.explanation).not.toBeNull();
      // Sorting by critical with no critical scores keeps the lane order.
      const sorted = await targeting.queue(actor, { date: DAY, sort: 'critical' });
      expect(sorted.map((q) => q.id)).toEqual(fraudOnly.slice(0, 200).map((q) => q.id));
    });

    it('scores the day with the Critical model too and raises its top band, within capacity', async () => {
      const model = await targeting.trainModel(actor, { objective: 'critical' });
      const result = await targeting.scoreDay(actor, { date: DAY });
      expect(result.criticalModelId).toBe(model.id);
      const queue = await targeting.queue(actor, { date: DAY, limit: 5000 });
      for (const q of queue) {
        expect(q.criticalScore).toBeGreaterThan(0);
        expect(q.criticalScore).toBeLessThan(1);
      }
      // The Fraud scores are the Fraud model's as before.
      const fraudBefore = new Map(fraudOnly.map((q) => [q.id, q.score]));
      for (const q of queue) expect(q.score).toBe(fraudBefore.get(q.id));
      // The default band: the top 1 % of the day by critical probability, raised to red.
      const band = capacityFor(N, 1);
      const top = [...queue]
        .sort((a, b) => b.criticalScore! - a.criticalScore! || a.id.localeCompare(b.id))
        .slice(0, band);
      const raised = queue.filter((q) => criticalRaises(q).length > 0);
      expect(result.criticalRaised).toBe(band);
      expect(raised.map((q) => q.id).sort()).toEqual(top.map((q) => q.id).sort());
      for (const q of raised) {
        expect(q).toMatchObject({ lane: 'red', inspect: true, selectedBy: 'raised' });
        const [reason] = criticalRaises(q);
        const m = CRITICAL_REASON.exec(reason!.reason)!;
        expect(m[1]).toBe('1');
        expect(m[2]).toBe(q.criticalScore!.toFixed(2));
        expect(q.reasons[0]).toBe(reason!.reason);
      }
      // Still exactly the capacity: the band takes its place before the Fraud model's picks.
      expect(queue.filter((q) => q.inspect)).toHaveLength(capacityFor(N, 5));

      const detail = await targeting.declaration(actor, raised[0]!.id);
      expect(detail.criticalScore).toBe(raised[0]!.criticalScore);
      const e = detail.criticalExplanation!;
      expect(e.modelId).toBe(model.id);
      const total = e.bias + e.contributions.reduce((s, c) => s + c.contribution, 0);
      expect(total).toBeCloseTo(e.margin, 9);
      expect(sigmoid(e.margin)).toBeCloseTo(detail.criticalScore!, 6);
      // The Fraud explanation is still the Fraud model's, summing to the Fraud score.
      expect(detail.explanation!.modelId).not.toBe(model.id);
      expect(sigmoid(detail.explanation!.margin)).toBeCloseTo(detail.score!, 6);
    });

    it('never lets a red band push inspections beyond capacity; a lower lane costs none', async () => {
      const wide = await targeting.scoreDay(actor, {
        date: DAY,
        capacityPercent: 2,
        critical: { topPercent: 10 },
      });
      let queue = await targeting.queue(actor, { date: DAY, limit: 5000 });
      expect(queue.filter((q) => q.inspect)).toHaveLength(capacityFor(N, 2));
      // The random share (default 0.1) is reserved from the capacity first; the band gets the rest.
      const wideBand = capacityFor(N, 2) - randomReserve(capacityFor(N, 2), 0.1);
      expect(wide.criticalRaised).toBe(wideBand);
      // The ones raised are the highest critical probabilities.
      const byCritical = [...queue].sort((a, b) => b.criticalScore! - a.criticalScore!);
      const raisedIds = new Set(queue.filter((q) => criticalRaises(q).length).map((q) => q.id));
      expect(byCritical.slice(0, wideBand).every((q) => raisedIds.has(q.id))).toBe(true);

      // A red rule is mandatory first; the band gets what it leaves.
      const hs = queue[0]!.hsCode;
      const ruleHits = queue.filter((q) => q.hsCode === hs).length;
      await targeting.createRule(actor, {
        lane: 'red',
        hsPrefix: hs,
        explanation: 'officer rule',
        validTo: DAY,
      });
      const capacity = capacityFor(N, 3);
      const reserve = randomReserve(capacity, 0.1);
      await targeting.scoreDay(actor, {
        date: DAY,
        capacityPercent: 3,
        critical: { topPercent: 10 },
      });
      queue = await targeting.queue(actor, { date: DAY, limit: 5000 });
      const inspected = queue.filter((q) => q.inspect).length;
      expect(inspected).toBe(Math.max(capacity, ruleHits + reserve));
      const budgetRaised = queue.filter(
        (q) => criticalRaises(q).length > 0 && q.hsCode !== hs,
      ).length;
      expect(budgetRaised).toBe(Math.max(0, capacity - reserve - ruleHits));

      const yellow = await targeting.scoreDay(actor, {
        date: DAY,
        capacityPercent: 2,
        critical: { topPercent: 10, lane: 'yellow' },
      });
      expect(yellow.criticalRaised).toBe(capacityFor(N, 10));
      queue = await targeting.queue(actor, { date: DAY, limit: 5000 });
      expect(queue.filter((q) => q.inspect).length).toBe(
        Math.max(capacityFor(N, 2), ruleHits + randomReserve(capacityFor(N, 2), 0.1)),
      );
      for (const q of queue.filter((x) => criticalRaises(x).length))
        expect(['yellow', 'red']).toContain(q.lane);
    });

    it('refuses a bad critical policy and changes nothing', async () => {
      const before = await targeting.queue(actor, { date: DAY, limit: 5000 });
      await expectCode(
        targeting.scoreDay(actor, { date: DAY, critical: { topPercent: 0 } }),
        'INVALID_ARGUMENT',
      );
      await expectCode(
        targeting.scoreDay(actor, { date: DAY, critical: { topPercent: 101 } }),
        'INVALID_ARGUMENT',
      );
      await expectCode(
        targeting.scoreDay(actor, {
          date: DAY,
          critical: { lane: 'purple' as unknown as 'red' },
        }),
        'INVALID_ARGUMENT',
      );
      expect(await targeting.queue(actor, { date: DAY, limit: 5000 })).toEqual(before);
    });

    it('sorts and filters the queue by critical probability', async () => {
      await targeting.scoreDay(actor, { date: DAY });
      const sorted = await targeting.queue(actor, {
        date: DAY,
        sort: 'critical',
        limit: 5000,
      });
      expect(sorted).toHaveLength(N);
      for (let i = 1; i < sorted.length; i++)
        expect(sorted[i - 1]!.criticalScore!).toBeGreaterThanOrEqual(sorted[i]!.criticalScore!);
      const cut = sorted[9]!.criticalScore!;
      const filtered = await targeting.queue(actor, {
        date: DAY,
        minCritical: cut,
        limit: 5000,
      });
      expect(filtered.length).toBe(sorted.filter((q) => q.criticalScore! >= cut).length);
      expect(filtered.every((q) => q.criticalScore! >= cut)).toBe(true);
      await expectCode(targeting.queue(actor, { date: DAY, minCritical: 1.5 }), 'INVALID_ARGUMENT');
    });

    it('lets a viewer read critical scores but not score; shows another organisation nothing', async () => {
      const viewer: Actor = { ...actor, role: 'viewer' };
      const [first] = await targeting.queue(viewer, { date: DAY, sort: 'critical' });
      expect(first!.criticalScore).not.toBeNull();
      const detail = await targeting.declaration(viewer, first!.id);
      expect(detail.criticalExplanation).not.toBeNull();
      await expectCode(targeting.scoreDay(viewer, { date: DAY }), 'FORBIDDEN');
      // Refused for the role before anything is looked up, also on a date without declarations.
      await expectCode(targeting.scoreDay(viewer, { date: '1999-01-01' }), 'FORBIDDEN');
      const partner: Actor = { ...actor, role: 'partner' };
      await expectCode(targeting.queue(partner, { date: DAY }), 'FORBIDDEN');
      await expectCode(targeting.declaration(partner, first!.id), 'FORBIDDEN');

      const other: Actor = { userId: null, organisationId: crypto.randomUUID(), role: 'admin' };
      expect(await targeting.queue(other, { date: DAY, sort: 'critical', minCritical: 0 })).toEqual(
        [],
      );
      await expectCode(targeting.declaration(other, first!.id), 'NOT_FOUND');
      // Its own day has no declarations: nothing to score (and nothing of this organisation's).
      await expectCode(targeting.scoreDay(other, { date: DAY }), 'NOT_FOUND');
    });

    it("counts the day's lanes and picks over the whole day, for its own organisation only", async () => {
      const scored = await targeting.scoreDay(actor, { date: DAY, capacityPercent: 10 });
      const queue = await targeting.queue(actor, { date: DAY, limit: 5000 });
      const [day] = (await targeting.days(actor)).filter((d) => d.date === DAY);
      const count = (f: (q: QueueItem) => boolean) => queue.filter(f).length;
      expect(day).toEqual({
        date: DAY,
        declarations: N,
        scored: N,
        inspected: 0,
        lanes: scored.lanes,
        toInspect: {
          model: count((q) => q.selectedBy === 'model'),
          rule: count((q) => q.selectedBy === 'rule'),
          raised: count((q) => q.selectedBy === 'raised'),
          random: count((q) => q.selectedBy === 'random'),
        },
      });
      expect(Object.values(day!.toInspect).reduce((a, b) => a + b, 0)).toBe(
        count((q) => q.inspect),
      );
      const other: Actor = { userId: null, organisationId: crypto.randomUUID(), role: 'admin' };
      expect(await targeting.days(other)).toEqual([]);
    });

    it('refuses to score with a Critical model that learnt from the day, and forgets stale critical scores', async () => {
      const [first] = await targeting.queue(actor, { date: DAY });
      await targeting.recordInspection(actor, first!.id, { fraud: 1, critical: 2 });
      await targeting.trainModel(actor, { objective: 'critical' });
      const before = await targeting.queue(actor, { date: DAY, limit: 5000 });
      await expectCode(targeting.scoreDay(actor, { date: DAY }), 'CONFLICT');
      expect(await targeting.queue(actor, { date: DAY, limit: 5000 })).toEqual(before);
      expect((await targeting.declaration(actor, first!.id)).criticalExplanation).toBeNull();

      // Re-ingesting the day clears its scores, the critical ones with them.
      const job = await runIngestJob(store, actor, {
        kind: 'declarations',
        sourceName: 'day-again.csv',
        input: byteSource(dayText),
      });
      expect(job.status, job.error ?? '').toBe('succeeded');
      const fresh = await targeting.queue(actor, { date: DAY, limit: 5000 });
      expect(fresh.every((q) => q.criticalScore === null)).toBe(true);
    });
  });
}
