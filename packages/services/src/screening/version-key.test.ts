// The key of the list versions in force is remembered by the screening service (version-key.ts).
// These tests make its lifetime an hour, so only the forgetting that a list install does (in the
// import's transaction, through the ingest service) can make the next read see a new version.
import type { Actor, Store } from '@interdict/store';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  byteSource,
  ENGINES,
  openEngineStore,
  type EngineStore,
} from '../../../store/src/test-support';
import { createServices, type Services } from '../services';

const row = (id: number, name: string) =>
  `${id},"${name}","individual","SDNTK",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- `;
const OLD = row(401, 'ZAMBRANO ORTEGA, Hector');
const NEW = [OLD, row(403, 'KOVALENKO, Dmitri Ivanovich')].join('\r\n');

for (const engine of ENGINES) {
  describe(`list-version key on ${engine}`, () => {
    let store: Store;
    let system: Actor;
    let opened: EngineStore | undefined;
    let services: Services;
    const viewer: Actor = { userId: null, organisationId: crypto.randomUUID(), role: 'viewer' };
    const key = (actor: Actor) => services.screening.versionsInForceKey(actor);
    const ingest = async (name: string, text: string) =>
      (
        await services.ingest.run(system, {
          kind: 'ofac-sdn',
          sourceName: name,
          input: byteSource(text),
        })
      ).job;
    const stored = async () =>
      (
        await sql<{ key: string | null }>`
          SELECT string_agg(id, '|' ORDER BY ingested_at DESC, id) AS key
          FROM screening_list_versions WHERE current`.execute(store.db)
      ).rows[0]?.key ?? '';

    beforeAll(async () => {
      process.env.INTERDICT_SCREENING_VERSION_TTL_MS = String(60 * 60 * 1000);
      opened = await openEngineStore(engine, 'screening_vkey');
      ({ store, actor: system } = opened);
      services = createServices(store, { closeStore: false, screeningWorkers: '0' });
    });
    afterAll(async () => {
      delete process.env.INTERDICT_SCREENING_VERSION_TTL_MS;
      await services?.close();
      await opened?.close();
    });

    it('shows a newly installed version on the next read, and keeps it after a failed import', async () => {
      expect(await key(viewer)).toBe('');
      expect((await ingest('sdn-2024-01-01.csv', OLD)).status).toBe('succeeded');
      const first = await key(viewer);
      expect(first).toMatch(/^ofac@2024-01-01#/);
      expect(await key(viewer)).toBe(first);
      expect((await ingest('sdn-2024-02-01.csv', NEW)).status).toBe('succeeded');
      const second = await key(viewer);
      expect(second).toMatch(/^ofac@2024-02-01#/);
      expect(second).toBe(await stored());
      expect((await ingest('sdn-2024-03-01.csv', 'not,a,list\n"')).status).toBe('failed');
      expect(await key(viewer)).toBe(second);
      expect(await stored()).toBe(second);
    });

    it('is refused to an actor who may not screen', async () => {
      const partner: Actor = { ...viewer, role: 'partner' };
      await expect(key(partner)).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
    });

    // Another replica's import can only happen on PostgreSQL.
    if (engine === 'postgres')
      it('reads the database every time when its lifetime is 0', async () => {
        process.env.INTERDICT_SCREENING_VERSION_TTL_MS = '0';
        try {
          const before = await key(viewer);
          // As another replica's import would: not through this process.
          await sql`UPDATE screening_list_versions SET current = NOT current
          WHERE list = 'ofac'`.execute(store.db);
          expect(await key(viewer)).not.toBe(before);
          expect(await key(viewer)).toBe(await stored());
        } finally {
          process.env.INTERDICT_SCREENING_VERSION_TTL_MS = String(60 * 60 * 1000);
        }
      });
  });
}
