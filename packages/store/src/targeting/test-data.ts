// Test-only data helpers for this folder's suites (not exported from index.ts): the KCS
// benchmark's declarations and real listed names, read through sharedData().
import { readFileSync } from 'node:fs';
import { sharedData } from '@interdict/testkit';

/** Lines of a KCS 2023 (HS6) split, header first. */
export const kcsLines = (name: 'df_syn_train_eng.csv' | 'df_syn_valid_eng.csv'): string[] =>
  readFileSync(sharedData('customs-synthetic', 'kcs-2023-hs6', name), 'utf8')
    .trim()
    .split('\n');

export const dateOf = (line: string): string => line.split(',')[1]!;

/** A KCS row with its `Fraud,Critical Fraud` labels emptied (not yet inspected). */
export const unlabelled = (line: string): string => line.replace(/,\d,\d$/, ',,');

/**
 * Companies of OFAC's SDNTK (narcotics kingpin) program from a legacy `sdn.csv`, named in three
 * or more words so that a weak partial match cannot stand in for the real one.
 */
export function kingpinCompanies(sdnCsv: string): { entityId: string; name: string }[] {
  return sdnCsv
    .split('\n')
    .map((line) => /^(\d+),"([^"]+)",-0- ?,"SDNTK",/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ entityId: `ofac:${m[1]}`, name: m[2]! }))
    .filter((e) => e.name.split(' ').length >= 3);
}
