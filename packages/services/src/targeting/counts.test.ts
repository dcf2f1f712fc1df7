import { runIngestJob, type Actor } from '@interdict/store';
import { kcsLines } from '@interdict/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { byteSource, ENGINES, openServicesWorld, type ServicesWorld } from './testing';

// The targeting counts (GET /api/summary) count the caller's organisation's declarations and
// inspection results only: QA found every organisation's totals shown to other agencies.

const train = kcsLines('df_syn_train_eng.csv');
/** `rows` labelled KCS declarations from row `from` (each is also an inspection result). */
const csv = (from: number, rows: number) =>
  [train[0]!, ...train.slice(1 + from, 1 + from + rows)].join('\n') + '\n';

for (const engine of ENGINES) {
  describe(`targeting counts (${engine})`, () => {
    let opened: ServicesWorld;
    let agency: Actor;

    beforeAll(async () => {
      opened = await openServicesWorld(engine, 'targeting_counts');
      const org = await opened.store.organisations.create(opened.actor, {
        name: 'Border Agency',
        kind: 'agency',
      });
      agency = { userId: null, organisationId: org.id, role: 'analyst' };
      for (const [actor, text] of [
        [opened.actor, csv(0, 60)],
        [agency, csv(60, 25)],
      ] as const) {
        const job = await runIngestJob(opened.store, actor, {
          kind: 'declarations',
          sourceName: 'd.csv',
          input: byteSource(text),
        });
        expect(job.status).toBe('succeeded');
      }
    }, 60_000);

    afterAll(async () => {
      await opened?.close();
    });

    it("counts only the caller's organisation", async () => {
      expect(await opened.services.targeting.counts(opened.actor)).toEqual({
        declarations: 60,
        inspections: 60,
      });
      expect(await opened.services.targeting.counts(agency)).toEqual({
        declarations: 25,
        inspections: 25,
      });
      const empty = await opened.store.organisations.create(opened.actor, {
        name: 'Insurer',
        kind: 'insurer',
      });
      expect(
        await opened.services.targeting.counts({
          userId: null,
          organisationId: empty.id,
          role: 'viewer',
        }),
      ).toEqual({ declarations: 0, inspections: 0 });
    });

    it('refuses a caller without a targeting role', async () => {
      await expect(
        opened.services.targeting.counts({ ...agency, role: 'partner' }),
      ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    });
  });
}
