import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Address, ByteSource, Entity, EntityName, Identifier, ParsedList } from '../model';
import { ScreeningError } from '../errors';
import { countryCode } from '../countries';
import { makeVersion, parseListDate, readUtf8, uniq } from './common';
import { dedupeNames } from './ofac';

/**
 * The UN Security Council Consolidated List XML
 * (https://scsanctions.un.org/resources/xml/en/consolidated.xml, schema sc-sanctions.xsd):
 * CONSOLIDATED_LIST/INDIVIDUALS/INDIVIDUAL and …/ENTITIES/ENTITY, aliases graded Good/Low.
 */
type Node = Record<string, unknown>;

const MAX_BYTES = 200 * 1024 * 1024;

function arr(value: unknown): Node[] {
  if (value === undefined || value === null || value === '') return [];
  return (Array.isArray(value) ? value : [value]).filter(
    (v): v is Node => typeof v === 'object' && v !== null,
  );
}

function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string' || typeof value === 'number') return String(value).trim();
  return '';
}

function values(node: unknown): string[] {
  return arr(node).flatMap((n) => {
    const v = n.VALUE;
    return (Array.isArray(v) ? v : [v]).map(text).filter(Boolean);
  });
}

function aliasQuality(q: string): EntityName['quality'] {
  // "Low" quality aliases are what OFAC calls weak a.k.a.s.
  return /^low$/i.test(q) ? 'weak' : 'strong';
}

function address(node: Node): Address | undefined {
  const parts = ['STREET', 'CITY', 'STATE_PROVINCE', 'ZIP_CODE', 'COUNTRY']
    .map((k) => text(node[k]))
    .filter(Boolean);
  if (parts.length === 0) return undefined;
  const country = countryCode(text(node.COUNTRY));
  const city = text(node.CITY);
  return { full: parts.join(', '), ...(city ? { city } : {}), ...(country ? { country } : {}) };
}

function documentType(label: string): string {
  if (/passport/i.test(label)) return 'passport';
  if (/national|identi|id card/i.test(label)) return 'national-id';
  if (/regist/i.test(label)) return 'registration';
  if (/tax/i.test(label)) return 'tax-id';
  return 'other';
}

function record(node: Node, kind: 'individual' | 'entity'): Entity | undefined {
  const id = text(node.DATAID);
  if (!id) return undefined;
  const primary = ['FIRST_NAME', 'SECOND_NAME', 'THIRD_NAME', 'FOURTH_NAME']
    .map((k) => text(node[k]))
    .filter(Boolean)
    .join(' ');
  const names: EntityName[] = [];
  if (primary) names.push({ full: primary, quality: 'primary' });
  const original = text(node.NAME_ORIGINAL_SCRIPT);
  if (original) names.push({ full: original, quality: 'strong', kind: 'original-script' });
  for (const alias of arr(node[kind === 'individual' ? 'INDIVIDUAL_ALIAS' : 'ENTITY_ALIAS'])) {
    const name = text(alias.ALIAS_NAME);
    if (!name) continue;
    // Several aliases can be packed into one field separated by ";".
    for (const piece of name.split(/\s*;\s*/).filter(Boolean)) {
      names.push({ full: piece, quality: aliasQuality(text(alias.QUALITY)), kind: 'aka' });
    }
  }
  if (names.length === 0) return undefined;
  const birthDates: string[] = [];
  for (const dob of arr(node.INDIVIDUAL_DATE_OF_BIRTH)) {
    const date = text(dob.DATE);
    const year = text(dob.YEAR);
    const from = text(dob.FROM_YEAR);
    const to = text(dob.TO_YEAR);
    if (date) birthDates.push(...parseListDate(date));
    else if (year) birthDates.push(...parseListDate(year));
    else if (from && to) birthDates.push(...parseListDate(`${from} to ${to}`));
  }
  const birthPlaces = arr(node.INDIVIDUAL_PLACE_OF_BIRTH)
    .map((p) =>
      ['CITY', 'STATE_PROVINCE', 'COUNTRY']
        .map((k) => text(p[k]))
        .filter(Boolean)
        .join(', '),
    )
    .filter(Boolean);
  const nationalities = values(node.NATIONALITY)
    .map((n) => countryCode(n))
    .filter((c): c is string => !!c);
  const addresses = arr(node[kind === 'individual' ? 'INDIVIDUAL_ADDRESS' : 'ENTITY_ADDRESS'])
    .map(address)
    .filter((a): a is Address => !!a);
  const identifiers: Identifier[] = [];
  for (const doc of arr(node.INDIVIDUAL_DOCUMENT)) {
    const value = text(doc.NUMBER);
    if (!value) continue;
    const label = text(doc.TYPE_OF_DOCUMENT);
    const country = countryCode(text(doc.ISSUING_COUNTRY) || text(doc.COUNTRY_OF_ISSUE));
    identifiers.push({
      type: documentType(label),
      value,
      ...(label ? { label } : {}),
      ...(country ? { country } : {}),
    });
  }
  const gender = text(node.GENDER).toLowerCase();
  const listedOn = text(node.LISTED_ON);
  const remarks = text(node.COMMENTS1);
  const program = text(node.UN_LIST_TYPE);
  return {
    id: `un:${id}`,
    list: 'un',
    sourceId: id,
    schema: kind === 'individual' ? 'Person' : 'Organization',
    names: dedupeNames(names),
    birthDates: uniq(birthDates),
    birthPlaces: uniq(birthPlaces),
    nationalities: uniq(nationalities),
    countries: uniq(addresses.map((a) => a.country).filter((c): c is string => !!c)),
    ...(gender === 'male' || gender === 'female' ? { gender } : {}),
    identifiers,
    addresses,
    programs: uniq([program, text(node.REFERENCE_NUMBER)].filter(Boolean)),
    ...(remarks ? { remarks } : {}),
    ...(listedOn ? { listedOn } : {}),
  };
}

/** Parse the UN consolidated list XML (UTF-8) into entities and a list version. */
export async function parseUnConsolidated(source: ByteSource): Promise<ParsedList> {
  const xml = await readUtf8(source, 'the UN consolidated list', MAX_BYTES);
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    throw new ScreeningError(
      'LIST_MALFORMED',
      `UN consolidated list: malformed XML at line ${valid.err.line}: ${valid.err.msg}`,
      { details: { line: valid.err.line, column: valid.err.col } },
    );
  }
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    parseTagValue: false,
    trimValues: true,
    processEntities: true,
  });
  const doc = parser.parse(xml) as Node;
  const root = doc.CONSOLIDATED_LIST as Node | undefined;
  if (!root || typeof root !== 'object') {
    throw new ScreeningError(
      'LIST_MALFORMED',
      'UN consolidated list: the root element is not CONSOLIDATED_LIST',
    );
  }
  const entities: Entity[] = [];
  const warnings: { message: string }[] = [];
  for (const [group, kind] of [
    ['INDIVIDUALS', 'individual'],
    ['ENTITIES', 'entity'],
  ] as const) {
    const holder = arr(root[group])[0];
    if (!holder) continue;
    for (const node of arr(holder[kind === 'individual' ? 'INDIVIDUAL' : 'ENTITY'])) {
      const entity = record(node, kind);
      if (entity) entities.push(entity);
      else warnings.push({ message: `a ${kind} without DATAID or name was skipped` });
    }
  }
  if (entities.length === 0) {
    throw new ScreeningError('LIST_EMPTY', 'UN consolidated list holds no individuals or entities');
  }
  const published = text(root['@dateGenerated']) || undefined;
  return { version: makeVersion('un', entities, published), entities, warnings };
}
