/// <reference lib="dom" />
// The Ledger page end to end: a real server (in process, fresh PGlite), records appended through
// the API and through the page's form, the checkpoint and an entry verified in Debian's chromium
// by the console's own @interdict/ledger code, the downloaded tlog-proof verified again here, and
// a tampered proof pasted into the checker and refused.
import { readFileSync } from 'node:fs';
import { hashLeaf, parseProofBundle, verifierFromVkey, verifyProofBundle } from '@interdict/ledger';
import { nodeEd25519 } from '@interdict/ledger/node';
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
let cookie = '';
let csrf = '';

interface Entry {
  index: number;
  leafHash: string;
  envelope: string;
  proof: string | null;
}

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      cookie,
      ...(body === undefined ? {} : { 'content-type': 'application/json', 'x-csrf-token': csrf }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  expect(res.ok, `${method} ${path}: ${await res.clone().text()}`).toBe(true);
  return (await res.json()) as T;
}

async function shoot(name: string): Promise<void> {
  await screenshot(page, name);
}

/** Waits until no loader is shown (see analytics.test.ts). */
async function settled(): Promise<void> {
  const loaders = page.getByRole('status').filter({ hasText: 'Loading' });
  const deadline = Date.now() + 30_000;
  while ((await loaders.count()) > 0) {
    if (Date.now() > deadline) throw new Error('the page kept loading');
    await page.waitForTimeout(100);
  }
}

beforeAll(async () => {
  server = await startTestServer();
  const signIn = await fetch(`${server.url}/api/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: server.adminEmail, password: server.adminPassword }),
  });
  expect(signIn.status).toBe(200);
  cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  csrf = ((await signIn.json()) as { csrfToken: string }).csrfToken;
  // Several records, so an entry's inclusion proof has hashes in it to tamper with.
  for (let n = 0; n < 5; n++) {
    await api<Entry>('POST', '/api/ledger/entries', {
      type: 'seizure-report',
      body: { n, kg: 10 + n, port: 'NLRTM' },
      wait: true,
    });
  }
  browser = await openBrowserAsAdmin(server);
  page = browser.page;
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('the Ledger page', () => {
  it('verifies the checkpoint against the log key in the browser and records through the form', async () => {
    const info = await api<{ vkey: string }>('GET', '/api/ledger');
    await page.goto(`${server.url}/ledger`);
    await page.getByRole('heading', { level: 1, name: 'Ledger' }).waitFor();
    await settled();
    const checkpoint = page.getByRole('region', { name: 'Latest checkpoint' });
    await checkpoint.getByText('Signature verified against key').waitFor();
    expect(await checkpoint.getByText(info.vkey, { exact: true }).count()).toBe(1);
    expect(await checkpoint.getByText('log signature (verified)').count()).toBe(1);

    const form = page.getByRole('region', { name: 'Record something' });
    await form.getByLabel('Record type').fill('tip');
    await form.getByLabel(/^Body/).fill('{ "vessel": "MSC Example", "imo": 9000001 }');
    await form.getByRole('button', { name: 'Record' }).click();
    await form.getByText('Recorded as entry 5 and included in a signed checkpoint.').waitFor();
    await settled();
    await page
      .getByRole('table', { name: 'Ledger entries' })
      .getByRole('cell', { name: 'tip' })
      .waitFor();
    await page.getByRole('region', { name: 'Latest checkpoint' }).getByText('size 6').waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    await shoot('ledger-page');
  });

  it("verifies an entry's inclusion in the browser; its downloaded tlog-proof verifies here too", async () => {
    const info = await api<{ vkey: string }>('GET', '/api/ledger');
    const entry = await api<Entry>('GET', '/api/ledger/entries/2');
    const row = page
      .getByRole('table', { name: 'Ledger entries' })
      .getByRole('row')
      .filter({ has: page.getByRole('cell', { name: '2', exact: true }) });
    await row.getByRole('button', { name: 'Verify' }).click();
    const status = row.getByRole('status');
    await status.waitFor();
    expect(await status.innerText()).toMatch(
      /^Verified against key .+: included in the tree of size 6; organisation signature valid$/,
    );
    expect(await status.innerText()).toContain(info.vkey.split('+').slice(0, 2).join('+'));

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      row.getByRole('button', { name: 'Proof' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('entry-2.tlog-proof');
    const file = await download.path();
    const proof = readFileSync(file, 'utf8');
    // Independently of the console: the bundle proves the entry's leaf under the log key.
    const leaf = hashLeaf(new TextEncoder().encode(entry.envelope));
    expect(Buffer.from(leaf).toString('base64')).toBe(entry.leafHash);
    const cp = await verifyProofBundle(proof, leaf, [verifierFromVkey(info.vkey, nodeEd25519)]);
    expect(cp.size).toBe(6);
    expect(parseProofBundle(proof).index).toBe(2);
    await shoot('ledger-entry-verified');
  });

  it('checks pasted proofs: the genuine one verifies, a tampered one is refused', async () => {
    const entry = await api<Entry>('GET', '/api/ledger/entries/2');
    const proof = entry.proof ?? '';
    const lines = proof.split('\n');
    // Line 3 is the first inclusion-proof hash (after the header and "index 2"): change its
    // first base64 digit, which keeps it a valid 32-byte hash but a wrong one.
    expect(lines[1]).toBe('index 2');
    const first = lines[2] ?? '';
    lines[2] = `${first[0] === 'A' ? 'B' : 'A'}${first.slice(1)}`;
    const tampered = lines.join('\n');
    expect(tampered).not.toBe(proof);

    const checker = page.getByRole('region', { name: 'Check a proof' });
    await checker.getByLabel(/^Proof/).fill(proof);
    await checker.getByLabel('Leaf hash (base64)').fill(entry.leafHash);
    await checker.getByRole('button', { name: 'Verify' }).click();
    const ok = checker.getByRole('status');
    await ok.waitFor();
    expect(await ok.innerText()).toMatch(/Leaf 2 is in the tree of size 6/);

    await checker.getByLabel(/^Proof/).fill(tampered);
    await checker.getByRole('button', { name: 'Verify' }).click();
    const refused = checker.getByRole('alert');
    await refused.waitFor();
    expect(await refused.innerText()).toMatch(/Not verified/);
    expect(await checker.getByRole('status').count()).toBe(0);
    await shoot('ledger-proof-refused');
    expect(browser.problems).toEqual([]);
  });
});
