/// <reference lib="dom" />
// Targeting's decisions on the ledger, end to end as an officer meets them: a real server (in
// process, fresh PGlite) with KCS declarations and a trained Fraud model; a rule created in the
// console and its entry verified in Debian's chromium (and a record the server altered refused);
// the default day scored and its selection verified; a red-lane declaration released with a
// reason, the release on its page and its entry verified. Each entry the browser verifies is
// verified again here, in Node, from the API's answer.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseProofBundle, verifierFromVkey, verifyProofBundle } from '@interdict/ledger';
import { nodeEd25519 } from '@interdict/ledger/node';
import { kcsDayWithImporters, kcsTrainText } from '@interdict/testkit';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accessibilityViolations,
  openBrowserAsAdmin,
  screenshot,
  screenshotDir,
  type ConsoleBrowser,
} from './browser';
import {
  apiSession,
  ingestThroughApi,
  startTestServer,
  trainThroughApi,
  type ApiSession,
  type TestServer,
} from './server';
import { escapeRegExp, verifiedLine, verifyInBrowser } from './ledger-proof';

let server: TestServer;
let session: ApiSession;
let browser: ConsoleBrowser;
let page: Page;
let logVkey = '';

const DAY = '2021-01-04';
const encode = (text: string) => new TextEncoder().encode(text);
const RULE = 'Cocaine routes from Colombia: inspect';

interface Entry {
  index: number | null;
  recordType: string;
  leafHash: string;
  proof: string | null;
  body: Record<string, unknown> | null;
}

async function get<T>(path: string): Promise<T> {
  const res = await session.request('GET', path);
  expect(res.status, `GET ${path}: ${await res.clone().text()}`).toBe(200);
  return (await res.json()) as T;
}

async function entriesOf(type: string, id: string): Promise<Entry[]> {
  return (await get<{ items: Entry[] }>(`/api/ledger/subjects/${type}/${encodeURIComponent(id)}`))
    .items;
}

/** The record's entries once a checkpoint includes each of them (within a second or so). */
async function entriesWithProofs(type: string, id: string): Promise<Entry[]> {
  let entries: Entry[] = [];
  await expect
    .poll(async () => (entries = await entriesOf(type, id)).every((e) => e.proof !== null))
    .toBe(true);
  return entries;
}

/** The entry's tlog-proof verified here, independently of the console: its index and log size. */
async function verifiedInNode(entry: Entry): Promise<{ index: number; size: number }> {
  expect(entry.proof, `entry ${entry.index} has a proof`).not.toBeNull();
  const cp = await verifyProofBundle(entry.proof!, Buffer.from(entry.leafHash, 'base64'), [
    verifierFromVkey(logVkey, nodeEd25519),
  ]);
  return { index: parseProofBundle(entry.proof!).index, size: cp.size };
}

/** A drawer over the page: what the officer sees on screen (a full-page shot would cut it). */
async function screenshotDrawer(name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: join(screenshotDir, `${name}.png`) });
}

async function closeDrawer(drawer: Locator): Promise<void> {
  await page.keyboard.press('Escape');
  await drawer.waitFor({ state: 'detached' });
}

beforeAll(async () => {
  server = await startTestServer();
  session = await apiSession(server);
  await ingestThroughApi(server, 'declarations', 'train.csv', encode(kcsTrainText('2020-02-01')));
  await ingestThroughApi(
    server,
    'declarations',
    'day.csv',
    encode(kcsDayWithImporters(DAY, []).text),
  );
  const trained = await trainThroughApi(server, { objective: 'fraud' });
  expect(trained.status, await trained.clone().text()).toBe(201);
  logVkey = (await get<{ vkey: string }>('/api/ledger')).vkey;
  browser = await openBrowserAsAdmin(server);
  page = browser.page;
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe("targeting's decisions on the ledger", () => {
  it('create a rule and see it on the ledger, verified in this browser', async () => {
    await page.goto(`${server.url}/targeting/rules`);
    const form = page.getByRole('form', { name: 'New rule' });
    await form.getByRole('textbox', { name: 'Origin country' }).fill('co');
    await form.getByRole('textbox', { name: 'Explanation' }).fill(RULE);
    await form.getByRole('button', { name: 'Add rule' }).click();
    const row = page
      .getByRole('table', { name: 'Officer rules' })
      .getByRole('row')
      .filter({ hasText: RULE });
    await row.waitFor();
    const rule = (
      await get<{ items: { id: string; explanation: string }[] }>('/api/targeting/rules')
    ).items.find((r) => r.explanation === RULE)!;
    const [created, ...others] = await entriesOf('targeting.rule', rule.id);
    expect(others).toEqual([]);
    expect(created?.recordType).toBe('targeting.rule.created');

    await row.getByRole('button', { name: `Ledger entries of rule: ${RULE}` }).click();
    const drawer = page.getByRole('dialog', { name: `Rule “${RULE}” on the ledger` });
    const entry = drawer.getByRole('article', {
      name: `Ledger entry ${created!.index}: Rule created`,
    });
    await entry.waitFor();
    const text = await entry.innerText();
    expect(text).toContain('Red lane for origin CO.');
    expect(text).toContain(`“${RULE}”`);
    expect(text).toContain('By you.');
    expect(await verifyInBrowser(entry)).toMatch(verifiedLine(logVkey, created!.index!));
    // The same entry, fetched again, verifies here without the console.
    const [again] = await entriesWithProofs('targeting.rule', rule.id);
    expect((await verifiedInNode(again!)).index).toBe(created!.index);
    // What the entry commits to, in full, for whoever wants to read it.
    await entry.getByRole('button', { name: 'Show the record' }).click();
    const record = entry.getByLabel(`Record of entry ${created!.index}`);
    await record.waitFor();
    expect(JSON.parse(await record.innerText())).toEqual(again!.body);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshotDrawer('targeting-rule-ledger');
    await closeDrawer(drawer);
  });

  it('refuses a rule entry whose record the server altered', async () => {
    // A server (or anyone between it and the browser) that rewrites what the rule said: the entry
    // still sits in the log, but the record shown is not the one committed.
    const pattern = '**/api/ledger/subjects/targeting.rule/**';
    await page.route(pattern, async (route) => {
      const response = await route.fetch();
      const json = (await response.json()) as { items: Entry[] };
      const after = json.items[0]?.body?.after as { explanation: string } | undefined;
      if (after) after.explanation = 'Nothing to see here';
      await route.fulfill({ response, json });
    });
    try {
      await page.reload();
      const row = page.getByRole('row').filter({ hasText: RULE });
      await row.getByRole('button', { name: `Ledger entries of rule: ${RULE}` }).click();
      const drawer = page.getByRole('dialog', { name: `Rule “${RULE}” on the ledger` });
      const entry = drawer.getByRole('article', { name: /: Rule created$/ });
      await entry.getByText('“Nothing to see here”').waitFor();
      await entry.getByRole('button', { name: 'Verify in this browser' }).click();
      const refusal = entry.getByRole('alert');
      await refusal.waitFor();
      expect(await refusal.innerText()).toBe(
        'Does not verify: record body does not match the committed hash. Do not rely on what this entry shows.',
      );
      expect(await entry.getByRole('status').count()).toBe(0);
      await screenshotDrawer('targeting-rule-ledger-altered');
      await closeDrawer(drawer);
    } finally {
      await page.unroute(pattern);
    }
  });

  it('delete the rule and still see it, and its removal, on the ledger', async () => {
    await page.reload();
    const row = page.getByRole('row').filter({ hasText: RULE });
    await row.getByRole('button', { name: /^Delete rule/ }).click();
    await row.getByRole('button', { name: 'Confirm delete' }).click();
    await expect.poll(() => row.count()).toBe(0);
    const deleted = page.getByRole('status').filter({ hasText: 'Rule deleted' });
    await deleted
      .getByRole('button', { name: `Ledger entries of the deleted rule: ${RULE}` })
      .click();
    const drawer = page.getByRole('dialog', { name: `Rule “${RULE}” on the ledger` });
    const entries = drawer.getByRole('article');
    await expect.poll(() => entries.count()).toBe(2);
    expect(await entries.nth(0).getAttribute('aria-label')).toMatch(/: Rule created$/);
    const removal = entries.nth(1);
    expect(await removal.getAttribute('aria-label')).toMatch(/: Rule removed$/);
    expect(await removal.innerText()).toContain(`“${RULE}”`);
    const index = Number(
      /entry (\d+):/.exec((await removal.getAttribute('aria-label')) ?? '')?.[1],
    );
    expect(await verifyInBrowser(removal)).toMatch(verifiedLine(logVkey, index));
    await screenshotDrawer('targeting-rule-removed-ledger');
    await closeDrawer(drawer);
  });

  it("see the model's training and activation on the ledger", async () => {
    await page.goto(`${server.url}/targeting/models`);
    const model = (await get<{ items: { id: string }[] }>('/api/targeting/models')).items[0]!;
    await page
      .getByRole('button', { name: `Ledger entries of model ${model.id.slice(0, 8)}` })
      .click();
    const drawer = page.getByRole('dialog', { name: /^Fraud model .* on the ledger$/ });
    const trained = drawer.getByRole('article', { name: /: Model trained$/ });
    await trained.waitFor();
    expect(await trained.innerText()).toMatch(
      /Fraud model, learnt from [\d,]+ inspected declarations \([\d,]+ positive\) dated 20\d\d-\d\d-\d\d to 20\d\d-\d\d-\d\d; \d+ trees\./,
    );
    const activated = drawer.getByRole('article', { name: /: Model made active$/ });
    expect(await activated.innerText()).toContain('Now the active Fraud model.');
    const [first] = await entriesOf('targeting.model', model.id);
    expect(await verifyInBrowser(trained)).toMatch(verifiedLine(logVkey, first!.index!));
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshotDrawer('targeting-model-ledger');
    await closeDrawer(drawer);
  });

  it("score the default day and verify the day's selection on the ledger", async () => {
    await page.goto(`${server.url}/targeting`);
    // No day given: the console scores the latest day loaded.
    expect(await page.getByRole('combobox', { name: 'Day', exact: true }).inputValue()).toMatch(
      new RegExp(`^${DAY} `),
    );
    await page.getByRole('button', { name: 'Score this day' }).click();
    const scored = page.getByRole('status').filter({ hasText: /^Scored \d+ declarations/ });
    await scored.waitFor({ timeout: 120_000 });
    const [, n, red, yellow, blue, green] =
      /^Scored (\d+) declarations: red (\d+), yellow (\d+), blue (\d+), green (\d+)/.exec(
        await scored.innerText(),
      ) ?? [];
    const summary = await page.getByTestId('day-summary').innerText();
    const toInspect = /^To inspect: (\d+)/.exec(summary)?.[1];
    expect(toInspect).toBeDefined();

    await screenshotDrawer('targeting-queue-scored');
    await page.getByRole('button', { name: 'Day’s selection on the ledger' }).click();
    const drawer = page.getByRole('dialog', { name: `Selection of ${DAY} on the ledger` });
    const entries = drawer.getByRole('article');
    await expect.poll(() => entries.count()).toBe(1);
    const entry = entries.first();
    expect(await entry.getAttribute('aria-label')).toMatch(/: Day’s selection recorded$/);
    const text = await entry.innerText();
    expect(text).toContain(
      `${toInspect} of ${n} declarations to inspect within a capacity of 5% of the day (10% of it kept for a random share).`,
    );
    expect(text).toContain(`red ${red} · yellow ${yellow} · blue ${blue} · green ${green}`);
    expect(text).toContain('By you.');
    const [selection] = await entriesWithProofs('targeting.day', DAY);
    expect(selection?.recordType).toBe('targeting.day.selected');
    expect(await verifyInBrowser(entry)).toMatch(verifiedLine(logVkey, selection!.index!));
    expect((await verifiedInNode(selection!)).index).toBe(selection!.index);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshotDrawer('targeting-day-selection-ledger');
    await closeDrawer(drawer);
  });

  it('release a red-lane declaration with a reason and see the release and its ledger entry', async () => {
    const queue = await get<{
      items: { id: string; inspection: unknown; release: unknown; selectedBy: string | null }[];
    }>(`/api/targeting/queue?date=${DAY}&lane=red&limit=500`);
    const red = queue.items.find((i) => i.inspection === null && i.release === null)!;
    expect(red).toBeDefined();
    expect(await entriesOf('targeting.declaration', red.id)).toEqual([]);
    await page.goto(`${server.url}/targeting/declaration/${encodeURIComponent(red.id)}`);
    await page.getByRole('heading', { name: `Declaration ${red.id}` }).waitFor();
    expect(await page.getByLabel('lane red').count()).toBe(1);
    const ledger = page.getByRole('region', { name: 'On the ledger' });
    await ledger.getByText('Nothing about this declaration is on the ledger yet').waitFor();

    const form = page.getByRole('form', { name: 'Release without inspection' });
    // No reason, no release: the officer is asked for one and nothing is sent.
    await form.getByRole('button', { name: 'Release without inspection' }).click();
    await form.getByText('Give the reason for releasing it without inspection.').waitFor();
    expect(await form.getByRole('button', { name: 'Confirm release' }).count()).toBe(0);

    const reason = 'Sealed container of medical supplies, documents checked with the consignee';
    await form.getByRole('textbox', { name: /^Reason for the release/ }).fill(reason);
    await form.getByRole('button', { name: 'Release without inspection' }).click();
    await form.getByText(`Release declaration ${red.id} without inspection?`).waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'targeting-release-confirm');
    expect(
      (await get<{ release: unknown }>(`/api/targeting/declarations/${red.id}`)).release,
    ).toBeNull();
    await form.getByRole('button', { name: 'Confirm release' }).click();

    const onRecord = page.getByRole('region', { name: 'Release on record' });
    await onRecord.waitFor();
    expect(await onRecord.innerText()).toMatch(
      new RegExp(
        `Released by you on .+\\. The day’s selection had put it in the red lane, picked for inspection \\(.+\\)\\.\\s+Reason: ${escapeRegExp(reason)}`,
      ),
    );
    await page.getByLabel('lane green').waitFor();
    expect(await form.count()).toBe(0);

    const entry = ledger.getByRole('article', { name: /: Released without inspection$/ });
    await entry.waitFor();
    const text = await entry.innerText();
    expect(text).toContain(`Reason: “${reason}”`);
    expect(text).toMatch(/It was in the red lane, picked for inspection \(.+\)\./);
    expect(text).toContain('By you.');
    const [released, ...others] = await entriesWithProofs('targeting.declaration', red.id);
    expect(others).toEqual([]);
    expect(released?.recordType).toBe('targeting.declaration.released');
    expect(released?.body).toMatchObject({ declaration: red.id, reason });
    expect(await verifyInBrowser(entry)).toMatch(verifiedLine(logVkey, released!.index!));
    expect((await verifiedInNode(released!)).index).toBe(released!.index);
    expect(
      await get<{ lane: string; release: { reason: string } }>(
        `/api/targeting/declarations/${red.id}`,
      ),
    ).toMatchObject({ lane: 'green', release: { reason } });
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'targeting-released-ledger');

    // In the queue it is green now, marked released.
    await page.getByRole('link', { name: '← Queue' }).click();
    const row = page.getByTestId('queue-row').filter({ hasText: red.id });
    await row.waitFor();
    expect(await row.getByLabel('lane green').count()).toBe(1);
    expect(await row.getByText('released', { exact: true }).count()).toBe(1);
  });

  it('ran without console errors, CSP violations or failed requests', () => {
    expect(browser.problems).toEqual([]);
  });
});
