import {
  count,
  decimal,
  invalid,
  oneOf,
  required,
  rowsWithHeader,
  type ParseOptions,
  type TextSource,
} from './csv-input';
import { AnalyticsError } from './errors';
import { fiscalToCalendarMonth, monthNumber, type Month } from './months';

/** CBP Public Data Portal "Nationwide Drug Seizures" columns, as CBP publishes them. */
export const CBP_SEIZURES_HEADER = [
  'FY',
  'Month (abbv)',
  'Component',
  'Region',
  'Land Filter',
  'Area of Responsibility',
  'Drug Type',
  'Count of Event',
  'Sum Qty (lbs)',
] as const;

export const CBP_COMPONENTS = ['Office of Field Operations', 'U.S. Border Patrol'] as const;
export const CBP_REGIONS = ['Southwest Border', 'Northern Border', 'Coastal/Interior'] as const;
export type CbpComponent = (typeof CBP_COMPONENTS)[number];
export type CbpRegion = (typeof CBP_REGIONS)[number];

const COMPONENTS = new Set<CbpComponent>(CBP_COMPONENTS);
const REGIONS = new Set<CbpRegion>(CBP_REGIONS);

export interface CbpSeizure {
  readonly line: number;
  readonly fiscalYear: number;
  /** `2025 (FYTD)`: the year was still in progress when the file was published. */
  readonly fiscalYearToDate: boolean;
  /** Calendar month (FY N's OCT–DEC fall in calendar year N−1). */
  readonly month: Month;
  readonly component: CbpComponent;
  readonly region: CbpRegion;
  readonly landFilter: string;
  /** A field office (OFO) or a sector (USBP). */
  readonly areaOfResponsibility: string;
  readonly drug: string;
  readonly events: number;
  readonly pounds: number;
}

export async function* parseCbpSeizures(
  source: TextSource,
  options: ParseOptions = {},
): AsyncGenerator<CbpSeizure> {
  for await (const row of rowsWithHeader(source, CBP_SEIZURES_HEADER, options)) {
    const f = row.fields;
    const fyText = f.FY ?? '';
    const fy = /^(\d{4})( \(FYTD\))?$/.exec(fyText.trim());
    if (!fy)
      throw invalid(options, row.line, 'FY', fyText, 'a fiscal year such as 2023 or 2025 (FYTD)');
    const monthText = f['Month (abbv)'] ?? '';
    if (monthNumber(monthText) === undefined) {
      throw invalid(
        options,
        row.line,
        'Month (abbv)',
        monthText,
        'a month abbreviation such as OCT',
      );
    }
    const component = oneOf(options, row, 'Component', COMPONENTS, CBP_COMPONENTS.join(' or '));
    const region = oneOf(options, row, 'Region', REGIONS, CBP_REGIONS.join(', '));
    const fiscalYear = Number(fy[1]);
    yield {
      line: row.line,
      fiscalYear,
      fiscalYearToDate: fy[2] !== undefined,
      month: fiscalToCalendarMonth(fiscalYear, monthText),
      component,
      region,
      landFilter: required(options, row, 'Land Filter'),
      areaOfResponsibility: required(options, row, 'Area of Responsibility'),
      drug: required(options, row, 'Drug Type'),
      events: count(options, row, 'Count of Event'),
      pounds: decimal(options, row, 'Sum Qty (lbs)', { min: 0 }),
    };
  }
}

/** One published CBP file: its name and the fiscal years it covers. */
export interface CbpRelease<R extends { fiscalYear: number } = CbpSeizure> {
  readonly name: string;
  readonly rows: readonly R[];
}

/** First and last fiscal year present in a release. */
export function fiscalCoverage(rows: readonly { fiscalYear: number }[]): {
  first: number;
  last: number;
} {
  if (rows.length === 0) throw new AnalyticsError('INVALID_ARGUMENT', 'a CBP release with no rows');
  let first = Infinity;
  let last = -Infinity;
  for (const r of rows) {
    if (r.fiscalYear < first) first = r.fiscalYear;
    if (r.fiscalYear > last) last = r.fiscalYear;
  }
  return { first, last };
}

/**
 * For each fiscal year, the release that wins: the one whose coverage ends latest, because later
 * CBP releases revise earlier months (SOURCE.md: FY2019–FY2021 from fy19_22, FY2022 on from
 * fy22_25). Ties go to the release listed later.
 */
export function cbpWinningRelease(
  coverages: readonly { name: string; first: number; last: number }[],
): Map<number, string> {
  const winner = new Map<number, { name: string; last: number }>();
  for (const c of coverages) {
    for (let fy = c.first; fy <= c.last; fy++) {
      const current = winner.get(fy);
      if (!current || c.last >= current.last) winner.set(fy, { name: c.name, last: c.last });
    }
  }
  return new Map([...winner].map(([fy, w]) => [fy, w.name]));
}

/** One series from overlapping releases: each fiscal year taken from its winning release only. */
export function mergeCbpReleases<R extends { fiscalYear: number }>(
  releases: readonly CbpRelease<R>[],
): (R & { release: string })[] {
  const winners = cbpWinningRelease(
    releases.map((r) => ({ name: r.name, ...fiscalCoverage(r.rows) })),
  );
  const out: (R & { release: string })[] = [];
  for (const release of releases) {
    for (const row of release.rows) {
      if (winners.get(row.fiscalYear) === release.name) out.push({ ...row, release: release.name });
    }
  }
  return out;
}
