import type { BtsBorder, BtsMeasure } from './bts';
import type { CbpComponent, CbpRegion } from './cbp';
import type { Month } from './months';

/**
 * The traffic units seizures are set against, each the BTS measures (inbound crossings at land
 * ports) summed into it.
 *
 * CBP's seizure data say where and when a seizure was made, not in which conveyance, so a rate
 * of all land seizures per truck would count seizures from cars and pedestrians against trucks.
 * The one denominator that matches all land seizures at the ports is `crossings`: every
 * conveyance or person on foot that comes to a primary inspection booth — each truck, personal
 * vehicle, bus and train, and each pedestrian. Containers (carried by trucks and trains) and
 * passengers (carried by vehicles) are left out, as adding them would count one crossing twice.
 * The other units are single modes: seizures per truck, per personal vehicle and so on set all
 * seizures against one mode's traffic, which shows how that traffic and the seizures move
 * together, not the rate at which that mode carries drugs.
 */
export const TRAFFIC_UNITS = {
  crossings: ['Trucks', 'Personal Vehicles', 'Buses', 'Trains', 'Pedestrians'],
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

/**
 * The CBP seizures that traffic at the land ports can be set against: land seizures (CBP's `Land
 * Only` filter; a field office's airport and mail seizures have no land traffic) by the Office of
 * Field Operations, which staffs the ports. Border Patrol's seizures are made between the ports,
 * by people who did not cross at one, so no count of port traffic is their denominator.
 */
export const PORT_SEIZURES = {
  landFilter: 'Land Only',
  component: 'Office of Field Operations',
} as const satisfies { landFilter: string; component: CbpComponent };

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
