import { sha256Hex } from '@interdict/core';
import { targetingRepository, type Actor, type Store } from '@interdict/store';
import { dateOf, idOf, kcsLines, kcsTrainText, unlabelled } from '@interdict/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerEntryView } from '../ledger/service';
import type { Services } from '../services';
import { TARGETING_RECORD_TYPES as TYPES, TARGETING_SUBJECT_TYPES as SUBJECTS } from './records';
import { ENGINES, expectCode, ingestText, openServicesWorld, type ServicesWorld } from './testing';

// Issue 12 §6: every targeting decision of consequence is committed to the ledger in the
// transaction of the change. For each kind: the ledger grows by exactly the entries stated, the
// body (read by a member of the organisation) names the change, another organisation can read
// neither the entry nor the record's entries, and bad input (a record that does not exist, or
// another organisation's) is refused with a clear error and leaves no entry.

const DAY = '2021-01-04';
const valid = kcsLines('df_syn_valid_eng.csv');
const dayRows = valid.filter((l) => dateOf(l) === DAY);
const dayText = [valid[0]!, ...dayRows.map(unlabelled)].join('\n') + '\n';

for (const engine of ENGINES) {
  describe(`targeting decisions on the ledger (${engine})`, () => {
    let world: ServicesWorld;
    let store: Store;
    let services: Services;
    /** The home organisation's admin (the CLI's operator), an analyst and an officer of it. */
    let admin: Actor;
    let analyst: Actor;
    let officer: Actor;
    /** An agency's admin and officer: another organisation. */
    let outsider: Actor;
    let outsideOfficer: Actor;

    /** Every ledger entry of every organisation, counted. */
    const ledgerSize = async (): Promise<number> => {
      const r = await store.db
        .selectFrom('ledger_entries')
        .select((eb) => eb.fn.countAll<string | number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(r.n);
    };
    /** Runs `decide` and returns the ledger entries it added about `subject`. */
    const decided = async (
      subject: { type: string; id: string },
      added: number,
      decide: () => Promise<unknown>,
    ): Promise<LedgerEntryView[]> => {
      const before = await ledgerSize();
      const known = new Set(
        (await services.ledger.entriesFor(analyst, subject.type, subject.id)).map((e) => e.index),
      );
      await decide();
      expect(await ledgerSize()).toBe(before + added);
      return (await services.ledger.entriesFor(analyst, subject.type, subject.id)).filter(
        (e) => !known.has(e.index),
      );
    };
    /** Expects `decide` to fail with `code` and to leave the ledger as it was. */
    const refused = async (code: string, decide: () => Promise<unknown>): Promise<void> => {
      const before = await ledgerSize();
      await expectCode(decide(), code);
      expect(await ledgerSize()).toBe(before);
    };
    /** Another organisation reads neither the entry nor the record's list of entries. */
    const hiddenFromOthers = async (entry: LedgerEntryView): Promise<void> => {
      await expectCode(services.ledger.get(outsider, entry.index!), 'NOT_FOUND');
      const subject = entry.subject!;
      expect(await services.ledger.entriesFor(outsider, subject.type, subject.id)).toEqual([]);
    };

    beforeAll(async () => {
      world = await openServicesWorld(engine, 'targeting_ledger');
      ({ store, services } = world);
      admin = world.actor;
      analyst = { ...admin, role: 'analyst' };
      officer = { ...admin, role: 'officer' };
      const agency = await store.organisations.create(admin, { name: 'Agency', kind: 'agency' });
      outsider = { userId: null, organisationId: agency.id, role: 'admin' };
      outsideOfficer = { ...outsider, role: 'officer' };
      await ingestText(
        world.services,
        admin,
        'declarations',
        'train.csv',
        kcsTrainText('2020-02-01'),
      );
      await ingestText(world.services, admin, 'declarations', 'day.csv', dayText);
    });
    afterAll(async () => {
      await world?.close();
    });

    it('commits a rule created and removed, with the rule before and after and who', async () => {
      const before = await ledgerSize();
      const { id } = await services.targeting.createRule(analyst, {
        lane: 'red',
        hsPrefix: '2933',
        explanation: 'precursors',
      });
      expect(await ledgerSize()).toBe(before + 1);
      const [entry] = await services.ledger.entriesFor(analyst, SUBJECTS.rule, id);
      expect(entry?.recordType).toBe(TYPES.ruleCreated);
      expect(entry?.body).toMatchObject({
        rule: id,
        before: null,
        after: { id, lane: 'red', hsPrefix: '2933', explanation: 'precursors' },
        by: { userId: null, role: 'analyst' },
      });
      await hiddenFromOthers(entry!);

      // Another organisation's rule, and one that does not exist, are not found.
      await refused('NOT_FOUND', () => services.targeting.removeRule(outsider, id));
      await refused('NOT_FOUND', () => services.targeting.removeRule(analyst, 'no-such-rule'));
      await refused('INVALID_ARGUMENT', () =>
        services.targeting.createRule(analyst, { lane: 'purple', explanation: 'x' }),
      );
      await refused('FORBIDDEN', () => services.targeting.removeRule(officer, id));

      const [removed] = await decided({ type: SUBJECTS.rule, id }, 1, () =>
        services.targeting.removeRule(analyst, id),
      );
      expect(removed?.recordType).toBe(TYPES.ruleRemoved);
      expect(removed?.body).toMatchObject({
        rule: id,
        before: { id, lane: 'red', hsPrefix: '2933' },
        after: null,
        by: { role: 'analyst' },
      });
      await hiddenFromOthers(removed!);
    });

    it('commits a model trained and activated, and the model it replaces deactivated', async () => {
      const before = await ledgerSize();
      const first = await services.targeting.trainModel(analyst, { objective: 'fraud' });
      // Trained, and activated (there was no active model to deactivate).
      expect(await ledgerSize()).toBe(before + 2);
      const entries = await services.ledger.entriesFor(analyst, SUBJECTS.model, first.id);
      expect(entries.map((e) => e.recordType)).toEqual([TYPES.modelTrained, TYPES.modelActivated]);
      const body = await targetingRepository(store).modelBody(admin, first.id);
      expect(entries[0]?.body).toMatchObject({
        model: first.id,
        objective: 'fraud',
        format: { name: 'interdict-targeting-model', version: 2 },
        modelSha256: sha256Hex(body!),
        data: {
          until: null,
          firstDate: first.training.firstDate,
          lastDate: first.training.lastDate,
          declarations: first.training.rows,
          positives: first.training.positives,
        },
        metrics: { earlyStoppingSlice: first.earlyStoppingSlice?.metrics },
        by: { role: 'analyst' },
      });
      expect(entries[1]?.body).toMatchObject({
        model: first.id,
        active: { before: false, after: true },
        replaces: [],
      });
      for (const e of entries) await hiddenFromOthers(e);

      // Nothing to learn from: refused, and nothing is recorded (here, or for another agency).
      await refused('INVALID_ARGUMENT', () =>
        services.targeting.trainModel(analyst, { objective: 'fraud', until: '2019-01-01' }),
      );
      await refused('INVALID_ARGUMENT', () =>
        services.targeting.trainModel(outsider, { objective: 'fraud' }),
      );

      const second = await services.targeting.trainModel(analyst, {
        objective: 'fraud',
        until: '2020-01-20',
      });
      expect(await ledgerSize()).toBe(before + 5);
      const [deactivated] = await services.ledger
        .entriesFor(analyst, SUBJECTS.model, first.id)
        .then((es) => es.filter((e) => e.recordType === TYPES.modelDeactivated));
      expect(deactivated?.body).toMatchObject({
        model: first.id,
        active: { before: true, after: false },
        replacedBy: second.id,
      });
      const activated = (await services.ledger.entriesFor(analyst, SUBJECTS.model, second.id)).find(
        (e) => e.recordType === TYPES.modelActivated,
      );
      expect(activated?.body).toMatchObject({ replaces: [first.id] });
      expect(
        (await services.ledger.entriesFor(analyst, SUBJECTS.model, second.id))[0]?.body,
      ).toMatchObject({ data: { until: '2020-01-20' } });
      await hiddenFromOthers(deactivated!);
    });

    it("commits a day's selection: every declaration under its lane, with the reason codes", async () => {
      const rule = await services.targeting.createRule(analyst, {
        lane: 'red',
        hsPrefix: dayRows[0]!.split(',')[12]!.slice(0, 4),
        explanation: 'officer rule',
      });
      const [entry] = await decided({ type: SUBJECTS.day, id: DAY }, 1, () =>
        services.targeting.scoreDay(officer, { date: DAY, capacityPercent: 5 }),
      );
      expect(entry?.recordType).toBe(TYPES.daySelected);
      const body = entry?.body as {
        date: string;
        declarations: number;
        rules: string[];
        counts: Record<string, number>;
        lanes: Record<string, string[][]>;
        by: { role: string };
      };
      expect(body).toMatchObject({ date: DAY, declarations: dayRows.length, rules: [rule.id] });
      expect(body.by.role).toBe('officer');
      const listed = Object.values(body.lanes).flat();
      expect(listed.map((x) => x[0]).sort()).toEqual(dayRows.map(idOf).sort());
      const queue = await services.targeting.queue(officer, { date: DAY, limit: 5000 });
      for (const [lane, items] of Object.entries(body.lanes)) {
        expect(items).toHaveLength(body.counts[lane]!);
        for (const [id, ...codes] of items) {
          const q = queue.find((x) => x.id === id)!;
          expect(q.lane).toBe(lane);
          // Why it is inspected, and the rule that matched it, as codes.
          expect(codes.includes(`inspect:${q.selectedBy}`)).toBe(q.selectedBy !== null);
          expect(codes.includes(`rule:${rule.id}`)).toBe(q.reasons.includes('officer rule'));
        }
      }
      await hiddenFromOthers(entry!);

      // A day without declarations, here or in another organisation, is not found.
      await refused('NOT_FOUND', () =>
        services.targeting.scoreDay(officer, { date: '2022-01-01' }),
      );
      await refused('NOT_FOUND', () => services.targeting.scoreDay(outsideOfficer, { date: DAY }));
      await services.targeting.removeRule(analyst, rule.id);
    });

    it('commits an inspection result: the declaration, the outcome, the one it replaced, who', async () => {
      const id = idOf(dayRows[3]!);
      const [first] = await decided({ type: SUBJECTS.declaration, id }, 1, () =>
        services.targeting.recordInspection(officer, id, { fraud: 1, critical: 2, note: 'found' }),
      );
      expect(first?.recordType).toBe(TYPES.inspectionRecorded);
      expect(first?.body).toMatchObject({
        declaration: id,
        date: DAY,
        before: null,
        after: { fraud: 1, critical: 2, note: 'found' },
        by: { role: 'officer' },
      });
      await hiddenFromOthers(first!);
      const [second] = await decided({ type: SUBJECTS.declaration, id }, 1, () =>
        services.targeting.recordInspection(officer, id, { fraud: 0, critical: 0 }),
      );
      expect(second?.body).toMatchObject({
        before: { fraud: 1, critical: 2, source: 'officer', note: 'found' },
        after: { fraud: 0, critical: 0, note: '' },
      });

      await refused('NOT_FOUND', () =>
        services.targeting.recordInspection(officer, 'no-such-declaration', {
          fraud: 0,
          critical: 0,
        }),
      );
      await refused('NOT_FOUND', () =>
        services.targeting.recordInspection(outsideOfficer, id, { fraud: 0, critical: 0 }),
      );
      await refused('INVALID_ARGUMENT', () =>
        services.targeting.recordInspection(officer, id, { fraud: 0, critical: 2 }),
      );
    });

    it('commits the release of a red-lane declaration, and refuses any other release', async () => {
      await services.targeting.scoreDay(officer, { date: DAY, capacityPercent: 5 });
      const queue = await services.targeting.queue(officer, { date: DAY, limit: 5000 });
      const red = queue.find((q) => q.lane === 'red' && q.inspection === null)!;
      const green = queue.find((q) => q.lane === 'green')!;
      const release = { reason: 'documents checked at the border post' };

      // Roles that may not release, another organisation, a declaration that does not exist,
      // one not in the red lane, an empty reason: refused, nothing recorded, nothing changed.
      await refused('FORBIDDEN', () =>
        services.targeting.releaseDeclaration(analyst, red.id, release),
      );
      await refused('FORBIDDEN', () =>
        services.targeting.releaseDeclaration({ ...officer, role: 'viewer' }, red.id, release),
      );
      await refused('NOT_FOUND', () =>
        services.targeting.releaseDeclaration(outsideOfficer, red.id, release),
      );
      await refused('NOT_FOUND', () =>
        services.targeting.releaseDeclaration(officer, 'no-such-declaration', release),
      );
      await refused('CONFLICT', () =>
        services.targeting.releaseDeclaration(officer, green.id, release),
      );
      await refused('INVALID_ARGUMENT', () =>
        services.targeting.releaseDeclaration(officer, red.id, { reason: '  ' }),
      );
      expect((await services.targeting.declaration(officer, red.id)).lane).toBe('red');

      const [entry] = await decided({ type: SUBJECTS.declaration, id: red.id }, 1, async () => {
        const released = await services.targeting.releaseDeclaration(officer, red.id, release);
        expect(released).toMatchObject({
          id: red.id,
          lane: 'green',
          inspect: false,
          release: { reason: release.reason, from: { lane: 'red', selectedBy: red.selectedBy } },
        });
      });
      expect(entry?.recordType).toBe(TYPES.declarationReleased);
      expect(entry?.body).toMatchObject({
        declaration: red.id,
        date: DAY,
        lane: { before: 'red', after: 'green' },
        selectedBy: red.selectedBy,
        reason: release.reason,
        by: { role: 'officer' },
      });
      await hiddenFromOthers(entry!);
      // Its lane and status show the release, on the queue and on its page.
      const item = (await services.targeting.queue(officer, { date: DAY, limit: 5000 })).find(
        (q) => q.id === red.id,
      );
      expect(item).toMatchObject({ lane: 'green', inspect: false, selectedBy: null });
      expect(item?.reasons[0]).toBe(`Released without inspection: ${release.reason}`);
      const detail = await services.targeting.declaration(officer, red.id);
      expect(detail.release).toMatchObject({ reason: release.reason, from: { lane: 'red' } });
      const [day] = (await services.targeting.days(officer)).filter((d) => d.date === DAY);
      expect(Object.values(day!.toInspect).reduce((a, b) => a + b, 0)).toBe(
        queue.filter((q) => q.inspect).length - 1,
      );

      // Once released, or once inspected, a declaration cannot be released (again).
      await refused('CONFLICT', () =>
        services.targeting.releaseDeclaration(officer, red.id, release),
      );
      const other = queue.find(
        (q) => q.lane === 'red' && q.id !== red.id && q.inspection === null,
      )!;
      await services.targeting.recordInspection(officer, other.id, { fraud: 0, critical: 0 });
      await refused('CONFLICT', () =>
        services.targeting.releaseDeclaration(admin, other.id, release),
      );
    });
  });
}
