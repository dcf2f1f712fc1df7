/// <reference lib="dom" />
// The analytics pages end to end with real data: a real server (in process, fresh PGlite), the
// public CBP, UNODC, BTS, World Port Index and UN/LOCODE files uploaded through the API as ingest
// jobs, then every analytics view rendered in Debian's chromium, checked and screenshotted.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { sharedData } from '@interdict/testkit';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accessibilityViolations,
  openBrowserAsAdmin,
  screenshot,
  type ConsoleBrowser,
} from './browser';
import { ingestThroughApi, startTestServer, type TestServer } from './server';

let server: TestServer;
let browser: ConsoleBrowser;
let page: Page;

const FILES: [string, string][] = [
  ['cbp-seizures', sharedData('seizures', 'cbp', 'cbp_drug_seizures_fy19_22.csv')],
  ['cbp-seizures', sharedData('seizures', 'cbp', 'cbp_drug_seizures_fy22_25.csv')],
  ['unodc-seizures', sharedData('seizures', 'unodc', 'drug_seizures_2018_2022.csv')],
  ['bts-crossings', sharedData('border-crossings', 'Border_Crossing_Entry_Data_2015-2025.csv')],
  ['bts-ports', sharedData('border-crossings', 'border_ports.csv')],
  ['wpi-ports', sharedData('ports', 'wpi', 'UpdatedPub150.csv')],
  ['unlocode', sharedData('ports', 'unlocode', 'unlocode_geoapify_2024.csv')],
];

/** Loads the files the way an administrator would: POST /api/jobs, then poll each job. */
async function loadData(): Promise<void> {
  for (const [kind, file] of FILES) {
    await ingestThroughApi(server, kind, basename(file), readFileSync(file));
  }
}

beforeAll(async () => {
  server = await startTestServer();
  await loadData();
  browser = await openBrowserAsAdmin(server);
  page = browser.page;
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/**
 * Waits until no loader is shown. Not networkidle: MapLibre's module worker keeps a request
 * open in chromium's accounting, so pages with a map would never count as idle.
 */
async function settled(): Promise<void> {
  const loaders = page.getByRole('status').filter({ hasText: 'Loading' });
  const deadline = Date.now() + 30_000;
  while ((await loaders.count()) > 0) {
    if (Date.now() > deadline) throw new Error('the page kept loading');
    await page.waitForTimeout(100);
  }
  await page.waitForTimeout(300);
}

/** Number of canvases ECharts has drawn into (each chart is a role=img div holding one). */
async function drawnCharts(): Promise<number> {
  return page.locator('div[role="img"] canvas').count();
}

async function mapReady(): Promise<void> {
  await page.locator('[data-map-ready="true"]').first().waitFor({ timeout: 30_000 });
  // Let MapLibre draw the sources it was just given.
  await page.waitForTimeout(1500);
}

describe('analytics pages with real data', () => {
  it('shows seizure trends, drug mix, a forecast and unusual months', async () => {
    await page.goto(`${server.url}/analytics/seizures?drug=Fentanyl&group=region`);
    await page.getByRole('heading', { level: 1, name: 'Analytics' }).waitFor();
    await page.getByRole('heading', { name: /Monthly pounds by region/ }).waitFor();
    await settled();
    expect(await drawnCharts()).toBeGreaterThanOrEqual(2);
    // The fiscal-year table shows the Southwest Border series.
    expect(await page.getByRole('cell', { name: 'Southwest Border' }).count()).toBeGreaterThan(0);
    // Filters live in the URL: the shared link reproduces this view.
    expect(page.url()).toContain('drug=Fentanyl');
    expect(await page.getByRole('link', { name: 'CSV' }).first().getAttribute('href')).toMatch(
      /format=csv/,
    );
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'analytics-seizures');
  });

  it('shows a chart tooltip on hover without a Content-Security-Policy violation', async () => {
    await page.goto(`${server.url}/analytics/seizures?drug=Fentanyl&group=region`);
    await page.getByRole('heading', { name: /Monthly pounds by region/ }).waitFor();
    await settled();
    const chart = page.getByRole('img', { name: 'Line chart of monthly pounds by region' });
    // ECharts writes its tooltip as HTML into the chart's box: the hovered month, then one line
    // per series. Its style="…" attributes are what a strict style-src would refuse.
    const tooltip = chart.locator('div').filter({ hasText: /\d{4}-\d{2}/ });
    expect(await tooltip.count()).toBe(0);
    const box = await chart.boundingBox();
    if (!box) throw new Error('the chart has no box');
    // The middle of the plot area (inside the grid, above the zoom slider).
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await tooltip.first().waitFor({ state: 'visible', timeout: 10_000 });
    expect(await tooltip.first().innerText()).toMatch(/Southwest Border/);
    // One task later any violation from writing the tooltip has been reported.
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 0)));
    expect(browser.problems.filter((p) => p.startsWith('csp:'))).toEqual([]);
    await page.mouse.move(0, 0);
  });

  it('follows a figure to the source rows behind it', async () => {
    await page.goto(`${server.url}/analytics/seizures?fy=2023`);
    await settled();
    const mixSection = page.getByRole('region', { name: /Drug mix/ });
    const fentanylRow = mixSection.getByRole('row').filter({ hasText: 'Fentanyl' });
    await fentanylRow.getByRole('link').click();
    await page.getByRole('heading', { name: /Source rows: CBP/ }).waitFor();
    await settled();
    expect(page.url()).toContain('dataset=cbp-seizures');
    const firstCells = await page.getByRole('row').nth(1).getByRole('cell').allInnerTexts();
    expect(firstCells[0]).toMatch(/cbp_drug_seizures_fy22_25\.csv/);
    expect(Number(firstCells[1])).toBeGreaterThan(1);
    await screenshot(page, 'analytics-rows');
  });

  it('sets seizures against traffic and shows crossings at a port', async () => {
    await page.goto(`${server.url}/analytics/traffic?unit=personal-vehicles&area=field-office`);
    await page.getByRole('heading', { name: /per 100,000 personal vehicles/ }).waitFor();
    await settled();
    expect(await page.getByRole('cell', { name: 'SAN DIEGO FIELD OFFICE' }).count()).toBe(1);
    expect(await drawnCharts()).toBeGreaterThanOrEqual(2);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'analytics-traffic');
  });

  it('shades countries by UNODC seizures and lists regional shares and trends', async () => {
    await page.goto(`${server.url}/analytics/world?drug=Cocaine&year=2021`);
    await page.getByRole('heading', { name: /Cocaine seized in 2021/ }).waitFor();
    await settled();
    await mapReady();
    expect(await page.getByRole('cell', { name: 'Americas' }).count()).toBeGreaterThan(0);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'analytics-world');
  });

  it('maps ports and border crossings offline, over shaded countries', async () => {
    const external: string[] = [];
    page.on('request', (r) => {
      if (
        !r.url().startsWith(server.url) &&
        !r.url().startsWith('data:') &&
        !r.url().startsWith('blob:')
      )
        external.push(r.url());
    });
    await page.goto(`${server.url}/analytics/map?drug=Cocaine&year=2021`);
    await page.getByRole('heading', { name: /Ports, border crossings/ }).waitFor();
    await page.getByText(/Seaports \(World Port Index\) \(/).waitFor();
    await page.getByText(/US land ports \(BTS\) \(/).waitFor();
    await mapReady();
    expect(await page.getByText(/Seaports \(World Port Index\) \(3,768\)/).count()).toBe(1);
    expect(await page.getByText(/US land ports \(BTS\) \(\d+\)/).count()).toBe(1);
    expect(await page.getByText(/Border crossings \(UN\/LOCODE\) \(\d+\)/).count()).toBe(1);
    // The map drew something: the canvas is not one flat colour.
    const png = await page.locator('.maplibregl-canvas').screenshot();
    const distinctColours = await page.evaluate(async (b64) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const probe = document.createElement('canvas');
      probe.width = 96;
      probe.height = 48;
      const ctx = probe.getContext('2d');
      if (!ctx) return 0;
      ctx.drawImage(img, 0, 0, 96, 48);
      const data = ctx.getImageData(0, 0, 96, 48).data;
      const seen = new Set<string>();
      for (let i = 0; i < data.length; i += 4) seen.add(`${data[i]},${data[i + 1]},${data[i + 2]}`);
      return seen.size;
    }, png.toString('base64'));
    expect(distinctColours).toBeGreaterThan(5);
    expect(external).toEqual([]);
    await screenshot(page, 'analytics-map');
  });

  it('ran without console errors or failed requests', () => {
    expect(browser.problems).toEqual([]);
  });
});
