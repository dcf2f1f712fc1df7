// `npm run bench -- screening [--quick]`: quality and speed of the screening matcher.
//
// Quality: name_bench P/R/F1 at 0.7 by case group and quality tier beside logic-v2's frozen
// scores on the same pairs, on two fixed halves as well as the whole; a held-out protocol of
// pairs drawn from the lists (heldout.ts; `--errors` prints the errors of its dev half only) and
// the hand-written romanization pairs; recall of the UN
// positives; share of US negatives with any hit. Speed: index build, single-query p50/p99,
// batch queries/s over worker threads (one per core).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { sharedData } from '@interdict/testkit';
import {
  ScreeningIndex,
  scoreNamePair,
  type Entity,
  type ParsedList,
  type ScreeningQuery,
} from '@interdict/screening';
import {
  fixtureQuery,
  loadListSpec,
  screenInWorkers,
} from '../../packages/cli/src/commands/screen';
import { heldOutPairs } from './heldout';

const THRESHOLD = 0.7;
const quick = process.argv.includes('--quick');
type Row = Record<string, string>;

function csv(file: string): Row[] {
  return parse<Row>(readFileSync(file), { columns: true, skip_empty_lines: true });
}

function prf(tp: number, fp: number, fn: number): { p: number; r: number; f1: number } {
  const p = tp + fp === 0 ? 1 : tp / (tp + fp);
  const r = tp + fn === 0 ? 1 : tp / (tp + fn);
  return { p, r, f1: p + r === 0 ? 0 : (2 * p * r) / (p + r) };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const f3 = (x: number) => x.toFixed(3);

async function timed<T>(fn: () => Promise<T> | T): Promise<[T, number]> {
  const t = performance.now();
  const v = await fn();
  return [v, performance.now() - t];
}

console.log(
  `screening bench — ${availableParallelism()} cores, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}${quick ? ' (quick)' : ''}`,
);

// ---- lists ------------------------------------------------------------------------------------
const W = (...p: string[]) => sharedData('watchlists', ...p);
const [[ofac2021, t2021], [ofac2024, t2024], [un, tUn]] = await Promise.all([
  timed(() => loadListSpec(`ofac:${W('ofac-sdn-2021-07-07')}`)),
  timed(() => loadListSpec(`ofac:${W('ofac-sdn-2024-05-03', 'sdn.csv')}`)),
  timed(() => loadListSpec(`un:${W('un-consolidated-2026-02', 'UN_consolidated.xml')}`)),
]);
for (const [l, t] of [
  [ofac2021, t2021],
  [ofac2024, t2024],
  [un, tUn],
] as [ParsedList, number][]) {
  console.log(
    `parsed ${l.version.id}: ${l.version.counts.entities} entities, ${l.version.counts.names} names (${t.toFixed(0)} ms, concurrent)`,
  );
}

const sets: { label: string; entities: Entity[] }[] = [
  { label: 'OFAC 2021 (with alt/add) + UN', entities: [...ofac2021.entities, ...un.entities] },
  { label: 'OFAC 2024 sdn.csv + UN', entities: [...ofac2024.entities, ...un.entities] },
];
const indexes: ScreeningIndex[] = [];
for (const set of sets) {
  const [index, ms] = await timed(() => ScreeningIndex.build(set.entities));
  indexes.push(index);
  console.log(
    `index build ${set.label}: ${ms.toFixed(0)} ms (${set.entities.length} entities, ${index.nameCount} names)`,
  );
}
const unIndex = ScreeningIndex.build(un.entities);

// ---- name_bench ---------------------------------------------------------------------------------
const NB = (f: string) => sharedData('name-matching', 'nomenklatura', f);
const cases = csv(NB('name_bench_cases.csv'));
const frozen = csv(NB('name_bench_logicv2-frozen.csv'));
const key = (r: Row) => [r.case_group, r.schema, r.name1, r.name2].join('\u0001');
const logic = new Map(frozen.map((r) => [key(r), Number(r.score)]));
// Token rarity from the lists, as `interdict screen pairs` uses by default.
const weigher = indexes[1]!.weigher;
interface Scored {
  row: Row;
  ours: number;
  theirs: number | undefined;
  half: 'A' | 'B';
}
function pairScore(p: { name1: string; name2: string; schema: string }): number {
  try {
    return scoreNamePair(p.name1, p.name2, { schema: p.schema, weigher }).score;
  } catch {
    return 0;
  }
}
const scored: Scored[] = cases.map((row) => {
  // A fixed split by content hash: half A and half B never change between runs.
  const h = createHash('sha256').update(`${row.name1}\u0001${row.name2}`).digest()[0]!;
  let ours: number;
  try {
    ours = scoreNamePair(row.name1 ?? '', row.name2 ?? '', {
      schema: row.schema ?? '',
      weigher,
    }).score;
  } catch {
    ours = 0;
  }
  return { row, ours, theirs: logic.get(key(row)), half: h % 2 === 0 ? 'A' : 'B' };
});

function table(title: string, groupOf: (s: Scored) => string): void {
  const groups = new Map<string, Scored[]>();
  for (const s of scored) {
    const g = groupOf(s);
    groups.set(g, [...(groups.get(g) ?? []), s]);
  }
  console.log(`\nname_bench by ${title} (threshold ${THRESHOLD}; logic-v2 on the pairs it scored)`);
  console.log('group               pairs   ours P / R / F1          logic-v2 P / R / F1 (n)');
  for (const [g, list] of [...groups.entries()].sort()) {
    const count = (pick: (s: Scored) => number | undefined) => {
      let tp = 0;
      let fp = 0;
      let fn = 0;
      let n = 0;
      for (const s of list) {
        const v = pick(s);
        if (v === undefined || Number.isNaN(v)) continue;
        n++;
        const pred = v >= THRESHOLD;
        const truth = s.row.is_match === 'true';
        if (pred && truth) tp++;
        else if (pred) fp++;
        else if (truth) fn++;
      }
      return { ...prf(tp, fp, fn), n };
    };
    const o = count((s) => s.ours);
    const l = count((s) => s.theirs);
    console.log(
      `${g.padEnd(18)} ${String(list.length).padStart(5)}   ${f3(o.p)} / ${f3(o.r)} / ${f3(o.f1)}    ` +
        (l.n === 0 ? 'not scored by logic-v2' : `${f3(l.p)} / ${f3(l.r)} / ${f3(l.f1)} (${l.n})`),
    );
  }
}
table('whole file and halves', () => 'all');
table('half (A, B: fixed hash split)', (s) => `half ${s.half}`);
table('case group', (s) => s.row.case_group ?? '');
table('quality tier', (s) => s.row.quality || 'MEDIUM');
const strongWrong = scored.filter(
  (s) => s.row.quality === 'STRONG' && s.ours >= THRESHOLD !== (s.row.is_match === 'true'),
);
console.log(
  `\nSTRONG cases wrong: ${strongWrong.length} of ${scored.filter((s) => s.row.quality === 'STRONG').length}`,
);
for (const s of strongWrong) {
  console.log(`  ${s.ours.toFixed(3)} ${s.row.is_match} | ${s.row.name1} | ${s.row.name2}`);
}

// ---- held-out protocol (pairs from the lists themselves, see heldout.ts) ---------------------------
const held = heldOutPairs([ofac2021, un]).map((p) => ({ ...p, ours: pairScore(p) }));
function heldRow(label: string, list: typeof held): void {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const s of list) {
    const pred = s.ours >= THRESHOLD;
    if (pred && s.isMatch) tp++;
    else if (pred) fp++;
    else if (s.isMatch) fn++;
  }
  const m = prf(tp, fp, fn);
  const right = list.filter((s) => s.ours >= THRESHOLD === s.isMatch).length;
  // Negatives alone have no precision or recall: accuracy is the figure for them.
  const scores = tp + fn === 0 ? '    —  /   —   /   —  ' : `${f3(m.p)} / ${f3(m.r)} / ${f3(m.f1)}`;
  console.log(
    `${label.padEnd(28)} ${String(list.length).padStart(6)}   ${scores}   accuracy ${f3(right / Math.max(list.length, 1))}`,
  );
}
console.log(
  `\nheld-out pairs from OFAC 2021 + UN (threshold ${THRESHOLD}; split by sha256 of entity id; only "test" is blind)`,
);
console.log('half / subset                  pairs   P / R / F1              ');
for (const half of ['dev', 'test'] as const) {
  const h = held.filter((s) => s.half === half);
  heldRow(`${half} all`, h);
  heldRow(
    `${half} persons`,
    h.filter((s) => s.schema === 'Person'),
  );
  heldRow(
    `${half} organisations, vessels`,
    h.filter((s) => s.schema !== 'Person'),
  );
  for (const kind of ['alias', 'cross-script', 'shared-surname', 'shared-given', 'shared-token']) {
    heldRow(
      `${half}   ${kind}`,
      h.filter((s) => s.kind === kind),
    );
  }
}
if (process.argv.includes('--errors')) {
  // Errors of the dev half only: the test half is never looked at.
  for (const s of held.filter((x) => x.half === 'dev' && x.ours >= THRESHOLD !== x.isMatch)) {
    console.log(`  dev error ${s.kind} ${s.ours.toFixed(3)} | ${s.name1} | ${s.name2}`);
  }
}
const written = csv(
  fileURLToPath(
    new URL('../../packages/screening/test-fixtures/romanization_pairs.csv', import.meta.url),
  ),
).map((r) => ({
  r,
  ours: pairScore({ name1: r.name1 ?? '', name2: r.name2 ?? '', schema: r.schema ?? '' }),
}));
const writtenRight = written.filter((w) => w.ours >= THRESHOLD === (w.r.is_match === 'true'));
console.log(
  `\nwritten romanization pairs (packages/screening/test-fixtures): ${writtenRight.length} of ${written.length} right`,
);
for (const w of written.filter((x) => !writtenRight.includes(x))) {
  console.log(
    `  wrong: ${w.ours.toFixed(3)} ${w.r.is_match} | ${w.r.name1} | ${w.r.name2} (${w.r.system})`,
  );
}

// ---- UN positives ---------------------------------------------------------------------------------
const FX = (f: string) => sharedData('name-matching', 'yente-screening-fixtures', f);
const norm = (s: string) => s.toLowerCase().replace(/\s+/g, ' ').trim();
const byName = new Map<string, Set<string>>();
for (const e of un.entities) {
  for (const n of e.names) {
    const k = norm(n.full);
    byName.set(k, new Set([...(byName.get(k) ?? []), e.id]));
  }
}
const positives = csv(FX('positives_un_untreated.csv'));
let first = 0;
let anyHit = 0;
let known = 0;
let firstKnown = 0;
const posLatency: number[] = [];
for (const row of positives) {
  const q = fixtureQuery(row);
  if (!q) continue;
  const t = performance.now();
  const hits = unIndex.search(q, { threshold: THRESHOLD, limit: 5 });
  posLatency.push(performance.now() - t);
  if (hits.length > 0) anyHit++;
  const truth = byName.get(norm(q.name ?? ''));
  const topIds = hits.filter((h) => h.score === hits[0]?.score).map((h) => h.entity.id);
  if (truth) {
    known++;
    if (topIds.some((id) => truth.has(id))) firstKnown++;
  }
  if (truth ? topIds.some((id) => truth.has(id)) : hits.length > 0) first++;
}
console.log(
  `\nUN positives (${positives.length}): any hit at ${THRESHOLD} ${pct(anyHit / positives.length)}; ` +
    `right entity first ${pct(firstKnown / Math.max(known, 1))} of the ${known} whose name is on the 2026-02 list; ` +
    `first-or-hit overall ${pct(first / positives.length)}`,
);

// ---- negatives and batch throughput ------------------------------------------------------------------
const negatives = csv(FX('negatives_us.csv'));
const negRows = (quick ? negatives.slice(0, 5000) : negatives).map((fields, i) => ({
  line: i + 2,
  fields,
}));
for (const [i, set] of sets.entries()) {
  let readyAt = 0;
  let cpuAtReady = process.cpuUsage();
  const start = performance.now();
  const results = await screenInWorkers(
    negRows,
    { entities: set.entities, threshold: THRESHOLD },
    availableParallelism(),
    () => undefined,
    () => {
      readyAt = performance.now();
      cpuAtReady = process.cpuUsage();
    },
  );
  const end = performance.now();
  // process.cpuUsage covers every thread of the process: the CPU time the workers spent screening.
  const cpu = process.cpuUsage(cpuAtReady);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const hits = results.filter((r) => r[1]).length;
  console.log(
    `\nnegatives_us (${negRows.length}) vs ${set.label}: ${hits} with a hit at ${THRESHOLD} = ${(100 * (hits / negRows.length)).toFixed(3)}%`,
  );
  console.log(
    `batch: ${(negRows.length / ((end - readyAt) / 1000)).toFixed(0)} queries/s on ${availableParallelism()} worker threads ` +
      `(after ${((readyAt - start) / 1000).toFixed(1)} s of worker start-up and index build); ` +
      `${(negRows.length / ((end - start) / 1000)).toFixed(0)} q/s including start-up`,
  );
  console.log(
    `batch by CPU time: ${(negRows.length / cpuSeconds).toFixed(0)} queries per CPU-second, ` +
      `i.e. ${((availableParallelism() * negRows.length) / cpuSeconds).toFixed(0)} q/s on ${availableParallelism()} idle cores`,
  );
  // Single-query latency on one thread, warm.
  const index = indexes[i]!;
  const sample: ScreeningQuery[] = negRows
    .slice(0, quick ? 1000 : 3000)
    .map((r) => fixtureQuery(r.fields))
    .filter((q): q is ScreeningQuery => !!q);
  for (const q of sample.slice(0, 200)) index.search(q, { threshold: THRESHOLD });
  const lat: number[] = [];
  const cpuLat: number[] = [];
  for (const q of sample) {
    const c0 = process.cpuUsage();
    const t = performance.now();
    index.search(q, { threshold: THRESHOLD });
    lat.push(performance.now() - t);
    const c = process.cpuUsage(c0);
    cpuLat.push((c.user + c.system) / 1000);
  }
  const pc = (arr: number[], x: number) => {
    const sorted = [...arr].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(x * sorted.length))]!;
  };
  console.log(
    `single query (one thread, ${lat.length} queries): wall p50 ${pc(lat, 0.5).toFixed(2)} ms, p99 ${pc(lat, 0.99).toFixed(2)} ms; ` +
      `CPU p50 ${pc(cpuLat, 0.5).toFixed(2)} ms, p99 ${pc(cpuLat, 0.99).toFixed(2)} ms`,
  );
}
posLatency.sort((a, b) => a - b);
console.log(
  `single query vs UN only (positives): p50 ${posLatency[Math.floor(posLatency.length / 2)]!.toFixed(2)} ms, p99 ${posLatency[Math.floor(posLatency.length * 0.99)]!.toFixed(2)} ms`,
);
console.log(
  `\nload average at the end: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
