import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { StoreError } from '../errors';

// The filters every analytics view shares, and the SQL they become. Column names are this file's
// constants, never input; values are always bound parameters.

export const SEIZURE_GROUPS = ['total', 'drug', 'region', 'component', 'aor'] as const;
export type SeizureGroup = (typeof SEIZURE_GROUPS)[number];
export const CROSSING_GROUPS = ['total', 'port', 'border', 'measure', 'state'] as const;
export type CrossingGroup = (typeof CROSSING_GROUPS)[number];

export interface SeizureFilter {
  drug?: string | undefined;
  region?: string | undefined;
  component?: string | undefined;
  aor?: string | undefined;
  landFilter?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

export interface CrossingFilter {
  port?: string | undefined;
  border?: string | undefined;
  state?: string | undefined;
  measure?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

export interface UnodcFilter {
  drug?: string | undefined;
  drugGroup?: string | undefined;
  region?: string | undefined;
  country?: string | undefined;
  year?: number | undefined;
  from?: number | undefined;
  to?: number | undefined;
}

/** The filter of the source-rows view: every dataset's fields, and one month. */
export type SourceRowsFilter = SeizureFilter &
  CrossingFilter &
  Omit<UnodcFilter, 'from' | 'to'> & { month?: string | undefined };

export type Condition = RawBuilder<SqlBool>;

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/** A month (YYYY-MM) checked before it reaches SQL: months are compared as text. */
export function checkMonth(name: string, value: string | undefined): void {
  if (value !== undefined && !MONTH.test(value)) {
    throw new StoreError('INVALID_ARGUMENT', `${name} must be a month YYYY-MM`, {
      details: { field: name },
    });
  }
}

export function and(parts: readonly Condition[]): Condition {
  return parts.length === 0 ? sql<SqlBool>`true` : sql<SqlBool>`${sql.join(parts, sql` AND `)}`;
}

/** Set: a filter value that narrows the rows (an empty text box in the console does not). */
function isSet<V>(value: V | undefined): value is V {
  return value !== undefined && value !== '';
}

/**
 * `column = value` for each filter field that is set, in the order of `columns` (field → column).
 * Column names are this file's constants, never input; values are bound parameters.
 */
export function equalities<F extends object>(
  f: F,
  columns: { readonly [K in keyof F]?: string },
  table?: string,
): Condition[] {
  const p: Condition[] = [];
  for (const [field, column] of Object.entries(columns) as [keyof F, string][]) {
    const value = f[field];
    const ref = table ? `${table}.${column}` : column;
    if (isSet(value)) p.push(sql<SqlBool>`${sql.ref(ref)} = ${value}`);
  }
  return p;
}

/** `column` within [from, to], each bound only when set. */
function within<V extends string | number>(
  column: string,
  from: V | undefined,
  to: V | undefined,
): Condition[] {
  return [
    ...(isSet(from) ? [sql<SqlBool>`${sql.ref(column)} >= ${from}`] : []),
    ...(isSet(to) ? [sql<SqlBool>`${sql.ref(column)} <= ${to}`] : []),
  ];
}

/** Months `from` and `to` (YYYY-MM), checked before they reach SQL. */
export function monthRange(
  f: { from?: string | undefined; to?: string | undefined },
  table?: string,
): Condition[] {
  checkMonth('from', f.from);
  checkMonth('to', f.to);
  return within(table ? `${table}.month` : 'month', f.from, f.to);
}

const SEIZURE_COLUMNS = {
  drug: 'drug',
  region: 'region',
  component: 'component',
  aor: 'aor',
  landFilter: 'land_filter',
} as const;
const CROSSING_COLUMNS = {
  port: 'port_code',
  border: 'border',
  state: 'state',
  measure: 'measure',
} as const;
const UNODC_COLUMNS = {
  drug: 'drug_sub_group',
  drugGroup: 'drug_group',
  region: 'region',
  country: 'country_code',
  year: 'year',
} as const;

/** CBP rows matching `f`, effective rows only (a later release withdraws an earlier one's). */
export function seizureWhere(f: SeizureFilter): Condition {
  const range = monthRange(f);
  return and([sql<SqlBool>`effective`, ...equalities(f, SEIZURE_COLUMNS), ...range]);
}

/** `table`: the crossings' alias when the query joins a table with the same column names. */
export function crossingWhere(f: CrossingFilter, table?: string): Condition {
  const range = monthRange(f, table);
  return and([...equalities(f, CROSSING_COLUMNS, table), ...range]);
}

/** UNODC rows with a quantity matching `f` (rows without one have nothing to sum). */
export function unodcWhere(f: UnodcFilter): Condition {
  return and([
    sql<SqlBool>`kilograms IS NOT NULL`,
    ...equalities(f, UNODC_COLUMNS),
    ...within('year', f.from, f.to),
  ]);
}

export const SEIZURE_GROUP_COLUMN: Record<SeizureGroup, RawBuilder<unknown>> = {
  total: sql`'all'`,
  drug: sql`drug`,
  region: sql`region`,
  component: sql`component`,
  aor: sql`aor`,
};
export const CROSSING_GROUP_COLUMN: Record<CrossingGroup, RawBuilder<unknown>> = {
  total: sql`'all'`,
  port: sql`port_code`,
  border: sql`border`,
  measure: sql`measure`,
  state: sql`state`,
};
