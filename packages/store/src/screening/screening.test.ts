import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { sharedData } from '@interdict/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../actor';
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
} from './repository';

const bytes = byteSource;

const W = (...p: string[]) => sharedData('watchlists', ...p);

for (const engine of ENGINES) {
  describe(`screening store on ${engine}`, () => {
    let store: Store;
    let actor: Actor;
    let opened: EngineStore | undefined;

    beforeAll(async () => {
      opened = await openEngineStore(engine, 'screening');
      ({ store, actor } = opened);
    });
    afterAll(async () => {
      await opened?.close();
    });

    it('loads the UN list and the OFAC legacy set as list versions', async () => {
      const un = await runIngestJob(store, actor, {
        kind: 'un-consolidated',
        sourceName: 'UN_consolidated.xml.gz',
        input: bytes(gzipSync(readFileSync(W('un-consolidated-2026-02', 'UN_consolidated.xml')))),
      });
      expect(un.status).toBe('succeeded');
      for (const f of ['sdn.csv', 'alt.csv', 'add.csv', 'sdn_comments.csv']) {
        const job = await runIngestJob(store, actor, {
          kind: 'ofac-sdn',
          sourceName: f,
          input: bytes(readFileSync(W('ofac-sdn-2021-07-07', f))),
        });
        expect(job.status, job.error ?? '').toBe('succeeded');
      }
      const versions = await listScreeningVersions(store, actor);
      const current = versions.filter((v) => v.current);
      expect(current.map((v) => v.source).sort()).toEqual(['ofac', 'un']);
      // SOURCE.md: 8,976 OFAC entries (2021) and 730 + 273 UN records.
      expect(current.find((v) => v.source === 'ofac')?.counts.entities).toBe(8976);
      expect(current.find((v) => v.source === 'un')?.counts.entities).toBe(1003);
      const { entity } = await getScreeningEntity(store, actor, 'ofac:306');
      expect(entity.names.map((n) => n.full)).toContain('NATIONAL BANK OF CUBA');
      const all = await currentScreeningEntities(store, actor);
      expect(all.entities).toHaveLength(8976 + 1003);
    });

    it('records what a newer version added and removed', async () => {
      const job = await runIngestJob(store, actor, {
        kind: 'ofac-sdn',
        sourceName: 'sdn-2024-05-03.csv',
        input: bytes(readFileSync(W('ofac-sdn-2024-05-03', 'sdn.csv'))),
      });
      expect(job.status, job.error ?? '').toBe('succeeded');
      const summary = job.summary as { added: number; removed: number; changed: number };
      expect(summary.added).toBeGreaterThan(0);
      expect(summary.removed + summary.changed).toBeGreaterThan(0);
      const ofac = (await listScreeningVersions(store, actor)).filter((v) => v.source === 'ofac');
      expect(ofac.filter((v) => v.current)).toHaveLength(1);
      expect(ofac.find((v) => v.current)?.counts.entities).toBe(14965);
    });

    it('leaves the version in force when an import fails', async () => {
      const before = await listScreeningVersions(store, actor);
      const job = await runIngestJob(store, actor, {
        kind: 'un-consolidated',
        sourceName: 'broken.xml',
        input: bytes('<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL></CONSOLIDATED_LIST>'),
      });
      expect(job.status).toBe('failed');
      expect(job.error).toMatch(/malformed XML/);
      const bad = await runIngestJob(store, actor, {
        kind: 'ofac-sdn',
        sourceName: 'sdn.csv',
        input: bytes('1,"A",-0- ,"X"\nnot-a-number,"B",-0- ,"X"\n'),
      });
      expect(bad.status).toBe('failed');
      expect(await listScreeningVersions(store, actor)).toEqual(before);
      expect((await getScreeningEntity(store, actor, 'un:6907993')).entity.names[0]?.full).toBe(
        'ERIC BADEGE',
      );
    });

    it('records decisions per organisation and refuses roles that may not decide', async () => {
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
      const viewer: Actor = { ...actor, role: 'viewer' };
      await expect(
        recordScreeningDecision(store, viewer, {
          entityId: 'un:6907993',
          queryName: 'x',
          decision: 'dismissed',
          listVersions: [],
        }),
      ).rejects.toMatchObject({ code: 'FORBIDDEN' });
      const partner: Actor = { ...actor, role: 'partner' };
      await expect(listScreeningVersions(store, partner)).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
      await expect(getScreeningEntity(store, actor, 'un:nope')).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
    });
  });
}
