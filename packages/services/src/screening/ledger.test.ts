// Screening's decisions of consequence on the ledger (issue 12 §6), through the services on both
// engines: a list version put in force and an officer's decision on a hit are each committed in
// the same transaction as the change, one entry each, whose body names the change and which no
// other organisation can read; bad input changes nothing and logs nothing.
import { createHash } from 'node:crypto';
import type { Actor, Store } from '@interdict/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  byteSource,
  ENGINES,
  openEngineStore,
  type EngineStore,
} from '../../../store/src/test-support';
import { createServices, type Services } from '../services';

// Small OFAC legacy sdn.csv files written for this test: the second adds entry 503 and drops 502.
const row = (id: number, name: string) =>
  `${id},"${name}","individual","SDNTK",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- `;
const FIRST = [row(501, 'ZAMBRANO ORTEGA, Hector'), row(502, 'PETRENKO, Ivan')].join('\r\n');
const SECOND = [row(501, 'ZAMBRANO ORTEGA, Hector'), row(503, 'KOVALENKO, Dmitri')].join('\r\n');
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

for (const engine of ENGINES) {
  describe(`screening decisions on the ledger on ${engine}`, () => {
    let opened: EngineStore | undefined;
    let store: Store;
    let services: Services;
    let system: Actor;
    let officer: Actor;
    let outsider: Actor;

    const entries = async (): Promise<number> =>
      Number(
        (
          await store.db
            .selectFrom('ledger_entries')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const importList = async (sourceName: string, text: string) =>
      services.ingest.run(system, { kind: 'ofac-sdn', sourceName, input: byteSource(text) });

    beforeAll(async () => {
      opened = await openEngineStore(engine, 'screening_ledger');
      ({ store, actor: system } = opened);
      services = createServices(store, { closeStore: false, screeningWorkers: '0' });
      const agency = await store.organisations.create(system, { name: 'Agency', kind: 'agency' });
      const other = await store.organisations.create(system, { name: 'Other', kind: 'agency' });
      officer = { userId: null, organisationId: agency.id, role: 'officer' };
      outsider = { userId: null, organisationId: other.id, role: 'admin' };
    });
    afterAll(async () => {
      await services?.close();
      await opened?.close();
    });

    it('commits a list version put in force: one entry naming the file and what it changed', async () => {
      const before = await entries();
      const first = await importList('sdn-2024-01-01.csv', FIRST);
      expect(first.job.status, first.job.error ?? '').toBe('succeeded');
      expect(first.entries).toHaveLength(1);
      expect(await entries()).toBe(before + 1);
      const version = (first.job.summary as { version: string }).version;
      const entry = await services.ledger.get(system, first.entries[0]!.index);
      expect(entry).toMatchObject({
        recordType: 'screening.list-version',
        subject: { type: 'screening.list-version', id: version },
      });
      const { contentHash } = entry.body as { contentHash: string };
      expect(contentHash).toMatch(/^[0-9a-f]{64}$/);
      expect(entry.body).toEqual({
        listVersion: version,
        version: 'ofac@2024-01-01',
        source: 'ofac',
        published: '2024-01-01',
        contentHash,
        sourceName: 'sdn-2024-01-01.csv',
        part: 'sdn',
        sha256: sha256(FIRST),
        entities: 2,
        added: 2,
        changed: 0,
        removed: 0,
        replaces: null,
        jobId: first.job.id,
        putInForceBy: { organisationId: system.organisationId, userId: null },
      });

      const second = await importList('sdn-2024-02-01.csv', SECOND);
      expect(second.entries).toHaveLength(1);
      expect(await entries()).toBe(before + 2);
      const replacing = await services.ledger.get(system, second.entries[0]!.index);
      const diff = second.job.summary as { added: number; changed: number; removed: number };
      expect(diff).toMatchObject({ added: 1, removed: 1 });
      expect(replacing.body).toMatchObject({
        sha256: sha256(SECOND),
        added: diff.added,
        changed: diff.changed,
        removed: diff.removed,
        replaces: version,
      });
      // The page of a list version finds its entry by subject.
      const about = await services.ledger.entriesFor(system, 'screening.list-version', version);
      expect(about.map((e) => e.index)).toEqual([first.entries[0]!.index]);
    });

    it('keeps a list version entry from other organisations', async () => {
      const { items } = await services.ledger.list(system, {
        recordType: 'screening.list-version',
      });
      const entry = items[0]!;
      await expect(services.ledger.get(outsider, entry.index!)).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      expect(
        await services.ledger.entriesFor(outsider, 'screening.list-version', entry.subject!.id),
      ).toEqual([]);
    });

    it('logs nothing for the same list again, or a malformed one', async () => {
      const before = await entries();
      const again = await importList('sdn-2024-02-01.csv', SECOND);
      expect(again.job.summary).toMatchObject({ unchanged: true });
      expect(again.entries).toEqual([]);
      const broken = await importList('sdn-2024-03-01.csv', 'not,a,list\n"');
      expect(broken.job.status).toBe('failed');
      expect(broken.job.error).toBeTruthy();
      expect(broken.entries).toEqual([]);
      expect(await entries()).toBe(before);
    });

    it('commits a decision on a hit with the name screened and its score, for its organisation only', async () => {
      const before = await entries();
      const decision = await services.screening.decide(officer, {
        entityId: 'ofac:503',
        queryName: 'Dmitry Kowalenko',
        decision: 'confirmed',
        note: 'same father name',
        score: 0.82,
      });
      expect(await entries()).toBe(before + 1);
      expect(decision.ledger?.origin).toBe(services.ledger.origin);
      expect(decision.ledger?.index).toBeGreaterThanOrEqual(0);
      const entry = await services.ledger.get(officer, decision.ledger!.index);
      expect(entry).toMatchObject({
        recordType: 'screening.decision',
        subject: { type: 'screening.decision', id: decision.id },
      });
      expect(entry.body).toEqual({
        id: decision.id,
        organisationId: officer.organisationId,
        userId: null,
        entityId: 'ofac:503',
        queryName: 'Dmitry Kowalenko',
        decision: 'confirmed',
        note: 'same father name',
        score: 0.82,
        listVersions: ['ofac@2024-02-01'],
        createdAt: decision.createdAt,
      });
      await expect(services.ledger.get(outsider, decision.ledger!.index)).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      expect(await services.ledger.entriesFor(outsider, 'screening.decision', decision.id)).toEqual(
        [],
      );
      expect(
        (await services.ledger.entriesFor(officer, 'screening.decision', decision.id)).map(
          (e) => e.index,
        ),
      ).toEqual([decision.ledger!.index]);
      // The deciding organisation sees it on the entity; another one does not.
      expect((await services.screening.entity(officer, 'ofac:503')).decisions).toHaveLength(1);
      expect((await services.screening.entity(outsider, 'ofac:503')).decisions).toEqual([]);
    });

    it('refuses a decision on nothing listed, bad input or a role that may not decide, and logs nothing', async () => {
      const before = await entries();
      const decide = (
        actor: Actor,
        input: Partial<Parameters<Services['screening']['decide']>[1]>,
      ) =>
        services.screening.decide(actor, {
          entityId: 'ofac:503',
          queryName: 'Dmitry Kowalenko',
          decision: 'dismissed',
          ...input,
        });
      // No longer listed in force (dropped by the second version), and never listed.
      await expect(decide(officer, { entityId: 'ofac:502' })).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      await expect(decide(officer, { entityId: 'un:nope' })).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      await expect(decide(officer, { queryName: '---' })).rejects.toMatchObject({
        code: 'NAME_EMPTY',
      });
      await expect(decide(officer, { score: 1.5 })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        message: /score/,
      });
      for (const role of ['viewer', 'partner'] as const) {
        await expect(decide({ ...officer, role }, {})).rejects.toMatchObject({ code: 'FORBIDDEN' });
      }
      expect(await entries()).toBe(before);
      expect((await services.screening.entity(officer, 'ofac:503')).decisions).toHaveLength(1);
    });
  });
}
