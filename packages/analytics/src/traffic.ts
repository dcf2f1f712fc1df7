import type { BtsBorder, BtsMeasure } from './bts';
import type { CbpRegion } from './cbp';
import type { Month } from './months';

/** The four traffic units seizures are normalised by (issue 7). */
export const TRAFFIC_UNITS = {
  trucks: ['Trucks'],
  containers: [
    'Truck Containers Loaded',
    'Truck Containers Empty',
    'Rail Containers Loaded',
    'Rail Containers Empty',
  ],
  'personal-vehicles': ['Personal Vehicles'],
  pedestrians: ['Pedestrians'],
} as const satisfies Record<string, readonly BtsMeasure[]>;
export type TrafficUnit = keyof typeof TRAFFIC_UNITS;

/** CBP's seizure regions that face a land border, and the BTS border they face. */
export const REGION_BORDER: Partial<Record<CbpRegion, BtsBorder>> = {
  'Southwest Border': 'US-Mexico Border',
  'Northern Border': 'US-Canada Border',
};

/** The BTS border-crossing ports that El Paso Field Office covers within Texas (the rest of the Texas land border is Laredo Field Office). */
const EL_PASO_TEXAS_PORTS = new Set([
  'El Paso',
  'Ysleta',
  'Tornillo',
  'Fabens',
  'Presidio',
  'Boquillas',
]);

/**
 * The CBP Office of Field Operations field office a land port belongs to, so seizures reported
 * by field office can be set against that office's traffic. Follows CBP's published field-office
 * areas (Boston: ME, VT, NH; Buffalo: NY; Detroit: MI, OH; Chicago: MN, ND; Seattle: WA, ID, MT,
 * AK; San Diego: CA; Tucson: AZ; El Paso: NM and far-west TX; Laredo: the rest of TX).
 */
export function fieldOfficeOf(port: { state: string; portName: string }): string | null {
  switch (port.state) {
    case 'Maine':
    case 'Vermont':
    case 'New Hampshire':
      return 'BOSTON FIELD OFFICE';
    case 'New York':
      return 'BUFFALO FIELD OFFICE';
    case 'Michigan':
    case 'Ohio':
      return 'DETROIT FIELD OFFICE';
    case 'Minnesota':
    case 'North Dakota':
      return 'CHICAGO FIELD OFFICE';
    case 'Washington':
    case 'Idaho':
    case 'Montana':
    case 'Alaska':
      return 'SEATTLE FIELD OFFICE';
    case 'California':
      return 'SAN DIEGO FIELD OFFICE';
    case 'Arizona':
      return 'TUCSON FIELD OFFICE';
    case 'New Mexico':
      return 'EL PASO FIELD OFFICE';
    case 'Texas':
      return EL_PASO_TEXAS_PORTS.has(port.portName)
        ? 'EL PASO FIELD OFFICE'
        : 'LAREDO FIELD OFFICE';
    default:
      return null;
  }
}

export interface RatePoint {
  readonly area: string;
  readonly month: Month;
  readonly events: number;
  readonly pounds: number;
  readonly traffic: number;
  /** Seizure events per 100,000 units of traffic (null when there was no traffic). */
  readonly eventsPer100k: number | null;
  /** Pounds seized per 100,000 units of traffic. */
  readonly poundsPer100k: number | null;
}

/**
 * Seizures set against traffic, month by month and area by area (an area is a border region or
 * a field office). Only months present on both sides are paired: a month with traffic but no
 * seizure rows counts as zero seizures, a month with seizures but no traffic data is left out
 * (the rate would be undefined, not infinite).
 */
export function seizuresPerTraffic(
  seizures: Iterable<{ area: string; month: Month; events: number; pounds: number }>,
  traffic: Iterable<{ area: string; month: Month; value: number }>,
): RatePoint[] {
  const key = (a: string, m: Month) => `${a}\u0000${m}`;
  const s = new Map<string, { events: number; pounds: number }>();
  for (const r of seizures) {
    const k = key(r.area, r.month);
    const t = s.get(k) ?? { events: 0, pounds: 0 };
    t.events += r.events;
    t.pounds += r.pounds;
    s.set(k, t);
  }
  const t = new Map<string, { area: string; month: Month; value: number }>();
  for (const r of traffic) {
    const k = key(r.area, r.month);
    const cur = t.get(k);
    if (cur) cur.value += r.value;
    else t.set(k, { area: r.area, month: r.month, value: r.value });
  }
  const out: RatePoint[] = [];
  for (const [k, tr] of t) {
    const sz = s.get(k) ?? { events: 0, pounds: 0 };
    out.push({
      area: tr.area,
      month: tr.month,
      events: sz.events,
      pounds: sz.pounds,
      traffic: tr.value,
      eventsPer100k: tr.value > 0 ? (sz.events / tr.value) * 100_000 : null,
      poundsPer100k: tr.value > 0 ? (sz.pounds / tr.value) * 100_000 : null,
    });
  }
  return out.sort((a, b) =>
    a.area === b.area ? (a.month < b.month ? -1 : 1) : a.area < b.area ? -1 : 1,
  );
}
