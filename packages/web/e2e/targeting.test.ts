/// <reference lib="dom" />
// The targeting page end to end: a real server (in process, fresh PGlite), the UN consolidated
// list and KCS declarations uploaded through the API (one day's importer named after a company
// on the UN list), a model trained and its evaluation shown, the day scored, and the watchlist
// hit raising that declaration to red with its reason, in the queue and on its page.
import {
  kcsDayWithImporters,
  kcsTrainText,
  unConsolidatedXml,
  unListedCompanies,
} from '@interdict/testkit';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accessibilityViolations,
  openBrowser,
  screenshot,
  type ConsoleBrowser,
  signInAs,
} from './browser';
import { ingestThroughApi, startTestServer, type TestServer } from './server';

let server: TestServer;
let browser: ConsoleBrowser;
let page: Page;

const unXml = unConsolidatedXml();
// A company on the real UN list: the first entity name of three or more plain words.
const listedCompany = unListedCompanies(unXml.toString('utf8'))[0]!;
const DAY = '2021-01-04';
const trainText = kcsTrainText('2020-02-01');
const {
  text: dayText,
  ids: [flaggedId],
} = kcsDayWithImporters(DAY, [{ name: listedCompany, country: 'CD' }]);
const encode = (text: string) => new TextEncoder().encode(text);

beforeAll(async () => {
  server = await startTestServer();
  await ingestThroughApi(server, 'un-consolidated', 'UN_consolidated.xml', unXml);
  await ingestThroughApi(server, 'declarations', 'train.csv', encode(trainText));
  await ingestThroughApi(server, 'declarations', 'day.csv', encode(dayText));
  browser = await openBrowser();
  page = browser.page;
  await signInAs(page, server.url, server.adminEmail, server.adminPassword);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('targeting page', () => {
  it('trains a model and shows its version with P@n and R@n', async () => {
    await page.goto(`${server.url}/targeting/models`);
    await page.getByRole('button', { name: 'Train Fraud model' }).click();
    const evaluation = page.getByRole('table', { name: /^Evaluation of model / });
    await evaluation.waitFor({ timeout: 120_000 });
    const text = await evaluation.innerText();
    for (const n of ['1%', '2%', '5%', '10%']) expect(text).toContain(n);
    expect(text).toMatch(/P@n(\s+[01]\.\d{3}){4}/);
    expect(text).toMatch(/R@n(\s+[01]\.\d{3}){4}/);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'targeting-models');
  });

  it('scores the day and shows the watchlist hit in the queue and on the declaration', async () => {
    await page.goto(`${server.url}/targeting`);
    await page.getByRole('button', { name: 'Score this day' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /raised by watchlist hits/ })
      .waitFor({
        timeout: 120_000,
      });
    const row = page.getByTestId('queue-row').filter({ hasText: flaggedId });
    await row.getByTestId('raise-reason').waitFor();
    const reason = await row.getByTestId('raise-reason').innerText();
    expect(reason).toMatch(
      new RegExp(
        `^watchlist hit: Importer ${listedCompany} matches UN Security Council list '${listedCompany}' \\(.*list version un@2026-02-27\\)$`,
      ),
    );
    expect(await row.getByLabel('lane red').count()).toBe(1);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'targeting-queue-watchlist');

    await row.getByRole('link', { name: flaggedId }).click();
    const raised = page.getByRole('alert', { name: 'Lane raised' });
    await raised.waitFor();
    expect(await raised.innerText()).toContain(
      `Importer ${listedCompany} matches UN Security Council list`,
    );
    const parties = await page.getByRole('table', { name: 'Parties' }).innerText();
    expect(parties).toContain(listedCompany);
    expect(parties).toContain('CD');
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'targeting-declaration-watchlist');
  });

  it('ran without console errors, CSP violations or failed requests', () => {
    expect(browser.problems).toEqual([]);
  });
});
