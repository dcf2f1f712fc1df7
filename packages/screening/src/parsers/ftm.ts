import type {
  Address,
  ByteSource,
  Entity,
  EntityName,
  Identifier,
  ParsedList,
  Schema,
} from '../model';
import { SCHEMAS } from '../model';
import { ScreeningError } from '../errors';
import { countryCode } from '../countries';
import { makeVersion, parseListDate, uniq } from './common';
import { dedupeNames } from './ofac';

/**
 * FollowTheMoney entities as JSON lines, the format OpenSanctions publishes
 * (https://followthemoney.tech/explorer/): `{ id, schema, properties: { name: [...] , ... } }`.
 * Schemas outside the screening model (Address, Sanction, …) are skipped.
 */
const ID_PROPS: Record<string, string> = {
  imoNumber: 'imo',
  passportNumber: 'passport',
  idNumber: 'national-id',
  nationalId: 'national-id',
  registrationNumber: 'registration',
  taxNumber: 'tax-id',
  innCode: 'tax-id',
  ogrnCode: 'registration',
  leiCode: 'lei',
  mmsi: 'mmsi',
  swiftBic: 'swift',
};

const MAX_LINE = 10 * 1024 * 1024;

function strings(props: Record<string, unknown>, key: string): string[] {
  const v = props[key];
  if (!Array.isArray(v)) return [];
  return v
    .filter((x): x is string => typeof x === 'string' && x.trim() !== '')
    .map((x) => x.trim());
}

function schemaOf(schema: string): Schema | undefined {
  if ((SCHEMAS as readonly string[]).includes(schema)) return schema as Schema;
  if (schema === 'PublicBody') return 'Organization';
  return undefined;
}

function toEntity(raw: unknown, line: number, source: string): Entity | undefined {
  if (typeof raw !== 'object' || raw === null) {
    throw new ScreeningError('LIST_MALFORMED', `FollowTheMoney line ${line}: not a JSON object`, {
      details: { line },
    });
  }
  const obj = raw as Record<string, unknown>;
  const id = typeof obj.id === 'string' ? obj.id : '';
  const schema = schemaOf(typeof obj.schema === 'string' ? obj.schema : '');
  if (!id) {
    throw new ScreeningError('LIST_MALFORMED', `FollowTheMoney line ${line}: no "id"`, {
      details: { line },
    });
  }
  if (!schema) return undefined;
  const props = (
    typeof obj.properties === 'object' && obj.properties !== null ? obj.properties : {}
  ) as Record<string, unknown>;
  const names: EntityName[] = [
    ...strings(props, 'name').map((full, i): EntityName => ({
      full,
      quality: i === 0 ? 'primary' : 'strong',
    })),
    ...strings(props, 'alias').map((full): EntityName => ({
      full,
      quality: 'strong',
      kind: 'aka',
    })),
    ...strings(props, 'previousName').map((full): EntityName => ({
      full,
      quality: 'strong',
      kind: 'fka',
    })),
    ...strings(props, 'weakAlias').map((full): EntityName => ({
      full,
      quality: 'weak',
      kind: 'aka',
    })),
  ];
  if (names.length === 0) return undefined;
  const identifiers: Identifier[] = [];
  for (const [prop, type] of Object.entries(ID_PROPS)) {
    for (const value of strings(props, prop)) identifiers.push({ type, value, label: prop });
  }
  const addresses: Address[] = strings(props, 'address').map((full) => ({ full }));
  const gender = strings(props, 'gender')[0]?.toLowerCase();
  const codes = (key: string): string[] =>
    strings(props, key)
      .map((c) => countryCode(c))
      .filter((c): c is string => !!c);
  return {
    id: id.includes(':') ? id : `${source}:${id}`,
    list: source,
    sourceId: id,
    schema,
    names: dedupeNames(names),
    birthDates: uniq(strings(props, 'birthDate').flatMap(parseListDate)),
    birthPlaces: strings(props, 'birthPlace'),
    nationalities: uniq([...codes('nationality'), ...codes('citizenship')]),
    countries: uniq([...codes('country'), ...codes('jurisdiction'), ...codes('flag')]),
    ...(gender === 'male' || gender === 'female' ? { gender } : {}),
    identifiers,
    addresses,
    programs: uniq([...strings(props, 'programId'), ...strings(props, 'topics')]),
    ...(strings(props, 'notes')[0] ? { remarks: strings(props, 'notes').join(' ') } : {}),
  };
}

/** Parse FollowTheMoney JSON lines (UTF-8) from `source` into entities of list `name`. */
export async function parseFollowTheMoney(
  input: ByteSource,
  options: { source?: string; published?: string } = {},
): Promise<ParsedList> {
  const source = options.source ?? 'ftm';
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const entities: Entity[] = [];
  const warnings: { line?: number; message: string }[] = [];
  let buffer = '';
  let line = 0;
  const handle = (text: string): void => {
    line++;
    const trimmed = text.trim();
    if (!trimmed) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw new ScreeningError('LIST_MALFORMED', `FollowTheMoney line ${line}: invalid JSON`, {
        details: { line },
      });
    }
    const entity = toEntity(parsed, line, source);
    if (entity) entities.push(entity);
  };
  for await (const chunk of input) {
    try {
      buffer += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    } catch (error) {
      throw new ScreeningError(
        'LIST_ENCODING',
        `FollowTheMoney line ${line + 1}: not valid UTF-8`,
        {
          cause: error,
          details: { line: line + 1 },
        },
      );
    }
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      handle(buffer.slice(0, nl));
      buffer = buffer.slice(nl + 1);
    }
    if (buffer.length > MAX_LINE) {
      throw new ScreeningError('LIST_MALFORMED', `FollowTheMoney line ${line + 1} is too long`, {
        details: { line: line + 1 },
      });
    }
  }
  buffer += decoder.decode();
  if (buffer.trim()) handle(buffer);
  if (entities.length === 0) {
    throw new ScreeningError('LIST_EMPTY', 'the FollowTheMoney input holds no screenable entities');
  }
  return { version: makeVersion(source, entities, options.published), entities, warnings };
}
