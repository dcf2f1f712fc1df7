/**
 * One entity model for every watchlist (OFAC legacy CSV, UN consolidated XML, FollowTheMoney).
 * The schema names follow FollowTheMoney so that OpenSanctions data maps without loss.
 */
export type Schema = 'Person' | 'Organization' | 'Company' | 'LegalEntity' | 'Vessel' | 'Aircraft';

export const SCHEMAS: readonly Schema[] = [
  'Person',
  'Organization',
  'Company',
  'LegalEntity',
  'Vessel',
  'Aircraft',
];

/**
 * How much a name can be trusted as an identifier. OFAC distinguishes strong a.k.a.s (alt.csv)
 * from weak ones (quoted in the remarks); the UN grades aliases "Good" and "Low".
 */
export type NameQuality = 'primary' | 'strong' | 'weak';

export interface EntityName {
  readonly full: string;
  readonly quality: NameQuality;
  /** a.k.a., f.k.a. (formerly), n.k.a. (now), or the original-script form. */
  readonly kind?: 'aka' | 'fka' | 'nka' | 'original-script';
}

export interface Identifier {
  /** Normalised type: imo, passport, national-id, registration, tax-id, mmsi, tail-number, other. */
  readonly type: string;
  readonly value: string;
  readonly country?: string;
  /** The label as the list wrote it ("Cedula No.", "Business Registration Number"). */
  readonly label?: string;
}

export interface Address {
  readonly full: string;
  readonly city?: string;
  readonly country?: string;
}

export interface Entity {
  /** Globally unique: `<list>:<id in the list>`, e.g. `ofac:306`, `un:6907993`. */
  readonly id: string;
  readonly list: string;
  readonly sourceId: string;
  readonly schema: Schema;
  /** The first name is the primary name. */
  readonly names: readonly EntityName[];
  /** ISO 8601 prefixes: `1965`, `1965-03`, `1965-03-02`. */
  readonly birthDates: readonly string[];
  readonly birthPlaces: readonly string[];
  /** ISO 3166-1 alpha-2 codes, lower case, where the list's text could be resolved. */
  readonly nationalities: readonly string[];
  /** Countries linked in any other way (addresses, list country column). */
  readonly countries: readonly string[];
  readonly gender?: 'male' | 'female';
  readonly identifiers: readonly Identifier[];
  readonly addresses: readonly Address[];
  /** Program tags such as `SDNTK`, `ILLICIT-DRUGS-EO14059`, or the UN regime (`TA`, `QD`). */
  readonly programs: readonly string[];
  readonly remarks?: string;
  readonly listedOn?: string;
}

export interface ListVersion {
  /** `<source>@<published or hash prefix>`. */
  readonly id: string;
  readonly source: string;
  /** Date the publisher gave the list (ISO 8601), when it says. */
  readonly published?: string;
  /** sha256 (hex) over the parsed entities, so the same content has the same hash. */
  readonly contentHash: string;
  readonly counts: {
    readonly entities: number;
    readonly names: number;
    readonly bySchema: Readonly<Partial<Record<Schema, number>>>;
  };
}

export interface ParsedList {
  readonly version: ListVersion;
  readonly entities: readonly Entity[];
  /** Rows that were skipped with the reason (never silently dropped). */
  readonly warnings: readonly { line?: number; message: string }[];
}

/** Chunks as they arrive from a file, a gunzip stream or an HTTP body. */
export type ByteSource = AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;
