import {
  consonantSkeleton,
  legalClass,
  type AnalysedName,
  type NameStyle,
  type NameToken,
} from './normalize';
import { jaroWinkler, osaDistance } from './distance';
import { isNickname } from './nicknames';
import { mayStartAlike, unitsEquivalent, wadeGilesJoinedReadings } from './romanization';

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
  | 'exact'
  | 'edit'
  | 'phonetic'
  | 'skeleton'
  | 'initial'
  | 'joined'
  | 'nickname'
  | 'abbreviation'
  | 'romanization'
  | 'legal-form'
  | 'truncation'
  | 'derived'
  | 'acronym';

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
  /** Descriptive words of organisation names ("trading", "group"): see normalize.ts. */
  generic: 0.35,
} as const;

export const defaultWeigher: TokenWeigher = (t) => KIND_WEIGHT[t.kind];

export interface CompareOptions {
  readonly weigher?: TokenWeigher;
  readonly style?: NameStyle;
  /**
   * The weigher's weights of the query's and the candidate's tokens, when the caller has them
   * already (the index keeps them per indexed name, computed once at build time).
   */
  readonly queryWeights?: readonly number[];
  readonly candidateWeights?: readonly number[];
  /**
   * Below this score the comparison is not explained (aligned parts, leftovers and notes are
   * left empty): a screening search drops such candidates anyway, and building the explanation
   * of every candidate was a good share of a query's cost.
   */
  readonly explainFrom?: number;
}

/** Share of an unaligned token's weight charged on the longer side. */
const LONGER_SIDE_COST: Record<NameStyle, number> = { person: 0.25, organization: 0.2, any: 0.3 };

interface Left {
  readonly weight: number;
  /** The kind weight, before rarity. */
  readonly base: number;
  /** `generic`: a descriptive word of an organisation name ("group", "trading"). */
  readonly kind: 'part' | 'legal' | 'stop' | 'generic' | 'married';
  /** A father's or grandfather's name (after bin, ibn, ben, ould). */
  readonly lineage: boolean;
}

/**
 * Arabic names chain the father's and grandfather's names after bin/ibn/ben/ould (the nasab);
 * lists and documents shorten the chain freely ("Mounir ben Dhaou ben Brahim ben Helal" /
 * "Mounir Helal"), so an omitted ancestor's name costs half an omitted name. A contradiction
 * (a different father's name on both sides) is still charged in full.
 */
const LINEAGE_OMISSION_FACTOR = 0.5;

/** The part follows bin/ibn/ben/ould, with or without an article between ("bin al-Habib"). */
function afterBin(tokens: readonly NameToken[], i: number): boolean {
  let k = i - 1;
  if (k >= 0 && tokens[k]!.kind === 'stop' && tokens[k]!.text === 'al') k--;
  return k >= 0 && tokens[k]!.kind === 'stop' && tokens[k]!.text === 'bin';
}

const lineage = afterBin;

/**
 * Spanish and Portuguese usage: a married woman may replace her second surname with "de" and her
 * husband's surname ("María Cardona Martínez" → "María Cardona de Ibarra"). A part after "de" in
 * a person's name is therefore not a contradiction of the other name's second surname; it costs
 * what an omitted part costs.
 */
function marriedSurname(tokens: readonly NameToken[], i: number): boolean {
  const prev = tokens[i - 1];
  if (prev === undefined || prev.kind !== 'stop' || prev.text !== 'de' || i < 2) return false;
  // Given name, first surname, "de" and the husband's surname: at least three parts. With two
  // ("Bart De Vries") "De" belongs to the surname (Dutch, Flemish, French usage).
  let parts = 0;
  for (const t of tokens) if (t.kind === 'word') parts++;
  return parts >= 3;
}

const leftKind = (t: NameToken): Left['kind'] =>
  t.kind === 'stop'
    ? 'stop'
    : t.kind === 'legal'
      ? 'legal'
      : t.kind === 'generic'
        ? 'generic'
        : 'part';

/** Below an exact spelling, above a typing error (edit distance) or a phonetic-code match. */
const ROMANIZATION_SIMILARITY = 0.9;

/** Salman bin Muhammad against Muhammad bin Salman: below any sensible threshold. */
const ROLE_CONFLICT_FACTOR = 0.6;

function countKind(left: readonly Left[], kind: Left['kind']): number {
  let n = 0;
  for (const l of left) if (l.kind === kind) n++;
  return n;
}

/**
 * What the parts left over on one side cost: the first `partConflicts` name parts and
 * `legalConflicts` legal forms (heaviest first) are contradictions, charged at their kind
 * weight; the rest are omissions, charged at `cost` of their weight (half that for an
 * ancestor's name).
 */
function charge(
  left: Left[],
  cost: number,
  partConflicts: number,
  legalConflicts: number,
  genericCost: number,
  genericConflicts: number,
): number {
  if (left.length > 1) left.sort((x, y) => y.base - x.base || y.weight - x.weight);
  let parts = 0;
  let legal = 0;
  let generic = 0;
  let sum = 0;
  for (const l of left) {
    const conflict =
      (l.kind === 'part' && parts++ < partConflicts) ||
      (l.kind === 'legal' && legal++ < legalConflicts) ||
      (l.kind === 'generic' && generic++ < genericConflicts);
    sum += conflict
      ? l.base
      : l.kind === 'generic' || l.kind === 'married'
        ? l.weight * genericCost
        : l.weight * cost * (l.lineage ? LINEAGE_OMISSION_FACTOR : 1);
  }
  return sum;
}

const isPart = (t: NameToken): boolean => t.kind !== 'stop' && t.kind !== 'legal';

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

/**
 * Adjective and noun of one name in organisation names: "Palestine" / "Palestinian", "Korea" /
 * "Korean", "Islamic" / "Islami" / "Islamiyya" (the Arabic nisba suffix -i, -iyya, and the
 * English -ic, -an, -ian, -ese). Both words must keep a stem of five letters or more after the
 * suffix is taken off.
 */
const DERIVED_SUFFIX = /(?:iyyah|iyya|iyah|iya|ians?|eans?|ans?|ese|ic|i|e|a|n)$/;
function derivedStem(text: string): string {
  const stem = text.replace(DERIVED_SUFFIX, '');
  return stem.length >= 5 ? stem : text;
}
function sameStem(a: string, b: string): boolean {
  if (a.length < 5 || b.length < 5 || a[0] !== b[0] || a[1] !== b[1]) return false;
  const x = derivedStem(a);
  return x !== a || derivedStem(b) !== b ? x === derivedStem(b) : false;
}

/**
 * Hanyu Pinyin syllables (ISO 7098:2015, table of syllables): an initial and a final. A word
 * splits into exactly two of them only in one way for the forms tested here (the final's nasal
 * or vowel is given to the first syllable when the rest still starts with an initial).
 */
const PINYIN_TWO =
  /^((?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])(?:iang|iong|uang|ang|eng|ing|ong|ian|iao|uai|uan|ai|ao|an|ei|en|ia|ie|in|iu|ou|ua|uo|ui|un|ue|a|e|i|o|u))((?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])(?:iang|iong|uang|ang|eng|ing|ong|ian|iao|uai|uan|ai|ao|an|ei|en|ia|ie|in|iu|ou|ua|uo|ui|un|ue|a|e|i|o|u))$/;
function differentSecondSyllable(a: string, b: string): boolean {
  if (a.length > 9 || b.length > 9 || a.length < 4 || b.length < 4) return false;
  const x = PINYIN_TWO.exec(a);
  if (!x) return false;
  const y = PINYIN_TWO.exec(b);
  return !!y && x[1] === y[1] && x[2]![0] !== y[2]![0];
}

const PINYIN_ONE =
  /^(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?(?:iang|iong|uang|ang|eng|ing|ong|ian|iao|uai|uan|ai|ao|an|ei|en|ia|ie|in|iu|ou|ua|uo|ui|un|ue|a|e|i|o|u)$/;
const chineseCache = new WeakMap<readonly NameToken[], boolean>();

/**
 * A name in the shape of a Chinese name in pinyin: every part one or two syllables, one of them
 * a single syllable (the family name), at most three parts ("Chen Mingguo", "Zheng Guang Hua").
 */
function chineseShape(tokens: readonly NameToken[]): boolean {
  const cached = chineseCache.get(tokens);
  if (cached !== undefined) return cached;
  let one = false;
  let ok = tokens.length <= 3;
  for (const t of tokens) {
    if (!ok) break;
    if (t.kind !== 'word' || t.abjad) ok = false;
    else if (PINYIN_ONE.test(t.text)) one = true;
    else if (!PINYIN_TWO.test(t.text)) ok = false;
  }
  const out = ok && one;
  chineseCache.set(tokens, out);
  return out;
}

function tokenSimilarity(a: NameToken, b: NameToken, org = false, chinese = false): Sim {
  if (a.cjk !== undefined && b.cjk !== undefined) {
    // Same-script ideographs: one different character is a different name.
    return a.cjk === b.cjk ? { similarity: 1, how: 'exact' } : NONE;
  }
  if (a.text === b.text) return { similarity: 1, how: 'exact' };
  if (a.kind === 'number' || b.kind === 'number') return NONE;
  if (a.kind === 'legal' || b.kind === 'legal') {
    // One legal form in two languages or abbreviations (OOO / Ltd, S.A. / AG): see LEGAL_CLASS.
    return a.kind === b.kind && legalClass(a.text) === legalClass(b.text)
      ? { similarity: 1, how: 'legal-form' }
      : NONE;
  }
  if (a.acronym || b.acronym) return NONE;
  if (a.kind === 'generic' || b.kind === 'generic') {
    // A descriptive word cut short ("Serv", "Trans", "Invest", "Bro." for "Services",
    // "Transportation", "Investment", "Brothers"): a prefix of three letters or more.
    const [short, long] = a.text.length <= b.text.length ? [a, b] : [b, a];
    if (
      long.kind === 'generic' &&
      short.text.length >= 3 &&
      short.text.length < long.text.length &&
      long.text.startsWith(short.text)
    ) {
      return { similarity: 0.9, how: 'truncation' };
    }
  }
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
    else if (s.length >= 2 && crossScriptFold(s) === crossScriptFold(t)) {
      best = maxSim(best, { similarity: 0.8, how: 'skeleton' });
    } else if (Math.min(s.length, t.length) >= 3) {
      const d = osaDistance(s, t, 1);
      if (d <= 1) best = maxSim(best, { similarity: 0.8, how: 'skeleton' });
    }
  }
  // Two pinyin given names of two syllables that share the first and differ in the second are
  // two names ("Mingguo" / "Mingfu"): each syllable is a character, as with ideographs.
  if (
    chinese &&
    best.similarity > 0 &&
    best.how === 'edit' &&
    differentSecondSyllable(a.text, b.text)
  ) {
    best = NONE;
  }
  // Spellings of one name under different romanization systems ("Qadhafi" / "Gaddafi").
  if (best.similarity < ROMANIZATION_SIMILARITY && romanizationVariant(a, b)) {
    best = { similarity: ROMANIZATION_SIMILARITY, how: 'romanization' };
  }
  if (best.similarity < 0.8 && isNickname(a.text, b.text)) {
    return { similarity: 0.8, how: 'nickname' };
  }
  if (best.similarity < 0.8 && phoneticMatch(a, b)) {
    best = { similarity: 0.8, how: 'phonetic' };
  }
  if (org && best.similarity < 0.8 && !a.abjad && !b.abjad && sameStem(a.text, b.text)) {
    best = { similarity: 0.8, how: 'derived' };
  }
  return best;
}

/**
 * Arabic letters whose Latin spellings vary by country and language: ذ ظ ض are written d, dh, z
 * or th ("Kadhim", "Kathim", "Kazim"; "Ramadan", "Ramazan"), ق q, k or g ("Tareq", "Tarek"),
 * غ gh or g (ALA-LC, and the Persian and Urdu readings of these letters as z).
 */
function crossScriptFold(skeleton: string): string {
  return skeleton
    .replace(/dh|th|z|d/g, 'D')
    .replace(/q/g, 'k')
    .replace(/gh/g, 'g');
}

/**
 * One name part in two romanization systems: Wade–Giles and pinyin, McCune–Reischauer and
 * Revised Romanization (Hangul is read in RR), or the Arabic and Cyrillic spelling classes. The
 * last apply to Latin-script input only: ideographs read in pinyin are not Arabic or Russian
 * names ("cheng" is not "chiang").
 */
function romanizationVariant(a: NameToken, b: NameToken): boolean {
  const ra = a.romanization;
  const rb = b.romanization;
  if (!ra || !rb || !mayStartAlike(a.text, b.text)) return false;
  if (ra.wadeGiles?.includes(b.text) || rb.wadeGiles?.includes(a.text)) return true;
  // Hangul is read in RR by the transliteration, so a Hangul name part is a Korean syllable for
  // certain; between two Latin words, short ones are Korean only by accident ("Joe" / "Choe").
  const hangul = a.cjk !== undefined || b.cjk !== undefined;
  const min = hangul ? 3 : 4;
  if (
    ra.korean !== undefined &&
    ra.korean === rb.korean &&
    a.text.length >= min &&
    b.text.length >= min
  ) {
    return true;
  }
  if (hangul || a.text.length < 4 || b.text.length < 4) return false;
  return Math.abs(a.text.length - b.text.length) <= 4 && unitsEquivalent(ra.units, rb.units);
}

function maxSim(a: Sim, b: Sim): Sim {
  return b.similarity > a.similarity ? b : a;
}

interface Candidate {
  /** The similarity, less 2 when only particles or legal forms are on both sides. */
  readonly rank: number;
  readonly a: readonly number[];
  readonly b: readonly number[];
  readonly sim: Sim;
  readonly weight: number;
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

/** A run of adjacent tokens, prepared once per name (cached) and read by every comparison. */
interface Run {
  readonly idx: readonly number[];
  readonly joined: string;
  /** No numbers or ideographs inside (those never join). */
  readonly usable: boolean;
  readonly hasLegal: boolean;
  readonly allInitials: boolean;
  readonly abjad: boolean;
  readonly initials: string;
  readonly skeleton: string;
  /**
   * The skeleton with an Arabic-script article before a sun letter left out (written "al", read
   * "ad-", "ar-", "ud-": "نصير الدين" is "Nasiruddin"), null when there is none; computed on
   * first use (only cross-script comparisons need it).
   */
  skeletonSun?: string | null;
  /**
   * The first and the last part each add a consonant to the joined skeleton: "yhy" + "hqny"
   * is not "haqqani", and "bd llh yhy" is not "abdullah". False for the reversed reading: a
   * compound such as "abd al-Rahman" is written in one order only.
   */
  endsAddConsonants?: boolean;
  /** The tokens in this run's reading order. */
  readonly tokens: readonly NameToken[];
  /** Only particles and legal forms. */
  readonly particles: boolean;
  /** Read in written order (not the reversed reading kept for name-order independence). */
  readonly forward: boolean;
  /** The parts in this run's reading order. */
  readonly parts: readonly string[];
  /** Pinyin spellings of the run read as Wade–Giles syllables (computed on first use). */
  wadeGiles?: readonly string[] | null;
}

const runCache = new WeakMap<readonly NameToken[], Run[]>();

function runsOf(tokens: readonly NameToken[]): Run[] {
  const cached = runCache.get(tokens);
  if (cached) return cached;
  const out: Run[] = [];
  for (const idx of spans(tokens.length, 3)) {
    const forward = idx.map((i) => tokens[i]!);
    const usable = forward.every((p) => p.kind !== 'number' && p.cjk === undefined);
    const hasLegal = forward.some((p) => p.kind === 'legal');
    const allInitials = forward.every((p) => p.kind === 'initial');
    const abjad = forward.some((p) => p.abjad);
    // Both reading orders: "Lavrov Sergei" joins to "sergeilavrov" as well, so that joined
    // names stay independent of name order like everything else.
    for (const [order, parts] of [forward, [...forward].reverse()].entries()) {
      const joined = parts.map((p) => p.text).join('');
      out.push({
        idx,
        joined,
        usable,
        hasLegal,
        allInitials,
        abjad,
        initials: parts.map((p) => p.text[0]).join(''),
        skeleton: consonantSkeleton(joined),
        forward: order === 0,
        tokens: parts,
        particles: parts.every((p) => !isPart(p)),
        parts: parts.map((p) => p.text),
      });
    }
  }
  runCache.set(tokens, out);
  return out;
}

function endsAddConsonants(parts: readonly NameToken[]): boolean {
  const full = consonantSkeleton(parts.map((p) => p.text).join(''));
  const withoutFirst = consonantSkeleton(
    parts
      .slice(1)
      .map((p) => p.text)
      .join(''),
  );
  const withoutLast = consonantSkeleton(
    parts
      .slice(0, -1)
      .map((p) => p.text)
      .join(''),
  );
  return full !== withoutFirst && full !== withoutLast;
}

const SUN_LETTER_START = /^[tdrzsln]/;

/** Korean syllable keys of a run's parts, in written order, against one word's key. */
function koreanRunMatches(run: Run, single: NameToken): boolean {
  const target = single.romanization?.korean;
  if (target === undefined || single.text.length < 4) return false;
  let key = '';
  for (const t of run.tokens) {
    const k = t.romanization?.korean;
    if (k === undefined) return false;
    key = key ? `${key}-${k}` : k;
  }
  return key === target;
}

function crossScriptRunMatches(run: Run, skeleton: string): boolean {
  if (run.endsAddConsonants === undefined) {
    run.endsAddConsonants = run.forward && endsAddConsonants(run.tokens);
  }
  if (!run.endsAddConsonants) return false;
  if (run.skeleton === skeleton) return true;
  if (run.skeletonSun === undefined) run.skeletonSun = sunLetterSkeleton(run.tokens) ?? null;
  return run.skeletonSun === skeleton;
}

function sunLetterSkeleton(parts: readonly NameToken[]): string | undefined {
  let changed = false;
  const kept = parts.filter((p, k) => {
    const next = parts[k + 1];
    const drop =
      p.abjad && p.text === 'al' && next !== undefined && SUN_LETTER_START.test(next.text);
    if (drop) changed = true;
    return !drop;
  });
  return changed ? consonantSkeleton(kept.map((p) => p.text).join('')) : undefined;
}

/** Compare a run of tokens on one side with a single token on the other. */
function spanSimilarity(run: Run, single: NameToken): Sim {
  if (!run.usable) return NONE;
  // A Han or Hangul given name ("玉華", "상호") is one token read as one word ("yuhua",
  // "sangho"); it meets its Latin spelling in syllables ("Yu-hua", "Sang-ho") here.
  if (single.kind === 'number' || single.kind === 'legal') return NONE;
  if (run.joined === single.text) return { similarity: 1, how: 'joined' };
  if (run.hasLegal) return NONE;
  // An abbreviation made of the parts' initials ("jc" ~ "jean claude", "pla" ~ people's
  // liberation army). A word in an abjad script is a consonant skeleton, and a particle ("da")
  // a particle, never an abbreviation.
  if (single.text === run.initials && !single.abjad && single.kind === 'word') {
    return { similarity: 0.9, how: 'abbreviation' };
  }
  if (run.allInitials) return NONE;
  if (run.abjad !== single.abjad) {
    // "عبد ال" + … against "Abdul", "عبدالجبار" against "Abdul Jabbar": compare consonant
    // skeletons of the joined run (before the length test: a skeleton is much shorter than its
    // romanization).
    if (run.skeleton.length >= 2 && crossScriptRunMatches(run, single.skeleton)) {
      return { similarity: 0.9, how: 'skeleton' };
    }
  }
  if (Math.abs(run.joined.length - single.text.length) > 3) return NONE;
  const sim = textSimilarity(run.joined, single.text);
  // A Korean given name written split in one system and joined in another ("Kyong Min" /
  // "Gyeongmin"). Syllables of a given name are written in one order only: forward runs.
  if (sim.similarity < ROMANIZATION_SIMILARITY && run.forward && koreanRunMatches(run, single)) {
    return { similarity: ROMANIZATION_SIMILARITY, how: 'romanization' };
  }
  // A Wade–Giles given name in syllables against its pinyin spelling in one word ("Tse-tung" /
  // "Zedong").
  if (sim.similarity < ROMANIZATION_SIMILARITY && run.forward && single.text.length <= 12) {
    if (run.wadeGiles === undefined) run.wadeGiles = wadeGilesJoinedReadings(run.parts) ?? null;
    if (run.wadeGiles?.includes(single.text)) {
      return { similarity: ROMANIZATION_SIMILARITY, how: 'romanization' };
    }
  }
  return sim.similarity > 0 ? { similarity: sim.similarity, how: 'joined' } : NONE;
}

/** Candidate pairs between each run of adjacent tokens on one side and each single token on the other. */
function addRuns(
  candidates: Candidate[],
  runs: Run[],
  runWeights: readonly number[],
  singles: readonly NameToken[],
  ws: readonly number[],
  runIsA: boolean,
): void {
  for (const run of runs) {
    if (!run.usable) continue;
    let runWeight = 0;
    for (let k = 0; k < singles.length; k++) {
      const sim = spanSimilarity(run, singles[k]!);
      if (sim.similarity <= 0) continue;
      if (runWeight === 0) for (const i of run.idx) runWeight = Math.max(runWeight, runWeights[i]!);
      const weight = ((runWeight + ws[k]!) / 2) * (sim.how === 'abbreviation' ? 0.5 : 1);
      const particles = run.particles && !isPart(singles[k]!);
      const rank = particles ? sim.similarity - 2 : sim.similarity;
      candidates.push(
        runIsA
          ? { a: run.idx, b: single(k), sim, weight, rank }
          : { a: single(k), b: run.idx, sim, weight, rank },
      );
    }
  }
}

/**
 * Spanish, Portuguese and Russian company names are often shortened to a word made of the
 * beginnings of the name's words in order ("Agropecuaria La Perla" → "Agroperla", "Fundación
 * para el Porvenir" → "Funporvenir"; Russian "Uralvagonzavod"), and English ones to initials
 * ("Arabian Peninsula Relief Fund" → "APRF"). The only name part of one side is read as such a
 * word over the other side's name parts (particles and legal forms skipped; every piece two
 * letters or more, or every piece one letter over three parts or more). Only a weak signal: an
 * acronym says little about which body it stands for, so the pair counts at half weight and
 * 0.8 similarity, as the abbreviation of a run does.
 */
const ACRONYM_SIMILARITY = 0.8;
function addAcronym(
  candidates: Candidate[],
  side: readonly NameToken[],
  ws: readonly number[],
  other: readonly NameToken[],
  wo: readonly number[],
  singleIsA: boolean,
): void {
  let at = -1;
  for (let i = 0; i < side.length; i++) {
    if (!isPart(side[i]!)) continue;
    if (at >= 0) return;
    at = i;
  }
  if (at < 0) return;
  const word = side[at]!;
  if (word.kind !== 'word' || word.abjad || word.cjk !== undefined || word.text.length < 3) return;
  const parts: number[] = [];
  for (let j = 0; j < other.length; j++) {
    const t = other[j]!;
    if (isPart(t) && t.kind !== 'number' && !t.abjad && t.cjk === undefined) parts.push(j);
  }
  if (parts.length < 2 || parts.length > 8) return;
  const used = acronymCover(word.text, other, parts);
  if (!used) return;
  let w = 0;
  for (const j of used) w = Math.max(w, wo[j]!);
  const weight = ((ws[at]! + w) / 2) * 0.5;
  const sim: Sim = { similarity: ACRONYM_SIMILARITY, how: 'acronym' };
  candidates.push(
    singleIsA
      ? { a: single(at), b: used, sim, weight, rank: ACRONYM_SIMILARITY }
      : { a: used, b: single(at), sim, weight, rank: ACRONYM_SIMILARITY },
  );
}

/** The parts whose beginnings, in order, spell `text`; undefined when there is no such cover. */
function acronymCover(
  text: string,
  tokens: readonly NameToken[],
  parts: readonly number[],
): number[] | undefined {
  // Initials of every part.
  if (text.length === parts.length && parts.length >= 3) {
    let ok = true;
    for (let k = 0; k < parts.length && ok; k++) ok = tokens[parts[k]!]!.text[0] === text[k];
    if (ok) return [...parts];
  }
  if (text.length < 6 || text === tokens[parts[0]!]!.text) return undefined;
  // Syllabic: pieces of two letters or more, each the beginning of a part, parts in order (some
  // may be skipped), at least two parts, the first piece from the first part.
  const out: number[] = [];
  const walk = (pos: number, k: number): boolean => {
    if (pos === text.length) return out.length >= 2;
    for (let p = k; p < parts.length; p++) {
      if (out.length === 0 && p > 0) return false;
      const t = tokens[parts[p]!]!.text;
      let n = 0;
      while (n < t.length && pos + n < text.length && t[n] === text[pos + n]) n++;
      for (let len = n; len >= 2; len--) {
        out.push(parts[p]!);
        if (walk(pos + len, p + 1)) return true;
        out.pop();
      }
    }
    return false;
  };
  return walk(0, 0) ? out : undefined;
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
  const org = options.style === 'organization';
  const chinese = !org && chineseShape(A) && chineseShape(B);
  const wA = options.queryWeights ?? A.map(weigher);
  const wB = options.candidateWeights ?? B.map(weigher);
  for (let i = 0; i < A.length; i++) {
    for (let j = 0; j < B.length; j++) {
      const sim = tokenSimilarity(A[i]!, B[j]!, org, chinese);
      if (sim.similarity > 0) {
        const weight =
          sim.how === 'initial'
            ? KIND_WEIGHT.initial * Math.max(wA[i]!, wB[j]!)
            : (wA[i]! + wB[j]!) / 2;
        const rank = !isPart(A[i]!) && !isPart(B[j]!) ? sim.similarity - 2 : sim.similarity;
        candidates.push({ a: single(i), b: single(j), sim, weight, rank });
      }
    }
  }
  if (org) {
    // An organisation named by a syllabic or initial acronym of its full name.
    addAcronym(candidates, A, wA, B, wB, true);
    addAcronym(candidates, B, wB, A, wA, false);
  }
  if (A.length > 1) addRuns(candidates, runsOf(A), wA, B, wB, true);
  if (B.length > 1) addRuns(candidates, runsOf(B), wB, A, wA, false);
  // Best first; among equals prefer pairs covering more tokens, then heavier ones.
  // Particles align after the name parts: an exact "al" must not take the article out of a run
  // such as "عبد ال رحمن" that spells one name part ("Abderrahmane").
  candidates.sort(
    (x, y) =>
      y.rank - x.rank || y.a.length + y.b.length - (x.a.length + x.b.length) || y.weight - x.weight,
  );
  const usedA = new Array<boolean>(A.length).fill(false);
  const usedB = new Array<boolean>(B.length).fill(false);
  let matchedWeight = 0;
  let matchedScore = 0;
  let strongMatch = false;
  const chosen: Candidate[] = [];
  for (const c of candidates) {
    if (anyUsed(c.a, usedA) || anyUsed(c.b, usedB)) continue;
    chosen.push(c);
    for (const i of c.a) usedA[i] = true;
    for (const j of c.b) usedB[j] = true;
    matchedWeight += c.weight;
    matchedScore += c.weight * c.sim.similarity;
    if (!strongMatch && c.sim.how !== 'initial' && (hasStrong(c.a, A) || hasStrong(c.b, B))) {
      strongMatch = true;
    }
  }
  const style = options.style ?? 'any';
  const partsA = countParts(A);
  const partsB = countParts(B);
  const costA = partsA > partsB ? LONGER_SIDE_COST[style] : 1;
  const costB = partsB > partsA ? LONGER_SIDE_COST[style] : 1;
  const leftA: Left[] = [];
  const leftB: Left[] = [];
  const person = style === 'person';
  A.forEach((t, i) => {
    if (usedA[i]) return;
    leftA.push({
      weight: wA[i]!,
      base: KIND_WEIGHT[t.kind],
      kind: person && t.kind === 'word' && marriedSurname(A, i) ? 'married' : leftKind(t),
      lineage: lineage(A, i),
    });
  });
  B.forEach((t, j) => {
    if (usedB[j]) return;
    leftB.push({
      weight: wB[j]!,
      base: KIND_WEIGHT[t.kind],
      kind: person && t.kind === 'word' && marriedSurname(B, j) ? 'married' : leftKind(t),
      lineage: lineage(B, j),
    });
  });
  // A part left over on both sides is a contradiction (two different given names), charged in
  // full on both; what the longer name has beyond that is an omission, charged at a fraction.
  // Rarity lowers what a common name proves when it agrees, but "Ahmed" against "Mohamed" is as
  // much a contradiction as two rare names: contradictions are charged at the part's kind
  // weight, not at its rarity-discounted weight.
  // A contradiction pairs like with like: a name part with a name part, a legal form with a
  // legal form (LP against LLC, AG against GmbH). Particles are never one side of a
  // contradiction: "al" left over on one side and "Nasser" on the other is an omitted article plus
  // an omitted name (the article al- is dropped in many romanizations: "al-Aulaqi" / "Aulaqi").
  const partConflicts = Math.min(countKind(leftA, 'part'), countKind(leftB, 'part'));
  const legalConflicts = Math.min(countKind(leftA, 'legal'), countKind(leftB, 'legal'));
  // Descriptive words are translated, swapped and dropped freely between the names of one body
  // ("Network" / "Group"): one left over is never a contradiction, and costs what an omission
  // on the longer side costs, on either side.
  const genericCost = LONGER_SIDE_COST[style];
  const genericConflicts = Math.min(countKind(leftA, 'generic'), countKind(leftB, 'generic'));
  // A married surname ("de Ibarra") stands in for the other name's second surname: that one is
  // then charged as an omission from the longer name, whichever side is longer.
  const penalty =
    charge(
      leftA,
      replacedCost(costA, leftB, genericCost),
      partConflicts,
      legalConflicts,
      genericCost,
      genericConflicts,
    ) +
    charge(
      leftB,
      replacedCost(costB, leftA, genericCost),
      partConflicts,
      legalConflicts,
      genericCost,
      genericConflicts,
    );
  const notes: string[] = [];
  // Arabic nasab: the name after "bin"/"ibn" is the father's. When both names have one, a part
  // that is the father's name in one and not in the other is a different person (Salman bin
  // Muhammad is not Muhammad bin Salman).
  let roleConflict = false;
  if (A.some((t) => t.text === 'bin') && B.some((t) => t.text === 'bin')) {
    for (const c of chosen) {
      if (c.a.length !== 1 || c.b.length !== 1) continue;
      if (A[c.a[0]!]!.kind !== 'word') continue;
      if (afterBin(A, c.a[0]!) !== afterBin(B, c.b[0]!)) roleConflict = true;
    }
  }
  let score = matchedWeight > 0 ? matchedScore / (matchedWeight + penalty) : 0;
  if (roleConflict) {
    // Two different people by the nasab: even a perfect alignment must fall below 0.7.
    score *= ROLE_CONFLICT_FACTOR;
    notes.push(
      `a father's name (after bin/ibn) aligned with a name in another role: ×${ROLE_CONFLICT_FACTOR}`,
    );
  }
  if (!strongMatch && score > 0.5) {
    score = 0.5;
    notes.push('only initials, particles or legal forms aligned: capped at 0.5');
  }
  score = clamp01(score);
  if (options.explainFrom !== undefined && score < options.explainFrom) {
    return { score, aligned: [], unmatchedQuery: [], unmatchedCandidate: [], notes: [] };
  }
  const aligned: TokenAlignment[] = chosen.map((c) => ({
    query: c.a.map((i) => A[i]!.text).join(' '),
    candidate: c.b.map((j) => B[j]!.text).join(' '),
    how: c.sim.how,
    similarity: round(c.sim.similarity),
    weight: round(c.weight),
  }));
  const unmatchedQuery = A.filter((_, i) => !usedA[i]).map((t) => t.text);
  const unmatchedCandidate = B.filter((_, j) => !usedB[j]).map((t) => t.text);
  return { score, aligned, unmatchedQuery, unmatchedCandidate, notes };
}

function replacedCost(cost: number, other: Left[], omission: number): number {
  return countKind(other, 'married') > 0 ? Math.min(cost, omission) : cost;
}

/** Shared one-element index lists (read only): no array per candidate pair. */
const SINGLES: readonly (readonly number[])[] = Array.from({ length: 64 }, (_, i) => [i]);
const single = (i: number): readonly number[] => SINGLES[i] ?? [i];

function anyUsed(idx: readonly number[], used: readonly boolean[]): boolean {
  for (const i of idx) if (used[i]) return true;
  return false;
}

/** A word or a number among the aligned tokens (not only initials, particles, legal forms). */
function hasStrong(idx: readonly number[], tokens: readonly NameToken[]): boolean {
  for (const i of idx) {
    const k = tokens[i]!.kind;
    if (k === 'word' || k === 'number') return true;
  }
  return false;
}

function countParts(tokens: readonly NameToken[]): number {
  let n = 0;
  for (const t of tokens) if (isPart(t)) n++;
  return n;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

export function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}
