import { kcsLines } from '@interdict/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../actor';
import { runIngestJob } from '../ingest/run';
import '../ingest/kinds';
import { byteSource, ENGINES, openEngineStore, type EngineStore } from '../test-support';
import { targetingCounts } from './repository';

// targetingCounts (GET /api/summary) counts the caller's organisation's declarations and
// inspection results only: QA found every organisation's totals shown to other agencies.

const train = kcsLines('df_syn_train_eng.csv');
/** `rows` labelled KCS declarations from row `from` (each is also an inspection result). */
const csv = (from: number, rows: number) =>
  [train[0]!, ...train.slice(1 + from, 1 + from + rows)].join('\n') + '\n';

for (const engine of ENGINES) {
  describe(`targetingCounts (${engine})`, () => {
    let opened: EngineStore;
    let agency: Actor;

    beforeAll(async () => {
      opened = await openEngineStore(engine, 'targeting_counts');
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
      expect(await targetingCounts(opened.store, opened.actor)).toEqual({
        declarations: 60,
        inspections: 60,
      });
      expect(await targetingCounts(opened.store, agency)).toEqual({
        declarations: 25,
        inspections: 25,
      });
      const empty = await opened.store.organisations.create(opened.actor, {
        name: 'Insurer',
        kind: 'insurer',
      });
      expect(
        await targetingCounts(opened.store, {
          userId: null,
          organisationId: empty.id,
          role: 'viewer',
        }),
      ).toEqual({ declarations: 0, inspections: 0 });
    });

    it('refuses a caller without a targeting role', async () => {
      await expect(
        targetingCounts(opened.store, { ...agency, role: 'partner' }),
      ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    });
  });
}
