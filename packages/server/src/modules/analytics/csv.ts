import type { Context } from 'hono';
import type { AppEnv } from '../../env';

/** A view's table as a CSV download: the file's name, its columns and its rows. */
export interface CsvTable {
  readonly name: string;
  readonly columns: readonly string[];
  readonly rows: readonly object[];
}

/** A CSV table whose columns are checked against its rows' fields. */
export function csvTable<R extends object>(
  name: string,
  columns: readonly (keyof R & string)[],
  rows: readonly R[],
): CsvTable {
  return { name, columns, rows };
}

/** RFC 4180 CSV, with a formula-injection guard for spreadsheet users (OWASP CSV injection). */
export function toCsv(columns: readonly string[], rows: readonly object[]): string {
  const cell = (v: unknown): string => {
    if (v === null || v === undefined) return '';
    let s: string;
    if (v instanceof Date) s = v.toISOString();
    else if (typeof v === 'string') s = v;
    else if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint')
      s = String(v);
    else s = JSON.stringify(v);
    if (/^[=+\-@\t\r]/.test(s) && !/^-?\d/.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  const lines = [columns.join(',')];
  for (const r of rows) lines.push(columns.map((c) => cell(Reflect.get(r, c))).join(','));
  return lines.join('\r\n') + '\r\n';
}

/** A CSV download of `table`. */
export function csvResponse(c: Context<AppEnv>, table: CsvTable): Response {
  return c.body(toCsv(table.columns, table.rows), 200, {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="${table.name}.csv"`,
  });
}
