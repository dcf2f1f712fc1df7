import { sha256Hex } from '@interdict/core';
import type { Declaration } from './declarations';
import { TargetingError } from './errors';
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
  readonly key: (d: Declaration) => string;
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
  { name: 'importer×hs', key: (d) => `${d.importer}|${hs6(d)}` },
  { name: 'hs×origin', key: (d) => `${hs6(d)}|${d.origin}` },
  { name: 'declarant×importer', key: (d) => `${d.declarant}|${d.importer}` },
  { name: 'office×hs', key: (d) => `${d.office}|${hs6(d)}` },
];
const GROUP_ENTITY: EntityDef = {
  name: 'groupKey',
  key: (d) => `${d.hsCode}|${d.departure}|${d.origin}|${d.taxRate}|${d.taxType}`,
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

/** Per-key counters: all declarations, inspected ones, frauds, critical frauds. */
class Counter {
  readonly index = new Map<string, number>();
  n: number[] = [];
  inspected: number[] = [];
  fraud: number[] = [];
  critical: number[] = [];

  slot(key: string): number {
    let i = this.index.get(key);
    if (i === undefined) {
      i = this.n.length;
      this.index.set(key, i);
      this.n.push(0);
      this.inspected.push(0);
      this.fraud.push(0);
      this.critical.push(0);
    }
    return i;
  }
}

interface UnitValueStats {
  n: number;
  mean: number;
  m2: number;
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

/**
 * Everything known about earlier declarations: per-entity counts and inspection outcomes, the
 * unit-value distribution of each HS subheading, and the code vocabularies.
 */
export class History {
  readonly config: FeatureConfig;
  readonly entities: EntityDef[];
  readonly counters: Counter[];
  readonly unitValue = new Map<string, UnitValueStats>();
  readonly vocabularies = new Map<string, Map<string, number>>();
  declarations = 0;
  inspected = 0;
  frauds = 0;
  criticals = 0;

  constructor(config: FeatureConfig) {
    this.config = config;
    this.entities = entitiesFor(config);
    this.counters = this.entities.map(() => new Counter());
    for (const f of CODE_FIELDS) this.vocabularies.set(f, new Map());
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
    for (let e = 0; e < this.entities.length; e++) {
      const counter = this.counters[e] as Counter;
      const i = counter.slot((this.entities[e] as EntityDef).key(d));
      (counter.n[i] as number)++;
      if (labelled) {
        (counter.inspected[i] as number)++;
        if (d.fraud === 1) (counter.fraud[i] as number)++;
        if (isCritical) (counter.critical[i] as number)++;
      }
    }
    this.addUnitValue(d);
  }

  /** Grows code vocabularies (training only: scoring maps unseen codes to missing). */
  learnCodes(d: Declaration): void {
    for (const f of CODE_FIELDS) {
      const vocab = this.vocabularies.get(f) as Map<string, number>;
      const v = d[f];
      if (!vocab.has(v)) vocab.set(v, vocab.size);
    }
  }

  addUnitValue(d: Declaration): void {
    const uv = logUnitValue(d);
    if (!Number.isFinite(uv)) return;
    const key = hs6(d);
    let s = this.unitValue.get(key);
    if (!s) {
      s = { n: 0, mean: 0, m2: 0 };
      this.unitValue.set(key, s);
    }
    s.n++;
    const delta = uv - s.mean;
    s.mean += delta / s.n;
    s.m2 += delta * (uv - s.mean);
  }

  priorFraud(): number {
    return (this.frauds + 1) / (this.inspected + 2);
  }

  priorCritical(): number {
    return (this.criticals + 0.1) / (this.inspected + 10);
  }

  toJSON(): HistoryJson {
    const entities: HistoryJson['entities'] = {};
    this.entities.forEach((e, k) => {
      const c = this.counters[k] as Counter;
      const out: Record<string, [number, number, number, number]> = {};
      for (const [key, i] of c.index)
        out[key] = [c.n[i] ?? 0, c.inspected[i] ?? 0, c.fraud[i] ?? 0, c.critical[i] ?? 0];
      entities[e.name] = out;
    });
    const unitValue: HistoryJson['unitValue'] = {};
    for (const [key, s] of this.unitValue) unitValue[key] = [s.n, s.mean, s.m2];
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
    this.counters.forEach((c, k) => {
      const to = h.counters[k] as Counter;
      for (const [key, i] of c.index) to.index.set(key, i);
      to.n = c.n.slice();
      to.inspected = c.inspected.slice();
      to.fraud = c.fraud.slice();
      to.critical = c.critical.slice();
    });
    for (const [key, s] of this.unitValue) h.unitValue.set(key, { ...s });
    for (const [f, vocab] of this.vocabularies) h.vocabularies.set(f, new Map(vocab));
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
      const c = h.counters[k] as Counter;
      for (const [key, [n, insp, f, cr]] of Object.entries(rows)) {
        const i = c.slot(key);
        c.n[i] = n;
        c.inspected[i] = insp;
        c.fraud[i] = f;
        c.critical[i] = cr;
      }
    });
    for (const [key, [n, mean, m2]] of Object.entries(json.unitValue))
      h.unitValue.set(key, { n, mean, m2 });
    for (const f of CODE_FIELDS) {
      const vocab = h.vocabularies.get(f) as Map<string, number>;
      for (const v of json.vocabularies[f] ?? []) vocab.set(v, vocab.size);
    }
    return h;
  }
}

function logUnitValue(d: Declaration): number {
  if (!(d.itemPrice > 0) || !(d.netMass > 0)) return NaN;
  return Math.log(d.itemPrice / d.netMass);
}

/**
 * Writes the label-free features of `d` (value, tax, calendar, codes, unit value against its HS
 * subheading's distribution) into `out` from `offset` = the first plain feature.
 */
function writePlain(d: Declaration, history: History, out: Float64Array, offset: number): void {
  let o = offset;
  const uv = logUnitValue(d);
  const s = history.unitValue.get(hs6(d));
  out[o++] = Math.log1p(d.itemPrice);
  out[o++] = Math.log1p(d.netMass);
  out[o++] = uv;
  if (s && s.n >= 2 && Number.isFinite(uv)) {
    // Shrink the spread towards 1 (log units) so a subheading seen twice is not over-trusted.
    const sd = Math.sqrt((s.m2 + 1) / (s.n - 1 + 1));
    out[o++] = (uv - s.mean) / sd;
    out[o++] = uv - s.mean;
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
  for (const f of CODE_FIELDS) {
    const code = history.vocabularies.get(f)?.get(d[f]);
    out[o++] = code === undefined ? NaN : code;
  }
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

/** Features of `d` from `history` alone (the scoring path). */
function writeFromHistory(d: Declaration, history: History, out: Float64Array, base: number): void {
  const m = history.config.priorStrength;
  const pf = history.priorFraud();
  const pc = history.priorCritical();
  const critical = history.config.objective === 'critical';
  let o = base;
  for (let e = 0; e < history.entities.length; e++) {
    const c = history.counters[e] as Counter;
    const i = c.index.get((history.entities[e] as EntityDef).key(d));
    const n = i === undefined ? 0 : (c.n[i] as number);
    const insp = i === undefined ? 0 : (c.inspected[i] as number);
    const f = i === undefined ? 0 : (c.fraud[i] as number);
    out[o++] = n;
    out[o++] = (f + m * pf) / (insp + m);
    if (critical) {
      const cr = i === undefined ? 0 : (c.critical[i] as number);
      out[o++] = (cr + m * pc) / (insp + m);
    }
  }
  writePlain(d, history, out, o);
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
      for (let k = start; k < end; k++) {
        const r = order[k] as number;
        writeFromHistory(declarations[r] as Declaration, full, values, r * width);
      }
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
  const entities = full.entities;
  const entityWidth = entityFeatureCount(config);
  declarations.forEach((d, r) => {
    const own = perFold[fold[r] as number] as History;
    const inspected = full.inspected - own.inspected;
    const pf = (full.frauds - own.frauds + 1) / (inspected + 2);
    const pc = (full.criticals - own.criticals + 0.1) / (inspected + 10);
    let o = r * width;
    for (let e = 0; e < entities.length; e++) {
      const key = (entities[e] as EntityDef).key(d);
      const c = full.counters[e] as Counter;
      const oc = own.counters[e] as Counter;
      const i = c.index.get(key) as number;
      const j = oc.index.get(key) as number;
      const insp = (c.inspected[i] as number) - (oc.inspected[j] as number);
      values[o++] = (c.n[i] as number) - 1;
      values[o++] = ((c.fraud[i] as number) - (oc.fraud[j] as number) + m * pf) / (insp + m);
      if (critical)
        values[o++] =
          ((c.critical[i] as number) - (oc.critical[j] as number) + m * pc) / (insp + m);
    }
    if (o !== r * width + entityWidth) throw new Error('feature layout mismatch');
    writePlain(d, full, values, o);
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
    declarations.forEach((d, r) => writeFromHistory(d, history, values, r * width));
    return { names, rows: declarations.length, values };
  }
  const order = chronological(declarations);
  let start = 0;
  while (start < order.length) {
    const day = (declarations[order[start] as number] as Declaration).day;
    let end = start;
    while (end < order.length && (declarations[order[end] as number] as Declaration).day === day)
      end++;
    for (let k = start; k < end; k++) {
      const r = order[k] as number;
      writeFromHistory(declarations[r] as Declaration, history, values, r * width);
    }
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
