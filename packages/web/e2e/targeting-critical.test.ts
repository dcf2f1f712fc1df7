/// <reference lib="dom" />
// The Critical Fraud model in the console end to end: a real server (in process, fresh PGlite),
// KCS declarations uploaded through the API, a Fraud and a Critical Fraud model trained, the day
// scored in the browser; the queue shows the critical probability beside the Fraud score, the
// declaration the Critical model raised to red with its reason, sorts and filters by it, and the
// declaration page explains the critical probability beside the Fraud score.
import { kcsDayWithImporters, kcsTrainText } from '@interdict/testkit';
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

const DAY = '2021-01-04';
const encode = (text: string) => new TextEncoder().encode(text);

async function train(objective: 'fraud' | 'critical'): Promise<void> {
  expect((await trainThroughApi(server, { objective })).status).toBe(201);
}

beforeAll(async () => {
  server = await startTestServer();
  await ingestThroughApi(server, 'declarations', 'train.csv', encode(kcsTrainText('2020-02-01')));
  await ingestThroughApi(
    server,
    'declarations',
    'day.csv',
    encode(kcsDayWithImporters(DAY, []).text),
  );
  await train('fraud');
  await train('critical');
  browser = await openBrowserAsAdmin(server);
  page = browser.page;
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const criticalOf = async (page: Page): Promise<number[]> =>
  (await page.getByTestId('critical-score').allInnerTexts()).map((t) => Number(t.trim()));

describe('targeting page with a Critical Fraud model', () => {
  it('scores the day and shows the critical column and the declaration it raised', async () => {
    await page.goto(`${server.url}/targeting`);
    await page.getByRole('button', { name: 'Score this day' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /raised by the Critical Fraud model's top band/ })
      .waitFor({ timeout: 120_000 });
    await page.getByRole('columnheader', { name: 'Critical', exact: true }).waitFor();
    const raised = page.getByTestId('queue-row').filter({ has: page.getByTestId('raise-reason') });
    await expect.poll(() => raised.count()).toBeGreaterThan(0);
    const row = raised.first();
    const reason = (await row.getByTestId('raise-reason').innerText()).trim();
    const m = /^Critical Fraud model: top 1 % of the day \(p = (0\.\d\d)\)$/.exec(reason);
    expect(m, reason).not.toBeNull();
    // The probability in the reason is the one in the Critical column, rounded.
    const shown = Number((await row.getByTestId('critical-score').innerText()).trim());
    expect(shown.toFixed(2)).toBe(m![1]);
    expect(await row.getByLabel('lane red').count()).toBe(1);
    expect(await row.innerText()).toContain('yes (Critical Fraud model)');
    // Every row has a critical probability beside its Fraud score.
    const all = await criticalOf(page);
    expect(all.length).toBeGreaterThan(0);
    expect(all.every((p) => p > 0 && p < 1)).toBe(true);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'targeting-queue-critical');
  });

  it('sorts and filters the queue by critical probability, in the address', async () => {
    await page.goto(`${server.url}/targeting`);
    await page.getByRole('combobox', { name: 'Order' }).click();
    await page.getByRole('option', { name: 'Critical probability' }).click();
    await expect
      .poll(async () => {
        const ps = await criticalOf(page);
        return ps.length > 1 && ps.every((p, i) => i === 0 || ps[i - 1]! >= p);
      })
      .toBe(true);
    expect(page.url()).toContain('sort=critical');
    const ranked = await criticalOf(page);
    // Shown to 3 decimals: half a unit below the fifth keeps exactly those shown at or above it.
    const fifth = ranked[4]!;
    await page
      .getByRole('textbox', { name: 'Critical probability at least' })
      .fill((fifth - 0.0005).toFixed(4));
    await expect
      .poll(async () => (await criticalOf(page)).length)
      .toBe(ranked.filter((p) => p >= fifth).length);
    expect((await criticalOf(page)).every((p) => p >= fifth)).toBe(true);
    expect(page.url()).toContain('minCritical=');
    // The top of the critical order is the declaration the Critical model raised.
    expect(await page.getByTestId('queue-row').first().getByTestId('raise-reason').count()).toBe(1);
    expect(await accessibilityViolations(page)).toEqual([]);
  });

  it('explains the critical probability beside the Fraud score on the declaration', async () => {
    await page.goto(`${server.url}/targeting?sort=critical`);
    const link = page.getByTestId('queue-row').first().getByRole('link');
    await link.waitFor({ timeout: 60_000 });
    const id = await link.innerText();
    await link.click();
    await page.getByRole('heading', { name: `Declaration ${id}` }).waitFor();
    const raised = page.getByRole('alert', { name: 'Lane raised' });
    expect(await raised.innerText()).toMatch(
      /Critical Fraud model → red: top 1 % of the day \(p = 0\.\d\d\)/,
    );
    await page.getByRole('table', { name: 'Feature contributions', exact: true }).waitFor();
    const table = page.getByRole('table', { name: 'Critical model contributions' });
    await table.waitFor({ timeout: 60_000 });
    const cells = await table.locator('tbody tr td:last-child').allInnerTexts();
    const sum = cells.reduce((s, text) => s + Number(text.trim()), 0);
    const total = Number((await page.getByTestId('critical-explanation-total').innerText()).trim());
    expect(Number.isFinite(sum) && Number.isFinite(total)).toBe(true);
    expect(Math.abs(sum - total)).toBeLessThanOrEqual(0.0005 * (cells.length + 1));
    // Its probability is the critical score shown in the heading (same model: no "newer" note).
    const badge = await page.getByText(/^critical 0\.\d{3}$/).innerText();
    expect(await table.innerText()).toContain(`probability ${badge.replace('critical ', '')}`);
    expect(
      await page.getByRole('note').filter({ hasText: 'Explained by a newer model' }).count(),
    ).toBe(0);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'targeting-declaration-critical');
  });

  it('ran without console errors, CSP violations or failed requests', () => {
    expect(browser.problems).toEqual([]);
  });
});
