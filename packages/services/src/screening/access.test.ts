// Who may read what the screening service holds: every read path refuses a role that may not
// screen (partners see shared intelligence only, docs/access-control.md) before any work, and an
// organisation's own records (decisions, monitored parties, alerts, thresholds) are never another
// organisation's to read.
import type { Actor, Store } from '@interdict/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  byteSource,
  ENGINES,
  openEngineStore,
  type EngineStore,
} from '../../../store/src/test-support';
import { createServices, type Services } from '../services';

const SDN = `601,"ZAMBRANO ORTEGA, Hector","individual","SDNTK",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- `;

for (const engine of ENGINES) {
  describe(`screening reads and who may make them on ${engine}`, () => {
    let opened: EngineStore | undefined;
    let store: Store;
    let services: Services;
    const org = crypto.randomUUID();
    const as = (role: Actor['role'], organisationId = org): Actor => ({
      userId: null,
      organisationId,
      role,
    });

    beforeAll(async () => {
      opened = await openEngineStore(engine, 'screening_access');
      store = opened.store;
      services = createServices(store, { closeStore: false, screeningWorkers: '0' });
      const { job } = await services.ingest.run(opened.actor, {
        kind: 'ofac-sdn',
        sourceName: 'sdn-2024-01-01.csv',
        input: byteSource(SDN),
      });
      expect(job.status, job.error ?? '').toBe('succeeded');
      await services.screening.decide(as('officer'), {
        entityId: 'ofac:601',
        queryName: 'Hector Zambrano',
        decision: 'dismissed',
        score: 0.9,
      });
      await services.screening.monitoring.add(as('analyst'), { name: 'Hector Zambrano Ortega' });
    });
    afterAll(async () => {
      await services?.close();
      await opened?.close();
    });

    it('refuses every read to a partner', async () => {
      const partner = as('partner');
      const screening = services.screening;
      const screener = screening.partyScreener(partner);
      const reads: [string, () => Promise<unknown>][] = [
        ['match', () => screening.match(partner, [{ name: 'Hector Zambrano' }], ms)],
        ['lists', () => screening.lists(partner)],
        ['lists in force', () => screening.listsInForce(partner)],
        ['versions key', () => screening.versionsInForceKey(partner)],
        ['entity', () => screening.entity(partner, 'ofac:601')],
        ['party screener', () => screener.screen([{ name: 'Hector Zambrano' }], {})],
        ['party screener entity', () => screener.entity!('ofac:601')],
        ['parties', () => screening.monitoring.parties(partner)],
        ['alerts', () => screening.monitoring.alerts(partner, { status: 'all' })],
        ['monitoring settings', () => screening.monitoring.settings(partner)],
      ];
      for (const [name, read] of reads)
        await expect(read(), name).rejects.toMatchObject({ code: 'FORBIDDEN' });
    });

    it('lets a viewer read lists and the own organisation’s records only', async () => {
      const viewer = as('viewer');
      const outsider = as('admin', crypto.randomUUID());
      expect((await services.screening.lists(viewer)).map((v) => v.id)).toEqual([
        'ofac@2024-01-01',
      ]);
      expect((await services.screening.entity(viewer, 'ofac:601')).decisions).toHaveLength(1);
      expect((await services.screening.entity(outsider, 'ofac:601')).decisions).toEqual([]);
      expect(await services.screening.monitoring.parties(viewer)).toHaveLength(1);
      expect(await services.screening.monitoring.parties(outsider)).toEqual([]);
      expect(await services.screening.monitoring.alerts(outsider, { status: 'all' })).toEqual([]);
      const screened = await services.screening
        .partyScreener(viewer)
        .screen([{ name: 'Hector Zambrano Ortega' }], { threshold: 0.7 });
      expect(screened.listVersions).toEqual(['ofac@2024-01-01']);
      expect(screened.hits[0]?.[0]?.entityId).toBe('ofac:601');
    });
  });
}

const ms = { threshold: 0.7, limit: 10 };
