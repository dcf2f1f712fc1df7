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
 *   "Muhammad" do not (different vowel places).
 */
type Unit = string | number;

const A = 1;
const I = 2;
const U = 4;

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
  ['th', 't'],
  ['ph', 'f'],
  ['ts', 'c'],
  ['tz', 'c'],
  ['ck', 'k'],
  ['q', 'k'],
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
      while (i < word.length && isVowel(word[i])) set |= VOWEL_CLASS[word[i++]!]!;
      // Final -h after a vowel: ta marbuta or a written-out long vowel.
      if (i === word.length - 1 && word[i] === 'h') i++;
      out.push(set);
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

const unitCache = new Map<string, Unit[]>();

function unitsOf(word: string): Unit[] {
  let u = unitCache.get(word);
  if (!u) {
    u = romanUnits(word);
    if (unitCache.size > 50_000) unitCache.clear();
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
  if (a.length < 4 || b.length < 4 || a[0] === undefined) return false;
  const x = unitsOf(a);
  const y = unitsOf(b);
  if (x.length !== y.length || x.length < 3) return false;
  for (let k = 0; k < x.length; k++) {
    const p = x[k]!;
    const q = y[k]!;
    if (typeof p === 'number' && typeof q === 'number') {
      if ((p & q) === 0) return false;
    } else if (p !== q) return false;
  }
  return true;
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

/** Two Korean name parts that are one name in MR, RR or popular spelling. */
export function koreanEquivalent(a: string, b: string): boolean {
  if (a.length < 3 || b.length < 3) return false;
  const x = koreanKey(a);
  return x !== undefined && x === koreanKey(b);
}
