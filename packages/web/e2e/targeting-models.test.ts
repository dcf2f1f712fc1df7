/// <reference lib="dom" />
// The Models tab end to end: two model versions trained on January 2020 and on data up to
// 2020-02-08 (the KCS training split only), early February's declarations loaded with their
// inspection results, and each version's out-of-time evaluation shown side by side — one with
// figures, one "not enough inspected declarations yet" — beside the training-time figures,
// which are labelled as the early-stopping slice.
import { dateOf, kcsLines } from '@interdict/testkit';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accessibilityViolations,
  openBrowserAsAdmin,
  screenshot,
  type ConsoleBrowser,
} from './browser';
import { ingestThroughApi, startTestServer, trainThroughApi, type TestServer } from './server';

let server: TestServer;
let browser: ConsoleBrowser;
let page: Page;

const train = kcsLines('df_syn_train_eng.csv');
const upTo = (before: string) => train.filter((l, i) => i > 0 && dateOf(l) < before);
const text = [train[0]!, ...upTo('2020-02-10')].join('\n') + '\n';
/** The KCS row's `Fraud` column (the one before `Critical Fraud`, the last). */
const fraudOf = (line: string) => Number(line.split(',').at(-2));
/** What the console should count for a model trained on days before `until`. */
function later(until: string): { inspected: number; positives: number } {
  const rows = upTo('2020-02-10').filter((l) => dateOf(l) >= until);
  return { inspected: rows.length, positives: rows.filter((l) => fraudOf(l) === 1).length };
}

/** Trains through the API and answers the new model's id. */
async function trainModel(body: { objective: string; until: string }): Promise<string> {
  const res = await trainThroughApi(server, body);
  if (res.status !== 201) throw new Error(`train: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

let older: string;
let newer: string;

beforeAll(async () => {
  server = await startTestServer();
  await ingestThroughApi(server, 'declarations', 'train.csv', new TextEncoder().encode(text));
  older = await trainModel({ objective: 'fraud', until: '2020-02-01' });
  newer = await trainModel({ objective: 'fraud', until: '2020-02-08' });
  browser = await openBrowserAsAdmin(server);
  page = browser.page;
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('targeting models tab', () => {
  it('compares the versions out of time, side by side, and labels the training-time figures', async () => {
    await page.goto(`${server.url}/targeting/models`);
    const models = page.getByRole('table', { name: 'Models' });
    await models.waitFor();
    expect(await models.innerText()).toContain(
      'early-stopping slice (the model chose its number of trees on it)',
    );

    const table = page.getByRole('table', { name: 'Out-of-time evaluation by model version' });
    await table.waitFor();
    // Both computed (the spinner's "Computing…" gone from every column).
    await page
      .getByTestId('evaluation-status')
      .filter({ hasText: 'Computing' })
      .first()
      .waitFor({ state: 'detached', timeout: 120_000 });
    const versions = await table.getByTestId('evaluation-version').allInnerTexts();
    // Newest first, as the list of models.
    expect(versions.map((v) => v.slice(0, 8))).toEqual([newer.slice(0, 8), older.slice(0, 8)]);
    expect(versions[0]).toContain('(in use by the queue)');
    expect(await table.getByTestId('evaluation-status').allInnerTexts()).toEqual([
      'Not enough inspected declarations yet',
      'evaluated',
    ]);

    const row = async (label: string) =>
      (await table.getByRole('row').filter({ hasText: label }).first().innerText())
        .split('\t')
        .map((c) => c.trim());
    const [, newerCount, olderCount] = await row('inspected (positive)');
    const a = later('2020-02-01');
    const b = later('2020-02-08');
    expect(olderCount).toBe(`${a.inspected} (${a.positives})`);
    expect(newerCount).toBe(`${b.inspected} (${b.positives})`);
    const [, newerP5, olderP5] = await row('P@5%');
    expect(olderP5).toMatch(/^[01]\.\d{3}$/);
    expect(newerP5).toBe('not enough yet');
    expect((await row('Trained through')).slice(1)).toEqual(['2020-02-07', '2020-01-31']);
    // Imported labels, no day scored: no random-share inspections to give unbiased figures.
    expect((await row('Random share: inspected (positive)')).slice(1)).toEqual(['0', '0']);
    expect(await page.getByText('No random-share inspections yet').count()).toBe(1);

    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'targeting-models-evaluation');
  });
});
