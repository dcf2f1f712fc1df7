import { readCsv, CoreError } from '@interdict/core';
import type {
  Address,
  ByteSource,
  Entity,
  EntityName,
  Identifier,
  ParsedList,
  Schema,
} from '../model';
import { ScreeningError } from '../errors';
import { countryCode } from '../countries';
import { makeVersion, parseListDate, prepend, uniq } from './common';

/**
 * OFAC's legacy CSV set (https://ofac.treasury.gov/specially-designated-nationals-list-data-formats-data-schemas):
 * no header, latin-1 (really cp1252), `-0-` for null, CRLF lines and a trailing 0x1A (DOS EOF).
 * sdn.csv holds the primary record; alt.csv the strong a.k.a.s; add.csv the addresses;
 * sdn_comments.csv the overflow of the Remarks column. Remarks carry DOB, POB, nationality,
 * documents and weak a.k.a.s (quoted in single quotes), parsed below.
 */
export interface OfacSources {
  readonly sdn: ByteSource;
  readonly alt?: ByteSource;
  readonly add?: ByteSource;
  readonly comments?: ByteSource;
  /** Publication date, when known (the CSV files carry none). */
  readonly published?: string;
}

const SDN_COLUMNS = [
  'ent_num',
  'name',
  'type',
  'program',
  'title',
  'call_sign',
  'vess_type',
  'tonnage',
  'grt',
  'vess_flag',
  'vess_owner',
  'remarks',
];
const ALT_COLUMNS = ['ent_num', 'alt_num', 'alt_type', 'alt_name', 'alt_remarks'];
const ADD_COLUMNS = ['ent_num', 'add_num', 'address', 'city', 'country', 'add_remarks'];
const COMMENT_COLUMNS = ['ent_num', 'remarks'];

function nul(value: string | undefined): string {
  const v = (value ?? '').trim();
  return v === '-0-' ? '' : v;
}

async function* rows(
  source: ByteSource,
  columns: readonly string[],
  file: string,
): AsyncGenerator<{ line: number; fields: Record<string, string> }> {
  try {
    for await (const row of readCsv(prepend(columns.join(',') + '\n', latin1Lines(source)), {
      relaxColumnCount: true,
    })) {
      const values = Object.values(row.fields);
      const raw = row.fields;
      // The DOS end-of-file byte shows up as a one-field record of "\x1a".
      if (values.every((v, i) => (i === 0 ? v.trim() === '\x1a' || v.trim() === '' : v === ''))) {
        continue;
      }
      const line = row.line - 1;
      if (!/^\d+$/.test((raw.ent_num ?? '').trim())) {
        throw new ScreeningError(
          'LIST_MALFORMED',
          `OFAC ${file} line ${line}: the first column (ent_num) is not a number`,
          { details: { file, line } },
        );
      }
      yield { line, fields: raw };
    }
  } catch (error) {
    if (error instanceof ScreeningError) throw error;
    if (error instanceof CoreError) {
      const line = typeof error.details?.line === 'number' ? error.details.line - 1 : undefined;
      throw new ScreeningError('LIST_MALFORMED', `OFAC ${file}: ${error.message}`, {
        cause: error,
        details: { file, ...(line === undefined ? {} : { line }) },
      });
    }
    throw error;
  }
}

/**
 * Decode cp1252 (WHATWG "latin1" is windows-1252) and turn CRLF into LF, so the synthetic header
 * line and the data agree on the record delimiter.
 */
async function* latin1Lines(source: ByteSource): AsyncGenerator<string> {
  const decoder = new TextDecoder('latin1');
  let pendingCr = false;
  for await (const chunk of source) {
    let text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    if (pendingCr) text = '\r' + text;
    pendingCr = text.endsWith('\r');
    if (pendingCr) text = text.slice(0, -1);
    yield text.replace(/\r\n/g, '\n');
  }
  const tail = decoder.decode() + (pendingCr ? '\r' : '');
  if (tail) yield tail;
}

interface RemarkFacts {
  birthDates: string[];
  birthPlaces: string[];
  nationalities: string[];
  gender?: 'male' | 'female';
  identifiers: Identifier[];
  weakAliases: EntityName[];
}

/** Remark labels that introduce an identifier, with the normalised type. Longest first. */
const ID_LABELS: [string, string][] = (
  [
    ['Vessel Registration Identification', 'imo'],
    ['Identification Number IMO', 'imo'],
    ['Company Number IMO', 'imo'],
    ['Passport', 'passport'],
    ['Diplomatic Passport', 'passport'],
    ['National ID No.', 'national-id'],
    ['Cedula No.', 'national-id'],
    ['D.N.I.', 'national-id'],
    ['C.U.R.P.', 'national-id'],
    ['SSN', 'national-id'],
    ['Birth Certificate Number', 'national-id'],
    ['Personal ID Card', 'national-id'],
    ['Identification Number', 'national-id'],
    ['Registration Number', 'registration'],
    ['Registration ID', 'registration'],
    ['Business Registration Number', 'registration'],
    ['Commercial Registry Number', 'registration'],
    ['Company Number', 'registration'],
    ['Legal Entity Number', 'registration'],
    ['Trade License No.', 'registration'],
    ['C.R. No.', 'registration'],
    ['Chamber of Commerce Number', 'registration'],
    ['Government Gazette Number', 'registration'],
    ['Folio Mercantil No.', 'registration'],
    ['Central Registration System Number', 'registration'],
    ['Tax ID No.', 'tax-id'],
    ['NIT #', 'tax-id'],
    ['R.F.C.', 'tax-id'],
    ['RUC #', 'tax-id'],
    ['V.A.T. Number', 'tax-id'],
    ['MMSI', 'mmsi'],
    ['Aircraft Tail Number', 'tail-number'],
    ["Aircraft Manufacturer's Serial Number (MSN)", 'aircraft-serial'],
    ['SWIFT/BIC', 'swift'],
  ] as [string, string][]
).sort((a, b) => b[0].length - a[0].length);

function parseIdentifier(part: string): Identifier | undefined {
  for (const [label, type] of ID_LABELS) {
    if (!part.startsWith(label + ' ')) continue;
    let value = part.slice(label.length + 1).trim();
    let country: string | undefined;
    const paren = /\s*\(([^)]*)\)\s*$/.exec(value);
    if (paren) {
      value = value.slice(0, paren.index).trim();
      country = countryCode(paren[1]);
    }
    let t = type;
    const imo = /^IMO\s+(\d{7})$/.exec(value);
    if (imo) {
      t = 'imo';
      value = imo[1]!;
    }
    if (!value) return undefined;
    return { type: t, value, label, ...(country ? { country } : {}) };
  }
  return undefined;
}

export function parseOfacRemarks(remarks: string): RemarkFacts {
  const facts: RemarkFacts = {
    birthDates: [],
    birthPlaces: [],
    nationalities: [],
    identifiers: [],
    weakAliases: [],
  };
  for (const raw of remarks.split(/;\s*/)) {
    const part = raw
      .trim()
      .replace(/\.$/, '')
      .replace(/^alt\.\s+/, '');
    if (!part) continue;
    let m = /^DOB\s+(.+)$/.exec(part);
    if (m) {
      facts.birthDates.push(...parseListDate(m[1]!));
      continue;
    }
    m = /^POB\s+(.+)$/.exec(part);
    if (m) {
      facts.birthPlaces.push(m[1]!.trim());
      continue;
    }
    m = /^(?:nationality|citizen)\s+(.+)$/i.exec(part);
    if (m) {
      const code = countryCode(m[1]);
      if (code) facts.nationalities.push(code);
      continue;
    }
    m = /^Gender\s+(Male|Female)$/i.exec(part);
    if (m) {
      facts.gender = m[1]!.toLowerCase() === 'male' ? 'male' : 'female';
      continue;
    }
    m = /^(a\.k\.a\.|f\.k\.a\.|n\.k\.a\.)\s+'(.+)'$/.exec(part);
    if (m) {
      const kind = m[1] === 'f.k.a.' ? 'fka' : m[1] === 'n.k.a.' ? 'nka' : 'aka';
      facts.weakAliases.push({ full: m[2]!.trim(), quality: 'weak', kind });
      continue;
    }
    const id = parseIdentifier(part);
    if (id) facts.identifiers.push(id);
  }
  return facts;
}

function schemaOf(type: string): Schema {
  switch (type.toLowerCase()) {
    case 'individual':
      return 'Person';
    case 'vessel':
      return 'Vessel';
    case 'aircraft':
      return 'Aircraft';
    default:
      return 'Organization';
  }
}

/** Parse the OFAC legacy CSV set (or sdn.csv alone) into entities and a list version. */
export async function parseOfac(sources: OfacSources): Promise<ParsedList> {
  const comments = new Map<string, string>();
  if (sources.comments) {
    for await (const { fields } of rows(sources.comments, COMMENT_COLUMNS, 'sdn_comments.csv')) {
      const id = fields.ent_num!.trim();
      comments.set(id, (comments.get(id) ?? '') + nul(fields.remarks));
    }
  }
  const aliases = new Map<string, EntityName[]>();
  if (sources.alt) {
    for await (const { fields } of rows(sources.alt, ALT_COLUMNS, 'alt.csv')) {
      const name = nul(fields.alt_name);
      if (!name) continue;
      const type = nul(fields.alt_type).toLowerCase();
      const kind = type === 'fka' ? 'fka' : type === 'nka' ? 'nka' : 'aka';
      // alt.csv carries OFAC's strong a.k.a.s; weak ones are only in the remarks.
      const list = aliases.get(fields.ent_num!.trim()) ?? [];
      list.push({ full: name, quality: 'strong', kind });
      aliases.set(fields.ent_num!.trim(), list);
    }
  }
  const addresses = new Map<string, Address[]>();
  if (sources.add) {
    for await (const { fields } of rows(sources.add, ADD_COLUMNS, 'add.csv')) {
      const parts = [nul(fields.address), nul(fields.city), nul(fields.country)].filter(Boolean);
      if (parts.length === 0) continue;
      const country = countryCode(nul(fields.country));
      const list = addresses.get(fields.ent_num!.trim()) ?? [];
      list.push({
        full: parts.join(', '),
        ...(nul(fields.city) ? { city: nul(fields.city) } : {}),
        ...(country ? { country } : {}),
      });
      addresses.set(fields.ent_num!.trim(), list);
    }
  }
  const entities: Entity[] = [];
  const seen = new Set<string>();
  const warnings: { line?: number; message: string }[] = [];
  for await (const { line, fields } of rows(sources.sdn, SDN_COLUMNS, 'sdn.csv')) {
    const id = fields.ent_num!.trim();
    const name = nul(fields.name);
    if (!name) {
      warnings.push({ line, message: `entry ${id} has no name; skipped` });
      continue;
    }
    if (seen.has(id)) {
      warnings.push({ line, message: `entry ${id} appears twice; the first is kept` });
      continue;
    }
    seen.add(id);
    const remarks = nul(fields.remarks) + (comments.get(id) ?? '');
    const facts = parseOfacRemarks(remarks);
    const schema = schemaOf(nul(fields.type));
    const identifiers = [...facts.identifiers];
    const callSign = nul(fields.call_sign);
    if (callSign) identifiers.push({ type: 'call-sign', value: callSign });
    const addr = addresses.get(id) ?? [];
    const flag = countryCode(nul(fields.vess_flag));
    const programs = nul(fields.program)
      .split(/\]\s*\[/)
      .map((p) => p.replace(/[[\]]/g, '').trim())
      .filter(Boolean);
    const names: EntityName[] = [
      { full: name, quality: 'primary' },
      ...(aliases.get(id) ?? []),
      ...facts.weakAliases,
    ];
    entities.push({
      id: `ofac:${id}`,
      list: 'ofac',
      sourceId: id,
      schema,
      names: dedupeNames(names),
      birthDates: uniq(facts.birthDates),
      birthPlaces: uniq(facts.birthPlaces),
      nationalities: uniq(facts.nationalities),
      countries: uniq([
        ...addr.map((a) => a.country).filter((c): c is string => !!c),
        ...(flag ? [flag] : []),
      ]),
      ...(facts.gender ? { gender: facts.gender } : {}),
      identifiers,
      addresses: addr,
      programs,
      ...(remarks ? { remarks } : {}),
    });
  }
  if (entities.length === 0) {
    throw new ScreeningError('LIST_EMPTY', 'OFAC sdn.csv holds no entries');
  }
  return { version: makeVersion('ofac', entities, sources.published), entities, warnings };
}

export function dedupeNames(names: readonly EntityName[]): EntityName[] {
  const seen = new Set<string>();
  const out: EntityName[] = [];
  for (const n of names) {
    const key = n.full.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(n);
  }
  return out;
}
