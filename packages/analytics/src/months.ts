import { AnalyticsError } from './errors';

/** Calendar months are `YYYY-MM` strings everywhere in the product: sortable and unambiguous. */
export type Month = string;

export const MONTH_ABBREVIATIONS = [
  'JAN',
  'FEB',
  'MAR',
  'APR',
  'MAY',
  'JUN',
  'JUL',
  'AUG',
  'SEP',
  'OCT',
  'NOV',
  'DEC',
] as const;

const MONTH_INDEX = new Map<string, number>(MONTH_ABBREVIATIONS.map((m, i) => [m, i + 1]));

/** Month number 1–12 from a three-letter abbreviation in any case, or undefined. */
export function monthNumber(abbreviation: string): number | undefined {
  return MONTH_INDEX.get(abbreviation.trim().toUpperCase());
}

export function formatMonth(year: number, month: number): Month {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`;
}

export function parseMonth(month: Month): { year: number; month: number } {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  const mm = m ? Number(m[2]) : 0;
  if (!m || mm < 1 || mm > 12) {
    throw new AnalyticsError('INVALID_ARGUMENT', `not a month (YYYY-MM): "${month}"`);
  }
  return { year: Number(m[1]), month: mm };
}

/** The month `delta` months after `month` (negative goes back). */
export function addMonths(month: Month, delta: number): Month {
  const { year, month: m } = parseMonth(month);
  const index = year * 12 + (m - 1) + delta;
  return formatMonth(Math.floor(index / 12), (index % 12) + 1);
}

/** Number of months from `a` to `b` (b − a). */
export function monthsBetween(a: Month, b: Month): number {
  const pa = parseMonth(a);
  const pb = parseMonth(b);
  return pb.year * 12 + pb.month - (pa.year * 12 + pa.month);
}

/**
 * U.S. federal fiscal year N runs from October of N−1 to September of N (31 U.S.C. §1102), so
 * OCT–DEC of FY N are calendar months of year N−1.
 */
export function fiscalToCalendarMonth(fiscalYear: number, monthAbbreviation: string): Month {
  const m = monthNumber(monthAbbreviation);
  if (m === undefined) {
    throw new AnalyticsError(
      'INVALID_ARGUMENT',
      `not a month abbreviation: "${monthAbbreviation}"`,
    );
  }
  return formatMonth(m >= 10 ? fiscalYear - 1 : fiscalYear, m);
}

/** The fiscal year a calendar month belongs to. */
export function fiscalYearOf(month: Month): number {
  const { year, month: m } = parseMonth(month);
  return m >= 10 ? year + 1 : year;
}
