import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { sharedData } from '@interdict/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../actor';
import type { IngestLedgerRecord } from '../ingest/registry';
import { runIngestJob } from '../ingest/run';
import '../ingest/kinds';
import type { Store } from '../store';
import { byteSource, ENGINES, openEngineStore, type EngineStore } from '../test-support';
import {
  currentScreeningEntities,
  getScreeningEntity,
  listScreeningDecisions,
  listScreeningVersions,
  recordScreeningDecision,
  setScreeningDecisionLedger,
} from './repository';

const bytes = byteSource;

// The store's screening I/O on both engines. The list kinds record each version they put in force
// on the ledger (issue 12 §6): here the job's `stage` only collects those records; the ledger
// service's own staging, and who may do what, are tested with the screening service
// (packages/services/src/screening).

const W = (...p: string[]) => sharedData('watchlists', ...p);

for (const engine of ENGINES) {
  describe(`screening store on ${engine}`, () => {
    let store: Store;
    let actor: Actor;
    let opened: EngineStore | undefined;
    const records: IngestLedgerRecord[] = [];
    const ingest = (kind: string, sourceName: string, input: AsyncIterable<Uint8Array>) =>
      runIngestJob(store, actor, {
        kind,
        sourceName,
        input,
        stage: (_tx, record) => {
          records.push(record);
          return Promise.resolve();
        },
      });

    beforeAll(async () => {
      opened = await openEngineStore(engine, 'screening');
      ({ store, actor } = opened);
    });
    afterAll(async () => {
      await opened?.close();
    });

    it('loads the UN list and the OFAC legacy set as list versions', async () => {
      const un = await ingest(
        'un-consolidated',
        'UN_consolidated.xml.gz',
        bytes(gzipSync(readFileSync(W('un-consolidated-2026-02', 'UN_consolidated.xml')))),
      );
      expect(un.status).toBe('succeeded');
      for (const f of ['sdn.csv', 'alt.csv', 'add.csv', 'sdn_comments.csv']) {
        const job = await ingest('ofac-sdn', f, bytes(readFileSync(W('ofac-sdn-2021-07-07', f))));
        expect(job.status, job.error ?? '').toBe('succeeded');
      }
      const versions = await listScreeningVersions(store);
      const current = versions.filter((v) => v.current);
      expect(current.map((v) => v.source).sort()).toEqual(['ofac', 'un']);
      // SOURCE.md: 8,976 OFAC entries (2021) and 730 + 273 UN records.
      expect(current.find((v) => v.source === 'ofac')?.counts.entities).toBe(8976);
      expect(current.find((v) => v.source === 'un')?.counts.entities).toBe(1003);
      const { entity } = await getScreeningEntity(store, 'ofac:306');
      expect(entity.names.map((n) => n.full)).toContain('NATIONAL BANK OF CUBA');
      const all = await currentScreeningEntities(store);
      expect(all.entities).toHaveLength(8976 + 1003);
      // One record per version put in force: UN, then each OFAC file that changed the version.
      expect(records.map((r) => r.subject)).toEqual(
        records.map((r) => ({
          type: 'screening.list-version',
          id: (r.body as { listVersion: string }).listVersion,
        })),
      );
      const un2026 = records[0]!.body as Record<string, unknown>;
      expect(un2026).toMatchObject({
        source: 'un',
        sourceName: 'UN_consolidated.xml.gz',
        entities: 1003,
        added: 1003,
        replaces: null,
      });
      expect(records.at(-1)?.body).toMatchObject({
        source: 'ofac',
        sourceName: 'sdn_comments.csv',
        part: 'comments',
        entities: 8976,
        listVersion: current.find((v) => v.source === 'ofac')?.storedId,
      });
    });

    it('records what a newer version added and removed', async () => {
      const replaced = (await listScreeningVersions(store)).find(
        (v) => v.current && v.source === 'ofac',
      );
      const job = await ingest(
        'ofac-sdn',
        'sdn-2024-05-03.csv',
        bytes(readFileSync(W('ofac-sdn-2024-05-03', 'sdn.csv'))),
      );
      expect(job.status, job.error ?? '').toBe('succeeded');
      const summary = job.summary as { added: number; removed: number; changed: number };
      expect(summary.added).toBeGreaterThan(0);
      expect(summary.removed + summary.changed).toBeGreaterThan(0);
      const ofac = (await listScreeningVersions(store)).filter((v) => v.source === 'ofac');
      expect(ofac.filter((v) => v.current)).toHaveLength(1);
      expect(ofac.find((v) => v.current)?.counts.entities).toBe(14965);
      // Its record names what it changed against the version it replaced, and the file.
      expect(records.at(-1)?.body).toMatchObject({
        sourceName: 'sdn-2024-05-03.csv',
        sha256: createHash('sha256')
          .update(readFileSync(W('ofac-sdn-2024-05-03', 'sdn.csv')).toString('latin1'))
          .digest('hex'),
        added: summary.added,
        changed: summary.changed,
        removed: summary.removed,
        replaces: replaced?.storedId,
      });
    });

    it('leaves the version in force when an import fails', async () => {
      const before = await listScreeningVersions(store);
      const recorded = records.length;
      const job = await ingest(
        'un-consolidated',
        'broken.xml',
        bytes('<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL></CONSOLIDATED_LIST>'),
      );
      expect(job.status).toBe('failed');
      expect(job.error).toMatch(/malformed XML/);
      const bad = await ingest(
        'ofac-sdn',
        'sdn.csv',
        bytes('1,"A",-0- ,"X"\nnot-a-number,"B",-0- ,"X"\n'),
      );
      expect(bad.status).toBe('failed');
      expect(await listScreeningVersions(store)).toEqual(before);
      expect((await getScreeningEntity(store, 'un:6907993')).entity.names[0]?.full).toBe(
        'ERIC BADEGE',
      );
      expect(records).toHaveLength(recorded);
      // The same content again puts nothing new in force, so it records nothing.
      const again = await ingest(
        'ofac-sdn',
        'sdn-2024-05-03.csv',
        bytes(readFileSync(W('ofac-sdn-2024-05-03', 'sdn.csv'))),
      );
      expect(again.summary).toMatchObject({ unchanged: true });
      expect(records).toHaveLength(recorded);
    });

    it('refuses to put a list in force without a ledger to record it', async () => {
      const before = await listScreeningVersions(store);
      const job = await runIngestJob(store, actor, {
        kind: 'ofac-sdn',
        sourceName: 'sdn-2024-06-01.csv',
        input: bytes(
          '901,"NOBODY, Known","individual","SDNTK",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ',
        ),
      });
      expect(job.status).toBe('failed');
      expect(job.error).toMatch(/ledger/);
      expect(await listScreeningVersions(store)).toEqual(before);
    });

    it('records decisions per organisation, and where each is committed, once', async () => {
      const decision = await recordScreeningDecision(store, actor, {
        entityId: 'un:6907993',
        queryName: 'Eric Badege',
        decision: 'confirmed',
        note: 'same DOB',
        score: 1,
        listVersions: ['un@2026-02-27'],
      });
      expect(decision.decision).toBe('confirmed');
      expect(await listScreeningDecisions(store, actor, { entityId: 'un:6907993' })).toHaveLength(
        1,
      );
      const other: Actor = { userId: null, organisationId: crypto.randomUUID(), role: 'admin' };
      expect(await listScreeningDecisions(store, other)).toEqual([]);
      await expect(getScreeningEntity(store, 'un:nope')).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      expect(decision.ledger).toBeNull();
      const where = { origin: 'example.org/log', index: 7 };
      await expect(
        setScreeningDecisionLedger(store, other, decision.id, where),
      ).rejects.toMatchObject({ code: 'NOT_FOUND' });
      const committed = await setScreeningDecisionLedger(store, actor, decision.id, where);
      expect(committed.ledger).toEqual(where);
      await expect(
        setScreeningDecisionLedger(store, actor, decision.id, { ...where, index: 8 }),
      ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });
  });
}
