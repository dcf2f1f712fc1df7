import { printable, type CsvRow } from '@interdict/core';
import { TargetingError } from './errors';

/**
 * One import declaration as targeting sees it. Field names follow the Korea Customs Service
 * benchmark (Jeong et al., "Customs Import Declaration Datasets", arXiv:2208.02484, Table 1);
 * other schemas reach this shape through a column mapping.
 */
export interface Declaration {
  readonly id: string;
  /** ISO date `YYYY-MM-DD` of acceptance. */
  readonly date: string;
  /** Days since 1970-01-01 (UTC), for ordering and "strictly earlier" comparisons. */
  readonly day: number;
  readonly office: string;
  readonly processType: string;
  readonly importType: string;
  readonly importUse: string;
  readonly paymentType: string;
  readonly transportMode: string;
  readonly declarant: string;
  readonly importer: string;
  readonly seller: string;
  readonly courier: string;
  /** Digits only, left-padded to the schema's width when leading zeros were lost. */
  readonly hsCode: string;
  readonly departure: string;
  readonly origin: string;
  /** Percent; NaN when absent. */
  readonly taxRate: number;
  readonly taxType: string;
  readonly originIndicator: string;
  /** kg; NaN when absent. */
  readonly netMass: number;
  /** Assessed value in the declaration's currency; NaN when absent. */
  readonly itemPrice: number;
  /** Inspection result: 1 fraud found, 0 none, null not (yet) inspected. */
  readonly fraud: 0 | 1 | null;
  /** 0 none, 1 fraud, 2 critical (public-safety) fraud, null not inspected. */
  readonly critical: 0 | 1 | 2 | null;
  /**
   * Party names and countries, present only when the schema carries them: the KCS benchmark has
   * coded ids only, other schemas reach these through a column mapping. They are screened
   * against watchlists at scoring time (issue 6 §4) and are never model features.
   */
  readonly importerName?: string;
  readonly importerCountry?: string;
  readonly consigneeName?: string;
  readonly consigneeCountry?: string;
  readonly sellerName?: string;
  readonly sellerCountry?: string;
}

export type DeclarationField = Exclude<keyof Declaration, 'day'>;

const TEXT_FIELDS = [
  'office',
  'processType',
  'importType',
  'importUse',
  'paymentType',
  'transportMode',
  'declarant',
  'importer',
  'seller',
  'courier',
  'departure',
  'origin',
  'taxType',
  'originIndicator',
] as const;
const NUMBER_FIELDS = ['taxRate', 'netMass', 'itemPrice'] as const;
/** Optional party fields: absent from a declaration when the column is missing or empty. */
const PARTY_FIELDS = [
  'importerName',
  'importerCountry',
  'consigneeName',
  'consigneeCountry',
  'sellerName',
  'sellerCountry',
] as const;
const ALL_FIELDS: readonly DeclarationField[] = [
  'id',
  'date',
  'hsCode',
  ...TEXT_FIELDS,
  ...NUMBER_FIELDS,
  'fraud',
  'critical',
  ...PARTY_FIELDS,
];

/** The parties whose names a declaration may carry, in the order reasons name them. */
export type PartyRole = 'importer' | 'consignee' | 'seller';
export const PARTY_ROLES: readonly PartyRole[] = ['importer', 'consignee', 'seller'];

export interface DeclarationParty {
  readonly role: PartyRole;
  readonly name: string;
  readonly country?: string;
}

/** The named parties of a declaration (none for the KCS schema, which codes its parties). */
export function declarationParties(d: Declaration): DeclarationParty[] {
  const parties: DeclarationParty[] = [];
  for (const role of PARTY_ROLES) {
    const name = d[`${role}Name`];
    if (!name) continue;
    const country = d[`${role}Country`];
    parties.push({ role, name, ...(country ? { country } : {}) });
  }
  return parties;
}
const REQUIRED_FIELDS: readonly DeclarationField[] = ['id', 'date', 'hsCode'];

/**
 * How a CSV's columns map onto declaration fields. A column mapping file is this object as JSON:
 * `{"name": "...", "hsDigits": 6, "columns": {"id": "Declaration ID", "date": "Date", ...}}`.
 */
export interface ColumnMapping {
  readonly name: string;
  /** Width HS codes are left-padded to (the 2022 KCS release lost leading zeros). */
  readonly hsDigits?: number;
  readonly columns: Readonly<Partial<Record<DeclarationField, string>>>;
}

const KCS_COMMON: Partial<Record<DeclarationField, string>> = {
  id: 'Declaration ID',
  date: 'Date',
  office: 'Office ID',
  processType: 'Process Type',
  importType: 'Import Type',
  importUse: 'Import Use',
  paymentType: 'Payment Type',
  transportMode: 'Mode of Transport',
  declarant: 'Declarant ID',
  importer: 'Importer ID',
  seller: 'Seller ID',
  courier: 'Courier ID',
  departure: 'Country of Departure',
  origin: 'Country of Origin',
  taxRate: 'Tax Rate',
  taxType: 'Tax Type',
  originIndicator: 'Country of Origin Indicator',
  netMass: 'Net Mass',
  itemPrice: 'Item Price',
  fraud: 'Fraud',
  critical: 'Critical Fraud',
  // Not in the benchmark's files; read when a KCS-shaped export adds them (all optional).
  importerName: 'Importer Name',
  importerCountry: 'Importer Country',
  consigneeName: 'Consignee Name',
  consigneeCountry: 'Consignee Country',
  sellerName: 'Seller Name',
  sellerCountry: 'Seller Country',
};

/** The 2023 KCS release (`HS6 Code`, zero-padded). */
export const KCS_HS6_MAPPING: ColumnMapping = {
  name: 'kcs-hs6',
  hsDigits: 6,
  columns: { ...KCS_COMMON, hsCode: 'HS6 Code' },
};
/** The 2022 KCS release behind the paper's Table 3 (`HS10 Code`, leading zeros lost). */
export const KCS_HS10_MAPPING: ColumnMapping = {
  name: 'kcs-hs10',
  hsDigits: 10,
  columns: { ...KCS_COMMON, hsCode: 'HS10 Code' },
};

/** Validates a column mapping file's text; a bad one is refused naming the offending key. */
export function parseColumnMapping(text: string): ColumnMapping {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new TargetingError('BAD_MAPPING', `column mapping is not valid JSON: ${String(error)}`);
  }
  if (!isRecord(value) || !isRecord(value.columns)) {
    throw new TargetingError('BAD_MAPPING', 'column mapping must be an object with "columns"');
  }
  const columns: Partial<Record<DeclarationField, string>> = {};
  for (const [key, column] of Object.entries(value.columns)) {
    if (!(ALL_FIELDS as readonly string[]).includes(key)) {
      throw new TargetingError(
        'BAD_MAPPING',
        `column mapping names unknown field "${key}" (known: ${ALL_FIELDS.join(', ')})`,
        { details: { field: key } },
      );
    }
    if (typeof column !== 'string' || column === '') {
      throw new TargetingError(
        'BAD_MAPPING',
        `column mapping field "${key}" must be a column name`,
        {
          details: { field: key },
        },
      );
    }
    columns[key as DeclarationField] = column;
  }
  for (const field of REQUIRED_FIELDS) {
    if (!columns[field]) {
      throw new TargetingError('BAD_MAPPING', `column mapping lacks required field "${field}"`, {
        details: { field },
      });
    }
  }
  const hsDigits = value.hsDigits;
  if (hsDigits !== undefined && (typeof hsDigits !== 'number' || hsDigits < 2 || hsDigits > 14)) {
    throw new TargetingError('BAD_MAPPING', 'column mapping "hsDigits" must be a number 2–14');
  }
  return {
    name: typeof value.name === 'string' ? value.name : 'custom',
    ...(typeof hsDigits === 'number' ? { hsDigits } : {}),
    columns,
  };
}

/** Picks the built-in KCS mapping that fits a header, or undefined. */
export function detectMapping(header: readonly string[]): ColumnMapping | undefined {
  for (const mapping of [KCS_HS6_MAPPING, KCS_HS10_MAPPING]) {
    const needed = REQUIRED_FIELDS.map((f) => mapping.columns[f]);
    if (needed.every((c) => c !== undefined && header.includes(c))) return mapping;
  }
  return undefined;
}

export interface RowProblem {
  /** 1-based source line (the header is line 1). */
  readonly line: number;
  readonly field: string;
  readonly reason: string;
}

export interface ParseDeclarationsOptions {
  /** Defaults to the built-in KCS mapping matching the header. */
  readonly mapping?: ColumnMapping;
  /** `skip` drops bad rows and reports them; `refuse` throws BAD_ROWS after reading everything. */
  readonly onBadRow?: 'skip' | 'refuse';
  readonly onProgress?: (rowsRead: number) => void;
}

export interface ParsedDeclarations {
  readonly declarations: Declaration[];
  readonly problems: RowProblem[];
  readonly rowsRead: number;
  readonly mapping: ColumnMapping;
}

/**
 * Reads declarations from CSV rows. Every bad row is reported with its line and reason; with
 * `onBadRow: 'refuse'` nothing is returned when any row is bad, so callers never half-store.
 */
export async function parseDeclarations(
  rows: AsyncIterable<CsvRow> | Iterable<CsvRow>,
  options: ParseDeclarationsOptions = {},
): Promise<ParsedDeclarations> {
  const declarations: Declaration[] = [];
  const problems: RowProblem[] = [];
  let mapping = options.mapping;
  let rowsRead = 0;
  // The cast only pins the element type: over the union, TypeScript sometimes (depending on the
  // order files are checked, as in a full `eslint .`) infers `any` for `row`. `for await` takes
  // sync iterables too at run time.
  for await (const row of rows as AsyncIterable<CsvRow>) {
    if (!mapping) {
      mapping = detectMapping(Object.keys(row.fields));
      if (!mapping) {
        throw new TargetingError(
          'BAD_MAPPING',
          'the CSV header matches no known declaration schema: pass a column mapping file',
          { details: { line: 1, header: Object.keys(row.fields) } },
        );
      }
    }
    if (rowsRead === 0) checkColumns(mapping, Object.keys(row.fields));
    rowsRead++;
    if (options.onProgress && rowsRead % 5000 === 0) options.onProgress(rowsRead);
    // A row with more or fewer fields than the header (read with relaxColumnCount) is a bad row
    // like any other: its values cannot be trusted to sit under the right columns.
    if (
      row.fieldCount !== undefined &&
      row.headerCount !== undefined &&
      row.fieldCount !== row.headerCount
    ) {
      problems.push({
        line: row.line,
        field: '(row)',
        reason: `${row.fieldCount} field(s) where the header has ${row.headerCount}`,
      });
      continue;
    }
    const result = declarationFromFields(row.fields, row.line, mapping);
    if (Array.isArray(result)) problems.push(...result);
    else declarations.push(result);
  }
  if (!mapping) mapping = options.mapping ?? KCS_HS6_MAPPING;
  if (problems.length > 0 && options.onBadRow === 'refuse') {
    const first = problems[0] as RowProblem;
    throw new TargetingError(
      'BAD_ROWS',
      `${problems.length} bad row(s); first at line ${first.line}: ${first.field}: ${first.reason}`,
      { details: { problems: problems.slice(0, 100) } },
    );
  }
  return { declarations, problems, rowsRead, mapping };
}

function checkColumns(mapping: ColumnMapping, header: readonly string[]): void {
  const missing = REQUIRED_FIELDS.map((f) => mapping.columns[f] as string).filter(
    (c) => !header.includes(c),
  );
  if (missing.length > 0) {
    throw new TargetingError('BAD_MAPPING', `the CSV lacks column(s): ${missing.join(', ')}`, {
      details: { line: 1, missing },
    });
  }
}

/** Longest part of a bad value a problem quotes (a reason is one line for a person to read). */
const SHOWN_MAX = 60;

/**
 * A bad value as a problem quotes it: in double quotes (a quote or backslash inside escaped), cut
 * to SHOWN_MAX characters, control characters escaped (`printable`: a hostile file's reasons reach
 * terminals, logs and the console).
 */
export function shown(value: string): string {
  const cut = value.length > SHOWN_MAX ? `${value.slice(0, SHOWN_MAX)}…` : value;
  return `"${printable(cut.replace(/["\\]/g, (c) => `\\${c}`))}"`;
}

/** Converts one row; returns the declaration, or the list of problems found in the row. */
export function declarationFromFields(
  fields: Readonly<Record<string, string>>,
  line: number,
  mapping: ColumnMapping,
): Declaration | RowProblem[] {
  const problems: RowProblem[] = [];
  const get = (field: DeclarationField): string => {
    const column = mapping.columns[field];
    return column === undefined ? '' : (fields[column] ?? '').trim();
  };
  const problem = (field: DeclarationField, reason: string): void => {
    problems.push({ line, field: mapping.columns[field] ?? field, reason });
  };

  const id = get('id');
  if (id === '') problem('id', 'missing');
  const dateText = get('date');
  const date = parseDate(dateText);
  if (dateText === '') problem('date', 'missing');
  else if (!date) problem('date', `not a date: ${shown(dateText)}`);

  let hsCode = get('hsCode').replace(/[.\s]/g, '');
  if (hsCode === '') problem('hsCode', 'missing');
  else if (!/^\d{2,14}$/.test(hsCode)) problem('hsCode', `not an HS code: ${shown(get('hsCode'))}`);
  else if (mapping.hsDigits && hsCode.length < mapping.hsDigits) {
    // The 2022 KCS release stored codes as integers, losing the leading zero of chapters 01–09.
    hsCode = hsCode.padStart(mapping.hsDigits, '0');
  }

  const numbers: Record<(typeof NUMBER_FIELDS)[number], number> = {
    taxRate: NaN,
    netMass: NaN,
    itemPrice: NaN,
  };
  for (const field of NUMBER_FIELDS) {
    const text = get(field);
    if (text === '') continue;
    const value = Number(text);
    if (!Number.isFinite(value)) problem(field, `not a number: ${shown(text)}`);
    else if (value < 0) problem(field, `negative: ${shown(text)}`);
    else numbers[field] = value;
  }

  const fraudText = get('fraud');
  const criticalText = get('critical');
  let fraud: 0 | 1 | null = null;
  let critical: 0 | 1 | 2 | null = null;
  if (fraudText !== '') {
    if (fraudText === '0' || fraudText === '1') fraud = fraudText === '1' ? 1 : 0;
    else problem('fraud', `must be 0 or 1: ${shown(fraudText)}`);
  }
  if (criticalText !== '') {
    if (criticalText === '0' || criticalText === '1' || criticalText === '2')
      critical = Number(criticalText) as 0 | 1 | 2;
    else problem('critical', `must be 0, 1 or 2: ${shown(criticalText)}`);
  }
  // The benchmark defines Critical Fraud > 0 exactly when Fraud = 1 (SOURCE.md, Format).
  if (fraud !== null && critical !== null && critical > 0 !== (fraud === 1)) {
    problem('critical', `Critical Fraud ${critical} contradicts Fraud ${fraud}`);
  }
  if (fraud === null && critical !== null) fraud = critical > 0 ? 1 : 0;

  if (problems.length > 0 || !date) return problems;
  const text = {} as Record<(typeof TEXT_FIELDS)[number], string>;
  for (const field of TEXT_FIELDS) text[field] = get(field);
  const parties: Partial<Record<(typeof PARTY_FIELDS)[number], string>> = {};
  for (const field of PARTY_FIELDS) {
    // Names are screened as given; only runs of white space are collapsed.
    const value = get(field);
    if (value !== '') parties[field] = value.replace(/\s+/g, ' ');
  }
  return {
    id,
    date: date.iso,
    day: date.day,
    ...text,
    hsCode,
    ...numbers,
    fraud,
    critical,
    ...parties,
  };
}

/** Accepts `YYYY-MM-DD`, `YYYYMMDD` and ISO date-times; refuses impossible dates. */
export function parseDate(text: string): { iso: string; day: number } | undefined {
  const m = /^(\d{4})-?(\d{2})-?(\d{2})(?:[T ].*)?$/.exec(text);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const check = new Date(ms);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d)
    return undefined;
  const iso = `${m[1]}-${m[2]}-${m[3]}`;
  return { iso, day: Math.round(ms / 86_400_000) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
