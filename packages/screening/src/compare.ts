import { consonantSkeleton, type AnalysedName, type NameStyle, type NameToken } from './normalize';
import { jaroWinkler, osaDistance } from './distance';

/**
 * Name-to-name comparison by token alignment (the approach of OpenSanctions logic-v2 and of
 * Christen, "Data Matching" (2012) §5.10 on multi-part names):
 *
 * - candidate pairs between one token and a run of up to three adjacent tokens on the other side
 *   (so "SergeiLavrov" ~ "Sergei Lavrov", "abd al" ~ "abdul", "jc" ~ "jean claude");
 * - each token is used at most once; pairs are taken best first (greedy assignment);
 * - what is left unaligned costs its weight: in full on the side with fewer name parts, and only
 *   a fraction on the longer side, because lists carry patronymics and middle names that a
 *   query leaves out. The rule is the same whichever side is called the query, so the score is
 *   symmetric;
 * - weights favour rare tokens (IDF from the lists) over common ones and particles.
 */
export type AlignmentKind =
  'exact' | 'edit' | 'phonetic' | 'skeleton' | 'initial' | 'joined' | 'abbreviation';

export interface TokenAlignment {
  readonly query: string;
  readonly candidate: string;
  readonly how: AlignmentKind;
  readonly similarity: number;
  readonly weight: number;
}

export interface NameComparison {
  readonly score: number;
  readonly aligned: readonly TokenAlignment[];
  readonly unmatchedQuery: readonly string[];
  readonly unmatchedCandidate: readonly string[];
  /** Why the score was capped or reduced beyond the alignment itself. */
  readonly notes: readonly string[];
}

/** Weight of a token in [0, 1]; the default ignores rarity. */
export type TokenWeigher = (token: NameToken) => number;

export const KIND_WEIGHT = {
  word: 1,
  number: 1,
  initial: 0.5,
  stop: 0.25,
  legal: 0.2,
} as const;

export const defaultWeigher: TokenWeigher = (t) => KIND_WEIGHT[t.kind];

export interface CompareOptions {
  readonly weigher?: TokenWeigher;
  readonly style?: NameStyle;
}

/** Share of an unaligned token's weight charged on the longer side. */
const LONGER_SIDE_COST: Record<NameStyle, number> = { person: 0.25, organization: 0.4, any: 0.3 };

/** Edits allowed for a string of this length (logic-v2 allows about one per four letters). */
function allowedEdits(length: number): number {
  if (length <= 3) return 0;
  if (length <= 5) return 1;
  if (length <= 8) return 2;
  return 3;
}

interface Sim {
  readonly similarity: number;
  readonly how: AlignmentKind;
}

const NONE: Sim = { similarity: 0, how: 'edit' };

/** Similarity of two strings that stand for one name part each. */
function textSimilarity(a: string, b: string, slack = 0): Sim {
  if (a === b) return { similarity: 1, how: 'exact' };
  const longest = Math.max(a.length, b.length);
  const allowed = Math.max(0, allowedEdits(longest) + slack);
  const d = osaDistance(a, b, allowed);
  if (d <= allowed) return { similarity: 1 - d / longest, how: 'edit' };
  return NONE;
}

function phoneticMatch(a: NameToken, b: NameToken): boolean {
  if (a.phonetic.length === 0 || b.phonetic.length === 0) return false;
  // Codes alone are coarse ("brito" and "bhardwaj" share one): the spellings must also be close.
  if (Math.abs(a.text.length - b.text.length) > 2 || Math.min(a.text.length, b.text.length) < 3) {
    return false;
  }
  if (jaroWinkler(a.text, b.text) < 0.75) return false;
  for (const x of a.phonetic) if (b.phonetic.includes(x)) return true;
  return false;
}

function tokenSimilarity(a: NameToken, b: NameToken): Sim {
  if (a.cjk !== undefined && b.cjk !== undefined) {
    // Same-script ideographs: one different character is a different name.
    return a.cjk === b.cjk ? { similarity: 1, how: 'exact' } : NONE;
  }
  if (a.text === b.text) return { similarity: 1, how: 'exact' };
  if (a.kind === 'number' || b.kind === 'number') return NONE;
  if (a.kind === 'legal' || b.kind === 'legal') return NONE;
  if (a.acronym || b.acronym) return NONE;
  if (a.kind === 'initial' || b.kind === 'initial') {
    const [short, long] = a.text.length <= b.text.length ? [a, b] : [b, a];
    if (short.kind === 'initial' && long.text.startsWith(short.text)) {
      return { similarity: 0.9, how: 'initial' };
    }
    return NONE;
  }
  // Two abjad spellings already write the long vowels: hold them to one edit fewer.
  let best =
    a.abjad && b.abjad ? textSimilarity(a.text, b.text, -1) : textSimilarity(a.text, b.text);
  if (a.abjad !== b.abjad) {
    // Abjad scripts leave short vowels unwritten: compare consonant skeletons.
    const s = a.skeleton;
    const t = b.skeleton;
    if (s.length >= 1 && s === t) best = maxSim(best, { similarity: 0.9, how: 'skeleton' });
    else if (Math.min(s.length, t.length) >= 3) {
      const d = osaDistance(s, t, 1);
      if (d <= 1) best = maxSim(best, { similarity: 0.8, how: 'skeleton' });
    }
  }
  if (best.similarity < 0.8 && phoneticMatch(a, b)) {
    best = { similarity: 0.8, how: 'phonetic' };
  }
  return best;
}

function maxSim(a: Sim, b: Sim): Sim {
  return b.similarity > a.similarity ? b : a;
}

interface Candidate {
  readonly a: readonly number[];
  readonly b: readonly number[];
  readonly sim: Sim;
  readonly weight: number;
}

function spanText(tokens: readonly NameToken[], idx: readonly number[]): string {
  return idx.map((i) => tokens[i]!.text).join('');
}

const spanCache = new Map<number, number[][]>();

/** Runs of 2..max adjacent positions in a name of n tokens (cached: names are short). */
function spans(n: number, max: number): number[][] {
  const key = n * 16 + max;
  const cached = spanCache.get(key);
  if (cached) return cached;
  const out: number[][] = [];
  for (let len = 2; len <= max; len++) {
    for (let i = 0; i + len <= n; i++) out.push(Array.from({ length: len }, (_, k) => i + k));
  }
  if (n < 64) spanCache.set(key, out);
  return out;
}

function meanWeight(tokens: readonly NameToken[], idx: readonly number[], w: TokenWeigher): number {
  let best = 0;
  for (const i of idx) best = Math.max(best, w(tokens[i]!));
  return best;
}

/** Compare the tokens of a run on one side with a single token on the other. */
function spanSimilarity(
  run: readonly NameToken[],
  runIdx: readonly number[],
  single: NameToken,
): Sim {
  if (single.kind === 'number' || single.kind === 'legal' || single.cjk !== undefined) return NONE;
  const parts = runIdx.map((i) => run[i]!);
  if (parts.some((p) => p.kind === 'number' || p.cjk !== undefined)) return NONE;
  const joined = parts.map((p) => p.text).join('');
  if (joined === single.text) return { similarity: 1, how: 'joined' };
  if (parts.some((p) => p.kind === 'legal')) return NONE;
  // An abbreviation made of the parts' initials ("jc" ~ "jean claude", "pla" ~ people's liberation army).
  if (single.text.length === parts.length && parts.every((p, k) => p.text[0] === single.text[k])) {
    return { similarity: 0.9, how: 'abbreviation' };
  }
  if (parts.every((p) => p.kind === 'initial')) return NONE;
  if (parts.some((p) => p.abjad) !== single.abjad) {
    // "عبد ال" + … against "Abdul": compare consonant skeletons of the joined run.
    const skeleton = consonantSkeleton(joined);
    if (skeleton.length >= 2 && skeleton === single.skeleton) {
      return { similarity: 0.9, how: 'skeleton' };
    }
  }
  const sim = textSimilarity(joined, single.text);
  return sim.similarity > 0 ? { similarity: sim.similarity, how: 'joined' } : NONE;
}

/** Compare two analysed names; the result's score is in [0, 1] and explained. */
export function compareNames(
  query: AnalysedName,
  candidate: AnalysedName,
  options: CompareOptions = {},
): NameComparison {
  const weigher = options.weigher ?? defaultWeigher;
  const A = query.tokens;
  const B = candidate.tokens;
  if (A.length === 0 || B.length === 0) {
    return {
      score: 0,
      aligned: [],
      unmatchedQuery: A.map((t) => t.text),
      unmatchedCandidate: B.map((t) => t.text),
      notes: ['a name has no comparable tokens'],
    };
  }
  const candidates: Candidate[] = [];
  const wA = A.map(weigher);
  const wB = B.map(weigher);
  for (let i = 0; i < A.length; i++) {
    for (let j = 0; j < B.length; j++) {
      const sim = tokenSimilarity(A[i]!, B[j]!);
      if (sim.similarity > 0) {
        const weight =
          sim.how === 'initial'
            ? KIND_WEIGHT.initial * Math.max(wA[i]!, wB[j]!)
            : (wA[i]! + wB[j]!) / 2;
        candidates.push({ a: [i], b: [j], sim, weight });
      }
    }
  }
  if (A.length > 1 || B.length > 1) {
    for (const run of spans(A.length, 3)) {
      const joinedLen = spanText(A, run).length;
      for (let j = 0; j < B.length; j++) {
        const single = B[j]!;
        if (Math.abs(joinedLen - single.text.length) > 3 && single.text.length !== run.length)
          continue;
        const sim = spanSimilarity(A, run, single);
        if (sim.similarity > 0) {
          const weight = (meanWeight(A, run, weigher) + wB[j]!) / 2;
          candidates.push({
            a: run,
            b: [j],
            sim,
            weight: weight * (sim.how === 'abbreviation' ? 0.5 : 1),
          });
        }
      }
    }
    for (const run of spans(B.length, 3)) {
      const joinedLen = spanText(B, run).length;
      for (let i = 0; i < A.length; i++) {
        const single = A[i]!;
        if (Math.abs(joinedLen - single.text.length) > 3 && single.text.length !== run.length)
          continue;
        const sim = spanSimilarity(B, run, single);
        if (sim.similarity > 0) {
          const weight = (meanWeight(B, run, weigher) + wA[i]!) / 2;
          candidates.push({
            a: [i],
            b: run,
            sim,
            weight: weight * (sim.how === 'abbreviation' ? 0.5 : 1),
          });
        }
      }
    }
  }
  // Best first; among equals prefer pairs covering more tokens, then heavier ones.
  candidates.sort(
    (x, y) =>
      y.sim.similarity - x.sim.similarity ||
      y.a.length + y.b.length - (x.a.length + x.b.length) ||
      y.weight - x.weight,
  );
  const usedA = new Array<boolean>(A.length).fill(false);
  const usedB = new Array<boolean>(B.length).fill(false);
  const aligned: TokenAlignment[] = [];
  let matchedWeight = 0;
  let matchedScore = 0;
  let strongMatch = false;
  for (const c of candidates) {
    if (c.a.some((i) => usedA[i]) || c.b.some((j) => usedB[j])) continue;
    for (const i of c.a) usedA[i] = true;
    for (const j of c.b) usedB[j] = true;
    aligned.push({
      query: c.a.map((i) => A[i]!.text).join(' '),
      candidate: c.b.map((j) => B[j]!.text).join(' '),
      how: c.sim.how,
      similarity: round(c.sim.similarity),
      weight: round(c.weight),
    });
    matchedWeight += c.weight;
    matchedScore += c.weight * c.sim.similarity;
    const kinds = [...c.a.map((i) => A[i]!.kind), ...c.b.map((j) => B[j]!.kind)];
    if (kinds.some((k) => k === 'word' || k === 'number') && c.sim.how !== 'initial') {
      strongMatch = true;
    }
  }
  const style = options.style ?? 'any';
  const partsA = A.filter((t) => t.kind !== 'legal' && t.kind !== 'stop').length;
  const partsB = B.filter((t) => t.kind !== 'legal' && t.kind !== 'stop').length;
  const costA = partsA > partsB ? LONGER_SIDE_COST[style] : 1;
  const costB = partsB > partsA ? LONGER_SIDE_COST[style] : 1;
  const unmatchedQuery: string[] = [];
  const unmatchedCandidate: string[] = [];
  const leftA: number[] = [];
  const leftB: number[] = [];
  A.forEach((t, i) => {
    if (usedA[i]) return;
    unmatchedQuery.push(t.text);
    leftA.push(wA[i]!);
  });
  B.forEach((t, j) => {
    if (usedB[j]) return;
    unmatchedCandidate.push(t.text);
    leftB.push(wB[j]!);
  });
  // A part left over on both sides is a contradiction (two different given names), charged in
  // full on both; what the longer name has beyond that is an omission, charged at a fraction.
  const conflicts = Math.min(leftA.length, leftB.length);
  const charge = (left: number[], cost: number): number => {
    left.sort((x, y) => y - x);
    let sum = 0;
    left.forEach((w, k) => {
      sum += w * (k < conflicts ? 1 : cost);
    });
    return sum;
  };
  const penalty = charge(leftA, costA) + charge(leftB, costB);
  const notes: string[] = [];
  let score = matchedWeight > 0 ? matchedScore / (matchedWeight + penalty) : 0;
  if (!strongMatch && score > 0.5) {
    score = 0.5;
    notes.push('only initials, particles or legal forms aligned: capped at 0.5');
  }
  return { score: clamp01(score), aligned, unmatchedQuery, unmatchedCandidate, notes };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

export function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}
