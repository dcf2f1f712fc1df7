/// <reference lib="dom" />
// The platform's decisions on the ledger, end to end as an administrator meets them (issue 12 §6,
// "users' roles changed, tokens created or revoked"): a real server (in process, fresh PGlite); a
// user's role changed in the Users panel and the change's entry, beside the user's creation,
// verified in Debian's chromium and again in Node; an API token revoked in the Tokens panel and
// its creation and revocation on the ledger.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseProofBundle, verifierFromVkey, verifyProofBundle } from '@interdict/ledger';
import { nodeEd25519 } from '@interdict/ledger/node';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accessibilityViolations,
  openBrowserAsAdmin,
  screenshotDir,
  type ConsoleBrowser,
} from './browser';
import { verifiedLine, verifyInBrowser } from './ledger-proof';
import { apiSession, startTestServer, type ApiSession, type TestServer } from './server';

let server: TestServer;
let session: ApiSession;
let browser: ConsoleBrowser;
let page: Page;
let logVkey = '';

const EMAIL = 'rita.role@interdict.test';
const NAME = 'Rita Role';
const TOKEN = 'nightly manifest import';

interface Entry {
  index: number | null;
  recordType: string;
  leafHash: string;
  proof: string | null;
  body: Record<string, unknown> | null;
}

async function send<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await session.request(method, path, body);
  expect(res.ok, `${method} ${path}: ${res.status} ${await res.clone().text()}`).toBe(true);
  return (await res.json()) as T;
}

/** The record's entries once a checkpoint includes each of them. */
async function entriesWithProofs(type: string, id: string): Promise<Entry[]> {
  let entries: Entry[] = [];
  await expect
    .poll(async () => {
      entries = (await send<{ items: Entry[] }>('GET', `/api/ledger/subjects/${type}/${id}`)).items;
      return entries.every((e) => e.proof !== null);
    })
    .toBe(true);
  return entries;
}

async function verifiedInNode(entry: Entry): Promise<number> {
  const cp = await verifyProofBundle(entry.proof!, Buffer.from(entry.leafHash, 'base64'), [
    verifierFromVkey(logVkey, nodeEd25519),
  ]);
  expect(parseProofBundle(entry.proof!).index).toBe(entry.index);
  return cp.size;
}

/** A drawer over the page, as the administrator sees it on screen. */
async function screenshotDrawer(name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: join(screenshotDir, `${name}.png`) });
}

beforeAll(async () => {
  server = await startTestServer();
  session = await apiSession(server);
  logVkey = (await send<{ vkey: string }>('GET', '/api/ledger')).vkey;
  browser = await openBrowserAsAdmin(server);
  page = browser.page;
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe("the platform's decisions on the ledger", () => {
  it("change a user's role and see the entry", async () => {
    const user = await send<{ id: string }>('POST', '/api/users', {
      email: EMAIL,
      name: NAME,
      role: 'analyst',
      password: 'rita-role-password-5Tq9',
    });
    await page.goto(`${server.url}/administration/users`);
    const row = page.getByRole('row').filter({ hasText: EMAIL });
    const role = row.getByRole('combobox', { name: `Role of ${EMAIL}` });
    await role.waitFor();
    expect(await role.inputValue()).toBe('analyst');
    const patched = page.waitForResponse(
      (r) => r.url().includes('/api/users/') && r.request().method() === 'PATCH',
    );
    await role.click();
    await page.getByRole('option', { name: 'officer' }).click();
    expect((await patched).status()).toBe(200);

    await row.getByRole('button', { name: `Ledger entries of ${EMAIL}` }).click();
    const drawer = page.getByRole('dialog', { name: `${NAME} (${EMAIL}) on the ledger` });
    const entries = drawer.getByRole('article');
    await expect.poll(() => entries.count()).toBe(2);
    const created = drawer.getByRole('article', { name: /: User created$/ });
    expect(await created.innerText()).toContain(`${EMAIL}, with the analyst role.`);
    const changed = drawer.getByRole('article', { name: /: Role changed$/ });
    const text = await changed.innerText();
    expect(text).toContain(`${EMAIL}: analyst → officer.`);
    expect(text).toContain('By you.');

    const [, change] = await entriesWithProofs('platform.user', user.id);
    expect(change?.body).toMatchObject({
      action: 'changed',
      changed: ['role'],
      before: { role: 'analyst' },
      after: { role: 'officer' },
    });
    expect(await verifyInBrowser(changed)).toMatch(verifiedLine(logVkey, change!.index!));
    await verifiedInNode(change!);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshotDrawer('admin-user-role-ledger');
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });
  });

  it('revoke an API token and see its creation and revocation on the ledger', async () => {
    const created = await send<{ token: { id: string } }>('POST', '/api/tokens', {
      name: TOKEN,
      role: 'viewer',
      expiresInDays: 30,
    });
    await page.goto(`${server.url}/administration/tokens`);
    const row = page.getByRole('row').filter({ hasText: TOKEN });
    await row.getByRole('button', { name: `Revoke ${TOKEN}` }).click();
    await page
      .getByRole('dialog', { name: 'Revoke API token' })
      .getByRole('button', { name: 'Revoke token' })
      .click();
    await row.getByText('revoked', { exact: true }).waitFor();

    await row.getByRole('button', { name: `Ledger entries of token ${TOKEN}` }).click();
    const drawer = page.getByRole('dialog', { name: `API token “${TOKEN}” on the ledger` });
    const entries = drawer.getByRole('article');
    await expect.poll(() => entries.count()).toBe(2);
    expect(await entries.nth(0).getAttribute('aria-label')).toMatch(/: API token created$/);
    expect(await entries.nth(0).innerText()).toContain(
      `“${TOKEN}”, with the viewer role, expiring`,
    );
    const revoked = entries.nth(1);
    expect(await revoked.getAttribute('aria-label')).toMatch(/: API token revoked$/);
    const [, revocation] = await entriesWithProofs('platform.token', created.token.id);
    expect(revocation?.body).toMatchObject({ action: 'revoked' });
    expect(await verifyInBrowser(revoked)).toMatch(verifiedLine(logVkey, revocation!.index!));
    await verifiedInNode(revocation!);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshotDrawer('admin-token-ledger');
  });

  it('ran without console errors, CSP violations or failed requests', () => {
    expect(browser.problems).toEqual([]);
  });
});
