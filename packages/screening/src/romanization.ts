/**
 * Romanization equivalence of one Latin-script name part.
 *
 * Names from Arabic, Persian, Urdu and Cyrillic reach the lists through several romanization
 * systems at once (ALA-LC, BGN/PCGN, ISO 9, French and German usage, and the bearer's own
 * spelling), so one name has spellings that differ by a whole system of letters, not by typing
 * errors: "Qadhafi" / "Gaddafi", "Husayn" / "Hussein", "Mohammed" / "Muhammad", "Tagiyev" /
 * "Tagiev". Edit distance charges every one of those letters; this key removes exactly the
 * differences the systems make and nothing else:
 *
 * - consonants that the systems write differently for one source letter share a class:
 *   ق q/k/g(Gulf, Libyan) → k; غ gh/g → g; خ х kh/x/German ch → x; ذ ض dh/d, ث th/t; ж ج zh/j/dj/dzh
 *   → j; ш sh/sch → š; ч ch/tch/tsch → č; ц ts/tz → c; в v/w; ph/f (BGN/PCGN, ALA-LC, ISO 9 tables);
 * - doubled consonants are single: gemination (shadda) is written or not ("Gaddafi" / "Gadafi");
 * - a word-final h after a vowel is dropped: ta marbuta is written -a or -ah ("Hamza" / "Hamzah");
 * - vowels keep their place but only their quality class: Arabic writes three vowel qualities
 *   (a, i, u), romanized a/e, i/e/ee/y and u/o/ou/oo. A vowel run therefore stands for the set of
 *   classes it can write, e standing for both a and i, and two runs agree when their sets meet.
 *   "Hussein" and "Husayn" agree; "Hasan" and "Husayn" do not (a against u), and "Mahmud" and
 *   "Muhammad" do not (different vowel places). A run of two vowel qualities (a diphthong, "ai",
 *   "ie") agrees only with another such run, and u-quality (o, u) must be on both sides or neither.
 */
export type Unit = string | number;

const A = 1;
const I = 2;
const U = 4;
const MIXED = 8;

const VOWEL_CLASS: Record<string, number> = { a: A, e: A | I, i: I, y: I, o: U, u: U };

/** Longest first. Each entry: spelling → consonant class. */
const CONSONANTS: [string, string][] = [
  ['shtch', 'š'],
  ['shch', 'š'],
  ['tsch', 'č'],
  ['dzh', 'j'],
  ['sch', 'š'],
  ['tch', 'č'],
  ['sh', 'š'],
  ['ch', 'č'],
  ['zh', 'j'],
  ['dj', 'j'],
  ['kh', 'x'],
  ['gh', 'g'],
  ['dh', 'd'],
  // ث is th, and ذ/ظ are written th as well in Gulf and Libyan spellings ("Ghathafi", "Kathim").
  ['th', 'θ'],
  ['ph', 'f'],
  ['ts', 'c'],
  ['tz', 'c'],
  ['ck', 'k'],
  // q is its own class: ق is written q, k or g (below).
  ['w', 'v'],
  ['x', 'x'],
];

const isVowel = (c: string | undefined): boolean => c !== undefined && c in VOWEL_CLASS;

/** The romanization units of a lower-case a-z word: consonant classes and vowel-class sets. */
export function romanUnits(word: string): Unit[] {
  const out: Unit[] = [];
  let i = 0;
  while (i < word.length) {
    const c = word[i]!;
    if (isVowel(c)) {
      let set = 0;
      let pure = true;
      const first = VOWEL_CLASS[c]!;
      while (i < word.length && isVowel(word[i])) {
        const cls = VOWEL_CLASS[word[i++]!]!;
        set |= cls;
        if (cls !== first) pure = false;
      }
      // Final -h after a vowel: ta marbuta or a written-out long vowel.
      if (i === word.length - 1 && word[i] === 'h') i++;
      // A diphthong or vowel sequence ("ai", "ie", "ue") is marked: it agrees only with another
      // such run, not with a single vowel ("Ziad" is not "Zed", "Josué" is not "José").
      out.push(pure ? set : set | MIXED);
      continue;
    }
    let unit: string = c;
    let len = 1;
    for (const [spelling, cls] of CONSONANTS) {
      if (word.startsWith(spelling, i)) {
        unit = cls;
        len = spelling.length;
        break;
      }
    }
    // c before a back vowel is k (Spanish and Italian spellings of k).
    if (unit === 'c' && len === 1 && /[aou]/.test(word[i + 1] ?? '')) unit = 'k';
    i += len;
    if (out[out.length - 1] !== unit) out.push(unit);
  }
  return out;
}

/**
 * First letters that two romanizations of one name can begin with (vowels and y; k q g c; d t;
 * b p; v w f; j y i e ch zh dj; s sh sch; ts tz c z; hs x; j r; r l). A cheap test that keeps the keys below from
 * being computed for the many pairs that cannot be variants.
 */
const FIRST_LETTER_GROUPS = [
  'aeiouyj',
  'kqgc',
  'dt',
  'bp',
  'vwf',
  'jcdz',
  'sz',
  'tcz',
  'hx',
  // Wade–Giles j is pinyin r; McCune–Reischauer r is Revised l.
  'jr',
  'rl',
];
// A 128 × 128 table over the first characters' codes: called for most token pairs, so no
// strings are built.
const SAME_START = new Uint8Array(128 * 128);
for (const group of FIRST_LETTER_GROUPS) {
  for (const x of group)
    for (const y of group) SAME_START[x.charCodeAt(0) * 128 + y.charCodeAt(0)] = 1;
}

export function mayStartAlike(a: string, b: string): boolean {
  const x = a.charCodeAt(0);
  const y = b.charCodeAt(0);
  return x === y || (x < 128 && y < 128 && SAME_START[x * 128 + y] === 1);
}

const unitCache = new Map<string, Unit[]>();

function unitsOf(word: string): Unit[] {
  let u = unitCache.get(word);
  if (!u) {
    u = romanUnits(word);
    if (unitCache.size > 200_000) unitCache.clear();
    unitCache.set(word, u);
  }
  return u;
}

/**
 * Whether two Latin name parts are spellings of one name under the romanization classes above.
 * Short parts (fewer than four letters or three units) are left to exact comparison: their
 * classes say too little ("Ali" and "Ola" would agree).
 */
export function romanizationEquivalent(a: string, b: string): boolean {
  if (a.length < 4 || b.length < 4 || Math.abs(a.length - b.length) > 4) return false;
  if (!mayStartAlike(a, b)) return false;
  return unitsEquivalent(unitsOf(a), unitsOf(b));
}

/**
 * Korean syllables in McCune–Reischauer (MR, 1939; the DPRK's official system and most of the
 * lists' spellings) and Revised Romanization (RR, ROK 2000), and the popular spellings between.
 * MR writes plain stops voiceless at the start of a word and RR voiced (ㄱ k/g, ㄷ t/d, ㅂ p/b,
 * ㅈ ch/j), MR's breves are dropped in the lists (ŏ → o, ŭ → u) while RR writes ㅓ eo and ㅡ eu,
 * and popular usage writes oo for u and ee for i ("Pil Hoon", "Lee"). The key merges exactly
 * those: "Kyong" = "Gyeong", "Chol" = "Cheol", "Pil" = "Bil", "Hun" = "Hoon", "Tong" = "Dong".
 * A word gets a key only when it splits entirely into such syllables.
 */
const KO_INITIAL = '(kk|tt|pp|ss|jj|ch|g|k|n|d|t|r|l|m|b|p|s|j|h)?';
const KO_VOWEL = '(yeo|yae|wae|weo|eo|eu|ae|ya|yo|yu|ye|wa|wo|we|wi|oe|ui|oo|ee|a|e|i|o|u)';
const KO_FINAL = '(ng|k|n|t|l|m|p)?';
const KO_SYLLABLE = new RegExp(`^${KO_INITIAL}${KO_VOWEL}${KO_FINAL}`);
const KO_INITIAL_CLASS: Record<string, string> = {
  g: 'k',
  kk: 'k',
  d: 't',
  tt: 't',
  b: 'p',
  pp: 'p',
  j: 'c',
  jj: 'c',
  ch: 'c',
  ss: 's',
  r: 'l',
};
const KO_VOWEL_CLASS: Record<string, string> = {
  eo: 'o',
  yeo: 'yo',
  weo: 'wo',
  eu: 'u',
  oo: 'u',
  ee: 'i',
};

/** The syllable keys of a word, or undefined when it is not a run of Korean syllables. */
export function koreanKey(word: string): string | undefined {
  const keys: string[] = [];
  let rest = word;
  // Greedy syllable split; a final consonant is given to the next syllable when it needs it
  // as its initial ("kyongmin": kyong + min, not kyongm + in), which the regex tries first by
  // preferring the longer final and we retry without it.
  while (rest.length > 0) {
    const m = KO_SYLLABLE.exec(rest);
    if (!m || m[0].length === 0) return undefined;
    const ini = m[1] ?? '';
    const vowel = m[2] ?? '';
    let whole = m[0];
    let fin = m[3] ?? '';
    const after = rest.slice(whole.length);
    if (fin && after && !KO_SYLLABLE.test(after)) return undefined;
    if (fin && after && /^[aeiouwy]/.test(after)) {
      // A consonant between vowels begins the next syllable.
      whole = whole.slice(0, whole.length - fin.length);
      fin = '';
    }
    keys.push((KO_INITIAL_CLASS[ini] ?? ini) + (KO_VOWEL_CLASS[vowel] ?? vowel) + fin);
    rest = rest.slice(whole.length);
    if (keys.length > 3) return undefined;
  }
  return keys.join('-');
}

const koreanCache = new Map<string, string | undefined>();

function cachedKoreanKey(word: string): string | undefined {
  if (koreanCache.has(word)) return koreanCache.get(word);
  const key = word.length <= 12 ? koreanKey(word) : undefined;
  if (koreanCache.size > 200_000) koreanCache.clear();
  koreanCache.set(word, key);
  return key;
}

/**
 * Two Korean name parts that are one name in MR, RR or popular spelling. Parts shorter than
 * `minLength` are not judged: a three-letter Latin word such as "Joe" is a Korean syllable only
 * by accident, so callers comparing two Latin words ask for four letters.
 */
/**
 * A Korean given name in syllables on one side ("Kyong Min", "Kyong-min") against one word on the
 * other ("Gyeongmin"): the syllable keys of the parts, in written order, against the word's.
 * Built from the parts' keys so that only single words are ever keyed and cached.
 */
export function koreanRunEquivalent(parts: readonly string[], word: string): boolean {
  if (word.length < 4 || word.length > 12 || !mayStartAlike(parts[0]!, word)) return false;
  const target = cachedKoreanKey(word);
  if (target === undefined) return false;
  const keys: string[] = [];
  for (const p of parts) {
    const k = cachedKoreanKey(p);
    if (k === undefined) return false;
    keys.push(k);
  }
  return keys.join('-') === target;
}

export function koreanEquivalent(a: string, b: string, minLength = 3): boolean {
  if (a.length < minLength || b.length < minLength || Math.abs(a.length - b.length) > 3) {
    return false;
  }
  if (!mayStartAlike(a, b)) return false;
  const x = cachedKoreanKey(a);
  return x !== undefined && x === cachedKoreanKey(b);
}

/**
 * Wade–Giles syllables and their Hanyu Pinyin readings (ISO 7098:2015; the Wade–Giles/pinyin
 * conversion tables of the Library of Congress, 2000). Lists drop Wade–Giles' apostrophes and
 * umlauts, so an unmarked initial stands for both of its pinyin readings: p → b or p (p'), t → d
 * or t, k → g or k, ch → zh or ch (j or q before i and ü), ts/tz → z or c, hs → x, j → r. Finals:
 * -ung → -ong, -ih → -i, -ieh → -ie, -ien → -ian, -ueh → -ue, -uei → -ui, -erh → -er, and -o
 * after k and h is -e ("Ko" → "Ge"), after other initials -uo ("To" → "Duo").
 * Returns the possible pinyin spellings of a word that is a Wade–Giles syllable.
 */
const WG_SYLLABLE =
  /^(ch|hs|ts|tz|ss|sz|sh|p|t|k|j|m|f|n|l|h|y|w|s)?(a|ai|an|ang|ao|e|eh|ei|en|eng|erh|i|ia|iang|iao|ieh|ien|ih|in|ing|iu|iung|o|ou|u|ua|uai|uan|uang|ueh|uei|ui|un|ung|uo)$/;

function wgFinals(initial: string, final: string): string[] {
  if (final === 'ih') return ['i'];
  if (final === 'u' && /^(tz|ts|ss|sz)$/.test(initial)) return ['i', 'u'];
  if (final === 'ung') return ['ong'];
  if (final === 'iung') return ['iong'];
  if (final === 'ieh') return ['ie'];
  if (final === 'ien') return ['ian'];
  if (final === 'ueh') return ['ue'];
  if (final === 'uei') return ['ui'];
  if (final === 'erh') return ['er'];
  if (final === 'eh') return ['e'];
  if (final === 'o') {
    if (initial === 'k' || initial === 'h') return ['e'];
    if (
      initial === '' ||
      initial === 'p' ||
      initial === 'm' ||
      initial === 'f' ||
      initial === 'y' ||
      initial === 'w'
    ) {
      return ['o'];
    }
    return ['uo'];
  }
  if (initial === 'y') {
    if (final === 'u') return ['ou', 'u'];
    if (final === 'en') return ['an'];
  }
  return [final];
}

function wgInitials(initial: string, final: string): string[] {
  const front =
    final.startsWith('i') || (final.startsWith('u') && initial === 'ch' && final === 'u');
  switch (initial) {
    case 'p':
      return ['b', 'p'];
    case 't':
      return ['d', 't'];
    case 'k':
      return ['g', 'k'];
    case 'ch':
      return final === 'ih' ? ['zh', 'ch'] : front ? ['j', 'q'] : ['zh', 'ch'];
    case 'ts':
    case 'tz':
      return ['z', 'c'];
    case 'ss':
    case 'sz':
      return ['s'];
    case 'hs':
      return ['x'];
    case 'j':
      return ['r'];
    default:
      return [initial];
  }
}

const wgCache = new Map<string, readonly string[] | null>();

export function wadeGilesReadings(word: string): readonly string[] | undefined {
  if (word.length > 6) return undefined;
  const cached = wgCache.get(word);
  if (cached !== undefined) return cached ?? undefined;
  let out: string[] | undefined;
  const m = word.length <= 6 ? WG_SYLLABLE.exec(word) : null;
  if (m) {
    const initial = m[1] ?? '';
    const final = m[2]!;
    const set = new Set<string>();
    for (const i of wgInitials(initial, final))
      for (const f of wgFinals(initial, final)) set.add(i + f);
    set.delete(word);
    out = set.size > 0 ? [...set] : undefined;
  }
  if (wgCache.size > 200_000) wgCache.clear();
  wgCache.set(word, out ?? null);
  return out;
}

/** One Wade–Giles syllable against its pinyin spelling, in either order. */
export function wadeGilesEquivalent(a: string, b: string): boolean {
  if (a.length > 6 || b.length > 6 || a === b) return false;
  return (
    (wadeGilesReadings(a)?.includes(b) ?? false) || (wadeGilesReadings(b)?.includes(a) ?? false)
  );
}

/**
 * A Wade–Giles given name written as separate syllables ("Tse tung", from "Tse-tung") against
 * its pinyin spelling written as one word ("Zedong"): every combination of the syllables'
 * readings, for at most three syllables.
 */
export function wadeGilesJoinedReadings(syllables: readonly string[]): string[] | undefined {
  if (syllables.length < 2 || syllables.length > 3) return undefined;
  let acc = [''];
  let changed = false;
  for (const s of syllables) {
    const readings = wadeGilesReadings(s);
    if (readings) changed = true;
    else if (!WG_SYLLABLE.test(s)) return undefined;
    const options = [s, ...(readings ?? [])];
    acc = acc.flatMap((p) => options.map((o) => p + o));
    if (acc.length > 64) return undefined;
  }
  return changed ? acc : undefined;
}

/** The romanization keys of one name part, computed once when the name is analysed. */
export interface RomanizationKeys {
  /** Consonant classes and vowel-class sets (Arabic, Persian, Cyrillic spellings). */
  readonly units: readonly Unit[];
  /** McCune–Reischauer / Revised Romanization syllable key, when the word is Korean-shaped. */
  readonly korean: string | undefined;
  /** Pinyin readings, when the word is a Wade–Giles syllable that pinyin spells otherwise. */
  readonly wadeGiles: readonly string[] | undefined;
}

export function romanizationKeys(word: string): RomanizationKeys | undefined {
  if (!/^[a-z]+$/.test(word)) return undefined;
  return {
    units: romanUnits(word),
    korean: word.length <= 12 ? koreanKey(word) : undefined,
    wadeGiles: wadeGilesReadings(word),
  };
}

/**
 * Consonant classes that one Arabic letter joins across national romanizations:
 * - ق is q in ALA-LC and BGN/PCGN, k in French, Turkish and Malay usage ("Tarek"), and g in the
 *   Gulf, Libyan, Sudanese and Upper-Egyptian pronunciation (gāf) that colloquial spellings follow
 *   ("Gaddafi", "Omgy" for عمقي). So q agrees with k and with g, but k and g do not agree with
 *   each other (كمال Kamal is not جمال Gamal).
 * - ذ ض ظ are read z in Persian, Urdu and Turkish (ALA-LC Persian table: ẕ, ż, ẓ), so a d or dh
 *   of an Arabic spelling agrees with z ("Ramadan" / "Ramazan", "Kadhim" / "Kazim").
 */
function consonantsAgree(p: string, q: string): boolean {
  if (p === 'q') return q === 'k' || q === 'g';
  if (q === 'q') return p === 'k' || p === 'g';
  // х is kh in BGN/PCGN and h in Turkic and Tatar usage, and Russian writes Arabic ح and ه
  // with х: "Vakhitov" / "Vahitov", "Khasan" / "Hasan".
  if ((p === 'x' && q === 'h') || (p === 'h' && q === 'x')) return true;
  if (p === 'θ') return q === 't' || q === 'd';
  if (q === 'θ') return p === 't' || p === 'd';
  return (p === 'd' && q === 'z') || (p === 'z' && q === 'd');
}

/** {@link romanizationEquivalent} on precomputed units. */
export function unitsEquivalent(x: readonly Unit[], y: readonly Unit[]): boolean {
  if (x.length !== y.length || x.length < 3) return false;
  for (let k = 0; k < x.length; k++) {
    const p = x[k]!;
    const q = y[k]!;
    if (typeof p === 'number' && typeof q === 'number') {
      if ((p & q & (A | I | U)) === 0 || (p & U) !== (q & U) || (p & MIXED) !== (q & MIXED)) {
        return false;
      }
    } else if (p !== q && !consonantsAgree(p as string, q as string)) return false;
  }
  return true;
}
