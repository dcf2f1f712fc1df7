/// <reference lib="dom" />
// Helpers for the console's browser tests: Debian's chromium through playwright-core (never a
// downloaded browser), console-error collection, screenshots and an axe-core accessibility scan.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const screenshotDir = resolve(import.meta.dirname, '../../../artifacts/screenshots');

export const laptop = { width: 1366, height: 768 } as const;
export const tablet = { width: 768, height: 1024 } as const;

export interface ConsoleBrowser {
  context: BrowserContext;
  page: Page;
  /**
   * Console errors, page errors, failed requests and Content-Security-Policy violations seen so
   * far (not handled refusals).
   */
  problems: string[];
  close(): Promise<void>;
}

/**
 * A fresh browser profile (a new --user-data-dir) for each test file, so no cookie or stored
 * colour scheme leaks between runs.
 */
export async function openBrowser(options: { colorScheme?: 'light' | 'dark' } = {}) {
  const userDataDir = mkdtempSync(join(tmpdir(), 'interdict-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: laptop,
    colorScheme: options.colorScheme ?? 'light',
    reducedMotion: 'reduce',
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const text = message.text();
    // The browser logs every non-2xx fetch. Refusals the console handles and shows (401 for the
    // session probe or a wrong password, 409 and 422 for a form the server refused) are not its
    // faults; a 404 for an asset or a 500 still is.
    if (/Failed to load resource: the server responded with a status of (401|409|422)\b/.test(text))
      return;
    problems.push(`console: ${text}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  // Every CSP violation in any page or frame of this profile (the server's policies are in
  // packages/server/src/security-headers.ts). The listener is installed before any page script
  // runs; the binding is a DevTools channel, so the policy itself does not block the report.
  await context.exposeBinding('__reportCspViolation', (_source, line: string) => {
    problems.push(`csp: ${line}`);
  });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const report = (window as unknown as { __reportCspViolation: (line: string) => void })
        .__reportCspViolation;
      report(
        `${event.effectiveDirective} blocked ${event.blockedURI || 'inline'} at ${event.sourceFile}:${event.lineNumber} (${event.sample.slice(0, 80)}) on ${location.pathname}`,
      );
    });
  });
  // The console must work offline: no fonts, tiles or scripts from the internet. Any request to
  // a host other than the test server is refused and reported.
  await context.route(
    (url) => url.protocol.startsWith('http') && !['127.0.0.1', 'localhost'].includes(url.hostname),
    async (route) => {
      problems.push(`request to the internet: ${route.request().url()}`);
      await route.abort('blockedbyclient');
    },
  );
  page.on('requestfailed', (request) => {
    const failure = request.failure()?.errorText ?? 'failed';
    // Polling requests cancelled by navigation are not failures.
    if (failure.includes('ERR_ABORTED')) return;
    problems.push(`request failed: ${request.method()} ${request.url()} ${failure}`);
  });
  const browser: ConsoleBrowser = {
    context,
    page,
    problems,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
  return browser;
}

/** Opens the console at `baseUrl`, signs in and waits for the overview page. */
export async function signInAs(
  page: Page,
  baseUrl: string,
  email: string,
  password: string,
): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel(/^Password/).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
}

/** A browser signed in to `server` as its administrator: the set-up the page tests share. */
export async function openBrowserAsAdmin(server: {
  url: string;
  adminEmail: string;
  adminPassword: string;
}): Promise<ConsoleBrowser> {
  const browser = await openBrowser();
  await signInAs(browser.page, server.url, server.adminEmail, server.adminPassword);
  return browser;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  // A full-page shot of a scrolled page draws the fixed header and navbar at the scroll offset,
  // in the middle of the picture: always shoot from the top.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path, fullPage: true });
  return path;
}

const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/**
 * WCAG 2.2 A/AA checks by axe-core on the current page (labels, names, contrast, landmarks,
 * ARIA). Returns the violations as short lines so a failing test says what to fix.
 */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  const injected = await page.evaluate(() => 'axe' in window);
  // Evaluated through DevTools rather than added as an inline <script>, which the console's
  // Content-Security-Policy rightly refuses.
  if (!injected) await page.evaluate(axeSource);
  // Let running CSS transitions and animations end first (a modal fading in, a button's hover
  // colour): axe measures contrast on the colours of the moment, and half-faded text fails it.
  // Infinite animations (loaders) are left alone; a cancelled one counts as ended.
  await page.evaluate(() =>
    Promise.all(
      document
        .getAnimations()
        .filter((a) => a.effect?.getTiming().iterations !== Infinity)
        .map((a) => a.finished.catch(() => undefined)),
    ),
  );
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run: (c: unknown, o: unknown) => Promise<unknown> } }
    ).axe;
    const result = (await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
      resultTypes: ['violations'],
    })) as {
      violations: {
        id: string;
        impact: string | null;
        help: string;
        nodes: { target: string[]; html: string }[];
      }[];
    };
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')} ${n.html.slice(0, 120)}`),
    }));
  });
  return (violations as AxeViolation[]).map(
    (v) => `${v.id} (${v.impact ?? 'n/a'}): ${v.help} at ${v.targets.join(', ')}`,
  );
}
