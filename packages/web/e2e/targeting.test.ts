/// <reference lib="dom" />
// The targeting page end to end: a real server (in process, fresh PGlite), the UN consolidated
// list and KCS declarations uploaded through the API (one day's importer named after a company
// on the UN list), a model trained and its evaluation shown, the day scored, and the watchlist
// hit raising that declaration to red with its reason, in the queue and on its page.
import { KCS_HS6_MAPPING } from '@interdict/targeting';
import {
  kcsAsOtherSchema,
  kcsDayWithImporters,
  kcsTrainText,
  unConsolidatedXml,
  unListedCompanies,
} from '@interdict/testkit';
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
// The next day recast as another schema's export, loaded through the console's upload form with
// its column mapping file.
const OTHER_DAY = '2021-01-05';
const other = kcsAsOtherSchema(kcsDayWithImporters(OTHER_DAY, []).text, KCS_HS6_MAPPING.columns);

beforeAll(async () => {
  server = await startTestServer();
  await ingestThroughApi(server, 'un-consolidated', 'UN_consolidated.xml', unXml);
  await ingestThroughApi(server, 'declarations', 'train.csv', encode(trainText));
  await ingestThroughApi(server, 'declarations', 'day.csv', encode(dayText));
  browser = await openBrowserAsAdmin(server);
  page = browser.page;
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

  it('scores within a capacity of N declarations with no random share, and says who is inspected why', async () => {
    await page.goto(`${server.url}/targeting`);
    await page.getByRole('combobox', { name: 'Capacity in' }).click();
    await page.getByRole('option', { name: 'declarations', exact: true }).click();
    await page.getByRole('textbox', { name: 'Capacity (declarations)' }).fill('3');
    await page.getByRole('textbox', { name: 'Random share (% of capacity)' }).fill('0');
    await page.getByRole('button', { name: 'Score this day' }).click();
    // The watchlist hit is mandatory and counts in the capacity: it and the two top scores.
    await page
      .getByRole('status')
      .filter({ hasText: /red 3,/ })
      .waitFor({ timeout: 120_000 });
    const inspected = page.getByTestId('queue-row').filter({ hasText: /yes \(/ });
    await expect.poll(() => inspected.count()).toBe(3);
    const why = (await inspected.allInnerTexts()).join('\n');
    expect(why).toContain('yes (watchlist hit)');
    expect(why).toContain('yes (top score)');
    expect(why).not.toContain('yes (random)');
    // The day at a glance, counted by the server over the whole day (so also after a reload,
    // and also when the queue shown is one lane only).
    await page.reload();
    const summary = page.getByTestId('day-summary');
    await summary.waitFor();
    const glance =
      /^To inspect: 3 \(2 top score, 1 raised lane\) · red 3 · yellow \d+ · blue \d+ · green \d+$/;
    expect(await summary.innerText()).toMatch(glance);
    await page.getByRole('combobox', { name: 'Lane', exact: true }).click();
    await page.getByRole('option', { name: 'Red: inspect' }).click();
    await expect.poll(() => page.getByTestId('queue-row').count()).toBe(3);
    expect(await summary.innerText()).toMatch(glance);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'targeting-queue-capacity-count');
  });

  it('explains the score with contributions that add up to it, and keeps the result on record', async () => {
    await page.goto(`${server.url}/targeting/declaration/${encodeURIComponent(flaggedId!)}`);
    const table = page.getByRole('table', { name: 'Feature contributions' });
    await table.waitFor({ timeout: 60_000 });
    // Base, the largest contributions and "N other features" together give the total shown.
    const cells = await table.locator('tbody tr td:last-child').allInnerTexts();
    const sum = cells.reduce((s, text) => s + Number(text.trim()), 0);
    const total = Number((await page.getByTestId('explanation-total').innerText()).trim());
    expect(Number.isFinite(sum) && Number.isFinite(total)).toBe(true);
    // Each shown figure is rounded to 3 decimals.
    expect(Math.abs(sum - total)).toBeLessThanOrEqual(0.0005 * (cells.length + 1));
    expect(await table.innerText()).toMatch(/\d+ other features/);

    const form = page.getByRole('form', { name: 'Record an inspection result' });
    await form.getByRole('radio', { name: 'Fraud', exact: true }).check();
    await form.getByRole('textbox', { name: 'Note' }).fill('undervalued, invoice altered');
    await form.getByRole('button', { name: 'Record result' }).click();
    await page.getByRole('status').filter({ hasText: 'Recorded.' }).waitFor();
    // After a reload the page shows the result on record, and the form starts from it: saving
    // without looking must not turn "fraud" into "no fraud".
    await page.reload();
    const onRecord = page.getByRole('region', { name: 'Inspection result on record' });
    await onRecord.waitFor();
    expect(await onRecord.innerText()).toMatch(
      /fraud, recorded by an officer on .*Note: undervalued, invoice altered/s,
    );
    const form2 = page.getByRole('form', { name: 'Record an inspection result' });
    expect(await form2.getByRole('radio', { name: 'Fraud', exact: true }).isChecked()).toBe(true);
    expect(await form2.getByRole('textbox', { name: 'Note' }).inputValue()).toBe(
      'undervalued, invoice altered',
    );
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'targeting-declaration-explanation');
  });

  it('comes back from a declaration to the same day and lane', async () => {
    await page.goto(`${server.url}/targeting`);
    await page.getByRole('combobox', { name: 'Lane', exact: true }).click();
    await page.getByRole('option', { name: 'Red: inspect' }).click();
    const rows = page.getByTestId('queue-row');
    await expect
      .poll(async () => (await rows.allInnerTexts()).every((t) => t.startsWith('red')))
      .toBe(true);
    const first = rows.first().getByRole('link');
    const id = await first.innerText();
    await first.click();
    await page.getByRole('heading', { name: `Declaration ${id}` }).waitFor();
    await page.getByRole('link', { name: '← Queue' }).click();
    const lane = page.getByRole('combobox', { name: 'Lane', exact: true });
    await lane.waitFor();
    expect(await lane.inputValue()).toBe('Red: inspect');
    expect(await page.getByRole('combobox', { name: 'Day', exact: true }).inputValue()).toMatch(
      new RegExp(`^${DAY} `),
    );
    expect(new URL(page.url()).searchParams.get('lane')).toBe('red');
  });

  it('writes rules on every condition, shows the refusal, and deletes only after confirmation', async () => {
    await page.goto(`${server.url}/targeting/rules`);
    const form = page.getByRole('form', { name: 'New rule' });
    await form.waitFor();
    const rules = page.getByRole('table', { name: 'Officer rules' });
    await form.getByRole('textbox', { name: 'Origin country' }).fill('co');
    await form.getByRole('textbox', { name: 'Customs office' }).fill('40');
    await form.getByRole('textbox', { name: 'Valid from' }).fill('2021-03-01');
    await form.getByRole('textbox', { name: 'Valid to' }).fill('2021-01-01');
    await form.getByRole('textbox', { name: 'Explanation' }).fill('Cocaine routes via office 40');
    await form.getByRole('button', { name: 'Add rule' }).click();
    // Said as the dates are typed, before anything is sent.
    const refusal = page.getByRole('alert').filter({ hasText: 'Check the validity dates' });
    await refusal.waitFor();
    expect(await refusal.innerText()).toContain(
      'Valid to (2021-01-01) is before valid from (2021-03-01)',
    );
    expect(await rules.getByRole('row').count()).toBe(1);
    await form.getByRole('textbox', { name: 'Valid to' }).fill('2021-12-31');
    await refusal.waitFor({ state: 'detached' });
    await form.getByRole('button', { name: 'Add rule' }).click();
    const row = rules.getByRole('row').filter({ hasText: 'Cocaine routes via office 40' });
    await row.waitFor();
    // Typed "co", stored as the declarations spell it; the office is shown as a condition.
    expect(await row.innerText()).toContain('origin CO, office 40');
    await row.getByRole('button', { name: /^Delete rule/ }).click();
    expect(await row.count()).toBe(1);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'targeting-rules-confirm-delete');
    await row.getByRole('button', { name: 'Keep' }).click();
    await row.getByRole('button', { name: /^Delete rule/ }).click();
    await row.getByRole('button', { name: 'Confirm delete' }).click();
    await expect.poll(() => row.count()).toBe(0);
  });

  it('shows that the last training failed, and why, to whoever opens the page', async () => {
    // Started elsewhere (another officer, or this page before a reload): the API says so.
    const res = await trainThroughApi(server, { objective: 'critical', until: '2019-01-01' });
    expect(res.status).toBe(400);
    await page.goto(`${server.url}/targeting/models`);
    const failed = page.getByRole('alert').filter({ hasText: 'The last training failed' });
    await failed.waitFor();
    expect(await failed.innerText()).toMatch(
      /Critical Fraud model training started .* failed: no inspected declarations to train on\. The active model is unchanged\./,
    );
    expect(await accessibilityViolations(page)).toEqual([]);
  });

  it('shows a training in progress, also after a reload, and blocks a second one', async () => {
    await page.goto(`${server.url}/targeting/models`);
    await page.getByRole('button', { name: 'Train Critical Fraud model' }).click();
    // The page forgets its own request on reload: what it shows then comes from the server.
    await page.reload();
    const progress = page.getByRole('status').filter({ hasText: 'Training in progress' });
    await progress.waitFor({ timeout: 30_000 });
    expect(await progress.innerText()).toContain('Training a Critical Fraud model');
    expect(await page.getByRole('button', { name: 'Train Fraud model' }).isDisabled()).toBe(true);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'targeting-models-training');
    // A training that starts clears the last failure.
    expect(
      await page.getByRole('alert').filter({ hasText: 'The last training failed' }).count(),
    ).toBe(0);
    await progress.waitFor({ state: 'detached', timeout: 180_000 });
    await page
      .getByRole('row')
      .filter({ hasText: 'critical' })
      .getByText('active')
      .waitFor({ timeout: 30_000 });
  });

  it('says when the explanation comes from a newer model than the score', async () => {
    // A Fraud model on less data (so other trees) that still predates the day: it explains the
    // day's declarations, which keep the scores of the model they were scored with.
    expect(
      (await trainThroughApi(server, { objective: 'fraud', until: '2020-01-20' })).status,
    ).toBe(201);
    await page.goto(`${server.url}/targeting/declaration/${encodeURIComponent(flaggedId!)}`);
    const note = page.getByRole('note').filter({ hasText: 'Explained by a newer model' });
    await note.waitFor({ timeout: 60_000 });
    expect(await note.innerText()).toMatch(
      /which gives 0\.\d{3}; the day was scored with an earlier model \(0\.\d{3}\)\. Score the day again/,
    );
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'targeting-declaration-newer-model');
  });

  it('loads declarations of another schema with their column mapping through the upload form', async () => {
    await page.goto(`${server.url}/administration/jobs`);
    await page.getByRole('combobox', { name: 'Kind of data' }).click();
    await page.getByRole('option', { name: 'declarations', exact: true }).click();
    const choose = async (button: RegExp, name: string, text: string) => {
      const chooser = page.waitForEvent('filechooser');
      await page.getByRole('button', { name: button }).click();
      await (await chooser).setFiles({ name, mimeType: 'text/plain', buffer: Buffer.from(text) });
    };
    await choose(/^File/, 'export.csv', other.text);
    // A mapping naming a field declarations do not have is refused with the reason; no job starts.
    await choose(/^Mapping file/, 'bad-mapping.json', '{"columns": {"colour": "Colour"}}');
    await page.getByRole('button', { name: 'Start ingest job' }).click();
    const refusal = page.getByRole('alert').filter({ hasText: 'The upload was refused' });
    await refusal.waitFor();
    expect(await refusal.innerText()).toContain('column mapping names unknown field "colour"');
    expect(await page.getByRole('row').filter({ hasText: 'export.csv' }).count()).toBe(0);

    await choose(/^Mapping file/, 'mapping.json', JSON.stringify(other.mapping));
    await page.getByRole('button', { name: 'Start ingest job' }).click();
    const row = page.getByRole('row').filter({ hasText: 'export.csv' });
    await row.getByText('succeeded', { exact: true }).waitFor({ timeout: 60_000 });
    expect(await row.innerText()).toContain('mapping: exporter-x');
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'targeting-upload-mapping');

    // The day read through the mapping is there to score (the latest day comes first).
    await page.goto(`${server.url}/targeting`);
    const dayPicker = page.getByRole('combobox', { name: 'Day', exact: true });
    await dayPicker.waitFor();
    const declarations = other.text.trimEnd().split('\n').length - 1;
    expect(await dayPicker.inputValue()).toBe(`${OTHER_DAY} (${declarations}, 0 scored)`);
    // Not scored is not "green: release": no row shows a lane before the day is scored.
    const rows = page.getByTestId('queue-row');
    await expect.poll(() => rows.count()).toBe(Math.min(declarations, 500));
    expect(await rows.getByLabel('not scored').count()).toBe(await rows.count());
    expect(await rows.getByLabel(/^lane /).count()).toBe(0);
    expect(await accessibilityViolations(page)).toEqual([]);
  });

  it('ran without console errors, CSP violations or failed requests', () => {
    expect(browser.problems).toEqual([]);
  });
});
