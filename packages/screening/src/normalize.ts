import anyAscii from 'any-ascii';
import { doubleMetaphone } from 'double-metaphone';
import { ScreeningError, MAX_NAME_LENGTH } from './errors';
import { romanizationKeys, type RomanizationKeys } from './romanization';

/**
 * Name analysis: one pipeline for list names and queries, so both sides of a comparison are
 * reduced the same way (the rule logic-v2 and watchman follow too).
 *
 * 1. Unicode NFKC, then script-aware transliteration to Latin: Han and Hangul runs per
 *    character (first syllable is the family name), Arabic/Hebrew marked as abjad (short vowels
 *    are not written, so they are compared on consonant skeletons), everything else through
 *    any-ascii (Cyrillic, Greek, Khmer, kana, diacritics).
 * 2. Lower case, apostrophes dropped inside words, other punctuation to spaces, "&" to "and".
 * 3. Multi-word legal forms folded to one symbol (limited liability company / ooo → llc),
 *    particles folded (ibn/ben/bin → bin, el/ul → al), western titles removed.
 */
/**
 * `generic`: a common descriptive word of organisation names ("trading", "group", "holding",
 * "international"), a name part that says what kind of body it is rather than which one.
 */
export type TokenKind = 'word' | 'initial' | 'number' | 'legal' | 'stop' | 'generic';

export interface NameToken {
  readonly text: string;
  readonly kind: TokenKind;
  /** From an abjad script (Arabic, Hebrew, Syriac): compare on consonant skeletons. */
  readonly abjad: boolean;
  /** Original Han/kana/Hangul characters: two such tokens must agree character for character. */
  readonly cjk?: string;
  /** Joined from single letters ("A.B.C."): matches only exactly. */
  readonly acronym?: boolean;
  /** Double Metaphone codes (Philips 2000), empty for non-words. */
  readonly phonetic: readonly string[];
  readonly skeleton: string;
  /** Romanization keys of a Latin (or Han/Hangul-read) word, computed once here. */
  readonly romanization?: RomanizationKeys;
}

export interface AnalysedName {
  readonly original: string;
  readonly tokens: readonly NameToken[];
}

export type NameStyle = 'person' | 'organization' | 'any';

const TITLES = new Set([
  'mr',
  'mrs',
  'ms',
  'miss',
  'dr',
  'prof',
  'sir',
  'monsieur',
  'madame',
  'mme',
  'mlle',
  'herr',
  'frau',
]);

/** Military ranks written before a person's name in lists ("General Ali Hasan al-Majid"). */
const RANKS = new Set([
  'general',
  'gen',
  'colonel',
  'col',
  'brigadier',
  'lieutenant',
  'captain',
  'capt',
]);

/** Particles and honorifics: kept (they align) but weigh little. */
const STOP = new Map<string, string>([
  ['al', 'al'],
  ['el', 'al'],
  ['ul', 'al'],
  // "Khatam ol-Anbia": the Persian spelling of the article in Arabic compounds.
  ['ol', 'al'],
  ['bin', 'bin'],
  ['ibn', 'bin'],
  ['ben', 'bin'],
  ['bn', 'bin'],
  // Hassaniya (Mauritania, Western Sahara): "son of", in Latin and in Arabic script (ولد).
  ['ould', 'bin'],
  ['wld', 'bin'],
  ['bint', 'bint'],
  ['de', 'de'],
  ['da', 'da'],
  ['del', 'del'],
  ['della', 'della'],
  ['di', 'di'],
  ['do', 'do'],
  ['dos', 'dos'],
  ['das', 'das'],
  ['du', 'du'],
  ['van', 'van'],
  ['von', 'von'],
  ['der', 'der'],
  ['den', 'den'],
  ['ter', 'ter'],
  ['la', 'la'],
  ['le', 'le'],
  ['y', 'y'],
  ['the', 'the'],
  ['of', 'of'],
  ['and', 'and'],
  ['und', 'and'],
  ['et', 'and'],
  ['for', 'for'],
  ['sheikh', 'sheikh'],
  ['shaikh', 'sheikh'],
  ['sheik', 'sheikh'],
  ['shaykh', 'sheikh'],
  ['sheykh', 'sheikh'],
  ['shiekh', 'sheikh'],
  ['mollah', 'mullah'],
  ['molla', 'mullah'],
  ['maulana', 'maulana'],
  ['mawlana', 'maulana'],
  ['molana', 'maulana'],
  ['haji', 'haji'],
  ['hajji', 'haji'],
  ['hajj', 'haji'],
  ['alhaji', 'haji'],
  ['mullah', 'mullah'],
  ['mulla', 'mullah'],
  ['maulvi', 'maulvi'],
  ['mawlawi', 'maulvi'],
  ['mv', 'mv'],
  ['mt', 'mv'],
]);

/** Legal forms that are never name parts. Phrases are matched on whole tokens. */
const LEGAL_STRICT: [string, string][] = [
  ['limited liability company', 'llc'],
  ['limited liability co', 'llc'],
  ['limited liability partnership', 'llp'],
  ['obshchestvo s ogranichennoy otvetstvennostyu', 'llc'],
  ['obshchestvo s ogranichennoi otvetstvennostiu', 'llc'],
  // ю is yu (BGN/PCGN) or iu (ALA-LC), й y or i: the lists mix the systems within one phrase.
  ['obshchestvo s ogranichennoi otvetstvennostyu', 'llc'],
  ['obshchestvo s ogranichennoy otvetstvennostiu', 'llc'],
  ['tovarystvo z obmezhenoyu vidpovidalnistyu', 'llc'],
  ['spolka z ograniczona odpowiedzialnoscia', 'llc'],
  ['societatea cu raspundere limitata', 'llc'],
  ['gesellschaft mit beschrankter haftung', 'gmbh'],
  ['open joint stock company', 'jsc'],
  ['closed joint stock company', 'jsc'],
  ['public joint stock company', 'jsc'],
  ['joint stock company', 'jsc'],
  ['aktsionernoe obshchestvo', 'jsc'],
  ['aktsionernoye obshchestvo', 'jsc'],
  ['public limited company', 'plc'],
  ['private limited company', 'ltd'],
  ['sociedad anonima', 'sa'],
  ['societe anonyme', 'sa'],
  ['sociedade anonima', 'sa'],
  ['societa per azioni', 'spa'],
  ['sp z o o', 'llc'],
  ['s de rl de cv', 'sa'],
  ['s a de c v', 'sa'],
  ['sa de cv', 'sa'],
  ['s a s', 'sas'],
  ['s a r l', 'sarl'],
  ['s r l', 'srl'],
  ['s p a', 'spa'],
  ['l l c', 'llc'],
  ['l l p', 'llp'],
  ['p l c', 'plc'],
  ['o o o', 'llc'],
  ['llc', 'llc'],
  ['ooo', 'llc'],
  ['tov', 'llc'],
  ['ltd', 'ltd'],
  ['limited', 'ltd'],
  ['ltda', 'ltd'],
  ['inc', 'inc'],
  ['incorporated', 'inc'],
  ['corp', 'corp'],
  ['corporation', 'corp'],
  ['company', 'co'],
  ['plc', 'plc'],
  ['aktiengesellschaft', 'ag'],
  ['gmbh', 'gmbh'],
  ['jsc', 'jsc'],
  ['ojsc', 'jsc'],
  ['cjsc', 'jsc'],
  ['pjsc', 'jsc'],
  ['oao', 'jsc'],
  ['zao', 'jsc'],
  ['pao', 'jsc'],
  ['llp', 'llp'],
  ['sarl', 'sarl'],
  ['srl', 'srl'],
  ['spa', 'spa'],
  ['fze', 'fze'],
  ['fzco', 'fze'],
  ['fzc', 'fze'],
  ['fzllc', 'fze'],
  ['bhd', 'bhd'],
  ['sdn', 'sdn'],
  ['pte', 'pte'],
  ['pty', 'pty'],
  ['kft', 'kft'],
  ['doo', 'doo'],
  ['sro', 'sro'],
  ['eood', 'ood'],
  ['ood', 'ood'],
];

/** Short forms that are also given names or syllables: legal only outside person names. */
const LEGAL_ORG_ONLY: [string, string][] = [
  ['co', 'co'],
  ['sa', 'sa'],
  ['s a', 'sa'],
  ['ag', 'ag'],
  ['ab', 'ab'],
  ['as', 'as'],
  ['a s', 'as'],
  ['ad', 'ad'],
  ['ao', 'jsc'],
  ['pt', 'pt'],
  ['p t', 'pt'],
  ['bv', 'bv'],
  ['b v', 'bv'],
  ['nv', 'nv'],
  ['n v', 'nv'],
  ['na', 'na'],
  ['n a', 'na'],
  ['kg', 'kg'],
  ['oy', 'oy'],
  ['sas', 'sas'],
  ['lp', 'lp'],
  ['l p', 'lp'],
  ['cia', 'co'],
];

/**
 * Legal forms by legal nature, so that one form in two languages or two abbreviations aligns:
 * limited-liability companies (Ltd, LLC, ООО/OOO, GmbH, SARL, S.R.L., B.V., Sp. z o.o., Kft.,
 * d.o.o., s.r.o., Pty, Pte, Ltda, PT), joint-stock companies (JSC, АО/ОАО/ЗАО/ПАО, S.A., AG,
 * S.p.A., PLC, N.V., A/S, AB, Oy, AD) and the generic company words (Co., Corp., Inc., Cía.). The
 * grouping follows the legal forms' descriptions in the ISO 20275 Entity Legal Forms code list
 * (GLEIF ELF list), where each jurisdiction's forms are listed with their legal nature; the
 * shortened "Co., Ltd." usage is why the generic words form their own class rather than joining
 * either of the others.
 */
const LEGAL_CLASS = new Map<string, string>([
  ...[
    'llc',
    'ltd',
    'gmbh',
    'sarl',
    'srl',
    'bv',
    'kft',
    'doo',
    'sro',
    'ood',
    'pty',
    'pte',
    'pt',
    'bhd',
    'sdn',
  ].map((f): [string, string] => [f, 'limited']),
  ...['jsc', 'sa', 'ag', 'spa', 'plc', 'nv', 'as', 'ab', 'oy', 'ad', 'sas'].map(
    (f): [string, string] => [f, 'stock'],
  ),
  ...['co', 'corp', 'inc'].map((f): [string, string] => [f, 'company']),
]);

/** The legal nature of a legal-form symbol (see {@link LEGAL_CLASS}), or the symbol itself. */
export function legalClass(symbol: string): string {
  return LEGAL_CLASS.get(symbol) ?? symbol;
}

/**
 * Descriptive words of organisation names: they say what a body does or is ("trading", "group",
 * "shipping", "foundation"), are shared by thousands of unrelated bodies, and are translated,
 * abbreviated or dropped freely between a body's names ("Castle Invest Holding" / "Castle
 * Investment Holding SAL", "Muhammad Jamal Network" / "Muhammad Jamal Group"). They weigh little,
 * agree or disagree at that small weight, and never make a match alone. The practice of weighting
 * such words down is the one of Cohen, Ravikumar and Fienberg, "A comparison of string distance
 * metrics for name-matching tasks" (2003, TF-IDF on company names) and of logic-v2's "org
 * generic" term list; the list itself is ours: English words of company and organisation names,
 * and their common Spanish, French and Russian (transliterated) equivalents.
 */
const GENERIC = new Set(
  (
    'trading trade traders group groups holding holdings international global general ' +
    'enterprise enterprises industries industry industrial services service shipping ' +
    'transport transportation transports logistics investment investments invest development ' +
    'import export commercial commerce exchange money management construction engineering ' +
    'technology technologies technical solutions consulting partners brothers sons agency ' +
    'center centre establishment factory plant works manufacturing products supply supplies ' +
    'marine maritime navigation lines line airlines airline airways network foundation ' +
    'organization organisation association society committee institute charitable charity ' +
    'office bureau department union movement front party council corporacion ' +
    'empresa grupo comercial comercializadora inversiones servicios internacional industrias ' +
    'industrial distribuidora promotora constructora sociedad compania societe groupe ' +
    'entreprise zavod kombinat predpriyatie obedinenie kompaniya gruppa'
  ).split(' '),
);

const ABBREVIATIONS = new Map<string, string>([
  ['intl', 'international'],
  ['int', 'international'],
  ['natl', 'national'],
  ['assn', 'association'],
  ['dept', 'department'],
  ['mfg', 'manufacturing'],
  ['bros', 'brothers'],
]);

interface PhraseTable {
  readonly byFirst: Map<string, { words: string[]; symbol: string }[]>;
}

function phraseTable(entries: [string, string][]): PhraseTable {
  const byFirst = new Map<string, { words: string[]; symbol: string }[]>();
  for (const [phrase, symbol] of entries) {
    const words = phrase.split(' ');
    const list = byFirst.get(words[0]!) ?? [];
    list.push({ words, symbol });
    list.sort((a, b) => b.words.length - a.words.length);
    byFirst.set(words[0]!, list);
  }
  return { byFirst };
}

const STRICT_TABLE = phraseTable(LEGAL_STRICT);
const ORG_TABLE = phraseTable([...LEGAL_STRICT, ...LEGAL_ORG_ONLY]);

const CJK_RUN = /[\p{Script=Han}\p{Script=Hangul}]+/gu;
// Harakat (U+064B–U+065F, U+0670) are nonspacing marks of the Inherited script: the run takes
// marks in, so that a vowelled word ("كُل") is not cut in pieces, and they are dropped below,
// since abjad words are compared on consonant skeletons.
const ABJAD_RUN =
  /[\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Syriac}\u200c\u200d](?:[\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Syriac}\u200c\u200d]|\p{Mn})*/gu;
const KANA = /[\p{Script=Hiragana}\p{Script=Katakana}ー]+/gu;

const UNITS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
const TEENS = [
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const ORDINALS = [
  '',
  'first',
  'second',
  'third',
  'fourth',
  'fifth',
  'sixth',
  'seventh',
  'eighth',
  'ninth',
  'tenth',
];

/** English number words and ordinals as digits ("forty four" → 44, "1st"/"first" → 1). */
function numberValue(word: string, style: NameStyle): number | undefined {
  if (/^[0-9]+$/.test(word)) return Number(word);
  const ord = /^([0-9]+)(st|nd|rd|th)$/.exec(word);
  if (ord) return Number(ord[1]);
  let i = UNITS.indexOf(word);
  if (i >= 0) return i;
  i = TEENS.indexOf(word);
  if (i >= 0) return 10 + i;
  i = TENS.indexOf(word);
  if (i >= 2) return i * 10;
  i = ORDINALS.indexOf(word);
  if (i >= 1) return i;
  void style;
  return undefined;
}

/**
 * The Arabic article al- assimilates to a following "sun letter" (t th d dh r z s sh ṣ ḍ ṭ ẓ l n)
 * and is then romanized as that consonant: "ar-Rahman", "ad-Din", "as-Sayyid", "ash-Shami"; in
 * Urdu and Persian usage with u- or e-: "ur-Rehman", "ud-Din", "es-Salaam" (ALA-LC Arabic
 * romanization, rule 18; Wehr's dictionary, introduction). Such a particle is read as "al" when
 * a part of the same name begins with its consonant. Any part, not only the next one, so that the
 * reading does not depend on name order (the matcher is order-independent throughout).
 */
const SUN_LETTER_ARTICLE = /^[aeu](d|dh|n|r|s|sh|t|th|z)$/;
function assimilatedArticle(
  word: string,
  words: readonly RawToken[],
  at: number,
): string | undefined {
  const m = SUN_LETTER_ARTICLE.exec(word);
  if (!m) return undefined;
  const consonant = m[1]!;
  const other = words.some(
    (w, k) => k !== at && !w.abjad && w.text.length >= 3 && w.text.startsWith(consonant),
  );
  return other ? 'al' : undefined;
}

const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't' };

interface RawToken {
  text: string;
  abjad: boolean;
  cjk?: string;
}

/** Transliterate with script-aware segmentation; returns raw lower-case pieces. */
function segment(input: string): RawToken[] {
  const out: RawToken[] = [];
  // Pull out CJK and abjad runs, transliterate the rest as a whole.
  const marks: { start: number; end: number; tokens: RawToken[] }[] = [];
  for (const m of input.matchAll(CJK_RUN)) {
    const chars = [...m[0]];
    const syllables = chars.map((c) =>
      anyAscii(c)
        .toLowerCase()
        .replace(/[^a-z]/g, ''),
    );
    const tokens: RawToken[] = [];
    if (chars.length >= 2 && chars.length <= 4) {
      // East Asian order: family name (one syllable) then given name (written as one word).
      tokens.push({ text: syllables[0]!, abjad: false, cjk: chars[0]! });
      tokens.push({
        text: syllables.slice(1).join(''),
        abjad: false,
        cjk: chars.slice(1).join(''),
      });
    } else {
      tokens.push({ text: syllables.join(''), abjad: false, cjk: m[0] });
    }
    marks.push({ start: m.index, end: m.index + m[0].length, tokens });
  }
  for (const m of input.matchAll(ABJAD_RUN)) {
    // Ta marbuta is pronounced -a ("Usama", not "Usamah"); alif maqsura is a long a.
    const text = anyAscii(
      m[0]
        .replace(/[\u064b-\u065f\u0670]/g, '')
        .replace(/\u0629/g, '\u0627')
        .replace(/\u0649/g, '\u0627')
        // ظ is ẓ in ALA-LC and z in Persian and Urdu; any-ascii writes "dh", the romanization of ذ.
        .replace(/\u0638/g, '\u0632'),
    ).toLowerCase();
    const tokens: RawToken[] = [];
    for (const piece of text.split(/[^a-z0-9`']+/)) {
      const clean = piece.replace(/[`']/g, '');
      if (!clean) continue;
      // The article al- is written joined to the word in Arabic script.
      if (/^l[^aeiou]/.test(clean) && clean.length >= 4) {
        tokens.push({ text: 'al', abjad: true });
        tokens.push({ text: clean.slice(1), abjad: true });
      } else tokens.push({ text: clean, abjad: true });
    }
    marks.push({ start: m.index, end: m.index + m[0].length, tokens });
  }
  marks.sort((a, b) => a.start - b.start);
  let pos = 0;
  const plain = (text: string): void => {
    if (!text) return;
    const ascii = anyAscii(text.replace(KANA, (k) => ` ${k} `)).toLowerCase();
    out.push({ text: ascii, abjad: false });
  };
  for (const mark of marks) {
    if (mark.start < pos) continue;
    plain(input.slice(pos, mark.start));
    out.push(...mark.tokens);
    pos = mark.end;
  }
  plain(input.slice(pos));
  return out;
}

function leet(word: string): string {
  if (/^[0-9]+(st|nd|rd|th)$/.test(word)) return word;
  const digits = word.replace(/[^0-9]/g, '').length;
  const letters = word.length - digits;
  if (digits === 0 || letters < 2 || letters <= digits) return word;
  return word.replace(/[013457]/g, (d) => LEET[d] ?? d);
}

export function consonantSkeleton(text: string): string {
  // French "dj" (Djamel, Djouadi) is the j of English spellings (ج), as any-ascii writes it.
  return (text.includes('dj') ? text.replace(/dj/g, 'j') : text)
    .replace(/[aeiouywv'`]/g, '')
    .replace(/(.)\1+/g, '$1');
}

function makeToken(text: string, kind: TokenKind, abjad: boolean, cjk?: string): NameToken {
  let phonetic: string[] = [];
  if ((kind === 'word' || kind === 'stop' || kind === 'generic') && text.length >= 2 && !cjk) {
    phonetic = [...new Set(doubleMetaphone(text))].filter((c) => c.length >= 2);
  }
  const romanization = kind === 'word' && !abjad ? romanizationKeys(text) : undefined;
  return {
    text,
    kind,
    abjad,
    ...(cjk ? { cjk } : {}),
    phonetic,
    skeleton: consonantSkeleton(text),
    ...(romanization ? { romanization } : {}),
  };
}

/**
 * "G.m.b.H." and "I.C.I.C." arrive as single letters: join each run of two or more into one
 * token, a legal form or an acronym (which then matches only exactly). Spelled-out names still
 * meet acronyms through the abbreviation rule of the comparison ("jc" ~ "jean claude").
 */
function collapseLetterRuns(tokens: NameToken[], table: PhraseTable): NameToken[] {
  const out: NameToken[] = [];
  for (let i = 0; i < tokens.length; i++) {
    let j = i;
    while (j < tokens.length && tokens[j]!.kind === 'initial' && !tokens[j]!.abjad) j++;
    if (j - i < 2) {
      out.push(tokens[i]!);
      continue;
    }
    const joined = tokens
      .slice(i, j)
      .map((t) => t.text)
      .join('');
    const legal = table.byFirst.get(joined)?.find((p) => p.words.length === 1);
    out.push(
      legal
        ? makeToken(legal.symbol, 'legal', false)
        : { ...makeToken(joined, 'word', false), acronym: true },
    );
    i = j - 1;
  }
  return out;
}

const isFiller = (t: NameToken): boolean =>
  t.kind === 'stop' || t.kind === 'legal' || t.kind === 'generic';

/** Check a name given by a caller; list entries use {@link analyseName} directly. */
export function checkQueryName(name: string): void {
  if (name.length > MAX_NAME_LENGTH) {
    throw new ScreeningError(
      'NAME_TOO_LONG',
      `the name is ${name.length} characters long; the limit is ${MAX_NAME_LENGTH}`,
      { details: { length: name.length, limit: MAX_NAME_LENGTH } },
    );
  }
  if (!/[\p{L}\p{N}]/u.test(name)) {
    throw new ScreeningError('NAME_EMPTY', 'the name is empty or has no letters or digits');
  }
}

/** Analyse one name into comparable tokens. Names longer than the limit are refused. */
export function analyseName(name: string, style: NameStyle = 'any'): AnalysedName {
  if (name.length > MAX_NAME_LENGTH) checkQueryName(name);
  const normalised = name.normalize('NFKC');
  const words: RawToken[] = [];
  for (const piece of segment(normalised)) {
    if (piece.cjk !== undefined || piece.abjad) {
      if (piece.text) words.push(piece);
      continue;
    }
    const cleaned = piece.text
      .replace(/&/g, ' and ')
      .replace(/(\p{L})['`’ʼʻ](?=\p{L})/gu, '$1')
      .replace(/^['`’ʼʻ]|(?<=\s)['`’ʼʻ]/g, '')
      .replace(/[^a-z0-9]+/g, ' ')
      .trim();
    for (const w of cleaned.split(' ')) if (w) words.push({ text: leet(w), abjad: false });
  }
  const table = style === 'person' ? STRICT_TABLE : ORG_TABLE;
  let tokens: NameToken[] = [];
  for (let i = 0; i < words.length; i++) {
    const raw = words[i]!;
    const w = raw.text;
    if (raw.cjk !== undefined) {
      tokens.push(makeToken(w, 'word', false, raw.cjk));
      continue;
    }
    const phrases = raw.abjad ? undefined : table.byFirst.get(w);
    let matched = false;
    if (phrases) {
      for (const p of phrases) {
        if (p.words.every((pw, k) => words[i + k]?.text === pw && !words[i + k]?.abjad)) {
          tokens.push(makeToken(p.symbol, 'legal', false));
          i += p.words.length - 1;
          matched = true;
          break;
        }
      }
    }
    if (matched) continue;
    if (!raw.abjad && (TITLES.has(w) || (style === 'person' && RANKS.has(w)))) continue;
    // The Persian and Urdu ezafe ("Jaish-e-Mohammed", "Harakat ul-Jihad-i-Islami") is a
    // connective, not an initial; person names keep "e" and "i" as initials.
    if (
      style !== 'person' &&
      !raw.abjad &&
      (w === 'e' || w === 'i') &&
      i > 0 &&
      i < words.length - 1
    ) {
      tokens.push(makeToken('ezafe', 'stop', false));
      continue;
    }
    // "Company for Trading", "Group of Industries": the connective only joins a descriptive word
    // or legal form to what follows (Arabic شركة ... لل, Spanish "Compañía de"), the word order
    // that English writes "Trading Company"; it carries nothing of its own.
    const previous = tokens[tokens.length - 1];
    if (
      style !== 'person' &&
      !raw.abjad &&
      (w === 'for' || w === 'of') &&
      (previous?.kind === 'legal' || previous?.kind === 'generic')
    ) {
      continue;
    }
    const stop = STOP.get(w) ?? (raw.abjad ? undefined : assimilatedArticle(w, words, i));
    if (stop) {
      tokens.push(makeToken(stop, 'stop', raw.abjad));
      continue;
    }
    let value = raw.abjad ? undefined : numberValue(w, style);
    if (value !== undefined) {
      // "forty four", "forty-four", "forty 4" → 44.
      const nextWord = words[i + 1];
      const next = nextWord && !nextWord.abjad ? numberValue(nextWord.text, style) : undefined;
      if (value >= 20 && value % 10 === 0 && value < 100 && next !== undefined && next < 10) {
        value += next;
        i++;
      }
      tokens.push(makeToken(String(value), 'number', false));
      continue;
    }
    const word = ABBREVIATIONS.get(w) ?? w;
    const kind: TokenKind =
      word.length === 1
        ? 'initial'
        : style !== 'person' && !raw.abjad && GENERIC.has(word)
          ? 'generic'
          : 'word';
    tokens.push(makeToken(word, kind, raw.abjad));
  }
  // A name made only of titles keeps them (it is then the whole name, e.g. "Sir").
  if (tokens.length === 0 && words.length > 0) {
    for (const raw of words) tokens.push(makeToken(raw.text, 'word', raw.abjad, raw.cjk));
  }
  tokens = collapseLetterRuns(tokens, table);
  // A name made only of descriptive words ("International Trading Co") is named by them.
  if (tokens.some((t) => t.kind === 'generic') && tokens.every(isFiller)) {
    tokens = tokens.map((t) => (t.kind === 'generic' ? makeToken(t.text, 'word', false) : t));
  }
  // A name made only of particles ("Da", "Al") is a name in its own right.
  if (tokens.length > 0 && tokens.every((t) => t.kind === 'stop' || t.kind === 'legal')) {
    return {
      original: name,
      tokens: tokens.map((t) => makeToken(t.text, 'word', t.abjad, t.cjk)),
    };
  }
  return { original: name, tokens };
}
