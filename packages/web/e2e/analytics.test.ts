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

/**
 * The locale's digit grouping and decimal sign, as the page formats numbers: the tests check
 * figures are written the reader's way without assuming the browser's language.
 */
async function numberSigns(): Promise<{ group: string; decimal: string }> {
  return page.evaluate(() => {
    const parts = new Intl.NumberFormat().formatToParts(12345.6);
    return {
      group: parts.find((p) => p.type === 'group')?.value ?? '',
      decimal: parts.find((p) => p.type === 'decimal')?.value ?? '.',
    };
  });
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A figure of at least a thousand, grouped the locale's way, with `decimals` decimals. */
function groupedNumber(signs: { group: string; decimal: string }, decimals: string): RegExp {
  return new RegExp(
    `^\\d{1,3}(${escape(signs.group)}\\d{3})+(${escape(signs.decimal)}\\d${decimals})?$`,
  );
}

// Issue 14, item 8: what an analyst met on the analytics pages, each as the task they tried.
describe('analytics as an analyst uses it (issue 14, item 8)', () => {
  it('show LSD on the seizures chart, and keep the choice in the address', async () => {
    await page.goto(`${server.url}/analytics/seizures`);
    await page.getByRole('heading', { name: 'Monthly pounds by drug' }).waitFor();
    await settled();
    const chart = page.getByRole('img', { name: /^Line chart of monthly pounds by drug/ });
    // The chart says it does not show every series, and how many there are.
    await page.getByText('Showing the 8 largest of 10 series (by total pounds)').waitFor();
    expect(await chart.getAttribute('aria-label')).not.toMatch(/Lsd|Ecstasy/);
    // The fiscal-year table lists every series, the small ones too.
    const table = page.getByRole('table', { name: /Fiscal-year totals/ });
    expect(await table.getByRole('cell', { name: 'Lsd', exact: true }).count()).toBe(1);
    expect(await table.getByRole('cell', { name: 'Ecstasy', exact: true }).count()).toBe(1);

    // Choose LSD as well.
    await page.getByRole('combobox', { name: 'Series on the chart' }).fill('Lsd');
    await page
      .getByRole('listbox', { name: 'Series on the chart' })
      .getByRole('option', { name: 'Lsd', exact: true })
      .click();
    await page.keyboard.press('Escape');
    await page.getByText('Showing 9 of 10 series, as chosen.').waitFor();
    await expect.poll(() => chart.getAttribute('aria-label')).toMatch(/, Lsd$/);
    expect(new URL(page.url()).searchParams.getAll('show')).toContain('Lsd');
    // Its line is drawn: hovering the chart lists it in the tooltip.
    await chart.scrollIntoViewIfNeeded();
    const box = await chart.boundingBox();
    if (!box) throw new Error('the chart has no box');
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const tooltip = chart
      .locator('div')
      .filter({ hasText: /\d{4}-\d{2}/ })
      .first();
    await tooltip.waitFor({ state: 'visible', timeout: 10_000 });
    expect(await tooltip.innerText()).toMatch(/Lsd/);
    await page.mouse.move(0, 0);
    await screenshot(page, 'analytics-seizures-lsd-chosen');

    // The address keeps the choice: a reload (or a shared link) shows the same chart.
    await page.reload();
    await page.getByText('Showing 9 of 10 series, as chosen.').waitFor();
    expect(await chart.getAttribute('aria-label')).toMatch(/, Lsd$/);
    // And every series is one click away.
    await page.getByRole('button', { name: 'Show all 10' }).click();
    await page.getByText('Showing all 10 series.').waitFor();
    expect(await chart.getAttribute('aria-label')).toMatch(/Ecstasy/);
    expect(await accessibilityViolations(page)).toEqual([]);
  });

  it('a month flagged unusual says why', async () => {
    await page.goto(`${server.url}/analytics/seizures`);
    const section = page.getByRole('region', { name: 'Unusual months' });
    await section.getByRole('table').waitFor();
    await settled();
    const signs = await numberSigns();
    const headers = await section.getByRole('columnheader').allInnerTexts();
    const why = headers.indexOf('Why');
    expect(why).toBeGreaterThan(0);
    // April 2025's ecstasy (one seizure of about 1,700 lb, where 60 or so is a usual month).
    const row = section
      .getByRole('row')
      .filter({ hasText: 'Ecstasy' })
      .filter({ hasText: '2025-04' });
    expect(await row.count()).toBe(1);
    const text = await row.getByRole('cell').nth(why).innerText();
    const n = `[\\d${escape(signs.group)}${escape(signs.decimal)}]+`;
    expect(text).toMatch(
      new RegExp(`^\\+${n} lb \\(${n}× expected\\); the usual range was ${n}–${n} lb\\.$`),
    );
    // The gap is the actual minus the expected figure in the same row.
    const cells = await row.getByRole('cell').allInnerTexts();
    const number = (t: string) =>
      Number(
        t
          .replaceAll(signs.group, '')
          .replace(signs.decimal, '.')
          .replace(/[^\d.+-]/g, ''),
      );
    const [actual, expected] = [number(cells[2] ?? ''), number(cells[3] ?? '')];
    const gap = number(/^\+([^ ]+) lb/.exec(text)?.[1] ?? '');
    expect(Math.abs(gap - (actual - expected))).toBeLessThan(0.2);
    // Every flagged month says why.
    const whys = await section
      .getByRole('row')
      .filter({ has: page.getByRole('cell') })
      .evaluateAll((rows, i) => rows.map((r) => r.children[i]?.textContent ?? ''), why);
    expect(whys.length).toBeGreaterThan(0);
    for (const w of whys) expect(w).toMatch(/expected.*usual range/);
    await screenshot(page, 'analytics-unusual-why');
  });

  it('unusual months leave out the noise of a tiny series, and say where the line is', async () => {
    // Needs the server to apply unusualMonthsAcross (the view's minimum gap).
    await page.goto(`${server.url}/analytics/seizures`);
    const section = page.getByRole('region', { name: 'Unusual months' });
    await section.getByRole('table').waitFor();
    await settled();
    const lsd = section.getByRole('cell', { name: 'Lsd', exact: true });
    // LSD is weighed in doses: about a pound a month. Its swings are noise beside the view's
    // 60,000 lb a month, and none is flagged.
    expect(await lsd.count()).toBe(0);
    await section
      .getByText(/at least [\d.,\s]+ lb: 1([.,]0)?\s?% of this view’s typical monthly total/)
      .waitFor();
    await section.getByText(/months? pass(es)? the first test but not the second/).waitFor();
    // Asked for any gap, the analyst sees them, May 2019's 0.4 lb among them.
    await section.getByLabel('Smallest gap').selectOption('0');
    await expect.poll(() => lsd.count()).toBeGreaterThan(0);
    const may2019 = section
      .getByRole('row')
      .filter({ has: page.getByRole('cell', { name: 'Lsd', exact: true }) })
      .filter({ hasText: '2019-05' });
    expect(await may2019.count()).toBe(1);
    expect(page.url()).toContain('minimum=0');
    await section.getByText(/as chosen\./).waitFor();
  });

  it('set seizures against the traffic that could have carried them', async () => {
    await page.goto(`${server.url}/analytics/traffic`);
    await page
      .getByRole('heading', { name: 'Seizure events per 100,000 inbound crossings' })
      .waitFor();
    await settled();
    // The denominator is every inbound crossing, and the page says which measures it adds.
    await page
      .getByText(/Traffic counts inbound trucks, personal vehicles, buses, trains, pedestrians;/)
      .waitFor();
    const table = page.getByRole('table', { name: /Whole period/ });
    const trafficOf = async () =>
      Number(
        (
          await table
            .getByRole('row')
            .filter({ hasText: 'Southwest Border' })
            .getByRole('cell')
            .nth(3)
            .innerText()
        ).replace(/\D/g, ''),
      );
    const allCrossings = await trafficOf();
    await screenshot(page, 'analytics-traffic-crossings');

    // Trucks alone: labelled plainly for what it is.
    await page.getByLabel('Set against').selectOption('trucks');
    await page
      .getByRole('heading', { name: 'All land seizure events per 100,000 trucks' })
      .waitFor();
    await settled();
    await page.getByText(/CBP does not record in which conveyance a seizure was made/).waitFor();
    expect(page.url()).toContain('unit=trucks');
    const trucks = await trafficOf();
    expect(allCrossings).toBeGreaterThan(5 * trucks);

    // Field offices: seizures at the ports of entry only, said so.
    await page.getByLabel('Areas').selectOption('field-office');
    await table.getByRole('cell', { name: 'SAN DIEGO FIELD OFFICE' }).waitFor();
    await page.getByText(/Seizures are those made at the ports of entry/).waitFor();
    // Two choices in quick succession: both are kept.
    await page.getByLabel('Areas').selectOption('region');
    await page.getByLabel('Rate of').selectOption('pounds');
    await page
      .getByRole('heading', { name: 'Pounds from all land seizures per 100,000 trucks' })
      .waitFor();
    expect(new URL(page.url()).searchParams.get('area')).toBeNull();
    await settled();
    // Figures have the locale's grouping: thousands of pounds per 100,000 trucks read 3,820.28
    // (in English), not 3820.28.
    const signs = await numberSigns();
    const perTruck = await table
      .getByRole('row')
      .filter({ hasText: 'Southwest Border' })
      .getByRole('cell')
      .nth(5)
      .innerText();
    expect(perTruck).toMatch(groupedNumber(signs, '{2}'));
  });

  it('read chart values as grouped, rounded numbers, and axis names whole', async () => {
    await page.goto(`${server.url}/analytics/seizures?group=region`);
    await page.getByRole('heading', { name: 'Monthly pounds by region' }).waitFor();
    await settled();
    const signs = await numberSigns();
    const chart = page.getByRole('img', { name: /^Line chart of monthly pounds by region/ });
    await chart.scrollIntoViewIfNeeded();
    const box = await chart.boundingBox();
    if (!box) throw new Error('the chart has no box');
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const tooltip = chart
      .locator('div')
      .filter({ hasText: /\d{4}-\d{2}/ })
      .first();
    await tooltip.waitFor({ state: 'visible', timeout: 10_000 });
    const text = await tooltip.innerText();
    // Southwest Border holds thousands of pounds a month: grouped, one decimal at most, a unit.
    const value = /Southwest Border\s*(.+)/.exec(text)?.[1]?.trim() ?? '';
    expect(value).toMatch(
      new RegExp(`^\\d{1,3}(${escape(signs.group)}\\d{3})+(${escape(signs.decimal)}\\d)? lb$`),
    );
    // No raw floats (the old tooltip showed 11138.730537721609).
    expect(text).not.toMatch(new RegExp(`\\d${escape(signs.decimal)}\\d{2,}`));
    await page.mouse.move(0, 0);

    // The crossings chart names its axis in full: no text is drawn outside a chart's canvas.
    await page.goto(`${server.url}/analytics/traffic?measure=Personal+Vehicle+Passengers&port=`);
    await page
      .getByRole('heading', { name: /Monthly personal vehicle passengers at all ports/ })
      .waitFor();
    await settled();
    const charts = page.locator('div[role="img"][data-clipped-text]');
    await expect.poll(() => charts.count()).toBe(2);
    expect(
      await charts.evaluateAll((els) => els.map((e) => e.getAttribute('data-clipped-text'))),
    ).toEqual(['', '']);
    await screenshot(page, 'analytics-traffic-axis');
  });

  it('the map says what its colours mean', async () => {
    await page.goto(`${server.url}/analytics/world?drug=Cocaine&year=2022`);
    await page.getByRole('heading', { name: /Cocaine seized in 2022/ }).waitFor();
    await settled();
    await mapReady();
    const legend = page.getByRole('region', { name: 'Map legend' });
    await legend.getByText('Cocaine seized in 2022, kilograms').waitFor();
    const reported = Number(
      /quintiles of the (\d+) countries/.exec(await legend.innerText())?.[1] ?? NaN,
    );
    expect(reported).toBeGreaterThan(50);
    const items = await legend.getByRole('listitem').allInnerTexts();
    // Five classes, then the colour of countries that reported nothing.
    expect(items).toHaveLength(6);
    const num = '[\\d.,\\s\\u00a0\\u202f]+';
    expect(items[0]).toMatch(new RegExp(`^up to ${num} kg · \\d+ countries$`));
    for (const middle of items.slice(1, 4))
      expect(middle).toMatch(new RegExp(`^${num} – ${num} kg · \\d+ countries$`));
    expect(items[4]).toMatch(new RegExp(`^over ${num} kg · \\d+ countries$`));
    expect(items[5]).toBe('None reported');
    // The classes hold every country that reported, a fifth each (give or take ties).
    const counts = items.slice(0, 5).map((i) => Number(/(\d+) countries$/.exec(i)?.[1]));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(reported);
    for (const c of counts) expect(Math.abs(c - reported / 5)).toBeLessThan(3);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'analytics-world-legend');

    // The map of ports shades countries the same way, and says so too.
    await page.goto(`${server.url}/analytics/map?drug=Cocaine&year=2021`);
    await mapReady();
    await page
      .getByRole('region', { name: 'Map legend' })
      .getByText('Countries: Cocaine seized in 2021, kilograms')
      .waitFor();
  });

  it('ran these tasks without console errors or failed requests', () => {
    expect(browser.problems).toEqual([]);
  });
});
