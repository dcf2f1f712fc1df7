import { createReadStream } from 'node:fs';
import { readCsv } from '@interdict/core';
import { sharedData } from '@interdict/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseDeclarations, type Declaration } from './declarations';
import {
  DEFAULT_FEATURE_CONFIG,
  History,
  buildScoringFeatures,
  buildTrainingFeatures,
  featureNames,
  type FeatureConfig,
  type HistoryJson,
} from './features';
import { Prng } from './prng';
import { randomDeclarations } from './test-fixtures';

/*
 * The feature builder interns keys to integer ids and probes typed-array hash tables. This file
 * keeps the plain implementation it replaced (string keys joined with '|', one Map per entity,
 * one look-up per row and entity) as the reference: the fast path must give exactly the same
 * feature matrices (every bit, NaN included) and the same history snapshot (the model file).
 */

const hs6 = (d: Declaration): string => d.hsCode.slice(0, 6);
const REF_ENTITIES: readonly (readonly [string, (d: Declaration) => string])[] = [
  ['importer', (d) => d.importer],
  ['declarant', (d) => d.declarant],
  ['seller', (d) => d.seller],
  ['courier', (d) => d.courier],
  ['office', (d) => d.office],
  ['hsChapter', (d) => d.hsCode.slice(0, 2)],
  ['hsHeading', (d) => d.hsCode.slice(0, 4)],
  ['hsSubheading', hs6],
  ['hsCode', (d) => d.hsCode],
  ['origin', (d) => d.origin],
  ['departure', (d) => d.departure],
  ['importer×hs', (d) => `${d.importer}|${hs6(d)}`],
  ['hs×origin', (d) => `${hs6(d)}|${d.origin}`],
  ['declarant×importer', (d) => `${d.declarant}|${d.importer}`],
  ['office×hs', (d) => `${d.office}|${hs6(d)}`],
];
const REF_GROUP = [
  'groupKey',
  (d: Declaration) => `${d.hsCode}|${d.departure}|${d.origin}|${d.taxRate}|${d.taxType}`,
] as const;
/** The code fields, in feature order (`code.office`, …). */
const CODES = featureNames(DEFAULT_FEATURE_CONFIG)
  .filter((n) => n.startsWith('code.'))
  .map(
    (n) =>
      n.slice('code.'.length) as keyof Declaration &
        (
          | 'office'
          | 'processType'
          | 'importType'
          | 'importUse'
          | 'paymentType'
          | 'transportMode'
          | 'taxType'
          | 'originIndicator'
        ),
  );

type Counts = [number, number, number, number];

class RefHistory {
  readonly entities: (readonly [string, (d: Declaration) => string])[];
  readonly maps: Map<string, Counts>[];
  readonly unitValue = new Map<string, [number, number, number]>();
  readonly vocab = new Map<string, Map<string, number>>(CODES.map((f) => [f, new Map()]));
  declarations = 0;
  inspected = 0;
  frauds = 0;
  criticals = 0;

  constructor(readonly config: FeatureConfig) {
    this.entities = config.groupKey ? [...REF_ENTITIES, REF_GROUP] : [...REF_ENTITIES];
    this.maps = this.entities.map(() => new Map<string, Counts>());
  }

  add(d: Declaration, withLabel: boolean): void {
    this.declarations++;
    const labelled = withLabel && d.fraud !== null;
    const isCritical = this.config.objective === 'critical' && d.critical === 2;
    if (labelled) {
      this.inspected++;
      this.frauds += d.fraud ?? 0;
      if (isCritical) this.criticals++;
    }
    this.entities.forEach(([, key], e) => {
      const map = this.maps[e] as Map<string, Counts>;
      const k = key(d);
      let c = map.get(k);
      if (!c) map.set(k, (c = [0, 0, 0, 0]));
      c[0]++;
      if (labelled) {
        c[1]++;
        if (d.fraud === 1) c[2]++;
        if (isCritical) c[3]++;
      }
    });
    const uv = logUnitValue(d);
    if (!Number.isFinite(uv)) return;
    let s = this.unitValue.get(hs6(d));
    if (!s) this.unitValue.set(hs6(d), (s = [0, 0, 0]));
    s[0]++;
    const delta = uv - s[1];
    s[1] += delta / s[0];
    s[2] += delta * (uv - s[1]);
  }

  clone(): RefHistory {
    const h = new RefHistory(this.config);
    this.maps.forEach((map, e) => {
      for (const [k, c] of map) h.maps[e]?.set(k, [...c]);
    });
    for (const [k, s] of this.unitValue) h.unitValue.set(k, [...s]);
    for (const [f, v] of this.vocab) h.vocab.set(f, new Map(v));
    h.declarations = this.declarations;
    h.inspected = this.inspected;
    h.frauds = this.frauds;
    h.criticals = this.criticals;
    return h;
  }

  learnCodes(d: Declaration): void {
    for (const f of CODES) {
      const v = this.vocab.get(f) as Map<string, number>;
      if (!v.has(d[f])) v.set(d[f], v.size);
    }
  }

  /** The row's rates from this history alone (the scoring path). */
  row(d: Declaration): number[] {
    const m = this.config.priorStrength;
    const pf = (this.frauds + 1) / (this.inspected + 2);
    const pc = (this.criticals + 0.1) / (this.inspected + 10);
    const out: number[] = [];
    this.entities.forEach(([, key], e) => {
      const [n, insp, f, cr] = this.maps[e]?.get(key(d)) ?? [0, 0, 0, 0];
      out.push(n, (f + m * pf) / (insp + m));
      if (this.config.objective === 'critical') out.push((cr + m * pc) / (insp + m));
    });
    return [...out, ...this.plain(d)];
  }

  plain(d: Declaration): number[] {
    const uv = logUnitValue(d);
    const s = this.unitValue.get(hs6(d));
    let z = NaN;
    let diff = NaN;
    if (s && s[0] >= 2 && Number.isFinite(uv)) {
      const sd = Math.sqrt((s[2] + 1) / (s[0] - 1 + 1));
      z = (uv - s[1]) / sd;
      diff = uv - s[1];
    }
    const date = new Date(d.day * 86_400_000);
    return [
      Math.log1p(d.itemPrice),
      Math.log1p(d.netMass),
      uv,
      z,
      diff,
      d.taxRate,
      Math.log1p((d.itemPrice * d.taxRate) / 100),
      date.getUTCDay(),
      date.getUTCMonth() + 1,
      date.getUTCDate(),
      d.departure === d.origin ? 1 : 0,
      d.seller === '' ? 1 : 0,
      d.courier === '' ? 0 : 1,
      ...CODES.map((f) => this.vocab.get(f)?.get(d[f]) ?? NaN),
    ];
  }

  toJSON(): HistoryJson {
    const entities: HistoryJson['entities'] = {};
    this.entities.forEach(([name], e) => {
      entities[name] = Object.fromEntries(
        [...(this.maps[e] as Map<string, Counts>)].map(([k, c]) => [k, [...c] as Counts]),
      );
    });
    return {
      declarations: this.declarations,
      inspected: this.inspected,
      frauds: this.frauds,
      criticals: this.criticals,
      entities,
      unitValue: Object.fromEntries(
        [...this.unitValue].map(([k, s]) => [k, [...s] as [number, number, number]]),
      ),
      vocabularies: Object.fromEntries([...this.vocab].map(([f, v]) => [f, [...v.keys()]])),
    };
  }
}

function logUnitValue(d: Declaration): number {
  if (!(d.itemPrice > 0) || !(d.netMass > 0)) return NaN;
  return Math.log(d.itemPrice / d.netMass);
}

function byDay(ds: readonly Declaration[]): number[][] {
  const order = [...ds.keys()].sort(
    (a, b) => (ds[a] as Declaration).day - (ds[b] as Declaration).day,
  );
  const days: number[][] = [];
  for (const r of order) {
    const last = days[days.length - 1];
    if (last && (ds[last[0] as number] as Declaration).day === (ds[r] as Declaration).day)
      last.push(r);
    else days.push([r]);
  }
  return days;
}

function refTraining(ds: readonly Declaration[], config: FeatureConfig) {
  const full = new RefHistory(config);
  for (const d of ds) full.learnCodes(d);
  const rows: number[][] = [];
  if (config.trainingMode === 'temporal') {
    for (const day of byDay(ds)) {
      for (const r of day) rows[r] = full.row(ds[r] as Declaration);
      for (const r of day) full.add(ds[r] as Declaration, true);
    }
    return { rows, history: full };
  }
  const folds = Math.max(2, config.folds);
  const prng = new Prng(config.seed ^ 0x5eed);
  const fold = ds.map(() => prng.int(folds));
  const perFold = Array.from({ length: folds }, () => new RefHistory(config));
  ds.forEach((d, i) => {
    full.add(d, true);
    perFold[fold[i] as number]?.add(d, true);
  });
  const m = config.priorStrength;
  ds.forEach((d, r) => {
    const own = perFold[fold[r] as number] as RefHistory;
    const inspected = full.inspected - own.inspected;
    const pf = (full.frauds - own.frauds + 1) / (inspected + 2);
    const pc = (full.criticals - own.criticals + 0.1) / (inspected + 10);
    const row: number[] = [];
    full.entities.forEach(([, key], e) => {
      const [n, insp, f, cr] = full.maps[e]?.get(key(d)) as Counts;
      const [, oInsp, oF, oCr] = own.maps[e]?.get(key(d)) as Counts;
      row.push(n - 1, (f - oF + m * pf) / (insp - oInsp + m));
      if (config.objective === 'critical') row.push((cr - oCr + m * pc) / (insp - oInsp + m));
    });
    rows[r] = [...row, ...full.plain(d)];
  });
  return { rows, history: full };
}

function refScoring(ds: readonly Declaration[], history: RefHistory, online?: { labels: boolean }) {
  const rows: number[][] = [];
  if (!online) return ds.map((d) => history.row(d));
  for (const day of byDay(ds)) {
    for (const r of day) rows[r] = history.row(ds[r] as Declaration);
    for (const r of day) history.add(ds[r] as Declaration, online.labels);
  }
  return rows;
}

/** Exact comparison (Object.is: NaN equals NaN, 0 and −0 differ); the first difference, or null. */
function firstDifference(values: Float64Array, rows: number[][], names: readonly string[]) {
  const w = names.length;
  if (values.length !== rows.length * w) return `${values.length} values for ${rows.length} rows`;
  for (let r = 0; r < rows.length; r++)
    for (let f = 0; f < w; f++) {
      const a = values[r * w + f] as number;
      const b = (rows[r] as number[])[f] as number;
      if (!Object.is(a, b)) return `row ${r} ${names[f]}: ${a} instead of ${b}`;
    }
  return null;
}

const CONFIGS: readonly FeatureConfig[] = [
  DEFAULT_FEATURE_CONFIG,
  { ...DEFAULT_FEATURE_CONFIG, objective: 'critical' },
  { ...DEFAULT_FEATURE_CONFIG, groupKey: false, trainingMode: 'temporal' },
  { ...DEFAULT_FEATURE_CONFIG, objective: 'critical', trainingMode: 'temporal', priorStrength: 3 },
];

/** Checks training, scoring (plain and online) and the history snapshot against the reference. */
function expectSameAsReference(train: Declaration[], later: Declaration[], config: FeatureConfig) {
  const fast = buildTrainingFeatures(train, config);
  const ref = refTraining(train, config);
  const names = featureNames(config);
  expect(firstDifference(fast.matrix.values, ref.rows, names)).toBeNull();
  expect(JSON.stringify(fast.history.toJSON())).toBe(JSON.stringify(ref.history.toJSON()));

  expect(
    firstDifference(
      buildScoringFeatures(later, fast.history).values,
      refScoring(later, ref.history),
      names,
    ),
  ).toBeNull();

  // Advanced through part of `later` (as the API advances a model to a date), then online with
  // and without labels: same features and the same history after.
  const cut = later.filter((d) => d.day < (later[0] as Declaration).day + 20);
  const rest = later.filter((d) => d.day >= (later[0] as Declaration).day + 20);
  for (const labels of [true, false]) {
    const advanced = fast.history.clone();
    const refAdvanced = ref.history.clone();
    for (const d of cut) {
      advanced.add(d, true);
      refAdvanced.add(d, true);
    }
    expect(JSON.stringify(advanced.toJSON())).toBe(JSON.stringify(refAdvanced.toJSON()));
    const online = buildScoringFeatures(rest, advanced, { online: { labels } });
    expect(
      firstDifference(online.values, refScoring(rest, refAdvanced, { labels }), names),
    ).toBeNull();
    expect(JSON.stringify(advanced.toJSON())).toBe(JSON.stringify(refAdvanced.toJSON()));
  }
  // The original history is untouched by advancing its clones, and survives its JSON.
  expect(JSON.stringify(fast.history.toJSON())).toBe(JSON.stringify(ref.history.toJSON()));
  const parsed = History.fromJSON(
    config,
    JSON.parse(JSON.stringify(fast.history.toJSON())) as HistoryJson,
  );
  expect(
    firstDifference(
      buildScoringFeatures(later, parsed).values,
      refScoring(later, ref.history),
      names,
    ),
  ).toBeNull();
}

describe('feature builder against the plain reference implementation', () => {
  let train: Declaration[] = [];
  let valid: Declaration[] = [];
  beforeAll(async () => {
    const read = async (name: string) =>
      (
        await parseDeclarations(
          readCsv(createReadStream(sharedData('customs-synthetic', 'kcs-2023-hs6', name))),
        )
      ).declarations;
    // The first half of 2020 keeps the test quick; tens of thousands of distinct keys still.
    train = (await read('df_syn_train_eng.csv')).filter((d) => d.date < '2020-07-01');
    valid = (await read('df_syn_valid_eng.csv')).sort(
      (a, b) => a.day - b.day || (a.id < b.id ? -1 : 1),
    );
  });

  for (const config of CONFIGS)
    it(`gives the same matrices and history on KCS declarations (${config.objective}, ${config.trainingMode}, group key ${config.groupKey})`, () => {
      // Unsorted within the batch (online scoring sorts by day itself).
      const later = valid.filter((_, i) => i % 2 === 0);
      expectSameAsReference(
        train,
        [...later.slice(1000), ...later.slice(0, 1000)].sort((a, b) => a.day - b.day),
        config,
      );
    });

  it('keeps keys apart exactly as joined strings do, when codes contain the separator', () => {
    // Parties and codes with '|': "A|B" × "C" and "A" × "B|C" are one key for the reference
    // (the same joined string), so they must be one key for the fast path too.
    const pipes = (seed: number, count: number, dayOffset: number) => {
      const prng = new Prng(seed);
      const pick = <T>(xs: readonly T[]): T => xs[prng.int(xs.length)] as T;
      return randomDeclarations(seed, count, 40).map((d) => ({
        ...d,
        day: d.day + dayOffset,
        importer: pick(['I1', 'I|1', '1', 'I', '440890|1', '']),
        declarant: pick(['A', 'A|I', 'A|I|1', 'I|1']),
        office: pick(['10', '1|0', '1']),
        origin: pick(['CN', 'C|N', 'N', '']),
        departure: pick(['CN', 'C', 'C|N']),
        taxType: pick(['A', 'A|', '|A', '']),
        taxRate: pick([0, -0, 8, NaN, 0.1]),
        hsCode: pick(['440890', '440891', '690722', '4408']),
      }));
    };
    for (const config of CONFIGS)
      expectSameAsReference(pipes(21, 400, 0), pipes(22, 300, 45), config);
  });
});
