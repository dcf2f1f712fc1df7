import {
  count,
  invalid,
  matching,
  oneOf,
  optionalCoordinate,
  required,
  rowsWithHeader,
  type ParseOptions,
  type TextSource,
} from './csv-input';
import { formatMonth, monthNumber, type Month } from './months';

/** BTS "Border Crossing Entry Data" header (data.transportation.gov keg4-3bc2), current layout. */
export const BTS_CROSSINGS_HEADER = [
  'Port Name',
  'State',
  'Port Code',
  'Border',
  'Date',
  'Measure',
  'Value',
  'Latitude',
  'Longitude',
  'Point',
] as const;

export const BTS_MEASURES = [
  'Trucks',
  'Truck Containers Loaded',
  'Truck Containers Empty',
  'Trains',
  'Rail Containers Loaded',
  'Rail Containers Empty',
  'Train Passengers',
  'Buses',
  'Bus Passengers',
  'Personal Vehicles',
  'Personal Vehicle Passengers',
  'Pedestrians',
] as const;
export type BtsMeasure = (typeof BTS_MEASURES)[number];

export const BTS_BORDERS = ['US-Canada Border', 'US-Mexico Border'] as const;
export type BtsBorder = (typeof BTS_BORDERS)[number];

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const MEASURE_SET = new Set<BtsMeasure>(BTS_MEASURES);
const BORDER_SET = new Set<BtsBorder>(BTS_BORDERS);

export interface BorderCrossing {
  /** Line in the source file (header is line 1): the row id that every figure traces back to. */
  readonly line: number;
  readonly portCode: string;
  readonly portName: string;
  readonly state: string;
  readonly border: BtsBorder;
  readonly month: Month;
  readonly measure: BtsMeasure;
  /** Inbound crossings in the month, in the measure's own unit (never add across measures). */
  readonly value: number;
  readonly latitude: number | null;
  readonly longitude: number | null;
}

/**
 * Streams the BTS border-crossing CSV (the full file or the 2015+ subsample; same layout). Every
 * row is checked: a 4-digit port code, `Mon YYYY` date, one of the 12 measures, an integer value.
 * The 11 upstream duplicate keys are passed through unchanged (SOURCE.md: "left as they were").
 */
export async function* parseBorderCrossings(
  source: TextSource,
  options: ParseOptions = {},
): AsyncGenerator<BorderCrossing> {
  for await (const row of rowsWithHeader(source, BTS_CROSSINGS_HEADER, options)) {
    const f = row.fields;
    const portCode = matching(options, row, 'Port Code', /^\d{4}$/, 'four digits');
    const border = oneOf(options, row, 'Border', BORDER_SET, BTS_BORDERS.join(' or '));
    const measure = oneOf(options, row, 'Measure', MEASURE_SET, 'one of the 12 BTS measures');
    const date = f.Date ?? '';
    const dm = /^([A-Za-z]{3}) (\d{4})$/.exec(date);
    const mn = dm ? monthNumber(dm[1] as string) : undefined;
    if (!dm || mn === undefined) throw invalid(options, row.line, 'Date', date, '"Mon YYYY"');
    yield {
      line: row.line,
      portCode,
      portName: required(options, row, 'Port Name'),
      state: required(options, row, 'State'),
      border,
      month: formatMonth(Number(dm[2]), mn),
      measure,
      value: count(options, row, 'Value'),
      latitude: optionalCoordinate(options, row, 'Latitude', 90),
      longitude: optionalCoordinate(options, row, 'Longitude', 180),
    };
  }
}

export const BTS_PORTS_HEADER = [
  'Port Code',
  'Port Name',
  'State',
  'Border',
  'Latitude',
  'Longitude',
  'Point',
  'First Month',
  'Last Month',
  'Row Count',
] as const;

export interface BorderPort {
  readonly line: number;
  readonly portCode: string;
  readonly portName: string;
  readonly state: string;
  readonly border: BtsBorder;
  readonly latitude: number | null;
  readonly longitude: number | null;
  readonly firstMonth: Month;
  readonly lastMonth: Month;
  readonly rowCount: number;
}

/** Streams `border_ports.csv`, the one-row-per-port lookup derived from the full BTS file. */
export async function* parseBorderPorts(
  source: TextSource,
  options: ParseOptions = {},
): AsyncGenerator<BorderPort> {
  for await (const row of rowsWithHeader(source, BTS_PORTS_HEADER, options)) {
    const portCode = matching(options, row, 'Port Code', /^\d{4}$/, 'four digits');
    const border = oneOf(options, row, 'Border', BORDER_SET, BTS_BORDERS.join(' or '));
    const firstMonth = matching(options, row, 'First Month', MONTH, 'YYYY-MM');
    const lastMonth = matching(options, row, 'Last Month', MONTH, 'YYYY-MM');
    yield {
      line: row.line,
      portCode,
      portName: required(options, row, 'Port Name'),
      state: required(options, row, 'State'),
      border,
      latitude: optionalCoordinate(options, row, 'Latitude', 90),
      longitude: optionalCoordinate(options, row, 'Longitude', 180),
      firstMonth,
      lastMonth,
      rowCount: count(options, row, 'Row Count'),
    };
  }
}
