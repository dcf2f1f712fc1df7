import { readFileSync } from 'node:fs';
import { sharedData } from './shared-data';

/**
 * The one loader of targeting test data for the store, server and browser suites: Korea Customs
 * Service benchmark declarations (`customs-synthetic/kcs-2023-hs6`, see its SOURCE.md) and real
 * listed company names to put on them as parties, all read through `sharedData()`.
 */

export type KcsSplit = 'df_syn_train_eng.csv' | 'df_syn_valid_eng.csv';

/** Lines of a KCS 2023 (HS6) split, header first. */
export const kcsLines = (split: KcsSplit): string[] =>
  readFileSync(sharedData('customs-synthetic', 'kcs-2023-hs6', split), 'utf8')
    .trim()
    .split('\n');

/** The `Declaration ID` (first column) of a KCS row. */
export const idOf = (line: string): string => line.split(',')[0]!;

/** The `Date` (second column) of a KCS row. */
export const dateOf = (line: string): string => line.split(',')[1]!;

/** A KCS row with its `Fraud,Critical Fraud` labels emptied (not yet inspected). */
export const unlabelled = (line: string): string => line.replace(/,\d,\d$/, ',,');

/** The training split's rows dated before `before` as CSV text, header first (a small train set). */
export function kcsTrainText(before = '2020-02-01'): string {
  const train = kcsLines('df_syn_train_eng.csv');
  return train.filter((l, i) => i === 0 || dateOf(l) < before).join('\n') + '\n';
}

/** A party to name on a declaration: the importer's name and, optionally, its country. */
export interface NamedImporter {
  readonly name: string;
  readonly country?: string;
}

/**
 * One day of the validation split, unlabelled, with `Importer Name` and `Importer Country`
 * columns added. `importers[0]` names the day's last declaration, `importers[1]` the one before
 * it, and so on (the model's choice among the rest is not the test's to predict); `ids` are the
 * ids of those named declarations in the same order, `rows` the day's rows as read.
 */
export function kcsDayWithImporters(
  date: string,
  importers: readonly NamedImporter[],
): { text: string; ids: string[]; rows: string[] } {
  const valid = kcsLines('df_syn_valid_eng.csv');
  const rows = valid.filter((l) => dateOf(l) === date);
  if (rows.length < importers.length) throw new Error(`${date} has only ${rows.length} rows`);
  const at = (i: number): NamedImporter | undefined => importers[rows.length - 1 - i];
  const quoted = (text: string) => `"${text.replaceAll('"', '""')}"`;
  const text =
    [
      `${valid[0]!},Importer Name,Importer Country`,
      ...rows.map((l, i) => {
        const p = at(i);
        return `${unlabelled(l)},${p ? quoted(p.name) : ''},${p?.country ?? ''}`;
      }),
    ].join('\n') + '\n';
  return { text, ids: importers.map((_, k) => idOf(rows[rows.length - 1 - k]!)), rows };
}

/** OFAC's legacy SDN list of 2024-05-03 (`sdn.csv`) as text. */
export const sdnCsvText = (): string =>
  readFileSync(sharedData('watchlists', 'ofac-sdn-2024-05-03', 'sdn.csv'), 'utf8');

/** The UN consolidated list of 2026-02 (`UN_consolidated.xml`) as bytes. */
export const unConsolidatedXml = (): Buffer =>
  readFileSync(sharedData('watchlists', 'un-consolidated-2026-02', 'UN_consolidated.xml'));

/**
 * Companies of OFAC's SDNTK (narcotics kingpin) program, named in three or more words so that a
 * weak partial match cannot stand in for the real one.
 */
export function kingpinCompanies(sdnCsv = sdnCsvText()): { entityId: string; name: string }[] {
  return sdnCsv
    .split('\n')
    .map((line) => /^(\d+),"([^"]+)",-0- ?,"SDNTK",/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ entityId: `ofac:${m[1]}`, name: m[2]! }))
    .filter((e) => e.name.split(' ').length >= 3);
}

/** Entity names on the UN consolidated list made of three or more plain upper-case words. */
export function unListedCompanies(unXml: string): string[] {
  return [...unXml.slice(unXml.indexOf('<ENTITIES>')).matchAll(/<FIRST_NAME>([^<]+)</g)]
    .map((m) => m[1]!)
    .filter((name) => /^[A-Z ]+$/.test(name) && name.split(' ').length >= 3);
}

/**
 * A KCS CSV recast as another schema's export, for column-mapping tests: every header renamed
 * (`Declaration ID` → `exp_declaration_id`), with the mapping file that reads it back, made from
 * the built-in KCS mapping's columns (pass `KCS_HS6_MAPPING.columns` from @interdict/targeting).
 */
export function kcsAsOtherSchema(
  kcsText: string,
  kcsColumns: Readonly<Record<string, string | undefined>>,
): { text: string; mapping: { name: string; hsDigits: number; columns: Record<string, string> } } {
  const rename = (column: string) => `exp_${column.toLowerCase().replace(/[^a-z0-9]+/g, '_')}`;
  const [header, ...body] = kcsText.trimEnd().split('\n');
  const columns: Record<string, string> = {};
  for (const [field, column] of Object.entries(kcsColumns))
    if (column !== undefined) columns[field] = rename(column);
  return {
    text: [header!.split(',').map(rename).join(','), ...body].join('\n') + '\n',
    mapping: { name: 'exporter-x', hsDigits: 6, columns },
  };
}
