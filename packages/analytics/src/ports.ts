import {
  invalid,
  optionalCoordinate,
  required,
  rowsWithHeader,
  type ParseOptions,
  type TextSource,
} from './csv-input';
import { AnalyticsError } from './errors';
import { readCsv, CoreError } from '@interdict/core';

export interface WorldPort {
  readonly line: number;
  readonly wpiNumber: string;
  readonly name: string;
  readonly alternateName: string | null;
  /** `US NYC` in the source; stored without the space (`USNYC`) to join UN/LOCODE. */
  readonly unlocode: string | null;
  readonly countryName: string | null;
  readonly region: string;
  readonly waterBody: string;
  readonly harborSize: string | null;
  readonly harborType: string | null;
  readonly harborUse: string | null;
  readonly latitude: number;
  readonly longitude: number;
}

const WPI_COLUMNS = [
  'World Port Index Number',
  'Region Name',
  'Main Port Name',
  'Alternate Port Name',
  'UN/LOCODE',
  'Country Code',
  'World Water Body',
  'Harbor Size',
  'Harbor Type',
  'Harbor Use',
  'Latitude',
  'Longitude',
] as const;

/** WPI writes a blank as a single space (SOURCE.md). */
function blankToNull(value: string | undefined): string | null {
  const v = (value ?? '').trim();
  return v === '' ? null : v;
}

/**
 * Streams the NGA World Port Index (Pub 150) CSV. It has 107 columns; only the ones the product
 * uses are required, so NGA adding a column does not break ingest, but losing one does.
 */
export async function* parseWorldPortIndex(
  source: TextSource,
  options: ParseOptions = {},
): AsyncGenerator<WorldPort> {
  const name = options.sourceName ?? 'input';
  const rows = readCsv(source, { requiredColumns: WPI_COLUMNS });
  try {
    for await (const row of rows) {
      const f = row.fields;
      const wpiNumber = (f['World Port Index Number'] ?? '').trim();
      if (!/^\d+(\.\d+)?$/.test(wpiNumber)) {
        throw invalid(options, row.line, 'World Port Index Number', wpiNumber, 'a number');
      }
      const locode = blankToNull(f['UN/LOCODE']);
      // One WPI row carries a mangled code (`GB ME""`): a code that is not a well-formed
      // LOCODE is dropped rather than joined to the wrong place.
      const compact = locode?.replace(/\s+/g, '') ?? null;
      const unlocode = compact !== null && /^[A-Z]{2}[A-Z0-9]{3}$/.test(compact) ? compact : null;
      const latitude = optionalCoordinate(options, row, 'Latitude', 90);
      const longitude = optionalCoordinate(options, row, 'Longitude', 180);
      if (latitude === null || longitude === null) {
        throw invalid(options, row.line, 'Latitude', f.Latitude ?? '', 'coordinates on every port');
      }
      yield {
        line: row.line,
        wpiNumber,
        name: required(options, row, 'Main Port Name'),
        alternateName: blankToNull(f['Alternate Port Name']),
        unlocode,
        countryName: blankToNull(f['Country Code']),
        region: (f['Region Name'] ?? '').trim(),
        waterBody: (f['World Water Body'] ?? '').trim(),
        harborSize: blankToNull(f['Harbor Size']),
        harborType: blankToNull(f['Harbor Type']),
        harborUse: blankToNull(f['Harbor Use']),
        latitude,
        longitude,
      };
    }
  } catch (error) {
    if (error instanceof CoreError) {
      const line = typeof error.details?.line === 'number' ? error.details.line : undefined;
      throw new AnalyticsError(
        error.code === 'CSV_HEADER_MISMATCH' ? 'HEADER_MISMATCH' : 'MALFORMED_CSV',
        `${line === undefined ? name : `${name} line ${line}`}: ${error.message}`,
        { cause: error, details: { ...error.details, source: name } },
      );
    }
    throw error;
  }
}

export const UNLOCODE_HEADER = [
  'country',
  'location',
  'name',
  'nameWoDiacritics',
  'subdivision',
  'status',
  'function',
  'iata',
  'lat',
  'lon',
  'geocoded',
] as const;

export interface UnLocation {
  readonly line: number;
  /** Country + location, e.g. `NLRTM`. */
  readonly locode: string;
  readonly country: string;
  readonly name: string;
  readonly nameWoDiacritics: string;
  readonly subdivision: string | null;
  readonly status: string | null;
  /** The 8-character UNECE function classifier (position 1 port … 8 border crossing). */
  readonly functions: string;
  readonly isPort: boolean;
  readonly isBorderCrossing: boolean;
  readonly iata: string | null;
  readonly latitude: number | null;
  readonly longitude: number | null;
  /** Coordinates filled in by Geoapify's geocoder, not by UNECE: approximate. */
  readonly geocoded: boolean;
  /** The row was one of the upstream-mangled ones and its name was re-joined. */
  readonly repaired: boolean;
}

function unquoteHalf(value: string): string {
  return value.replace(/^"/, '').replace(/"$/, '').trim();
}

/**
 * Streams the UN/LOCODE list. Upstream mangled 1,040 rows whose name holds a comma (SOURCE.md):
 * the name starts with `"`, is split over two fields, everything after it shifts right by two
 * and status and iata are lost, while lat/lon/geocoded stay last. Those rows are repaired by
 * joining the halves and reading the shifted columns from where they landed; `repaired` marks
 * them. Rows that do not fit that pattern are refused with their line.
 */
export async function* parseUnlocode(
  source: TextSource,
  options: ParseOptions = {},
): AsyncGenerator<UnLocation> {
  for await (const row of rowsWithHeader(source, UNLOCODE_HEADER, options)) {
    const f = row.fields;
    const country = (f.country ?? '').trim();
    const location = (f.location ?? '').trim();
    if (!/^[A-Z]{2}$/.test(country))
      throw invalid(options, row.line, 'country', country, 'two letters');
    if (!/^[A-Z0-9]{3}$/.test(location)) {
      throw invalid(options, row.line, 'location', location, 'three letters or digits');
    }
    const rawName = f.name ?? '';
    const repaired = rawName.startsWith('"');
    let name: string;
    let nameWo: string;
    let subdivision: string;
    let status: string;
    let functions: string;
    let iata: string;
    if (repaired) {
      // Shifted layout: name = [name, nameWoDiacritics], nameWo = [subdivision, status],
      // subdivision → function field … see the doc comment.
      name = `${unquoteHalf(rawName)}, ${unquoteHalf(f.nameWoDiacritics ?? '')}`;
      nameWo = `${unquoteHalf(f.subdivision ?? '')}, ${unquoteHalf(f.status ?? '')}`;
      subdivision = f.function ?? '';
      functions = f.iata ?? '';
      status = '';
      iata = '';
    } else {
      name = rawName;
      nameWo = f.nameWoDiacritics ?? '';
      subdivision = f.subdivision ?? '';
      status = f.status ?? '';
      functions = f.function ?? '';
      iata = f.iata ?? '';
    }
    if (!/^[0-9A-Z-]{8}$/.test(functions)) {
      throw invalid(
        options,
        row.line,
        'function',
        functions,
        'the 8-character UNECE function code',
      );
    }
    const geocodedText = (f.geocoded ?? '').trim();
    if (!['', 'true', 'false'].includes(geocodedText)) {
      throw invalid(options, row.line, 'geocoded', geocodedText, 'true, false or blank');
    }
    // Upstream writes a missing coordinate as `NaN` (1,182 rows) and a few are out of range
    // (e.g. latitude 97.07): those become "no coordinates"; text that is no number is an error.
    let latitude = f.lat === 'NaN' ? null : optionalCoordinate(options, row, 'lat', Infinity);
    let longitude = f.lon === 'NaN' ? null : optionalCoordinate(options, row, 'lon', Infinity);
    if (
      latitude === null ||
      longitude === null ||
      Math.abs(latitude) > 90 ||
      Math.abs(longitude) > 180
    ) {
      latitude = null;
      longitude = null;
    }
    yield {
      line: row.line,
      locode: country + location,
      country,
      name: name.trim(),
      nameWoDiacritics: nameWo.trim(),
      subdivision: blankToNull(subdivision),
      status: blankToNull(status),
      functions,
      isPort: functions[0] === '1',
      isBorderCrossing: functions[7] === 'B',
      iata: blankToNull(iata),
      latitude,
      longitude,
      geocoded: geocodedText === 'true',
      repaired,
    };
  }
}
