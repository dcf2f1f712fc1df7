import type { Actor, Store } from '@interdict/store';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  byteSource,
  ENGINES,
  openEngineStore,
  type EngineStore,
} from '../../../store/src/test-support';
import { createServices, type Services } from '../services';
import { ScreeningWorkerPool } from './worker-pool';

const bytes = byteSource;

// Monitored parties through the screening service (issue 5 §2), on both engines: screened when
// added and after every list update (the import's re-screening runs in its transaction), with
// the service's role checks and every read scoped to the caller's organisation. Lists are put in
// force through the ingest service, as every edge does.

// Small OFAC legacy sdn.csv files written for this test (12 columns, `-0-` nulls, as in OFAC's
// published layout): the newer one adds entry 103, a person nobody had hit before.
const row = (id: number, name: string, type: string) =>
  `${id},"${name}","${type}","SDNTK",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- `;
const OLD = [
  row(101, 'ZAMBRANO ORTEGA, Hector', 'individual'),
  row(102, 'BLUE SEA SHIPPING LTD', '-0- '),
].join('\r\n');
const NEW = [OLD, row(103, 'KOVALENKO, Dmitri Ivanovich', 'individual')].join('\r\n');

for (const engine of ENGINES) {
  describe(`monitored parties on ${engine}`, () => {
    let store: Store;
    let system: Actor;
    let opened: EngineStore | undefined;
    let services: Services;
    const monitoring = () => services.screening.monitoring;
    const orgA: Actor = { userId: null, organisationId: crypto.randomUUID(), role: 'analyst' };
    const orgB: Actor = { userId: null, organisationId: crypto.randomUUID(), role: 'officer' };

    const ingest = async (name: string, text: string) => {
      const { job } = await services.ingest.run(system, {
        kind: 'ofac-sdn',
        sourceName: name,
        input: bytes(text),
      });
      expect(job.status, job.error ?? '').toBe('succeeded');
      return job.summary as { version: string; rescreened: { parties: number; newHits: number } };
    };

    beforeAll(async () => {
      opened = await openEngineStore(engine, 'screening_monitor');
      ({ store, actor: system } = opened);
      services = createServices(store, { closeStore: false, screeningWorkers: '0' });
    });
    afterAll(async () => {
      await services?.close();
      await opened?.close();
    });

    it('re-screens stored parties after a list update and reports only new hits', async () => {
      await ingest('sdn-2024-01-01.csv', OLD);
      const known = await monitoring().add(orgA, {
        name: 'Hector Zambrano Ortega',
        note: 'consignee',
      });
      // Already on the old list: a baseline hit, not an alert.
      expect(known.hits.map((h) => [h.entityId, h.trigger])).toEqual([['ofac:101', 'added']]);
      const dmitri = await monitoring().add(orgA, {
        name: 'Dmitri Kovalenko',
        schema: 'Person',
        nationality: 'ua',
      });
      expect(dmitri.hits).toEqual([]);
      await monitoring().add(orgB, { name: 'Blue Sea Shipping Limited' });
      expect(await monitoring().alerts(orgA)).toEqual([]);

      const update = await ingest('sdn-2024-02-01.csv', NEW);
      expect(update.rescreened).toEqual({ parties: 3, newHits: 1 });
      const alerts = await monitoring().alerts(orgA);
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toMatchObject({
        partyId: dmitri.id,
        partyName: 'Dmitri Kovalenko',
        entityId: 'ofac:103',
        trigger: 'list-update',
        listVersion: update.version,
      });
      expect(alerts[0]!.score).toBeGreaterThanOrEqual(0.7);
      // Organisation B's party hit 102 on the old list already: nothing new for B.
      expect(await monitoring().alerts(orgB)).toEqual([]);

      // The same content again is no new version and reports nothing.
      const again = await ingest('sdn-2024-02-01.csv', NEW);
      expect(again.rescreened).toEqual({ parties: 0, newHits: 0 });
      expect(await monitoring().alerts(orgA)).toHaveLength(1);
    });

    it('keeps parties and alerts within their organisation and their roles', async () => {
      const mine = await monitoring().parties(orgA);
      expect(mine.map((p) => p.name).sort()).toEqual([
        'Dmitri Kovalenko',
        'Hector Zambrano Ortega',
      ]);
      const theirs = await monitoring().parties(orgB);
      expect(theirs.map((p) => p.name)).toEqual(['Blue Sea Shipping Limited']);
      // Viewers read their organisation's parties and alerts; partners do not.
      const viewer: Actor = { ...orgA, role: 'viewer' };
      expect(await monitoring().parties(viewer)).toEqual(mine);
      expect(await monitoring().alerts(viewer)).toHaveLength(1);
      await expect(monitoring().parties({ ...orgA, role: 'partner' })).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
      await expect(monitoring().alerts({ ...orgA, role: 'partner' })).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
      for (const role of ['viewer', 'partner'] as const) {
        const actor: Actor = { ...orgA, role };
        await expect(monitoring().add(actor, { name: 'X Y' })).rejects.toMatchObject({
          code: 'FORBIDDEN',
        });
        await expect(monitoring().remove(actor, mine[0]!.id)).rejects.toMatchObject({
          code: 'FORBIDDEN',
        });
      }
      await expect(monitoring().remove(orgB, mine[0]!.id)).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      expect(await monitoring().parties(orgA)).toHaveLength(2);
      await monitoring().remove(orgA, mine[0]!.id);
      expect((await monitoring().parties(orgA)).map((p) => p.id)).toEqual([mine[1]!.id]);
    });

    it('refuses bad parties with a clear error and stores nothing', async () => {
      const before = await monitoring().parties(orgA);
      await expect(monitoring().add(orgA, { name: '---' })).rejects.toMatchObject({
        code: 'NAME_EMPTY',
      });
      await expect(
        monitoring().add(orgA, { name: 'A B', birthDate: '12/03/1970' }),
      ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: /birthDate/ });
      await expect(
        monitoring().add(orgA, { name: 'A B', nationality: 'Atlantis' }),
      ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: /nationality/ });
      expect(await monitoring().parties(orgA)).toEqual(before);
    });
  });
}

for (const engine of ENGINES) {
  describe(`monitoring thresholds and acknowledgements on ${engine}`, () => {
    let opened: EngineStore | undefined;
    let store: Store;
    let services: Services;
    const monitoring = () => services.screening.monitoring;
    const org = crypto.randomUUID();
    const other = crypto.randomUUID();
    const as = (role: Actor['role'], organisationId = org): Actor => ({
      userId: crypto.randomUUID(),
      organisationId,
      role,
    });
    const admin = as('admin');
    const officer = as('officer');
    const viewer = as('viewer');
    const partner = as('partner');
    const outsider = as('officer', other);
    const ids: Record<string, string> = {};

    const ingest = async (name: string, text: string) => {
      const { job } = await services.ingest.run(opened!.actor, {
        kind: 'ofac-sdn',
        sourceName: name,
        input: bytes(text),
      });
      expect(job.status, job.error ?? '').toBe('succeeded');
    };

    beforeAll(async () => {
      opened = await openEngineStore(engine, 'screening_acks');
      store = opened.store;
      services = createServices(store, { closeStore: false, screeningWorkers: '0' });
      await ingest('sdn-2024-01-01.csv', OLD);
    });
    afterAll(async () => {
      await services?.close();
      await opened?.close();
    });

    it('screens each party at its own threshold, else its organisation default', async () => {
      expect(await monitoring().settings(viewer)).toMatchObject({
        threshold: 0.7,
        custom: false,
      });
      for (const who of [officer, viewer, partner]) {
        await expect(monitoring().setDefaultThreshold(who, 0.85)).rejects.toMatchObject({
          code: 'FORBIDDEN',
        });
      }
      await expect(monitoring().setDefaultThreshold(admin, 0.3)).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
      const set = await monitoring().setDefaultThreshold(admin, 0.85);
      expect(set).toMatchObject({ threshold: 0.85, custom: true, updatedBy: admin.userId });
      // Another organisation keeps the default.
      expect((await monitoring().settings(outsider)).threshold).toBe(0.7);

      // "Dmitry Kowalenko" scores 0.8 against KOVALENKO, Dmitri Ivanovich (added below).
      ids.byDefault = (await monitoring().add(officer, { name: 'Dmitry Kowalenko' })).id;
      const own = await monitoring().add(officer, {
        name: 'Dmitry Kowalenko',
        threshold: 0.75,
      });
      ids.own = own.id;
      expect(own).toMatchObject({ threshold: 0.75, effectiveThreshold: 0.75 });
      await expect(
        monitoring().add(officer, { name: 'A B', threshold: 1.5 }),
      ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: /threshold/ });

      await ingest('sdn-2024-02-01.csv', NEW);
      const open = await monitoring().alerts(officer);
      expect(open.map((a) => [a.partyId, a.entityId])).toEqual([[ids.own, 'ofac:103']]);
      const byDefault = (await monitoring().parties(viewer)).find((p) => p.id === ids.byDefault);
      expect(byDefault).toMatchObject({ threshold: null, effectiveThreshold: 0.85, hits: [] });
    });

    it('re-screens a party when its threshold changes, within its organisation only', async () => {
      await expect(
        monitoring().setPartyThreshold(outsider, ids.byDefault!, 0.75),
      ).rejects.toMatchObject({ code: 'NOT_FOUND' });
      for (const who of [viewer, partner]) {
        await expect(
          monitoring().setPartyThreshold(who, ids.byDefault!, 0.75),
        ).rejects.toMatchObject({ code: 'FORBIDDEN' });
      }
      const lowered = await monitoring().setPartyThreshold(officer, ids.byDefault!, 0.75);
      // Found now because the threshold changed, not because a list did: baseline, not an alert.
      expect(lowered.hits.map((h) => [h.entityId, h.trigger])).toEqual([['ofac:103', 'added']]);
      expect(await monitoring().alerts(officer)).toHaveLength(1);
      const cleared = await monitoring().setPartyThreshold(officer, ids.byDefault!, null);
      expect(cleared).toMatchObject({ threshold: null, effectiveThreshold: 0.85 });
    });

    it('acknowledges an alert with a note: it leaves the open queue and stays in history', async () => {
      const alert = { partyId: ids.own!, entityId: 'ofac:103' };
      await expect(monitoring().acknowledge(viewer, alert, 'seen')).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
      await expect(monitoring().acknowledge(partner, alert, 'seen')).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
      await expect(monitoring().acknowledge(outsider, alert, 'seen')).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      expect(await monitoring().alerts(outsider, { status: 'all' })).toEqual([]);
      await expect(monitoring().alerts(partner, { status: 'acknowledged' })).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
      await expect(monitoring().acknowledge(officer, alert, '  ')).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
      // Only alerts can be acknowledged, not baseline hits.
      await expect(
        monitoring().acknowledge(
          officer,
          { partyId: ids.byDefault!, entityId: 'ofac:103' },
          'seen',
        ),
      ).rejects.toMatchObject({ code: 'NOT_FOUND' });

      const done = await monitoring().acknowledge(
        officer,
        alert,
        'different person: born 1990, Kyiv',
      );
      expect(done.acknowledgement).toMatchObject({
        by: officer.userId,
        note: 'different person: born 1990, Kyiv',
      });
      expect(await monitoring().alerts(viewer)).toEqual([]);
      expect(await monitoring().alerts(viewer, { status: 'acknowledged' })).toEqual([done]);
      expect(await monitoring().alerts(viewer, { status: 'all' })).toEqual([done]);
      await expect(monitoring().acknowledge(admin, alert, 'again')).rejects.toMatchObject({
        code: 'CONFLICT',
      });
      const audit = await sql<{ actor_user_id: string; target_id: string }>`
        SELECT actor_user_id, target_id FROM audit_events
        WHERE action = 'screening.alert.acknowledged'`.execute(store.db);
      expect(audit.rows).toEqual([
        { actor_user_id: officer.userId, target_id: `${alert.partyId}/${alert.entityId}` },
      ]);
    });
  });
}

for (const engine of ENGINES) {
  describe(`monitored parties screened on the worker pool on ${engine}`, () => {
    let store: Store;
    let system: Actor;
    let opened: EngineStore | undefined;
    // One service screens on the calling thread, the other on a worker pool of one thread.
    let inProcess: Services;
    let pooled: Services;
    const org: Actor = { userId: null, organisationId: crypto.randomUUID(), role: 'analyst' };
    const ingest = async (name: string, text: string) => {
      const { job } = await pooled.ingest.run(system, {
        kind: 'ofac-sdn',
        sourceName: name,
        input: bytes(text),
      });
      expect(job.status, job.error ?? '').toBe('succeeded');
      return job.summary as { version: string; rescreened: { parties: number; newHits: number } };
    };
    const hitsOf = (p: {
      hits: readonly { entityId: string; score: number; listVersion: string }[];
    }) => p.hits.map((h) => [h.entityId, h.score, h.listVersion]);

    beforeAll(async () => {
      opened = await openEngineStore(engine, 'screening_monitor_pool');
      ({ store, actor: system } = opened);
      inProcess = createServices(store, { closeStore: false, screeningWorkers: '0' });
      pooled = createServices(store, { closeStore: false, screeningWorkers: '1' });
    });
    afterAll(async () => {
      await inProcess?.close();
      await pooled?.close();
      await opened?.close();
    });

    it('finds what the in-process index finds, when added and after a list update', async () => {
      await ingest('sdn-2024-01-01.csv', OLD);
      const party = { name: 'Hector Zambrano Ortega', schema: 'Person' as const };
      const inThisThread = await inProcess.screening.monitoring.add(org, party);
      expect(pooled.screening.workerPool).toBeUndefined();
      // The pool starts with its first screening: spy on every pool's searches.
      const search = vi.spyOn(ScreeningWorkerPool.prototype, 'search');
      const onPool = await pooled.screening.monitoring.add(org, party);
      const pool = pooled.screening.workerPool!;
      expect(search).toHaveBeenCalled();
      expect(hitsOf(onPool)).toEqual(hitsOf(inThisThread));
      expect(hitsOf(onPool)).toHaveLength(1);
      const watched = await pooled.screening.monitoring.add(org, { name: 'Dmitri Kovalenko' });
      expect(watched.hits).toEqual([]);
      const update = await ingest('sdn-2024-02-01.csv', NEW);
      expect(update.rescreened).toEqual({ parties: 3, newHits: 1 });
      const alerts = await pooled.screening.monitoring.alerts(org);
      expect(alerts.map((a) => [a.partyId, a.entityId, a.listVersion])).toEqual([
        [watched.id, 'ofac:103', update.version],
      ]);
      // The import's own generation was dropped: none is in force until a match asks for one.
      expect(pool.generation).toBeUndefined();
      search.mockRestore();
    });
  });
}
