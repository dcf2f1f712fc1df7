import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  analyseName,
  compareNames,
  jaroWinkler,
  osaDistance,
  scoreNamePair,
  ScreeningError,
  MAX_NAME_LENGTH,
} from './index';

const score = (a: string, b: string, schema = 'Person') => scoreNamePair(a, b, { schema }).score;

// Words of 2..9 letters, names of 1..4 words: plain Latin so the invariants below are exact.
const word = fc.stringMatching(/^[a-z]{2,9}$/);
const name = fc.array(word, { minLength: 1, maxLength: 4 }).map((w) => w.join(' '));

const ACCENTS: Record<string, string> = { a: 'á', e: 'é', i: 'í', o: 'ö', u: 'ü', c: 'ç', n: 'ñ' };

describe('edit distances', () => {
  it('agree with textbook values', () => {
    // Known answers: Levenshtein kitten/sitting = 3 (Levenshtein 1966 example); OSA ca/ac = 1.
    expect(osaDistance('kitten', 'sitting')).toBe(3);
    expect(osaDistance('ca', 'ac')).toBe(1);
    // Winkler (1990) table: MARTHA/MARHTA 0.961, DIXON/DICKSONX 0.813.
    expect(jaroWinkler('martha', 'marhta')).toBeCloseTo(0.961, 3);
    expect(jaroWinkler('dixon', 'dicksonx')).toBeCloseTo(0.813, 3);
  });
});

describe('name score invariants (property tests)', () => {
  it('is always within [0, 1]', () => {
    fc.assert(
      fc.property(name, name, (a, b) => {
        const s = score(a, b);
        return s >= 0 && s <= 1;
      }),
      { numRuns: 300 },
    );
  });

  it('is 1 for a name against itself', () => {
    fc.assert(fc.property(name, (a) => score(a, a) === 1));
  });

  it('ignores letter case', () => {
    fc.assert(
      fc.property(name, name, (a, b) => score(a, b) === score(a.toUpperCase(), b)),
      { numRuns: 200 },
    );
  });

  it('ignores diacritics', () => {
    fc.assert(
      fc.property(name, name, (a, b) => {
        const accented = a.replace(/[aeioucn]/g, (c) => ACCENTS[c] ?? c);
        return score(a, b) === score(accented, b);
      }),
      { numRuns: 200 },
    );
  });

  it('ignores the order of name parts', () => {
    fc.assert(
      fc.property(
        fc.array(word, { minLength: 1, maxLength: 4 }),
        name,
        (parts, b) => score(parts.join(' '), b) === score([...parts].reverse().join(' '), b),
      ),
      { numRuns: 200 },
    );
  });

  it('is symmetric: either name may be the query', () => {
    fc.assert(
      fc.property(name, name, (a, b) => Math.abs(score(a, b) - score(b, a)) < 1e-12),
      { numRuns: 300 },
    );
  });

  it('explains every score: aligned parts plus what was left over', () => {
    fc.assert(
      fc.property(name, name, (a, b) => {
        const c = compareNames(analyseName(a, 'person'), analyseName(b, 'person'));
        const tokens = analyseName(a, 'person').tokens.length;
        const covered =
          c.aligned.reduce((n, x) => n + x.query.split(' ').length, 0) + c.unmatchedQuery.length;
        return covered === tokens && c.aligned.every((x) => x.similarity > 0 && x.similarity <= 1);
      }),
      { numRuns: 200 },
    );
  });
});

describe('matching behaviour', () => {
  it('matches spelling variants, joined and split names, initials and legal forms', () => {
    expect(score('Vladimir Putin', 'PUTIN, Vladimir')).toBe(1);
    expect(score('Alexandr Lukashenko', 'Aleksandr Lukashenko')).toBeGreaterThanOrEqual(0.7);
    expect(score('SergeiLavrov', 'Sergei Lavrov')).toBeGreaterThanOrEqual(0.9);
    expect(score('J. Smith', 'John Smith')).toBeGreaterThanOrEqual(0.7);
    expect(score('Acme Trading LLC', 'ACME TRADING LIMITED LIABILITY COMPANY', 'Company')).toBe(1);
    expect(score('Gazprom OAO', 'Open Joint Stock Company Gazprom', 'Company')).toBe(1);
    expect(score('A.B.C. Shipping', 'ABC Shipping', 'Company')).toBe(1);
  });

  it('knows common short forms of given names', () => {
    expect(score('Bill Gates', 'William Gates')).toBeGreaterThanOrEqual(0.7);
    expect(score('Sasha Petrov', 'Alexander Petrov')).toBeGreaterThanOrEqual(0.7);
  });

  it('keeps different people apart', () => {
    expect(score('John Smith', 'Jane Smithers')).toBeLessThan(0.7);
    expect(score('Boris Abramov', 'Roman Abramov')).toBeLessThan(0.7);
    expect(score('Hans O Friedrich', 'Hans Joachim Friedrich')).toBeLessThan(0.7);
    expect(score('Acme Shipping', 'Apex Mining', 'Company')).toBeLessThan(0.7);
  });

  it("tells a father's name (after bin) from a given name", () => {
    expect(score('Khalid bin Yusuf Haddad', 'Yusuf bin Khalid Haddad')).toBeLessThan(
      score('Khalid bin Yusuf Haddad', 'Haddad Khalid bin Yusuf'),
    );
    expect(score('Khalid bin Yusuf Haddad', 'Haddad Khalid bin Yusuf')).toBe(1);
  });

  it('weighs rare parts above common ones', () => {
    const common = analyseName('mohammed ali', 'person');
    const weigher = (t: { text: string; kind: string }) =>
      t.kind === 'word' ? (t.text === 'mohammed' ? 0.3 : 1) : 0.25;
    const list = analyseName('mohammed hassan', 'person');
    const rare = analyseName('zubair hassan', 'person');
    const listRare = analyseName('zubair karimi', 'person');
    // Sharing only a common token scores below sharing only a rare one.
    expect(compareNames(common, list, { weigher }).score).toBeLessThan(
      compareNames(rare, listRare, { weigher }).score,
    );
  });
});

describe('cross-script names (written for this test)', () => {
  const pairs: [string, string][] = [
    ['Владимир Путин', 'Vladimir Putin'],
    ['Сергей Викторович Лавров', 'Sergey Viktorovich Lavrov'],
    ['Аркадий Ротенберг', 'Arkady Rotenberg'],
    ['Ελευθέριος Βενιζέλος', 'Eleftherios Venizelos'],
    ['محمد بن سلمان', 'Mohammed bin Salman'],
    ['أسامة بن لادن', 'Osama bin Laden'],
    ['عبد العزيز', 'Abdul Aziz'],
    ['习近平', 'Xi Jinping'],
    ['王毅', 'Wang Yi'],
    ['李克强', 'Li Keqiang'],
  ];
  for (const [native, latin] of pairs) {
    it(`${native} ~ ${latin}`, () => {
      expect(score(native, latin)).toBeGreaterThanOrEqual(0.7);
    });
  }
  it('does not match different people across scripts', () => {
    expect(score('Владимир Путин', 'Dmitry Medvedev')).toBeLessThan(0.7);
    expect(score('محمد بن سلمان', 'Osama bin Laden')).toBeLessThan(0.7);
    expect(score('习近平', 'Li Keqiang')).toBeLessThan(0.7);
  });
  it('tells two ideographic names apart by their characters, not their readings', () => {
    // 石 and 市 are both read "shi": a reading match would call these the same person.
    expect(score('高石早苗', '高市早苗')).toBeLessThan(0.7);
  });
});

describe('bad query names', () => {
  it('refuses an empty name or one without letters', () => {
    for (const bad of ['', '   ', '---', '...']) {
      expect(() => scoreNamePair(bad, 'John Smith')).toThrow(ScreeningError);
    }
  });
  it('refuses a 10 MB name quickly with NAME_TOO_LONG', () => {
    const huge = 'a'.repeat(10 * 1024 * 1024);
    try {
      scoreNamePair(huge, 'John Smith');
      throw new Error('expected a refusal');
    } catch (error) {
      expect(error).toBeInstanceOf(ScreeningError);
      expect((error as ScreeningError).code).toBe('NAME_TOO_LONG');
      expect((error as ScreeningError).details).toMatchObject({ limit: MAX_NAME_LENGTH });
    }
  });
});

describe('explanations only where they are needed', () => {
  it('gives the same score with or without the explanation and with given weights', () => {
    const a = analyseName('Tomasz Wieczorek-Halas', 'person');
    const b = analyseName('Tomas Wieczorek', 'person');
    const full = compareNames(a, b);
    expect(full.aligned.length).toBeGreaterThan(0);
    const bare = compareNames(a, b, { explainFrom: full.score + 0.01 });
    expect(bare.score).toBe(full.score);
    expect(bare.aligned).toEqual([]);
    const explained = compareNames(a, b, { explainFrom: full.score });
    expect(explained).toEqual(full);
    const weights = compareNames(a, b, {
      queryWeights: a.tokens.map(() => 1),
      candidateWeights: b.tokens.map(() => 1),
    });
    expect(weights.score).toBe(full.score);
  });
});
