/// <reference lib="dom" />
// The upload form's choice per ingest-kind option, end to end (real server, fresh PGlite): a
// declarations file in a made-up schema, with its column mapping and one bad row, loaded with
// "On bad row: skip" stores the good rows and shows how many were skipped.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accessibilityViolations,
  openBrowserAsAdmin,
  screenshot,
  type ConsoleBrowser,
} from './browser';
import { startTestServer, type TestServer } from './server';

let server: TestServer;
let browser: ConsoleBrowser;
let page: Page;

const CSV = [
  'entry_no,accepted,tariff_line',
  'W-1,2024-06-03,870323',
  'W-2,2024-06-31,870323', // line 3: no such date
  'W-3,2024-06-03,620342',
].join('\n');
const MAPPING = JSON.stringify({
  name: 'web-entries',
  columns: { id: 'entry_no', date: 'accepted', hsCode: 'tariff_line' },
});

beforeAll(async () => {
  server = await startTestServer();
  browser = await openBrowserAsAdmin(server);
  page = browser.page;
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('upload form: ingest-kind options', () => {
  it('offers the bad-row choice for declarations and skips the bad row when asked', async () => {
    await page.goto(`${server.url}/administration/jobs`);
    await page.getByRole('combobox', { name: 'Kind of data' }).click();
    await page.getByRole('option', { name: 'declarations', exact: true }).click();
    const policy = page.getByRole('combobox', { name: 'On bad row' });
    expect(await policy.inputValue()).toBe('refuse (default)');
    const choose = async (button: RegExp, name: string, text: string) => {
      const chooser = page.waitForEvent('filechooser');
      await page.getByRole('button', { name: button }).click();
      await (await chooser).setFiles({ name, mimeType: 'text/plain', buffer: Buffer.from(text) });
    };
    await choose(/^File/, 'web-entries.csv', CSV);
    await choose(/^Mapping file/, 'mapping.json', MAPPING);
    await policy.click();
    await page.getByRole('option', { name: 'skip', exact: true }).click();
    expect(await policy.inputValue()).toBe('skip');
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Start ingest job' }).click();
    const row = page.getByRole('row').filter({ hasText: 'web-entries.csv' });
    await row.getByText('succeeded', { exact: true }).waitFor({ timeout: 60_000 });
    const text = await row.innerText();
    expect(text).toContain('declarations: 2');
    expect(text).toContain('skippedRows: 1');
    // The choice was for that file: the form is back to the safe default.
    expect(await policy.inputValue()).toBe('refuse (default)');
    await screenshot(page, 'admin-ingest-skip-bad-rows');
  });

  it('ran without console errors, CSP violations or failed requests', () => {
    expect(browser.problems).toEqual([]);
  });
});
