/// <reference lib="dom" />
// The console end to end: a real server (in process, fresh PGlite) and Debian's chromium. Each
// page is visited, administration is exercised, and every page is checked by axe-core for
// WCAG 2.2 A/AA violations; screenshots go to artifacts/screenshots/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedData } from '@interdict/testkit';
import type { Page } from 'playwright-core';
import {
  accessibilityViolations,
  laptop,
  openBrowser,
  screenshot,
  tablet,
  type ConsoleBrowser,
  signInAs,
} from './browser';
import { apiSession, startTestServer, type TestServer } from './server';

let server: TestServer;
let browser: ConsoleBrowser;
let page: Page;

beforeAll(async () => {
  server = await startTestServer();
  browser = await openBrowser();
  page = browser.page;
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function heading(name: string): Promise<void> {
  await page.getByRole('heading', { level: 1, name }).waitFor();
}

async function signIn(email: string, password: string): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel(/^Password/).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Waits until no request is in flight and no loader is shown, so a screenshot is settled. */
async function settled(): Promise<void> {
  await page.waitForLoadState('networkidle');
  await page
    .getByRole('status')
    .filter({ hasText: 'Loading' })
    .first()
    .waitFor({ state: 'hidden' });
}

/** Polls a condition of the page (Playwright's own assertions are not part of playwright-core). */
async function until(condition: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await page.waitForTimeout(100);
  }
}

const navigation = () => page.getByRole('navigation', { name: 'Primary' });

describe('console against a real server', () => {
  it('refuses a wrong password with a readable error', async () => {
    await page.goto(`${server.url}/`);
    await heading('Sign in to Interdict');
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await signIn(server.adminEmail, 'not-the-password');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toContain('The email or password is not right');
    expect(await page.getByLabel(/^Password/).inputValue()).toBe('');
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'sign-in-wrong-password');
  });

  it('signs in and lands on the overview', async () => {
    await signIn(server.adminEmail, server.adminPassword);
    await heading('Overview');
    await settled();
    expect(await page.getByRole('banner').innerText()).toContain('admin');
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'overview');
  });

  it('reaches the skip link and the navigation by keyboard, with a visible focus', async () => {
    await page.goto(`${server.url}/`);
    await heading('Overview');
    await page.keyboard.press('Tab');
    const skip = page.getByRole('link', { name: 'Skip to main content' });
    expect(await skip.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');

    // From the top of the page, Tab reaches the first navigation link.
    await page.goto(`${server.url}/`);
    await heading('Overview');
    let inNavigation = false;
    for (let i = 0; i < 12 && !inNavigation; i++) {
      await page.keyboard.press('Tab');
      inNavigation = await page.evaluate(
        () => document.activeElement?.closest('nav[aria-label="Primary"]') != null,
      );
    }
    expect(inNavigation).toBe(true);
    const outline = await page.evaluate(() => {
      const style = getComputedStyle(document.activeElement as Element);
      return { style: style.outlineStyle, width: style.outlineWidth };
    });
    expect(outline.style).not.toBe('none');
    expect(outline.width).not.toBe('0px');
    await screenshot(page, 'keyboard-focus');

    // Arrow down the list with Tab and open the second page with Enter.
    await page.keyboard.press('Tab');
    const label = await page.evaluate(() => (document.activeElement as HTMLElement).innerText);
    await page.keyboard.press('Enter');
    await heading(label.trim());
  });

  it('navigates every page in the navigation, each accessible and without errors', async () => {
    await page.goto(`${server.url}/`);
    await heading('Overview');
    const labels = (await navigation().getByRole('link').allInnerTexts()).map((t) => t.trim());
    expect(labels).toEqual(
      expect.arrayContaining([
        'Screening',
        'Targeting',
        'Intelligence',
        'Ledger',
        'Analytics',
        'Underwriting',
        'Administration',
      ]),
    );
    // Every page is visited even when one fails, so one report names all broken pages.
    const failures: string[] = [];
    for (const label of labels) {
      const before = browser.problems.length;
      try {
        await navigation().getByRole('link', { name: label, exact: true }).click();
        await page.getByRole('heading', { level: 1, name: label }).waitFor({ timeout: 15_000 });
        await settled();
        await screenshot(page, `page-${label.toLowerCase()}`);
        expect(await page.title()).toBe(`${label} · Interdict`);
        const link = navigation().getByRole('link', { name: label, exact: true });
        expect(await link.getAttribute('aria-current')).toBe('page');
        const violations = await accessibilityViolations(page);
        if (violations.length > 0) failures.push(`${label}: ${violations.join('; ')}`);
      } catch (error) {
        const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
        failures.push(`${label}: ${reason}`);
        await screenshot(page, `page-${label.toLowerCase()}-failed`);
      }
      const errors = browser.problems.slice(before);
      if (errors.length > 0) failures.push(`${label}: ${errors.join('; ').slice(0, 400)}`);
    }
    expect(failures).toEqual([]);
  });

  it('creates a user, shows the one-time password once, changes the role and disables', async () => {
    await page.goto(`${server.url}/administration/users`);
    await heading('Administration');
    await page.getByLabel(/^Email/).fill('olga.officer@interdict.test');
    await page.getByLabel(/^Full name/).fill('Olga Officer');
    await page.getByRole('combobox', { name: 'Role', exact: true }).click();
    await page.getByRole('option', { name: 'officer' }).click();
    await page.getByRole('button', { name: 'Create user' }).click();

    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    const password = (await dialog.getByTestId('secret-value').innerText()).trim();
    expect(password.length).toBeGreaterThanOrEqual(8);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'admin-user-one-time-password');
    await dialog.getByRole('button', { name: 'I have stored it' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await page.getByText(password).count()).toBe(0);

    const row = page.getByRole('row').filter({ hasText: 'olga.officer@interdict.test' });
    await row.waitFor();
    const role = row.getByRole('combobox', { name: 'Role of olga.officer@interdict.test' });
    expect(await role.inputValue()).toBe('officer');
    const patched = page.waitForResponse(
      (r) => r.url().includes('/api/users/') && r.request().method() === 'PATCH',
    );
    await role.click();
    await page.getByRole('option', { name: 'analyst' }).click();
    expect((await patched).status()).toBe(200);
    // Stored, not only shown: a reload reads it back from the server.
    await page.reload();
    await row.waitFor();
    await until(async () => (await role.inputValue()) === 'analyst');

    await row.getByRole('button', { name: 'Disable olga.officer@interdict.test' }).click();
    await row.getByText('disabled', { exact: true }).waitFor();
    await screenshot(page, 'admin-users');
  });

  it('creates an API token, shows its secret once, revokes it, and audits both', async () => {
    await page.goto(`${server.url}/administration/tokens`);
    await heading('Administration');
    await page.getByLabel(/^Token name/).fill('nightly-sync');
    await page.getByLabel('Expires in (days)').fill('30');
    await page.getByRole('button', { name: 'Create token' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    const secret = (await dialog.getByTestId('secret-value').innerText()).trim();
    expect(secret.length).toBeGreaterThanOrEqual(20);
    await dialog.getByRole('button', { name: /Copy/ }).waitFor();
    await screenshot(page, 'admin-token-secret');
    await dialog.getByRole('button', { name: 'I have stored it' }).click();
    await dialog.waitFor({ state: 'hidden' });

    // The secret works as a bearer token until it is revoked.
    const before = await fetch(`${server.url}/api/auth/me`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(before.status).not.toBe(401);

    const row = page.getByRole('row').filter({ hasText: 'nightly-sync' });
    await row.getByText('active', { exact: true }).waitFor();
    await row.getByRole('button', { name: 'Revoke nightly-sync' }).click();
    const confirm = page.getByRole('dialog', { name: 'Revoke API token' });
    await confirm.getByRole('button', { name: 'Revoke token' }).click();
    await confirm.waitFor({ state: 'hidden' });
    // Revoked tokens either stay listed as revoked or leave the list.
    await until(async () => {
      const rows = page.getByRole('row').filter({ hasText: 'nightly-sync' });
      return (await rows.count()) === 0 || (await rows.innerText()).includes('revoked');
    });
    await screenshot(page, 'admin-tokens');

    const after = await fetch(`${server.url}/api/tokens`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(after.status).toBe(401);

    await page.getByRole('tab', { name: 'Audit log' }).click();
    const table = page.getByRole('table', { name: /Audit log/ });
    await table.waitFor();
    await settled();
    const audit = await table.innerText();
    expect(audit).toMatch(/token[._-]?creat/i);
    expect(audit).toMatch(/token[._-]?revok/i);
    expect(audit).toMatch(/sign[._-]?in/i);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'admin-audit');
  });

  it('lists organisations and creates one', async () => {
    await page.goto(`${server.url}/administration/organisations`);
    await heading('Administration');
    await page.getByLabel(/^Name/).fill('Port Authority of Example');
    await page.getByRole('button', { name: 'Create organisation' }).click();
    await page.getByRole('row').filter({ hasText: 'Port Authority of Example' }).waitFor();
    await screenshot(page, 'admin-organisations');
  });

  it('uploads a malformed file as an ingest job and shows why it failed', async () => {
    await page.goto(`${server.url}/administration/jobs`);
    await heading('Administration');
    await settled();
    const kindInput = page.getByRole('combobox', { name: 'Kind of data' });
    await kindInput.click();
    const options = page.getByRole('option');
    await options.first().waitFor();
    const kind = (await options.first().innerText()).trim();
    await options.first().click();
    expect(await kindInput.inputValue()).toBe(kind);
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: /^File/ }).click();
    await (
      await chooser
    ).setFiles({
      name: 'broken.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('this,is,not\nthe,expected,header\n'),
    });
    await page.getByRole('button', { name: 'Start ingest job' }).click();
    const row = page.getByRole('row').filter({ hasText: 'broken.csv' });
    await row.waitFor();
    // The job list is polled: the row turns to failed without a reload.
    await row.getByText('failed', { exact: true }).waitFor({ timeout: 60_000 });
    expect((await row.innerText()).length).toBeGreaterThan(kind.length + 20);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'admin-ingest-jobs');
  });

  it('loads a real file through the upload form and shows it succeed and counted', async () => {
    await page.goto(`${server.url}/administration/jobs`);
    await heading('Administration');
    await settled();
    await page.getByRole('combobox', { name: 'Kind of data' }).click();
    await page.getByRole('option', { name: 'bts-ports', exact: true }).click();
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: /^File/ }).click();
    await (await chooser).setFiles(sharedData('border-crossings', 'border_ports.csv'));
    await page.getByRole('button', { name: 'Start ingest job' }).click();
    const row = page.getByRole('row').filter({ hasText: 'border_ports.csv' });
    await row.getByText('succeeded', { exact: true }).waitFor({ timeout: 60_000 });
    const progress = row.getByRole('progressbar');
    expect(await progress.getAttribute('aria-valuenow')).toBe('100');
    await screenshot(page, 'admin-ingest-succeeded');

    // The overview lists what is loaded, from GET /api/summary.
    await navigation().getByRole('link', { name: 'Overview', exact: true }).click();
    await heading('Overview');
    await settled();
    const loaded = page.getByRole('table', { name: /Every data set loaded/ });
    await loaded.waitFor();
    expect(await loaded.getByRole('row').count()).toBeGreaterThan(1);
    await screenshot(page, 'overview-with-data');
  });

  it('shows a viewer the capability pages but not administration', async () => {
    await page.goto(`${server.url}/administration/users`);
    await heading('Administration');
    await page.getByLabel(/^Email/).fill('vera.viewer@interdict.test');
    await page.getByLabel(/^Full name/).fill('Vera Viewer');
    await page.getByRole('combobox', { name: 'Role', exact: true }).click();
    await page.getByRole('option', { name: 'viewer' }).click();
    await page.getByLabel(/^Password/).fill('viewer-password-3Wd9');
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.getByRole('row').filter({ hasText: 'vera.viewer@interdict.test' }).waitFor();
    // A password was given, so no one-time password is shown.
    expect(await page.getByRole('dialog').count()).toBe(0);

    // The same email again: the server's problem details become a readable alert.
    await page.getByLabel(/^Email/).fill('vera.viewer@interdict.test');
    await page.getByLabel(/^Full name/).fill('Vera Again');
    await page.getByRole('button', { name: 'Create user' }).click();
    const refusal = page.getByRole('alert').filter({ hasText: 'Could not create the user' });
    await refusal.waitFor();
    const text = await refusal.innerText();
    expect(text).not.toContain('[object Object]');
    expect(text.replace('Could not create the user', '').trim().length).toBeGreaterThan(10);
    await screenshot(page, 'admin-user-refused');

    const viewer = await openBrowser();
    try {
      const other = viewer.page;
      await signInAs(other, server.url, 'vera.viewer@interdict.test', 'viewer-password-3Wd9');
      const nav = other.getByRole('navigation', { name: 'Primary' });
      const labels = await nav.getByRole('link').allInnerTexts();
      expect(labels.map((l) => l.trim())).toContain('Screening');
      expect(labels.map((l) => l.trim())).not.toContain('Administration');
      await other.goto(`${server.url}/administration/users`);
      await other.getByText('Not available to your role').waitFor();
      expect(await accessibilityViolations(other)).toEqual([]);
      await screenshot(other, 'viewer-administration-refused');
      expect(viewer.problems).toEqual([]);
    } finally {
      await viewer.close();
    }
  });

  it('collapses the navigation behind a menu button at tablet width', async () => {
    await page.setViewportSize(tablet);
    await page.goto(`${server.url}/administration/users`);
    await heading('Administration');
    await settled();
    expect(await navigation().isVisible()).toBe(false);
    await screenshot(page, 'tablet-users');
    const menu = page.getByRole('button', { name: 'Open navigation' });
    await menu.click();
    await navigation().waitFor({ state: 'visible' });
    await screenshot(page, 'tablet-navigation-open');
    await navigation().getByRole('link', { name: 'Analytics', exact: true }).click();
    await heading('Analytics');
    await navigation().waitFor({ state: 'hidden' });
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'tablet-analytics');
    await page.setViewportSize(laptop);
  });

  it('switches to the dark scheme and stays readable', async () => {
    await page.goto(`${server.url}/`);
    await heading('Overview');
    await page.getByRole('button', { name: 'Use dark theme' }).click();
    expect(await page.evaluate(() => document.documentElement.dataset.mantineColorScheme)).toBe(
      'dark',
    );
    await settled();
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'overview-dark');
    await page.goto(`${server.url}/administration/jobs`);
    await heading('Administration');
    await settled();
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'admin-ingest-jobs-dark');
    await page.getByRole('button', { name: 'Use light theme' }).click();
  });

  it('asks to sign in again when the session ends mid-use, then returns to the page', async () => {
    await page.goto(`${server.url}/administration/users`);
    await heading('Administration');
    await settled();
    // The server no longer knows this browser (as after an expiry or a forged cookie).
    await browser.context.clearCookies();
    await page.getByRole('tab', { name: 'Audit log' }).click();
    await heading('Sign in to Interdict');
    await page.getByText('Your session has ended').waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'session-ended');
    await signIn(server.adminEmail, server.adminPassword);
    await heading('Administration');
    expect(new URL(page.url()).pathname).toBe('/administration/audit');
  });

  it('signs out, and a page then asks to sign in again', async () => {
    await page.locator('header button[aria-haspopup="menu"]').click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await heading('Sign in to Interdict');
    await page.goto(`${server.url}/administration/audit`);
    await heading('Sign in to Interdict');
    await signIn(server.adminEmail, server.adminPassword);
    // Back where the user was going.
    await heading('Administration');
    expect(new URL(page.url()).pathname).toBe('/administration/audit');
  });

  it('serves the console and Swagger UI under their Content-Security-Policies without violations', async () => {
    const res = await fetch(`${server.url}/administration/users`);
    const policy = res.headers.get('content-security-policy') ?? '';
    expect(policy).toMatch(/style-src 'self' 'nonce-[A-Za-z0-9+/]+=*'/);
    expect(policy).not.toMatch(/script-src[^;]*unsafe/);
    expect(policy).not.toMatch(/style-src [^;]*unsafe/);
    expect(policy).toContain("frame-ancestors 'none'");
    const before = browser.problems.length;
    await page.goto(`${server.url}/api/docs`);
    await page
      .getByRole('heading', { name: /Interdict API/ })
      .first()
      .waitFor();
    await page.locator('#operations-tag-sessions').waitFor();
    await screenshot(page, 'api-docs');
    expect(browser.problems.slice(before)).toEqual([]);
  });

  it('pages a long token list with "Load more"', async () => {
    const api = await apiSession(server);
    for (let i = 0; i < 52; i++) {
      const res = await api.request('POST', '/api/tokens', {
        name: `paging-${String(i).padStart(2, '0')}`,
        expiresInDays: 1,
      });
      expect(res.status).toBe(201);
    }
    await page.goto(`${server.url}/administration/tokens`);
    await heading('Administration');
    const table = page.getByRole('table', { name: 'API tokens' });
    await table.waitFor();
    const rows = table.getByRole('row').filter({ hasText: 'paging-' });
    await until(async () => (await rows.count()) === 50);
    // Newest first: the first page ends before the oldest two.
    expect(await table.getByRole('row').filter({ hasText: 'paging-01' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Load more API tokens' }).click();
    await page.getByText(/^All \d+ API tokens are shown\.$/).waitFor();
    expect(await rows.count()).toBe(52);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'admin-tokens-paged');
  });

  it('shows your sessions, signs out everywhere else, and lets an admin end a user’s sessions', async () => {
    // Another "device" of the admin, and a user signed in in a second browser.
    const elsewhere = await apiSession(server);
    const created = await elsewhere.request('POST', '/api/users', {
      email: 'sam.sessions@interdict.test',
      name: 'Sam Sessions',
      role: 'analyst',
      password: 'sam-sessions-password-8Jd2',
    });
    expect(created.status).toBe(201);
    const sam = await openBrowser();
    try {
      await signInAs(
        sam.page,
        server.url,
        'sam.sessions@interdict.test',
        'sam-sessions-password-8Jd2',
      );

      await page.goto(`${server.url}/`);
      await heading('Overview');
      await page.locator('header button[aria-haspopup="menu"]').click();
      await page.getByRole('menuitem', { name: 'Your sessions' }).click();
      const dialog = page.getByRole('dialog', { name: 'Your sessions' });
      const table = dialog.getByRole('table', { name: /Signed-in sessions of you/ });
      await table.waitFor();
      await until(async () => (await table.getByRole('row').count()) >= 3);
      expect(await table.getByText('this browser').count()).toBe(1);
      expect(await accessibilityViolations(page)).toEqual([]);
      await screenshot(page, 'sessions-own');
      expect((await elsewhere.request('GET', '/api/auth/me')).status).toBe(200);
      await dialog.getByRole('button', { name: 'Sign out everywhere else' }).click();
      await dialog
        .getByRole('status')
        .filter({ hasText: /sessions? ended/ })
        .waitFor();
      await until(async () => (await table.getByRole('row').count()) === 2);
      expect((await elsewhere.request('GET', '/api/auth/me')).status).toBe(401);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });

      await page.goto(`${server.url}/administration/users`);
      await heading('Administration');
      const row = page.getByRole('row').filter({ hasText: 'sam.sessions@interdict.test' });
      await row.getByRole('button', { name: 'Sessions of sam.sessions@interdict.test' }).click();
      const samDialog = page.getByRole('dialog', {
        name: 'Sessions of sam.sessions@interdict.test',
      });
      const samTable = samDialog.getByRole('table');
      await samTable.waitFor();
      expect(await samTable.getByRole('row').count()).toBe(2);
      expect(await samTable.getByText('this browser').count()).toBe(0);
      await screenshot(page, 'sessions-of-user');
      await samDialog
        .getByRole('button', { name: 'End every session of sam.sessions@interdict.test' })
        .click();
      await samDialog.getByText('No one is signed in as sam.sessions@interdict.test').waitFor();
      await page.keyboard.press('Escape');
      await samDialog.waitFor({ state: 'hidden' });

      // Sam's browser finds its session gone at the next request.
      await sam.page.reload();
      await sam.page.getByRole('heading', { level: 1, name: 'Sign in to Interdict' }).waitFor();
      expect(sam.problems).toEqual([]);

      await page.getByRole('tab', { name: 'Audit log' }).click();
      const audit = page.getByRole('table', { name: /Audit log/ });
      await audit.waitFor();
      await settled();
      const text = await audit.innerText();
      expect(text).toContain('session.revoke_others');
      expect(text).toContain('session.revoke_all');
    } finally {
      await sam.close();
    }
  });

  it('logged no console errors and no failed requests', () => {
    expect(browser.problems).toEqual([]);
  });
});
