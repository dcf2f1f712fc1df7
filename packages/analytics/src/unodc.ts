import {
  decimal,
  invalid,
  required,
  rowsWithHeader,
  type ParseOptions,
  type TextSource,
} from './csv-input';

/** UNODC World Drug Report statistical annex, drug seizures table (sheet `Export`, row 2). */
export const UNODC_SEIZURES_HEADER = [
  'Region',
  'SubRegion',
  'Country',
  'DrugGroup',
  'DrugSubGroup',
  'DrugName',
  'Reference year',
  'Kilograms',
  'msCode',
] as const;

export interface UnodcSeizure {
  readonly line: number;
  readonly region: string;
  readonly subRegion: string;
  readonly country: string;
  /** ISO 3166-1 alpha-3. */
  readonly countryCode: string;
  readonly drugGroup: string;
  readonly drugSubGroup: string;
  readonly drugName: string;
  readonly year: number;
  /** Null where the country reported the drug without a quantity (72 rows in the 2018–2022 file). */
  readonly kilograms: number | null;
}

/**
 * Streams the UNODC seizures CSV. Rows repeating a country/drug/year are separate reported
 * quantities (SOURCE.md): they are all kept, to be summed, never deduplicated.
 */
export async function* parseUnodcSeizures(
  source: TextSource,
  options: ParseOptions = {},
): AsyncGenerator<UnodcSeizure> {
  for await (const row of rowsWithHeader(source, UNODC_SEIZURES_HEADER, options)) {
    const f = row.fields;
    const yearText = f['Reference year'] ?? '';
    if (!/^(19|20)\d{2}$/.test(yearText.trim())) {
      throw invalid(options, row.line, 'Reference year', yearText, 'a four-digit year');
    }
    const code = (f.msCode ?? '').trim();
    if (!/^[A-Z]{3}$/.test(code))
      throw invalid(options, row.line, 'msCode', code, 'an ISO alpha-3 code');
    yield {
      line: row.line,
      region: required(options, row, 'Region'),
      subRegion: required(options, row, 'SubRegion'),
      country: required(options, row, 'Country'),
      countryCode: code,
      drugGroup: required(options, row, 'DrugGroup'),
      drugSubGroup: required(options, row, 'DrugSubGroup'),
      drugName: required(options, row, 'DrugName'),
      year: Number(yearText.trim()),
      kilograms:
        (f.Kilograms ?? '').trim() === '' ? null : decimal(options, row, 'Kilograms', { min: 0 }),
    };
  }
}
