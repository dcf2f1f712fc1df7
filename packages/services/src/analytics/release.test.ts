import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Actor, AnalyticsReleaseRecord, Role } from '@interdict/store';
import {
  byteSource,
  ENGINES,
  openEngineStore,
  type EngineStore,
} from '@interdict/store/test-support';
import { sharedData } from '@interdict/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../services';

// Putting a public dataset release in force is a decision of consequence (issue 12 §6): every
// agency reads the trends and rates computed from it, so the ledger records who replaced the
// data with which file, what it replaced and what it changed, in the job's own transaction.

const KEY = Buffer.alloc(32, 9).toString('base64');
const PORTS = readFileSync(sharedData('border-crossings', 'border_ports.csv'));
const CBP1 = readFileSync(sharedData('seizures', 'cbp', 'cbp_drug_seizures_fy19_22.csv'));
const CBP2 = readFileSync(sharedData('seizures', 'cbp', 'cbp_drug_seizures_fy22_25.csv'));
const CROSSINGS = readFileSync(
  sharedData('border-crossings', 'Border_Crossing_Entry_Data_2015-2025.csv'),
  'utf8',
)
  .split('\n')
  .slice(0, 501)
  .join('\n');

/** SHA-256 of a file's bytes, computed here rather than taken from the code under test. */
function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

for (const engine of ENGINES) {
  describe(`dataset releases put in force are on the ledger (${engine})`, () => {
    let env: EngineStore;
    let services: Services;
    let agencyId: string;
    const origin = `analytics-release-${engine}.interdict.test/log`;
    const userIds = new Map<string, string>();
    /** A user of the home organisation (the hub) or of the agency, by role (one id each). */
    const member = (organisation: 'home' | 'agency', role: Role): Actor => ({
      userId: userIds.get(`${organisation} ${role}`) ?? setId(`${organisation} ${role}`),
      organisationId: organisation === 'home' ? env.actor.organisationId : agencyId,
      role,
      home: organisation === 'home',
    });

    const setId = (name: string) => {
      const id = randomUUID();
      userIds.set(name, id);
      return id;
    };

    beforeAll(async () => {
      env = await openEngineStore(engine, 'svc_analytics_release');
      agencyId = (
        await env.store.organisations.create(env.actor, { name: 'Border Agency', kind: 'agency' })
      ).id;
      services = createServices(env.store, {
        closeStore: false,
        ledger: { origin, key: KEY, checkpointIntervalMs: 20 },
      });
    });
    afterAll(async () => {
      await services?.close();
      await env?.close();
    });

    /** Every `analytics.release` entry of the log, sequenced or not. */
    const releaseEntries = async () =>
      Number(
        (
          await env.store.db
            .selectFrom('ledger_entries')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('origin', '=', origin)
            .where('record_type', '=', 'analytics.release')
            .executeTakeFirstOrThrow()
        ).n,
      );
    const ingest = (actor: Actor, kind: string, sourceName: string, data: Uint8Array | string) =>
      services.ingest.run(actor, { kind, sourceName, input: byteSource(data) });

    it('records one entry naming who put which file in force, and what it replaced', async () => {
      const analyst = member('home', 'analyst');
      const before = await releaseEntries();
      const first = await ingest(analyst, 'bts-ports', 'border_ports.csv', PORTS);
      expect(first.job.status, first.job.error ?? '').toBe('succeeded');
      expect(first.entries).toHaveLength(1);
      expect(await releaseEntries()).toBe(before + 1);
      const entry = await services.ledger.get(analyst, first.entries[0]!.index);
      expect(entry.recordType).toBe('analytics.release');
      expect(entry.subject).toEqual({ type: 'analytics.release', id: 'bts-ports@current' });
      const [release] = await services.analytics.releases(analyst);
      if (!release) throw new Error('the sources view lists no release');
      expect(entry.body).toEqual({
        kind: 'bts-ports',
        release: 'current',
        sourceName: 'border_ports.csv',
        sha256: sha256(PORTS),
        bytes: PORTS.length,
        rowCount: 117,
        firstPeriod: release.firstPeriod,
        lastPeriod: release.lastPeriod,
        jobId: first.job.id,
        by: { organisationId: analyst.organisationId, userId: analyst.userId },
        replaces: null,
        rows: { added: 117, changed: 0, removed: 0, unchanged: 0 },
      } satisfies AnalyticsReleaseRecord);
      // What the sources view shows is what the ledger committed to.
      expect(release).toMatchObject({ kind: 'bts-ports', sha256: sha256(PORTS), rowCount: 117 });

      // A revised file (one port moved) replaces it: the entry names the file it replaced.
      const lines = PORTS.toString('utf8').split('\n');
      lines[1] = (lines[1] as string).replace('43.659,', '43.660,');
      const revised = lines.join('\n');
      const admin = member('home', 'admin');
      const second = await ingest(admin, 'bts-ports', 'border_ports-revised.csv', revised);
      expect(second.job.status, second.job.error ?? '').toBe('succeeded');
      expect(await releaseEntries()).toBe(before + 2);
      const replaced = await services.ledger.get(admin, second.entries[0]!.index);
      expect(replaced.body).toMatchObject({
        sourceName: 'border_ports-revised.csv',
        sha256: sha256(revised),
        by: { organisationId: admin.organisationId, userId: admin.userId },
        replaces: {
          sourceName: 'border_ports.csv',
          sha256: sha256(PORTS),
          rowCount: 117,
          jobId: first.job.id,
        },
        rows: { added: 0, changed: 1, removed: 0, unchanged: 116 },
      });
      // The release's page lists both decisions, oldest first.
      const onPage = await services.ledger.entriesFor(
        member('home', 'viewer'),
        'analytics.release',
        'bts-ports@current',
      );
      expect(onPage.map((e) => e.index)).toEqual([
        first.entries[0]!.index,
        second.entries[0]!.index,
      ]);
    });

    it('names the fiscal years a CBP release takes over from another', async () => {
      const analyst = member('home', 'analyst');
      const older = await ingest(analyst, 'cbp-seizures', 'cbp_drug_seizures_fy19_22.csv', CBP1);
      const newer = await ingest(analyst, 'cbp-seizures', 'cbp_drug_seizures_fy22_25.csv', CBP2);
      expect(newer.job.status, newer.job.error ?? '').toBe('succeeded');
      const olderBody = (await services.ledger.get(analyst, older.entries[0]!.index)).body;
      expect(olderBody).toMatchObject({
        release: 'FY2019-FY2022',
        replaces: null,
        rows: { added: 10_092, changed: 0, removed: 0 },
        inForce: ['2019', '2020', '2021', '2022'].map((period) => ({
          period,
          before: null,
          after: 'FY2019-FY2022',
        })),
      });
      const newerEntry = await services.ledger.get(analyst, newer.entries[0]!.index);
      expect(newerEntry.subject).toEqual({
        type: 'analytics.release',
        id: 'cbp-seizures@FY2022-FY2025',
      });
      // SOURCE.md: FY2022 onward comes from fy22_25, which takes FY2022 over from fy19_22.
      expect(newerEntry.body).toMatchObject({
        kind: 'cbp-seizures',
        release: 'FY2022-FY2025',
        sha256: sha256(CBP2),
        rowCount: 9_004,
        firstPeriod: '2022',
        lastPeriod: '2025',
        replaces: null,
        inForce: [
          { period: '2022', before: 'FY2019-FY2022', after: 'FY2022-FY2025' },
          { period: '2023', before: null, after: 'FY2022-FY2025' },
          { period: '2024', before: null, after: 'FY2022-FY2025' },
          { period: '2025', before: null, after: 'FY2022-FY2025' },
        ],
      });
    });

    it('shows another organisation nothing of the entry: no body, no entry, nothing on the page', async () => {
      const loader = member('agency', 'analyst');
      const job = await ingest(loader, 'bts-crossings', 'bts-sample.csv', CROSSINGS);
      expect(job.job.status, job.job.error ?? '').toBe('succeeded');
      const index = job.entries[0]!.index;
      expect((await services.ledger.get(member('agency', 'viewer'), index)).body).toMatchObject({
        kind: 'bts-crossings',
        by: { organisationId: agencyId, userId: loader.userId },
        rows: { added: 500 },
      });
      for (const role of ['analyst', 'officer', 'viewer', 'partner'] as const) {
        const outsider = member('home', role);
        await expect(services.ledger.get(outsider, index), role).rejects.toMatchObject({
          code: 'NOT_FOUND',
        });
        expect(
          await services.ledger.entriesFor(outsider, 'analytics.release', 'bts-crossings@current'),
          role,
        ).toEqual([]);
      }
      // The instance's operator sees that the entry exists, never what it says.
      const operator = await services.ledger.get(member('home', 'admin'), index);
      expect(operator.body).toBeNull();
      expect(operator.opening).toBeNull();
      expect(operator.bodySha256).toBeNull();
    });

    it('leaves no entry for a file it refuses, a kind that does not exist, or a role that may not load', async () => {
      const analyst = member('home', 'analyst');
      const before = await releaseEntries();
      const renamed = PORTS.toString('utf8').replace('Port Code', 'Port Number');
      const bad = await ingest(analyst, 'bts-ports', 'renamed.csv', renamed);
      expect(bad.job.status).toBe('failed');
      expect(bad.job.error).toMatch(/renamed\.csv line 1: .*header/);
      expect(bad.entries).toEqual([]);
      const header = PORTS.toString('utf8').split('\n')[0]!;
      const headerOnly = await ingest(analyst, 'bts-ports', 'empty.csv', `${header}\n`);
      expect(headerOnly.job.status).toBe('failed');
      await expect(ingest(analyst, 'no-such-dataset', 'x.csv', 'a\n')).rejects.toMatchObject({
        code: 'UNKNOWN_INGEST_KIND',
      });
      await expect(
        ingest(member('home', 'viewer'), 'bts-ports', 'border_ports.csv', PORTS),
      ).rejects.toMatchObject({ code: 'FORBIDDEN' });
      expect(await releaseEntries()).toBe(before);
      // And the data in force is the data that was in force.
      const ports = (await services.analytics.releases(analyst)).find(
        (r) => r.kind === 'bts-ports',
      );
      expect(ports?.sourceName).toBe('border_ports-revised.csv');
    });

    it('lets every role of every organisation but a federation partner read the views', async () => {
      for (const organisation of ['home', 'agency'] as const) {
        for (const role of ['admin', 'analyst', 'officer', 'viewer'] as const) {
          const reader = member(organisation, role);
          expect((await services.analytics.releases(reader)).length).toBeGreaterThan(0);
        }
        const partner = member(organisation, 'partner');
        const refused = { code: 'FORBIDDEN' };
        await expect(services.analytics.releases(partner)).rejects.toMatchObject(refused);
        await expect(services.analytics.facets(partner)).rejects.toMatchObject(refused);
        await expect(
          services.analytics.sourceRows(partner, 'cbp-seizures', { limit: 10, offset: 0 }),
        ).rejects.toMatchObject(refused);
        await expect(
          services.analytics.seizureSeries(partner, { group: 'drug', metric: 'pounds' }),
        ).rejects.toMatchObject(refused);
        await expect(services.analytics.changes(partner, { limit: 10 })).rejects.toMatchObject(
          refused,
        );
      }
    });
  });
}
