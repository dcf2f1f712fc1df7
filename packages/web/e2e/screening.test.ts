/// <reference lib="dom" />
// The screening page end to end: a real server (in process, fresh PGlite), the UN consolidated
// list uploaded through the API as an ingest job, then a search, the explained hits, the entity
// page and a decision, in Debian's chromium, checked and screenshotted.
import { readFileSync } from 'node:fs';
import { sharedData } from '@interdict/testkit';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accessibilityViolations,
  openBrowser,
  openBrowserAsAdmin,
  screenshot,
  type ConsoleBrowser,
  signInAs,
} from './browser';
import { ingestThroughApi, startTestServer, type TestServer } from './server';

let server: TestServer;
let browser: ConsoleBrowser;
let page: Page;

const upload = (kind: string, name: string, bytes: Uint8Array) =>
  ingestThroughApi(server, kind, name, bytes);

const loadUnList = () =>
  upload(
    'un-consolidated',
    'UN_consolidated.xml',
    readFileSync(sharedData('watchlists', 'un-consolidated-2026-02', 'UN_consolidated.xml')),
  );

beforeAll(async () => {
  server = await startTestServer();
  await loadUnList();
  browser = await openBrowserAsAdmin(server);
  page = browser.page;
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('screening page', () => {
  it('screens a misspelled name and explains the hit', async () => {
    await page.goto(`${server.url}/screening`);
    await page.getByRole('heading', { level: 1, name: 'Screening' }).waitFor();
    await page.getByRole('textbox', { name: 'Name' }).fill('Erik Badege');
    await page.getByRole('button', { name: 'Screen' }).click();
    const hit = page.getByTestId('screening-hit').first();
    await hit.waitFor({ timeout: 60_000 });
    expect(await hit.innerText()).toContain('ERIC BADEGE');
    expect(await hit.getByRole('table', { name: 'Why this score' }).innerText()).toMatch(/erik/);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'screening-search');
  });

  it('opens the entity page and records a dismissal', async () => {
    await page.getByTestId('screening-hit').first().getByRole('link').click();
    await page.getByRole('heading', { name: 'ERIC BADEGE' }).waitFor();
    await page.getByRole('textbox', { name: 'Note' }).fill('different person: born 1990');
    await page.getByRole('button', { name: 'Dismiss hit' }).click();
    await page.getByText(/dismissed for “ERIC BADEGE”/).waitFor();
    const committed = page.getByTestId('decision-ledger');
    expect(await committed.innerText()).toMatch(/^committed to the ledger at index \d+$/);
    expect(await committed.getAttribute('href')).toBe('/ledger');
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'screening-entity');
  });

  it('lists the list versions in force', async () => {
    await page.goto(`${server.url}/screening/lists`);
    const table = page.getByRole('table', { name: 'List versions' });
    await table.waitFor();
    expect(await table.innerText()).toContain('un@2026-02-27');
  });

  it('monitors a party and shows the new hit after a list update', async () => {
    await page.goto(`${server.url}/screening`);
    await page.getByRole('tab', { name: 'Monitoring' }).click();
    await page.getByRole('textbox', { name: 'Party name' }).fill('Dmitri Kovalenko');
    await page.getByRole('button', { name: 'Monitor' }).click();
    const party = page.getByTestId('monitored-party').filter({ hasText: 'Dmitri Kovalenko' });
    await party.waitFor();
    expect(await party.innerText()).toContain('none');
    // A small OFAC sdn.csv written for this test that lists him: the re-screening reports it.
    const sdn =
      '703,"KOVALENKO, Dmitri Ivanovich","individual","SDNTK",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n';
    await upload('ofac-sdn', 'sdn.csv', new TextEncoder().encode(sdn));
    await page.reload();
    const alert = page.getByTestId('screening-alert').first();
    await alert.waitFor();
    expect(await alert.innerText()).toContain('KOVALENKO, Dmitri Ivanovich');
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'screening-monitoring');
  });

  it('shows a viewer the alerts and thresholds, with nothing to act on', async () => {
    const signIn = await fetch(`${server.url}/api/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: server.adminEmail, password: server.adminPassword }),
    });
    const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const { csrfToken } = (await signIn.json()) as { csrfToken: string };
    const viewer = { email: 'vera.viewer@interdict.test', password: 'vera-viewer-password-4Lm9' };
    const created = await fetch(`${server.url}/api/users`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' },
      body: JSON.stringify({ ...viewer, name: 'Vera Viewer', role: 'viewer' }),
    });
    expect(created.status).toBe(201);
    const second = await openBrowser();
    try {
      const p = second.page;
      await signInAs(p, server.url, viewer.email, viewer.password);
      await p.goto(`${server.url}/screening/monitoring`);
      const alert = p.getByTestId('screening-alert').filter({ hasText: 'KOVALENKO' });
      await alert.waitFor();
      expect(await alert.innerText()).toMatch(/open$/);
      await p.getByTestId('party-threshold').first().waitFor();
      await p.getByTestId('default-threshold').waitFor();
      for (const name of [/^Acknowledge/, /^Edit the threshold/, 'Monitor', 'Set default']) {
        expect(await p.getByRole('button', { name }).count()).toBe(0);
      }
      expect(await accessibilityViolations(p)).toEqual([]);
    } finally {
      await second.close();
    }
  });

  it('sets thresholds and acknowledges the alert with a note (then it is history)', async () => {
    await page.goto(`${server.url}/screening/monitoring`);
    // The organisation's default (an admin's setting), then one party's own threshold.
    await page.getByRole('textbox', { name: 'New default threshold' }).fill('0.8');
    await page.getByRole('button', { name: 'Set default' }).click();
    await page.getByTestId('default-threshold').filter({ hasText: '0.80' }).waitFor();
    const party = page.getByTestId('monitored-party').filter({ hasText: 'Dmitri Kovalenko' });
    await party.getByTestId('party-threshold').filter({ hasText: '0.80 (default)' }).waitFor();
    await party.getByRole('button', { name: 'Edit the threshold of Dmitri Kovalenko' }).click();
    await party.getByRole('textbox', { name: 'Threshold for Dmitri Kovalenko' }).fill('0.9');
    await party.getByRole('button', { name: 'Save' }).click();
    await party
      .getByTestId('party-threshold')
      .filter({ hasText: /^0\.90$/ })
      .waitFor();

    const alert = page.getByTestId('screening-alert').filter({ hasText: 'KOVALENKO' });
    await alert.getByRole('button', { name: /^Acknowledge / }).click();
    await alert
      .getByRole('textbox', { name: /Acknowledgement note/ })
      .fill('not our shipper: born 1990');
    await alert.getByRole('button', { name: 'Save' }).click();
    // Gone from the open queue, kept in the history with the note.
    await page.getByText(/^No open alerts/).waitFor();
    await page.locator('label', { hasText: /^Acknowledged$/ }).click();
    const done = page.getByTestId('alert-acknowledgement');
    await done.waitFor();
    expect(await done.innerText()).toMatch(
      /not our shipper: born 1990\s+acknowledged \d{4}-.* by Administrator$/,
    );
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'screening-monitoring-acknowledged');
  });
});
