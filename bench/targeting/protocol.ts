// `npx tsx bench/targeting/protocol.ts [candidate …]`: the selection protocol for targeting
// model choices, on train (2020) alone. Rolling origin: for each month m = Jul … Dec 2020, fit
// on every declaration dated before m (early stopping on the latest 15 % of that, as in
// production), build month m's features strictly from the earlier declarations (the model's
// history snapshot, as when scoring), rank month m, and count the positives caught in its top
// n %. Hits and positives are pooled over the six months (186 critical declarations, 3,887
// frauds), so one critical declaration is 0.5 points of recall instead of 1.7 on the single
// Nov–Dec slice used before. Valid (2021Q1) is never read here.
//
// Scores per candidate and month are cached in $PROTOCOL_CACHE (default
// /tmp/interdict-targeting-protocol) so combinations can be evaluated without refitting.
import { createReadStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readCsv } from '@interdict/core';
import {
  CompiledGbdt,
  DEFAULT_GBDT_PARAMS,
  History,
  Prng,
  STANDARD_PERCENTS,
  buildScoringFeatures,
  capacityFor,
  labelFor,
  memberSeed,
  parseDeclarations,
  prepareTraining,
  rankByScore,
  trainGbdt,
  trainTargetingModel,
  type Dataset,
  type Declaration,
  type FeatureConfig,
  type GbdtParams,
  type PreparedTraining,
} from '@interdict/targeting';
import { sharedData } from '@interdict/testkit';
import { ensureXgboost, runXgboost } from './xgboost';

const MONTHS = ['2020-07', '2020-08', '2020-09', '2020-10', '2020-11', '2020-12'];
const cacheDir = process.env.PROTOCOL_CACHE ?? '/tmp/interdict-targeting-protocol';
mkdirSync(cacheDir, { recursive: true });

const train = (
  await parseDeclarations(
    readCsv(
      createReadStream(sharedData('customs-synthetic', 'kcs-2023-hs6', 'df_syn_train_eng.csv')),
    ),
    { onBadRow: 'refuse' },
  )
).declarations;

/** What a candidate sees for one month: prepared training data and the month's matrices. */
interface Month {
  readonly fit: Declaration[];
  readonly test: Declaration[];
  prepared(key: string, objective: 'fraud' | 'critical', opts?: PrepOpts): Prepared;
}
interface PrepOpts {
  readonly onlyFrauds?: boolean;
  readonly features?: Partial<Omit<FeatureConfig, 'objective'>>;
}
interface Prepared {
  readonly p: PreparedTraining;
  readonly test: Dataset;
}

function monthData(m: string): Month {
  const fit = train.filter((d) => d.date < `${m}-01`);
  const test = train.filter((d) => d.date.startsWith(m));
  const cache = new Map<string, Prepared>();
  return {
    fit,
    test,
    prepared(key, objective, opts = {}) {
      let v = cache.get(key);
      if (!v) {
        const rows = opts.onlyFrauds ? fit.filter((d) => d.fraud === 1) : fit;
        const p = prepareTraining(rows, { objective, features: opts.features ?? {} });
        // The history a trained model scores with: every (labelled) fit declaration.
        const h = new History(p.config);
        for (const d of p.labelled) h.learnCodes(d);
        for (const d of p.labelled) h.add(d, true);
        const mat = buildScoringFeatures(test, h);
        const labels = Uint8Array.from(test, (d) => labelFor(d, objective) ?? 0);
        v = {
          p,
          test: { values: mat.values, rows: mat.rows, featureCount: p.names.length, labels },
        };
        cache.set(key, v);
      }
      return v;
    },
  };
}

/** Log-odds of the test rows under a GBDT fitted with `params` (and optional soft targets). */
function fitScore(
  prep: Prepared,
  params: Partial<GbdtParams>,
  targets?: (d: Declaration) => number,
): Float64Array {
  const fit = targets
    ? { ...prep.p.fit, targets: Float64Array.from(prep.p.fitDeclarations, targets) }
    : prep.p.fit;
  const r = trainGbdt(fit, { ...DEFAULT_GBDT_PARAMS, ...params }, prep.p.holdout);
  return new CompiledGbdt(r.model).margins(prep.test.values, prep.test.rows);
}

/**
 * Early stopping, then a refit on every fit row (the early-stopping slice included, its features
 * out-of-fold like the rest) with each member's number of rounds: the latest months, the most
 * relevant and for a rare label a fifth of its positives, then shape the trees too.
 */
function refitScore(m: Month, key: string, objective: 'fraud' | 'critical', bags: number) {
  const prep = m.prepared(key, objective);
  const all = prepareTraining(m.fit, { objective, earlyStoppingFraction: 0 });
  const r = trainGbdt(prep.p.fit, { ...DEFAULT_GBDT_PARAMS, bags }, prep.p.holdout);
  const out = new Float64Array(prep.test.rows);
  r.members.forEach((member, k) => {
    const seed = memberSeed(DEFAULT_GBDT_PARAMS.seed, k);
    const model = trainGbdt(all.fit, { ...DEFAULT_GBDT_PARAMS, seed, rounds: member.bestRound });
    const s = new CompiledGbdt(model.model).margins(prep.test.values, prep.test.rows);
    s.forEach((v, i) => (out[i] = (out[i] as number) + v / bags));
  });
  return out;
}

/**
 * Recency (experiment): exponentially time-decayed counts, fraud and critical rates per key,
 * weight 2^(−Δdays / halfLife) (an exponentially weighted moving average of the outcome, as in
 * exponential smoothing; recent behaviour of a party counts more than last year's). Training rows
 * (out-of-fold, like the other rates: the other folds, weighted by |Δdays|); scored rows: the
 * history, all earlier. Appended as extra columns to the matrices.
 */
const RECENCY_KEYS: ((d: Declaration) => string)[] = [
  (d) => d.importer,
  (d) => d.declarant,
  (d) => d.seller,
  (d) => d.hsCode.slice(0, 6),
  (d) => `${d.importer}|${d.hsCode.slice(0, 6)}`,
  (d) => `${d.hsCode}|${d.departure}|${d.origin}|${d.taxRate}|${d.taxType}`,
];
const RECENCY_WIDTH = RECENCY_KEYS.length * 3;
const outcome = (d: Declaration) => [1, d.fraud === 1 ? 1 : 0, d.critical === 2 ? 1 : 0];

/** Σ_j 2^(−|t_i − t_j|/h)·v_j over all j of a day-sorted list, the row itself included. */
function twoSided(days: number[], vals: number[][], h: number): number[][] {
  const n = days.length;
  const out = vals.map(() => [0, 0, 0]);
  // Forward: rows on or before t_i's day; backward: strictly after.
  const acc = [0, 0, 0];
  let prev = NaN;
  let i = 0;
  while (i < n) {
    const day = days[i] as number;
    if (!Number.isNaN(prev)) for (let k = 0; k < 3; k++) acc[k]! *= 2 ** (-(day - prev) / h);
    let j = i;
    while (j < n && days[j] === day) {
      for (let k = 0; k < 3; k++) acc[k]! += vals[j]![k]!;
      j++;
    }
    for (let r = i; r < j; r++) for (let k = 0; k < 3; k++) out[r]![k] = acc[k]!;
    prev = day;
    i = j;
  }
  const back = [0, 0, 0];
  prev = NaN;
  i = n - 1;
  while (i >= 0) {
    const day = days[i] as number;
    if (!Number.isNaN(prev)) for (let k = 0; k < 3; k++) back[k]! *= 2 ** (-(prev - day) / h);
    let j = i;
    while (j >= 0 && days[j] === day) j--;
    for (let r = i; r > j; r--) for (let k = 0; k < 3; k++) out[r]![k]! += back[k]!;
    for (let r = i; r > j; r--) for (let k = 0; k < 3; k++) back[k]! += vals[r]![k]!;
    prev = day;
    i = j;
  }
  return out;
}

function rateColumns(sums: number[], pf: number, pc: number, out: Float64Array, o: number) {
  const M = 10;
  const [n, f, c] = sums as [number, number, number];
  out[o] = n;
  out[o + 1] = (f + M * pf) / (n + M);
  out[o + 2] = (c + M * pc) / (n + M);
}

/** Out-of-fold decayed columns for training rows (their own fold left out). */
function recencyOof(rows: readonly Declaration[], h: number): Float64Array {
  const out = new Float64Array(rows.length * RECENCY_WIDTH);
  const prng = new Prng(7);
  const fold = Int32Array.from(rows, () => prng.int(5));
  const pf = (rows.filter((d) => d.fraud === 1).length + 1) / (rows.length + 2);
  const pc = (rows.filter((d) => d.critical === 2).length + 0.1) / (rows.length + 10);
  RECENCY_KEYS.forEach((key, e) => {
    const byKey = new Map<string, number[]>();
    rows.forEach((d, r) => {
      const k = key(d);
      let l = byKey.get(k);
      if (!l) byKey.set(k, (l = []));
      l.push(r);
    });
    for (const list of byKey.values()) {
      list.sort((a, b) => (rows[a] as Declaration).day - (rows[b] as Declaration).day);
      const all = twoSided(
        list.map((r) => (rows[r] as Declaration).day),
        list.map((r) => outcome(rows[r] as Declaration)),
        h,
      );
      const own = new Map<number, number[][]>();
      for (let f = 0; f < 5; f++) {
        const sub = list.filter((r) => fold[r] === f);
        const t = twoSided(
          sub.map((r) => (rows[r] as Declaration).day),
          sub.map((r) => outcome(rows[r] as Declaration)),
          h,
        );
        sub.forEach((r, k) => own.set(r, [t[k] as number[]]));
      }
      list.forEach((r, k) => {
        const a = all[k] as number[];
        const b = (own.get(r) as number[][])[0] as number[];
        rateColumns(
          a.map((x, q) => x - (b[q] as number)),
          pf,
          pc,
          out,
          r * RECENCY_WIDTH + 3 * e,
        );
      });
    }
  });
  return out;
}

/** Decayed columns for rows scored from `history` (all dated before them). */
function recencyScored(
  rows: readonly Declaration[],
  history: readonly Declaration[],
  h: number,
): Float64Array {
  const out = new Float64Array(rows.length * RECENCY_WIDTH);
  const t0 = Math.max(...history.map((d) => d.day));
  const pf = (history.filter((d) => d.fraud === 1).length + 1) / (history.length + 2);
  const pc = (history.filter((d) => d.critical === 2).length + 0.1) / (history.length + 10);
  RECENCY_KEYS.forEach((key, e) => {
    const acc = new Map<string, number[]>();
    for (const d of history) {
      const k = key(d);
      let a = acc.get(k);
      if (!a) acc.set(k, (a = [0, 0, 0]));
      const w = 2 ** (-(t0 - d.day) / h);
      outcome(d).forEach((v, q) => (a[q]! += w * v));
    }
    rows.forEach((d, r) => {
      const a = acc.get(key(d)) ?? [0, 0, 0];
      const w = 2 ** (-(d.day - t0) / h);
      rateColumns(
        a.map((x) => x * w),
        pf,
        pc,
        out,
        r * RECENCY_WIDTH + 3 * e,
      );
    });
  });
  return out;
}

function appendColumns(ds: Dataset, extra: Float64Array, width: number): Dataset {
  const F = ds.featureCount;
  const values = new Float64Array(ds.rows * (F + width));
  for (let r = 0; r < ds.rows; r++) {
    values.set(ds.values.subarray(r * F, (r + 1) * F), r * (F + width));
    values.set(extra.subarray(r * width, (r + 1) * width), r * (F + width) + F);
  }
  return { ...ds, values, featureCount: F + width };
}

/** The bagged, refitted critical model with the recency columns appended (half-life h days). */
function recencyRefitScore(m: Month, h: number): Float64Array {
  const prep = m.prepared('c', 'critical');
  const all = prepareTraining(m.fit, { objective: 'critical', earlyStoppingFraction: 0 });
  const W = RECENCY_WIDTH;
  const fit = appendColumns(prep.p.fit, recencyOof(prep.p.fitDeclarations, h), W);
  const hold = appendColumns(
    prep.p.holdout as Dataset,
    recencyScored(prep.p.holdoutDeclarations, prep.p.fitDeclarations, h),
    W,
  );
  const test = appendColumns(prep.test, recencyScored(m.test, prep.p.labelled, h), W);
  const allFit = appendColumns(all.fit, recencyOof(all.fitDeclarations, h), W);
  const r = trainGbdt(fit, { ...DEFAULT_GBDT_PARAMS, bags: 5 }, hold);
  const out = new Float64Array(test.rows);
  r.members.forEach((member, k) => {
    const seed = memberSeed(DEFAULT_GBDT_PARAMS.seed, k);
    const model = trainGbdt(allFit, { ...DEFAULT_GBDT_PARAMS, seed, rounds: member.bestRound });
    const s = new CompiledGbdt(model.model).margins(test.values, test.rows);
    s.forEach((v, i) => (out[i] = (out[i] as number) + v / 5));
  });
  return out;
}

/**
 * Stacking (Wolpert 1992, "Stacked generalization"): the Fraud model's log-odds as one more
 * column of the critical model, strictly out-of-fold on training rows (a Fraud model fitted on
 * the other four folds scores each fold from their history), and from a Fraud model fitted on
 * every earlier row for the rows scored later.
 */
function fraudOof(rows: readonly Declaration[]): Float64Array {
  const out = new Float64Array(rows.length);
  const prng = new Prng(11);
  const fold = Int32Array.from(rows, () => prng.int(5));
  for (let f = 0; f < 5; f++) {
    const inFold = rows.filter((_, r) => fold[r] === f);
    const model = trainTargetingModel(
      rows.filter((_, r) => fold[r] !== f),
      { objective: 'fraud' },
    );
    const mat = model.features(inFold);
    const s = model.compiled.margins(mat.values, mat.rows);
    let k = 0;
    rows.forEach((_, r) => {
      if (fold[r] === f) out[r] = s[k++] as number;
    });
  }
  return out;
}

function fraudScored(rows: readonly Declaration[], history: readonly Declaration[]): Float64Array {
  const model = trainTargetingModel(history, { objective: 'fraud' });
  const mat = model.features(rows);
  return model.compiled.margins(mat.values, mat.rows);
}

function stackRefitScore(m: Month): Float64Array {
  const prep = m.prepared('c', 'critical');
  const all = prepareTraining(m.fit, { objective: 'critical', earlyStoppingFraction: 0 });
  const fit = appendColumns(prep.p.fit, fraudOof(prep.p.fitDeclarations), 1);
  const hold = appendColumns(
    prep.p.holdout as Dataset,
    fraudScored(prep.p.holdoutDeclarations, prep.p.fitDeclarations),
    1,
  );
  const test = appendColumns(prep.test, fraudScored(m.test, prep.p.labelled), 1);
  const allFit = appendColumns(all.fit, fraudOof(all.fitDeclarations), 1);
  const r = trainGbdt(fit, { ...DEFAULT_GBDT_PARAMS, bags: 5 }, hold);
  const out = new Float64Array(test.rows);
  r.members.forEach((member, k) => {
    const seed = memberSeed(DEFAULT_GBDT_PARAMS.seed, k);
    const model = trainGbdt(allFit, { ...DEFAULT_GBDT_PARAMS, seed, rounds: member.bestRound });
    const s = new CompiledGbdt(model.model).margins(test.values, test.rows);
    s.forEach((v, i) => (out[i] = (out[i] as number) + v / 5));
  });
  return out;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const REG: Partial<GbdtParams> = { minChildWeight: 5, maxLeaves: 15, lambda: 5 };

/** Normalised ranks in (0, 1]: 1 for the highest score. */
function ranks(s: ArrayLike<number>): Float64Array {
  const order = rankByScore(s);
  const out = new Float64Array(s.length);
  order.forEach((row, i) => (out[row] = 1 - i / s.length));
  return out;
}

/** XGBoost on exactly the same matrices and parameters (the reference to be ahead of). */
function xgbScore(prep: Prepared, params: Partial<GbdtParams>): Float64Array {
  ensureXgboost();
  const width = prep.p.names.length;
  const hold = prep.p.holdout as Dataset;
  const r = runXgboost(
    cacheDir,
    'xgb',
    { ...prep.p.fit, width },
    { ...hold, width },
    { ...prep.test, width },
    params,
    { throughput: false },
  );
  // Probabilities (only the ranking matters here; log-odds of a float32 1.0 would tie).
  return Float64Array.from(r.scores);
}

type Candidate = {
  objective: 'fraud' | 'critical';
  run: (m: Month, get: (name: string) => Float64Array) => Float64Array;
};
const softCritical = (alpha: number) => (d: Declaration) =>
  d.critical === 2 ? 1 : d.fraud === 1 ? alpha : 0;

const CANDIDATES: Record<string, Candidate> = {
  'xgb/fraud': { objective: 'fraud', run: (m) => xgbScore(m.prepared('f', 'fraud'), {}) },
  'xgb/critical': { objective: 'critical', run: (m) => xgbScore(m.prepared('c', 'critical'), {}) },
  'xgb/fraud-bag5': {
    objective: 'fraud',
    run: (m) => xgbScore(m.prepared('f', 'fraud'), { bags: 5 }),
  },
  'xgb/critical-bag5': {
    objective: 'critical',
    run: (m) => xgbScore(m.prepared('c', 'critical'), { bags: 5 }),
  },
  'fraud/single': { objective: 'fraud', run: (m) => fitScore(m.prepared('f', 'fraud'), {}) },
  'fraud/bag3': { objective: 'fraud', run: (m) => fitScore(m.prepared('f', 'fraud'), { bags: 3 }) },
  'fraud/bag5': { objective: 'fraud', run: (m) => fitScore(m.prepared('f', 'fraud'), { bags: 5 }) },
  'critical/single': {
    objective: 'critical',
    run: (m) => fitScore(m.prepared('c', 'critical'), {}),
  },
  'critical/bag5': {
    objective: 'critical',
    run: (m) => fitScore(m.prepared('c', 'critical'), { bags: 5 }),
  },
  'critical/reg': {
    objective: 'critical',
    run: (m) => fitScore(m.prepared('c', 'critical'), REG),
  },
  'critical/reg-bag5': {
    objective: 'critical',
    run: (m) => fitScore(m.prepared('c', 'critical'), { ...REG, bags: 5 }),
  },
  'critical/soft0.1': {
    objective: 'critical',
    run: (m) => fitScore(m.prepared('c', 'critical'), {}, softCritical(0.1)),
  },
  'critical/soft0.3': {
    objective: 'critical',
    run: (m) => fitScore(m.prepared('c', 'critical'), {}, softCritical(0.3)),
  },
  'critical/soft0.1-bag5': {
    objective: 'critical',
    run: (m) => fitScore(m.prepared('c', 'critical'), { bags: 5 }, softCritical(0.1)),
  },
  'critical/soft0.3-bag5': {
    objective: 'critical',
    run: (m) => fitScore(m.prepared('c', 'critical'), { bags: 5 }, softCritical(0.3)),
  },
  'critical/cond-reg': {
    objective: 'critical',
    run: (m) => fitScore(m.prepared('cf', 'critical', { onlyFrauds: true }), REG),
  },
  'critical/cond-reg-bag5': {
    objective: 'critical',
    run: (m) => fitScore(m.prepared('cf', 'critical', { onlyFrauds: true }), { ...REG, bags: 5 }),
  },
  // P(fraud) × P(critical | fraud), in log-odds of the product.
  'critical/product': {
    objective: 'critical',
    run: (m, get) => {
      const f = get('fraud/single');
      const c = get('critical/cond-reg');
      return Float64Array.from(f, (z, i) => Math.log(sigmoid(z) * sigmoid(c[i] as number)));
    },
  },
  'critical/product-bag5': {
    objective: 'critical',
    run: (m, get) => {
      const f = get('fraud/bag5');
      const c = get('critical/cond-reg-bag5');
      return Float64Array.from(f, (z, i) => Math.log(sigmoid(z) * sigmoid(c[i] as number)));
    },
  },
  'critical/refit-bag5': { objective: 'critical', run: (m) => refitScore(m, 'c', 'critical', 5) },
  'fraud/refit': { objective: 'fraud', run: (m) => refitScore(m, 'f', 'fraud', 1) },
  // Issue 6 (docs/benchmarks.md, "targeting"): time-decayed rates and stacking, both lost.
  'critical/recency30-refit-bag5': { objective: 'critical', run: (m) => recencyRefitScore(m, 30) },
  'critical/recency90-refit-bag5': { objective: 'critical', run: (m) => recencyRefitScore(m, 90) },
  'critical/stack-refit-bag5': { objective: 'critical', run: (m) => stackRefitScore(m) },
  // The shipped defaults through the product's own entry point (must match refit-bag5).
  'critical/defaults': {
    objective: 'critical',
    run: (m) => {
      const model = trainTargetingModel(m.fit, { objective: 'critical' });
      return model.compiled.margins(m.prepared('c', 'critical').test.values, m.test.length);
    },
  },
  'critical/bag10': {
    objective: 'critical',
    run: (m) => fitScore(m.prepared('c', 'critical'), { bags: 10 }),
  },
  'critical/lr0.05-bag5': {
    objective: 'critical',
    run: (m) => fitScore(m.prepared('c', 'critical'), { bags: 5, learningRate: 0.05 }),
  },
  'critical/auc-bag5': {
    objective: 'critical',
    run: (m) => fitScore(m.prepared('c', 'critical'), { bags: 5, earlyStoppingMetric: 'auc' }),
  },
  'critical/col0.5-bag5': {
    objective: 'critical',
    run: (m) => fitScore(m.prepared('c', 'critical'), { bags: 5, colsample: 0.5 }),
  },
  'critical/w5-bag5': {
    objective: 'critical',
    run: (m) => fitScore(m.prepared('c', 'critical'), { bags: 5, positiveWeight: 5 }),
  },
  'critical/mcw5-bag5': {
    objective: 'critical',
    run: (m) => fitScore(m.prepared('c', 'critical'), { bags: 5, minChildWeight: 5 }),
  },
  'critical/temporal-bag5': {
    objective: 'critical',
    run: (m) =>
      fitScore(m.prepared('ct', 'critical', { features: { trainingMode: 'temporal' } }), {
        bags: 5,
      }),
  },
  'critical/rankavg-bag5': {
    objective: 'critical',
    run: (m, get) => {
      const a = ranks(get('critical/bag5'));
      const b = ranks(get('critical/product-bag5'));
      return Float64Array.from(a, (x, i) => x + (b[i] as number));
    },
  },
  'critical/rankavg-soft0.1-bag5': {
    objective: 'critical',
    run: (m, get) => {
      const a = ranks(get('critical/soft0.1-bag5'));
      const b = ranks(get('critical/product-bag5'));
      return Float64Array.from(a, (x, i) => x + (b[i] as number));
    },
  },
};

const months = new Map<string, Month>();
function scores(name: string, m: string): Float64Array {
  const file = path.join(cacheDir, `${name.replace('/', '__')}__${m}.json`);
  if (existsSync(file))
    return Float64Array.from(JSON.parse(readFileSync(file, 'utf8')) as number[]);
  const c = CANDIDATES[name];
  if (!c) throw new Error(`unknown candidate ${name}`);
  let md = months.get(m);
  if (!md) {
    md = monthData(m);
    months.set(m, md);
  }
  const t0 = performance.now();
  const s = c.run(md, (other) => scores(other, m));
  console.error(`  ${name} ${m}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  writeFileSync(file, JSON.stringify(Array.from(s)));
  return s;
}

/** Pooled over the months: hits in each month's top n %, over all positives / all inspected. */
function pooled(name: string) {
  const objective = (CANDIDATES[name] as Candidate).objective;
  const hits = STANDARD_PERCENTS.map(() => 0);
  const inspected = STANDARD_PERCENTS.map(() => 0);
  let positives = 0;
  for (const m of MONTHS) {
    const test = train.filter((d) => d.date.startsWith(m));
    const labels = test.map((d) => labelFor(d, objective) ?? 0);
    const order = rankByScore(scores(name, m));
    positives += labels.filter((l) => l === 1).length;
    STANDARD_PERCENTS.forEach((n, k) => {
      const cap = capacityFor(test.length, n);
      inspected[k] = (inspected[k] as number) + cap;
      for (let i = 0; i < cap; i++)
        if (labels[order[i] as number] === 1) hits[k] = (hits[k] as number) + 1;
    });
  }
  const recall = hits.map((h) => h / positives);
  const precision = hits.map((h, k) => h / (inspected[k] as number));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return { positives, hits, recall, precision, meanR: mean(recall), meanP: mean(precision) };
}

const wanted = process.argv.slice(2).length > 0 ? process.argv.slice(2) : Object.keys(CANDIDATES);
for (const name of wanted) for (const m of MONTHS) scores(name, m);
console.log(`rolling origin over ${MONTHS.join(', ')} (fit on every earlier declaration)`);
for (const name of wanted) {
  const r = pooled(name);
  console.log(
    `${name.padEnd(32)} ${r.positives} pos  P@1/2/5/10% ${r.precision.map((x) => x.toFixed(3)).join(' ')}  R ${r.recall.map((x) => x.toFixed(3)).join(' ')}  hits ${r.hits.join('/')}  meanP ${r.meanP.toFixed(4)} meanR ${r.meanR.toFixed(4)}`,
  );
}
