// Browser-test helpers for a record's "On the ledger" card (pages/ledger/LedgerProof.tsx), shared
// by the suites that check a decision's entry verifies in the browser.
import type { Locator } from 'playwright-core';

/** `text` as a literal inside a regular expression. */
export const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** What the console says once an entry of the reader's own organisation verifies. */
export function verifiedLine(logVkey: string, index: number): RegExp {
  const key = logVkey.split('+').slice(0, 2).join('+');
  return new RegExp(
    `^Verified in this browser: entry ${index} is in the log, in the checkpoint of \\d+ entries signed by the log key ${escapeRegExp(key)}; the record shown is the one committed, signed by its organisation’s key\\.$`,
  );
}

/** Clicks the entry's Verify button (there once a checkpoint includes it) and answers the status. */
export async function verifyInBrowser(entry: Locator): Promise<string> {
  await entry.getByRole('button', { name: 'Verify in this browser' }).click({ timeout: 30_000 });
  const status = entry.getByRole('status');
  await status.waitFor();
  return status.innerText();
}
