import { sha256Hex } from '@interdict/core';
import type { Declaration } from './declarations';
import { TargetingError } from './errors';
import { CRITICAL, Counts, FRAUD, INSPECTED, N, TupleTable } from './key-table';
import { Prng } from './prng';

/**
 * History features for targeting (issue 6, "Features that carry history without leaking the
 * future"). Every label-derived value is a smoothed rate over OTHER declarations: out-of-fold
 * on training data (as in target encoding with K-fold, Micci-Barreca 2001), or strictly
 * earlier-dated, already-inspected declarations when scoring.
 */

export type Objective = 'fraud' | 'critical';

export interface FeatureConfig {
  /** A Fraud model never sees anything derived from the Critical Fraud column. */
  readonly objective: Objective;
  /**
   * The (HS, departure, origin, tax rate, tax type) group key. The benchmark's synthesis
   * (arXiv:2208.02484 §3) makes it unusually predictive, so it can be switched off to show
   * what is skill and what is artefact.
   */
  readonly groupKey: boolean;
  /** Strength m of the Beta prior: rate = (frauds + m·p) / (inspected + m). */
  readonly priorStrength: number;
  /** `oof`: K-fold out-of-fold rates; `temporal`: each day sees only earlier days. */
  readonly trainingMode: 'oof' | 'temporal';
  readonly folds: number;
  readonly seed: number;
}

export const DEFAULT_FEATURE_CONFIG: FeatureConfig = {
  objective: 'fraud',
  groupKey: true,
  priorStrength: 10,
  trainingMode: 'oof',
  folds: 5,
  seed: 1,
};

interface EntityDef {
  readonly name: string;
  /** The key as the history snapshot stores it: composite keys join their parts with '|'. */
  readonly key: (d: Declaration) => string;
  /**
   * Composite keys: where each part comes from, in order (a single entity's name, `taxRate` or
   * `taxType`). The history finds them by the parts' integer ids, not by the joined string.
   */
  readonly parts?: readonly string[];
}

const hs6 = (d: Declaration): string => d.hsCode.slice(0, 6);

const BASE_ENTITIES: readonly EntityDef[] = [
  { name: 'importer', key: (d) => d.importer },
  { name: 'declarant', key: (d) => d.declarant },
  { name: 'seller', key: (d) => d.seller },
  { name: 'courier', key: (d) => d.courier },
  { name: 'office', key: (d) => d.office },
  { name: 'hsChapter', key: (d) => d.hsCode.slice(0, 2) },
  { name: 'hsHeading', key: (d) => d.hsCode.slice(0, 4) },
  { name: 'hsSubheading', key: hs6 },
  { name: 'hsCode', key: (d) => d.hsCode },
  { name: 'origin', key: (d) => d.origin },
  { name: 'departure', key: (d) => d.departure },
  {
    name: 'importer×hs',
    key: (d) => `${d.importer}|${hs6(d)}`,
    parts: ['importer', 'hsSubheading'],
  },
  { name: 'hs×origin', key: (d) => `${hs6(d)}|${d.origin}`, parts: ['hsSubheading', 'origin'] },
  {
    name: 'declarant×importer',
    key: (d) => `${d.declarant}|${d.importer}`,
    parts: ['declarant', 'importer'],
  },
  { name: 'office×hs', key: (d) => `${d.office}|${hs6(d)}`, parts: ['office', 'hsSubheading'] },
];
const GROUP_ENTITY: EntityDef = {
  name: 'groupKey',
  key: (d) => `${d.hsCode}|${d.departure}|${d.origin}|${d.taxRate}|${d.taxType}`,
  parts: ['hsCode', 'departure', 'origin', 'taxRate', 'taxType'],
};

/** Low-cardinality codes fed to the trees as category numbers (vocabulary kept in the model). */
const CODE_FIELDS = [
  'office',
  'processType',
  'importType',
  'importUse',
  'paymentType',
  'transportMode',
  'taxType',
  'originIndicator',
] as const;

const PLAIN_FEATURES = [
  'value.log',
  'mass.log',
  'unitValue.log',
  'unitValue.zInHs',
  'unitValue.diffInHs',
  'tax.rate',
  'tax.amountLog',
  'calendar.weekday',
  'calendar.month',
  'calendar.dayOfMonth',
  'flag.departureIsOrigin',
  'flag.noSeller',
  'flag.courier',
] as const;

function entitiesFor(config: FeatureConfig): EntityDef[] {
  return config.groupKey ? [...BASE_ENTITIES, GROUP_ENTITY] : [...BASE_ENTITIES];
}

/** The ordered feature names for a configuration: the model's feature schema. */
export function featureNames(config: FeatureConfig): string[] {
  const names: string[] = [];
  for (const e of entitiesFor(config)) {
    names.push(`${e.name}.count`, `${e.name}.fraudRate`);
    if (config.objective === 'critical') names.push(`${e.name}.criticalRate`);
  }
  names.push(...PLAIN_FEATURES);
  for (const f of CODE_FIELDS) names.push(`code.${f}`);
  return names;
}

export function featureSchemaHash(names: readonly string[]): string {
  return sha256Hex(names.join('\n'));
}

/** Row-major feature matrix (rows × names.length); NaN means missing. */
export interface FeatureMatrix {
  readonly names: readonly string[];
  readonly rows: number;
  readonly values: Float64Array;
}

/**
 * The keys of one single-column entity (importer, HS subheading, …) → slots, in insertion order,
 * with their counts. Its slots are also the ids of that column in composite keys.
 */
class KeyCounter {
  readonly counts: Counts;
  readonly index: Map<string, number>;
  readonly keys: string[];
  /** Whether a key contains the '|' that joins composite keys (see CompositeCounter). */
  readonly pipe: boolean[];

  constructor(
    counts = new Counts(),
    index = new Map<string, number>(),
    keys: string[] = [],
    pipe: boolean[] = [],
  ) {
    this.counts = counts;
    this.index = index;
    this.keys = keys;
    this.pipe = pipe;
  }

  /** The key's slot, created when absent; `present` marks it as an entry of the snapshot. */
  intern(key: string, present: boolean): number {
    let i = this.index.get(key);
    if (i === undefined) {
      i = this.counts.push(present);
      this.index.set(key, i);
      this.keys.push(key);
      this.pipe.push(key.includes('|'));
    } else if (present) this.counts.present[i] = 1;
    return i;
  }

  copy(): KeyCounter {
    return new KeyCounter(
      this.counts.copy(),
      new Map(this.index),
      this.keys.slice(),
      this.pipe.slice(),
    );
  }
}

/** Where a part of a composite key comes from, besides single entities (index ≥ 0). */
const TAX_RATE_PART = -1;
const TAX_TYPE_PART = -2;

/**
 * A composite entity (importer × HS subheading, the group key, …): the tuple of its parts' ids
 * → slot. The snapshot keeps the parts joined by '|', and the plain implementation this replaces
 * treated a key as that joined string, so "A|B" × "C" and "A" × "B|C" were one key. To stay
 * identical, a key with '|' inside a part is kept by its joined string (`joined`): such a
 * string has more '|' than a key of clean parts and can never meet one.
 */
class CompositeCounter {
  /** Per part: the single entity's index, or TAX_RATE_PART / TAX_TYPE_PART. */
  readonly sources: Int32Array;
  readonly table: TupleTable;
  readonly counts: Counts;
  /** The parts' ids of each slot, `width` per slot (−1 for a joined-string key), for toJSON. */
  parts: number[] = [];
  readonly joined = new Map<string, number>();
  readonly joinedKeys = new Map<number, string>();
  /** Scratch tuple for look-ups. */
  readonly key: Int32Array;

  constructor(sources: Int32Array, table = new TupleTable(sources.length), counts = new Counts()) {
    this.sources = sources;
    this.table = table;
    this.counts = counts;
    this.key = new Int32Array(sources.length);
  }

  /** The slot of the tuple in `this.key`, or −1. */
  find(): number {
    return this.table.find(this.key);
  }

  /** The slot of the tuple in `this.key`, created when absent. */
  findOrAdd(): number {
    const found = this.table.find(this.key);
    if (found >= 0) return found;
    const s = this.counts.push(true);
    this.table.add(this.key, s);
    for (const id of this.key) this.parts.push(id);
    return s;
  }

  findOrAddJoined(key: string): number {
    let s = this.joined.get(key);
    if (s === undefined) {
      s = this.counts.push(true);
      this.joined.set(key, s);
      this.joinedKeys.set(s, key);
      for (let p = 0; p < this.sources.length; p++) this.parts.push(-1);
    }
    return s;
  }

  copy(): CompositeCounter {
    const c = new CompositeCounter(this.sources, this.table.copy(), this.counts.copy());
    c.parts = this.parts.slice();
    for (const [key, s] of this.joined) {
      c.joined.set(key, s);
      c.joinedKeys.set(s, key);
    }
    return c;
  }
}

/** Welford's running n, mean and M2 of log unit value per HS subheading slot, at [4·slot + …]. */
class UnitValues {
  data = new Float64Array(64 * 4);
  has = new Uint8Array(64);
  /** HS subheading slots with an entry, in insertion order (the snapshot's order). */
  order: number[] = [];

  /** Makes slot `s` an entry of the snapshot (n = 0 is no entry for features: n ≥ 2 is needed). */
  enter(s: number): void {
    if (s >= this.has.length) {
      let capacity = this.has.length;
      while (capacity <= s) capacity *= 2;
      const data = new Float64Array(capacity * 4);
      data.set(this.data);
      this.data = data;
      const has = new Uint8Array(capacity);
      has.set(this.has);
      this.has = has;
    }
    if (this.has[s]) return;
    this.has[s] = 1;
    this.order.push(s);
  }

  copy(): UnitValues {
    const u = new UnitValues();
    u.data = this.data.slice();
    u.has = this.has.slice();
    u.order = this.order.slice();
    return u;
  }
}

/** Serialisable snapshot of what the model knows about the past. */
export interface HistoryJson {
  readonly declarations: number;
  readonly inspected: number;
  readonly frauds: number;
  readonly criticals: number;
  /** entity name → key → [count, inspected, frauds, criticals] */
  readonly entities: Record<string, Record<string, [number, number, number, number]>>;
  /** HS subheading → [n, mean, M2] of log unit value (Welford). */
  readonly unitValue: Record<string, [number, number, number]>;
  readonly vocabularies: Record<string, string[]>;
}

const entityIndex = (name: string): number => BASE_ENTITIES.findIndex((e) => e.name === name);
const IMPORTER = entityIndex('importer');
const DECLARANT = entityIndex('declarant');
const SELLER = entityIndex('seller');
const COURIER = entityIndex('courier');
const OFFICE = entityIndex('office');
const HS_CHAPTER = entityIndex('hsChapter');
const HS_HEADING = entityIndex('hsHeading');
const HS_SUBHEADING = entityIndex('hsSubheading');
const HS_CODE = entityIndex('hsCode');
const ORIGIN = entityIndex('origin');
const DEPARTURE = entityIndex('departure');
/** Entities before this one are single columns; from it on, composites. */
const FIRST_COMPOSITE = BASE_ENTITIES.findIndex((e) => e.parts);
// History.lookupSingles reads each single entity by hand: they must be exactly the entities
// before the composites, and a pair's parts must be single entities (History.lookupComposites).
const SINGLES = [
  IMPORTER,
  DECLARANT,
  SELLER,
  COURIER,
  OFFICE,
  HS_CHAPTER,
  HS_HEADING,
  HS_SUBHEADING,
  HS_CODE,
  ORIGIN,
  DEPARTURE,
];
if (
  SINGLES.some((i, k) => i !== k) ||
  FIRST_COMPOSITE !== SINGLES.length ||
  [...BASE_ENTITIES.slice(FIRST_COMPOSITE), GROUP_ENTITY].some(
    (e) =>
      !e.parts ||
      (e.parts.length === 2 &&
        e.parts.some((p) => !(entityIndex(p) < FIRST_COMPOSITE && entityIndex(p) >= 0))),
  )
)
  throw new Error('the single entities must come first, in the order History.lookup reads them');

/**
 * Everything known about earlier declarations: per-entity counts and inspection outcomes, the
 * unit-value distribution of each HS subheading, and the code vocabularies.
 *
 * Keys are interned: each single entity maps its strings to dense slots, and composite keys
 * (pairs, the group key) are tuples of those slots in a typed-array hash table, so a row's
 * look-ups are one Map probe per column and a few integer hashes, with nothing allocated.
 */
export class History {
  readonly config: FeatureConfig;
  readonly entities: EntityDef[];
  private readonly singles: KeyCounter[];
  /** The singles' key → slot maps (the same Map objects). */
  private readonly singleIndex: Map<string, number>[];
  private readonly composites: CompositeCounter[];
  /** Counts of every entity, single then composite (the feature order). */
  private readonly counts: Counts[];
  /**
   * Per hsCode slot, at [3·slot + …]: its chapter, heading and subheading slots (the subheading
   * −1 when not known: then they are looked up by string).
   */
  private hsPrefixes: number[] = [];
  private unitValues = new UnitValues();
  /** Ids of the group key's tax rate and tax type parts. */
  private readonly taxRates = new Map<number, number>();
  private readonly taxRateValues: number[] = [];
  private readonly taxTypes: KeyCounter = new KeyCounter();
  readonly vocabularies = new Map<string, Map<string, number>>();
  /** The vocabularies in CODE_FIELDS order (the same Map objects). */
  readonly codeVocabularies: Map<string, number>[];
  declarations = 0;
  inspected = 0;
  frauds = 0;
  criticals = 0;
  /** Scratch: a row's slots per entity. */
  private readonly slots: Int32Array;

  constructor(config: FeatureConfig) {
    this.config = config;
    this.entities = entitiesFor(config);
    this.singles = this.entities.slice(0, FIRST_COMPOSITE).map(() => new KeyCounter());
    this.composites = this.entities
      .slice(FIRST_COMPOSITE)
      .map(
        (e) =>
          new CompositeCounter(
            Int32Array.from(e.parts ?? [], (p) =>
              p === 'taxRate' ? TAX_RATE_PART : p === 'taxType' ? TAX_TYPE_PART : entityIndex(p),
            ),
          ),
      );
    this.singleIndex = this.singles.map((c) => c.index);
    this.counts = [...this.singles, ...this.composites].map((c) => c.counts);
    this.slots = new Int32Array(this.entities.length);
    this.codeVocabularies = CODE_FIELDS.map(() => new Map<string, number>());
    CODE_FIELDS.forEach((f, k) =>
      this.vocabularies.set(f, this.codeVocabularies[k] as Map<string, number>),
    );
  }

  /** Records a declaration: counted always, its outcome only when `withLabel` and inspected. */
  add(d: Declaration, withLabel: boolean): void {
    this.declarations++;
    const labelled = withLabel && d.fraud !== null;
    const isCritical = this.config.objective === 'critical' && d.critical === 2;
    if (labelled) {
      this.inspected++;
      this.frauds += d.fraud ?? 0;
      if (isCritical) this.criticals++;
    }
    const slots = this.intern(d);
    for (let e = 0; e < slots.length; e++) {
      const c = this.counts[e] as Counts;
      const i = slots[e] as number;
      const data = c.data;
      (data[4 * i + N] as number)++;
      if (labelled) {
        (data[4 * i + INSPECTED] as number)++;
        if (d.fraud === 1) (data[4 * i + FRAUD] as number)++;
        if (isCritical) (data[4 * i + CRITICAL] as number)++;
      }
    }
    this.addUnitValue(d, slots[HS_SUBHEADING]);
  }

  /** Grows code vocabularies (training only: scoring maps unseen codes to missing). */
  learnCodes(d: Declaration): void {
    for (const f of CODE_FIELDS) {
      const vocab = this.vocabularies.get(f) as Map<string, number>;
      const v = d[f];
      if (!vocab.has(v)) vocab.set(v, vocab.size);
    }
  }

  addUnitValue(
    d: Declaration,
    hsSubheading = this.singles[HS_SUBHEADING]?.intern(hs6(d), true),
  ): void {
    const uv = logUnitValue(d);
    if (!Number.isFinite(uv)) return;
    const s = hsSubheading as number;
    const u = this.unitValues;
    u.enter(s);
    const data = u.data;
    const n = (data[4 * s] as number) + 1;
    data[4 * s] = n;
    const mean = data[4 * s + 1] as number;
    const delta = uv - mean;
    const updated = mean + delta / n;
    data[4 * s + 1] = updated;
    data[4 * s + 2] = (data[4 * s + 2] as number) + delta * (uv - updated);
  }

  /** Log unit value statistics by HS subheading slot (from `lookup`). */
  get unitValue(): UnitValues {
    return this.unitValues;
  }

  priorFraud(): number {
    return (this.frauds + 1) / (this.inspected + 2);
  }

  priorCritical(): number {
    return (this.criticals + 0.1) / (this.inspected + 10);
  }

  /** Counts of entity `e` (slots from `lookup`). */
  countsOf(e: number): Counts {
    return this.counts[e] as Counts;
  }

  /** Counts of every entity, in feature order. */
  get entityCounts(): readonly Counts[] {
    return this.counts;
  }

  /**
   * The slot of each entity's key for `d`, −1 when the history has never seen it. Read-only:
   * a history shared between requests (the API's model cache) is never changed by scoring.
   * Writes them to `out` from `at` (by default a scratch array, valid until the next call).
   */
  lookup(d: Declaration, out = this.slots, at = 0): Int32Array {
    this.lookupSingles(d, out, at);
    this.lookupComposites(d, out, at);
    return out;
  }

  // Kept apart from lookupComposites so that each stays small enough for V8 to inline its Map
  // and table probes (bench/targeting/scoring.ts).
  private lookupSingles(d: Declaration, slots: Int32Array, at: number): void {
    const ix = this.singleIndex;
    slots[at + IMPORTER] = (ix[IMPORTER] as Map<string, number>).get(d.importer) ?? -1;
    slots[at + DECLARANT] = (ix[DECLARANT] as Map<string, number>).get(d.declarant) ?? -1;
    slots[at + SELLER] = (ix[SELLER] as Map<string, number>).get(d.seller) ?? -1;
    slots[at + COURIER] = (ix[COURIER] as Map<string, number>).get(d.courier) ?? -1;
    slots[at + OFFICE] = (ix[OFFICE] as Map<string, number>).get(d.office) ?? -1;
    slots[at + ORIGIN] = (ix[ORIGIN] as Map<string, number>).get(d.origin) ?? -1;
    slots[at + DEPARTURE] = (ix[DEPARTURE] as Map<string, number>).get(d.departure) ?? -1;
    const hc = (ix[HS_CODE] as Map<string, number>).get(d.hsCode) ?? -1;
    slots[at + HS_CODE] = hc;
    const prefixes = this.hsPrefixes;
    const sub = hc < 0 ? -1 : (prefixes[3 * hc + 2] as number);
    if (sub >= 0) {
      slots[at + HS_CHAPTER] = prefixes[3 * hc] as number;
      slots[at + HS_HEADING] = prefixes[3 * hc + 1] as number;
      slots[at + HS_SUBHEADING] = sub;
    } else {
      // An HS code never added: its prefixes may still be known.
      const code = d.hsCode;
      slots[at + HS_CHAPTER] = (ix[HS_CHAPTER] as Map<string, number>).get(code.slice(0, 2)) ?? -1;
      slots[at + HS_HEADING] = (ix[HS_HEADING] as Map<string, number>).get(code.slice(0, 4)) ?? -1;
      slots[at + HS_SUBHEADING] =
        (ix[HS_SUBHEADING] as Map<string, number>).get(code.slice(0, 6)) ?? -1;
    }
  }

  private lookupComposites(d: Declaration, slots: Int32Array, at: number): void {
    const composites = this.composites;
    const group = this.config.groupKey;
    const rate = group ? (this.taxRates.get(d.taxRate) ?? -1) : -1;
    const type = group ? (this.taxTypes.index.get(d.taxType) ?? -1) : -1;
    for (let k = 0; k < composites.length; k++) {
      const c = composites[k] as CompositeCounter;
      const { sources, key } = c;
      let s: number;
      if (sources.length === 2) {
        const a = slots[at + (sources[0] as number)] as number;
        const b = slots[at + (sources[1] as number)] as number;
        s = a < 0 || b < 0 ? -1 : c.table.find2(a, b);
      } else {
        let known = true;
        for (let p = 0; p < sources.length; p++) {
          const src = sources[p] as number;
          const id = src >= 0 ? (slots[at + src] as number) : src === TAX_RATE_PART ? rate : type;
          key[p] = id;
          if (id < 0) known = false;
        }
        s = known ? c.find() : -1;
      }
      if (s < 0 && c.joined.size > 0)
        s = c.joined.get((this.entities[FIRST_COMPOSITE + k] as EntityDef).key(d)) ?? -1;
      slots[at + FIRST_COMPOSITE + k] = s;
    }
  }

  /** As `lookup`, creating the slots that do not exist yet. */
  private intern(d: Declaration): Int32Array {
    const slots = this.slots;
    const singles = this.singles;
    const hc = (singles[HS_CODE] as KeyCounter).intern(d.hsCode, true);
    const prefixes = this.hsPrefixes;
    const cached = 3 * hc < prefixes.length && (prefixes[3 * hc + 2] as number) >= 0;
    for (let e = 0; e < singles.length; e++) {
      const counter = singles[e] as KeyCounter;
      if (e === HS_CODE) slots[e] = hc;
      else if (cached && (e === HS_CHAPTER || e === HS_HEADING || e === HS_SUBHEADING)) {
        const s = prefixes[3 * hc + (e === HS_CHAPTER ? 0 : e === HS_HEADING ? 1 : 2)] as number;
        counter.counts.present[s] = 1;
        slots[e] = s;
      } else slots[e] = counter.intern((this.entities[e] as EntityDef).key(d), true);
    }
    if (!cached)
      this.cacheHsPrefixes(
        hc,
        slots[HS_CHAPTER] as number,
        slots[HS_HEADING] as number,
        slots[HS_SUBHEADING] as number,
      );
    let rate = -1;
    let type = -1;
    if (this.config.groupKey) {
      rate = this.internTaxRate(d.taxRate);
      type = this.taxTypes.intern(d.taxType, true);
    }
    const composites = this.composites;
    for (let k = 0; k < composites.length; k++) {
      const c = composites[k] as CompositeCounter;
      const { sources, key } = c;
      let pipe = false;
      for (let p = 0; p < sources.length; p++) {
        const src = sources[p] as number;
        const id = src >= 0 ? (slots[src] as number) : src === TAX_RATE_PART ? rate : type;
        key[p] = id;
        if (
          src >= 0
            ? (singles[src] as KeyCounter).pipe[id]
            : src === TAX_TYPE_PART && this.taxTypes.pipe[id]
        )
          pipe = true;
      }
      slots[FIRST_COMPOSITE + k] = pipe
        ? c.findOrAddJoined((this.entities[FIRST_COMPOSITE + k] as EntityDef).key(d))
        : c.findOrAdd();
    }
    return slots;
  }

  private cacheHsPrefixes(hc: number, chapter: number, heading: number, subheading: number): void {
    const prefixes = this.hsPrefixes;
    while (prefixes.length <= 3 * hc) prefixes.push(-1, -1, -1);
    prefixes[3 * hc] = chapter;
    prefixes[3 * hc + 1] = heading;
    prefixes[3 * hc + 2] = subheading;
  }

  private internTaxRate(rate: number): number {
    let i = this.taxRates.get(rate);
    if (i === undefined) {
      i = this.taxRateValues.length;
      this.taxRates.set(rate, i);
      this.taxRateValues.push(rate);
    }
    return i;
  }

  /** A composite key's string, as the snapshot stores it. */
  private compositeKey(c: CompositeCounter, s: number): string {
    const joined = c.joinedKeys.get(s);
    if (joined !== undefined) return joined;
    const ids = c.parts.slice(s * c.sources.length, (s + 1) * c.sources.length);
    return Array.from(c.sources, (src, p) => {
      const id = ids[p] as number;
      if (src >= 0) return (this.singles[src] as KeyCounter).keys[id] as string;
      return src === TAX_RATE_PART
        ? `${this.taxRateValues[id]}`
        : (this.taxTypes.keys[id] as string);
    }).join('|');
  }

  toJSON(): HistoryJson {
    const entities: HistoryJson['entities'] = {};
    this.entities.forEach((e, k) => {
      const c = this.counts[k] as Counts;
      const composite = this.composites[k - FIRST_COMPOSITE];
      const out: Record<string, [number, number, number, number]> = {};
      for (let i = 0; i < c.size; i++) {
        if (!c.present[i]) continue;
        const key = composite
          ? this.compositeKey(composite, i)
          : ((this.singles[k] as KeyCounter).keys[i] as string);
        out[key] = [...c.of(i)];
      }
      entities[e.name] = out;
    });
    const unitValue: HistoryJson['unitValue'] = {};
    const u = this.unitValues.data;
    const subheadings = this.singles[HS_SUBHEADING] as KeyCounter;
    for (const s of this.unitValues.order)
      unitValue[subheadings.keys[s] as string] = [
        u[4 * s] as number,
        u[4 * s + 1] as number,
        u[4 * s + 2] as number,
      ];
    const vocabularies: Record<string, string[]> = {};
    for (const [f, vocab] of this.vocabularies) vocabularies[f] = [...vocab.keys()];
    return {
      declarations: this.declarations,
      inspected: this.inspected,
      frauds: this.frauds,
      criticals: this.criticals,
      entities,
      unitValue,
      vocabularies,
    };
  }

  /** An independent copy (a cached snapshot can be advanced without changing the original). */
  clone(): History {
    const h = new History(this.config);
    h.declarations = this.declarations;
    h.inspected = this.inspected;
    h.frauds = this.frauds;
    h.criticals = this.criticals;
    const singles = this.singles.map((c) => c.copy());
    const composites = this.composites.map((c) => c.copy());
    const taxTypes = this.taxTypes.copy();
    Object.assign(h, {
      singles,
      singleIndex: singles.map((c) => c.index),
      composites,
      counts: [...singles, ...composites].map((c) => c.counts),
      taxTypes,
      hsPrefixes: this.hsPrefixes.slice(),
      unitValues: this.unitValues.copy(),
    });
    for (const [rate, i] of this.taxRates) h.taxRates.set(rate, i);
    h.taxRateValues.push(...this.taxRateValues);
    for (const [f, vocab] of this.vocabularies) {
      const to = h.vocabularies.get(f) as Map<string, number>;
      for (const [code, i] of vocab) to.set(code, i);
    }
    return h;
  }

  static fromJSON(config: FeatureConfig, json: HistoryJson): History {
    const h = new History(config);
    h.declarations = json.declarations;
    h.inspected = json.inspected;
    h.frauds = json.frauds;
    h.criticals = json.criticals;
    h.entities.forEach((e, k) => {
      const rows = json.entities[e.name];
      if (!rows)
        throw new TargetingError('MODEL_MALFORMED', `model history lacks entity ${e.name}`);
      const composite = h.composites[k - FIRST_COMPOSITE];
      for (const [key, [n, insp, f, cr]] of Object.entries(rows)) {
        const i = composite
          ? h.parseCompositeKey(composite, key)
          : (h.singles[k] as KeyCounter).intern(key, true);
        const c = h.counts[k] as Counts;
        c.data.set([n, insp, f, cr], 4 * i);
      }
    });
    // HS prefixes of the HS codes, found by their strings (missing ones stay −1: looked up).
    const codes = h.singles[HS_CODE] as KeyCounter;
    const known = (e: number, key: string) => slotOf((h.singles[e] as KeyCounter).index, key);
    codes.keys.forEach((code, hc) => {
      const chapter = known(HS_CHAPTER, code.slice(0, 2));
      const heading = known(HS_HEADING, code.slice(0, 4));
      const sub = known(HS_SUBHEADING, code.slice(0, 6));
      h.cacheHsPrefixes(hc, chapter, heading, chapter < 0 || heading < 0 ? -1 : sub);
    });
    const subheadings = h.singles[HS_SUBHEADING] as KeyCounter;
    const u = h.unitValues;
    for (const [key, [n, mean, m2]] of Object.entries(json.unitValue)) {
      const s = subheadings.intern(key, false);
      u.enter(s);
      u.data.set([n, mean, m2], 4 * s);
    }
    for (const f of CODE_FIELDS) {
      const vocab = h.vocabularies.get(f) as Map<string, number>;
      for (const v of json.vocabularies[f] ?? []) vocab.set(v, vocab.size);
    }
    return h;
  }

  /**
   * The slot for a composite key read from a snapshot: by its parts' ids when it splits into
   * clean parts that a declaration could have produced, otherwise by the joined string.
   */
  private parseCompositeKey(c: CompositeCounter, key: string): number {
    const parts = key.split('|');
    if (parts.length === c.sources.length) {
      let ok = true;
      for (let p = 0; p < parts.length && ok; p++) {
        const src = c.sources[p] as number;
        const part = parts[p] as string;
        if (src >= 0) c.key[p] = (this.singles[src] as KeyCounter).intern(part, false);
        else if (src === TAX_TYPE_PART) c.key[p] = this.taxTypes.intern(part, false);
        else {
          const rate = Number(part);
          // `${rate}` gives back exactly this string for any number a declaration carries.
          ok = `${rate}` === part;
          if (ok) c.key[p] = this.internTaxRate(rate);
        }
      }
      if (ok) return c.findOrAdd();
    }
    return c.findOrAddJoined(key);
  }
}

function slotOf<K>(index: Map<K, number>, key: K): number {
  const i = index.get(key);
  return i === undefined ? -1 : i;
}

function logUnitValue(d: Declaration): number {
  if (!(d.itemPrice > 0) || !(d.netMass > 0)) return NaN;
  return Math.log(d.itemPrice / d.netMass);
}

/**
 * Writes the label-free features of `d` (value, tax, calendar, codes, unit value against its HS
 * subheading's distribution) into `out` from `offset` = the first plain feature.
 * `hsSubheading` is the row's HS subheading slot in `history` (−1 when unknown).
 */
function writePlain(
  d: Declaration,
  history: History,
  hsSubheading: number,
  out: Float64Array,
  offset: number,
): void {
  let o = offset;
  const uv = logUnitValue(d);
  const u = history.unitValue;
  const at = 4 * hsSubheading;
  const n = hsSubheading < 0 ? 0 : (u.data[at] ?? 0);
  out[o++] = Math.log1p(d.itemPrice);
  out[o++] = Math.log1p(d.netMass);
  out[o++] = uv;
  if (n >= 2 && Number.isFinite(uv)) {
    const mean = u.data[at + 1] as number;
    // Shrink the spread towards 1 (log units) so a subheading seen twice is not over-trusted.
    const sd = Math.sqrt(((u.data[at + 2] as number) + 1) / (n - 1 + 1));
    out[o++] = (uv - mean) / sd;
    out[o++] = uv - mean;
  } else {
    out[o++] = NaN;
    out[o++] = NaN;
  }
  out[o++] = d.taxRate;
  out[o++] = Math.log1p((d.itemPrice * d.taxRate) / 100);
  const { weekday, month, dayOfMonth } = civilFromDays(d.day);
  out[o++] = weekday;
  out[o++] = month;
  out[o++] = dayOfMonth;
  out[o++] = d.departure === d.origin ? 1 : 0;
  out[o++] = d.seller === '' ? 1 : 0;
  out[o++] = d.courier === '' ? 0 : 1;
  const v = history.codeVocabularies;
  out[o++] = codeOf(v[0], d.office);
  out[o++] = codeOf(v[1], d.processType);
  out[o++] = codeOf(v[2], d.importType);
  out[o++] = codeOf(v[3], d.importUse);
  out[o++] = codeOf(v[4], d.paymentType);
  out[o++] = codeOf(v[5], d.transportMode);
  out[o++] = codeOf(v[6], d.taxType);
  out[o] = codeOf(v[7], d.originIndicator);
}

/** A code's number in its vocabulary, NaN (missing) when unseen. */
function codeOf(vocab: Map<string, number> | undefined, value: string): number {
  const code = vocab?.get(value);
  return code === undefined ? NaN : code;
}

const civil = { weekday: 0, month: 0, dayOfMonth: 0 };

/**
 * Weekday (0 = Sunday), month and day of month of a day number (days since 1970-01-01, UTC),
 * as Date's getUTCDay/getUTCMonth+1/getUTCDate give, without allocating a Date per row: the
 * proleptic Gregorian "civil_from_days" algorithm (H. Hinnant, "chrono-Compatible Low-Level
 * Date Algorithms"). Returns a shared object: read it before the next call.
 */
export function civilFromDays(day: number): { weekday: number; month: number; dayOfMonth: number } {
  const z = day + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  civil.dayOfMonth = doy - Math.floor((153 * mp + 2) / 5) + 1;
  civil.month = mp < 10 ? mp + 3 : mp - 9;
  // 1970-01-01 was a Thursday (4).
  civil.weekday = (((day + 4) % 7) + 7) % 7;
  return civil;
}

/**
 * Rows whose keys are all looked up before their counts are read: the counts of a chunk are
 * then independent loads that the processor overlaps (they mostly miss the caches: the KCS
 * train history has tens of thousands of pair keys). About 5 % faster than row by row.
 */
const ROWS_PER_CHUNK = 64;

/**
 * Features of rows `order[start..end)` (rows `start..end` when `order` is null) from `history`
 * alone (the scoring path), each at its row's place in `out`.
 */
function writeFromHistory(
  declarations: readonly Declaration[],
  order: Uint32Array | null,
  start: number,
  end: number,
  history: History,
  out: Float64Array,
  width: number,
): void {
  const m = history.config.priorStrength;
  const pf = history.priorFraud();
  const pc = history.priorCritical();
  const critical = history.config.objective === 'critical';
  const counts = history.entityCounts;
  const E = counts.length;
  const chunk = new Int32Array(ROWS_PER_CHUNK * E);
  for (let k0 = start; k0 < end; k0 += ROWS_PER_CHUNK) {
    const k1 = Math.min(end, k0 + ROWS_PER_CHUNK);
    for (let k = k0; k < k1; k++) {
      const r = order ? (order[k] as number) : k;
      history.lookup(declarations[r] as Declaration, chunk, (k - k0) * E);
    }
    for (let k = k0; k < k1; k++) {
      const r = order ? (order[k] as number) : k;
      const d = declarations[r] as Declaration;
      const base = (k - k0) * E;
      let o = r * width;
      for (let e = 0; e < E; e++) {
        const c = (counts[e] as Counts).data;
        const i = 4 * (chunk[base + e] as number);
        const n = i < 0 ? 0 : (c[i + N] as number);
        const insp = i < 0 ? 0 : (c[i + INSPECTED] as number);
        const f = i < 0 ? 0 : (c[i + FRAUD] as number);
        out[o++] = n;
        out[o++] = (f + m * pf) / (insp + m);
        if (critical) {
          const cr = i < 0 ? 0 : (c[i + CRITICAL] as number);
          out[o++] = (cr + m * pc) / (insp + m);
        }
      }
      writePlain(d, history, chunk[base + HS_SUBHEADING] as number, out, o);
    }
  }
}

function entityFeatureCount(config: FeatureConfig): number {
  return entitiesFor(config).length * (config.objective === 'critical' ? 3 : 2);
}

export interface TrainingFeatures {
  readonly matrix: FeatureMatrix;
  /** History over all training declarations, for scoring later ones. */
  readonly history: History;
}

/**
 * Features for training declarations. `oof`: each row's rates come from the other K−1 folds
 * (counts from all other rows, which carry no label). `temporal`: each row sees only rows dated
 * strictly earlier, exactly as at scoring time.
 */
export function buildTrainingFeatures(
  declarations: readonly Declaration[],
  config: FeatureConfig,
): TrainingFeatures {
  if (declarations.length === 0)
    throw new TargetingError('NO_TRAINING_DATA', 'no declarations to train on');
  const names = featureNames(config);
  const width = names.length;
  const values = new Float64Array(declarations.length * width);
  const full = new History(config);
  for (const d of declarations) full.learnCodes(d);

  if (config.trainingMode === 'temporal') {
    const order = chronological(declarations);
    let start = 0;
    while (start < order.length) {
      const day = (declarations[order[start] as number] as Declaration).day;
      let end = start;
      while (end < order.length && (declarations[order[end] as number] as Declaration).day === day)
        end++;
      writeFromHistory(declarations, order, start, end, full, values, width);
      for (let k = start; k < end; k++)
        full.add(declarations[order[k] as number] as Declaration, true);
      start = end;
    }
    return { matrix: { names, rows: declarations.length, values }, history: full };
  }

  // Out-of-fold: per-fold counters, so a row's rates exclude its own fold (and itself).
  const folds = Math.max(2, config.folds);
  const prng = new Prng(config.seed ^ 0x5eed);
  const fold = new Uint8Array(declarations.length);
  for (let i = 0; i < fold.length; i++) fold[i] = prng.int(folds);
  const perFold = Array.from({ length: folds }, () => new History(config));
  declarations.forEach((d, i) => {
    full.add(d, true);
    (perFold[fold[i] as number] as History).add(d, true);
  });
  const m = config.priorStrength;
  const critical = config.objective === 'critical';
  const entityWidth = entityFeatureCount(config);
  declarations.forEach((d, r) => {
    const own = perFold[fold[r] as number] as History;
    const inspected = full.inspected - own.inspected;
    const pf = (full.frauds - own.frauds + 1) / (inspected + 2);
    const pc = (full.criticals - own.criticals + 0.1) / (inspected + 10);
    let o = r * width;
    const fullSlots = full.lookup(d);
    const ownSlots = own.lookup(d);
    for (let e = 0; e < fullSlots.length; e++) {
      // Every row is in both histories: its own key was added to each.
      const c = full.countsOf(e).data;
      const oc = own.countsOf(e).data;
      const i = 4 * (fullSlots[e] as number);
      const j = 4 * (ownSlots[e] as number);
      const insp = (c[i + INSPECTED] as number) - (oc[j + INSPECTED] as number);
      values[o++] = (c[i + N] as number) - 1;
      values[o++] = ((c[i + FRAUD] as number) - (oc[j + FRAUD] as number) + m * pf) / (insp + m);
      if (critical)
        values[o++] =
          ((c[i + CRITICAL] as number) - (oc[j + CRITICAL] as number) + m * pc) / (insp + m);
    }
    if (o !== r * width + entityWidth) throw new Error('feature layout mismatch');
    writePlain(d, full, fullSlots[HS_SUBHEADING] as number, values, o);
  });
  return { matrix: { names, rows: declarations.length, values }, history: full };
}

export interface ScoringFeatureOptions {
  /**
   * Advance the history through the batch day by day, so a declaration sees the earlier-dated
   * ones in the batch (counts) and, with `labels`, their inspection results.
   */
  readonly online?: { readonly labels: boolean };
}

/**
 * Features for declarations to be scored, strictly from earlier-dated history. With `online`,
 * `history` is advanced (mutated) through the batch in date order.
 */
export function buildScoringFeatures(
  declarations: readonly Declaration[],
  history: History,
  options: ScoringFeatureOptions = {},
): FeatureMatrix {
  const names = featureNames(history.config);
  const width = names.length;
  const values = new Float64Array(declarations.length * width);
  if (!options.online) {
    writeFromHistory(declarations, null, 0, declarations.length, history, values, width);
    return { names, rows: declarations.length, values };
  }
  const order = chronological(declarations);
  let start = 0;
  while (start < order.length) {
    const day = (declarations[order[start] as number] as Declaration).day;
    let end = start;
    while (end < order.length && (declarations[order[end] as number] as Declaration).day === day)
      end++;
    writeFromHistory(declarations, order, start, end, history, values, width);
    for (let k = start; k < end; k++)
      history.add(declarations[order[k] as number] as Declaration, options.online.labels);
    start = end;
  }
  return { names, rows: declarations.length, values };
}

function chronological(declarations: readonly Declaration[]): Uint32Array {
  const order = Uint32Array.from(declarations.keys());
  order.sort((a, b) => (declarations[a] as Declaration).day - (declarations[b] as Declaration).day);
  return order;
}

/** Reads one feature of one row. */
export function featureValue(matrix: FeatureMatrix, row: number, feature: number): number {
  return matrix.values[row * matrix.names.length + feature] as number;
}
