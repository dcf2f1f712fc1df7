import { describe, it, expect } from 'vitest';
import { analyseName, compareNames, scoreNamePair } from './index';
import { legalClass } from './normalize';
import { romanizationEquivalent } from './romanization';

// Company names written for these tests (none is from a list or a benchmark file).
const org = (a: string, b: string) => scoreNamePair(a, b, { schema: 'Organization' });
const score = (a: string, b: string, schema = 'Organization') =>
  scoreNamePair(a, b, { schema }).score;

describe('legal forms across languages', () => {
  it.each([
    ['llc', 'ltd'],
    ['llc', 'gmbh'],
    ['sarl', 'srl'],
    ['jsc', 'ag'],
    ['sa', 'spa'],
    ['corp', 'inc'],
  ])('%s and %s are one legal nature', (a, b) => {
    expect(legalClass(a)).toBe(legalClass(b));
  });

  it('keeps limited-liability and joint-stock forms apart', () => {
    expect(legalClass('llc')).not.toBe(legalClass('jsc'));
    expect(legalClass('gmbh')).not.toBe(legalClass('ag'));
  });

  it('aligns one legal form written in two languages', () => {
    expect(analyseName('Zarya OOO', 'organization').tokens[1]?.text).toBe('llc');
    const c = org('Vostokstroi OOO', 'Vostokstroi Limited');
    expect(c.aligned.map((a) => a.how)).toContain('legal-form');
    expect(c.score).toBeGreaterThan(org('Vostokstroi OOO', 'Vostokstroi AG').score);
    expect(score('Brennholz GmbH', 'Brennholz LLC')).toBeGreaterThan(0.9);
  });

  it('reads the Russian limited-liability phrase in mixed transliteration', () => {
    const t = analyseName('Obshchestvo s Ogranichennoi Otvetstvennostyu Zarya', 'organization');
    expect(t.tokens.map((x) => x.text)).toEqual(['llc', 'zarya']);
  });
});

describe('descriptive words of organisation names', () => {
  it('are generic tokens in organisation names only', () => {
    expect(analyseName('Harbour Trading Group', 'organization').tokens.map((t) => t.kind)).toEqual([
      'word',
      'generic',
      'generic',
    ]);
    expect(analyseName('Martin Trading', 'person').tokens.map((t) => t.kind)).toEqual([
      'word',
      'word',
    ]);
  });

  it('cost little when they differ or are left out', () => {
    expect(score('Qorveth Shipping Holding', 'Qorveth')).toBeGreaterThanOrEqual(0.7);
    expect(score('Qorveth Network', 'Qorveth Group')).toBeGreaterThan(
      score('Qorveth Nakhla', 'Qorveth Garmsir'),
    );
    // The distinctive word still decides.
    expect(score('Qorveth Trading', 'Lindqvist Trading')).toBeLessThan(0.7);
  });

  it('never make a match alone', () => {
    expect(score('Harbour Trading Group', 'Summit Trading Group')).toBeLessThan(0.7);
  });

  it('name a body that has nothing else', () => {
    const t = analyseName('International Trading Co', 'organization').tokens;
    expect(t.filter((x) => x.kind === 'word').map((x) => x.text)).toEqual([
      'international',
      'trading',
    ]);
    expect(score('International Trading Co', 'International Trading Company')).toBe(1);
  });

  it('meet their truncations', () => {
    const c = org('Zeltor Shipping Serv Ltd', 'Zeltor Shipping Services Limited');
    expect(c.aligned.some((a) => a.how === 'truncation' && a.candidate === 'services')).toBe(true);
    expect(c.score).toBeGreaterThan(0.9);
    // Only descriptive words are cut short this way: "Ali" is not "Alina".
    expect(
      compareNames(analyseName('Ali', 'organization'), analyseName('Alina', 'organization'), {
        style: 'organization',
      }).aligned.some((a) => a.how === 'truncation'),
    ).toBe(false);
  });

  it('align a company named in another word order ("Company for X")', () => {
    const t = analyseName('Company for Haddad Brothers Trading', 'organization').tokens;
    expect(t.map((x) => x.text)).toEqual(['co', 'haddad', 'brothers', 'trading']);
    expect(score('Company for Haddad Brothers Trading', 'Haddad Brothers Trading Co')).toBe(1);
    // Elsewhere "of" stays: "Bank of Qorveth" keeps its particle.
    expect(analyseName('Bank of Qorveth', 'organization').tokens.map((x) => x.text)).toContain(
      'of',
    );
  });
});

describe('adjective and noun of one name, and the ezafe, in organisation names', () => {
  it('aligns Palestine / Palestinian and Islamic / Islami', () => {
    const c = org('Palestinian Relief Committee', 'Palestine Relief Committee');
    expect(c.aligned.map((a) => a.how)).toContain('derived');
    expect(c.score).toBeGreaterThan(0.9);
    const islamic = org('Jamaat al-Nur al-Islamiyya', 'Islamic Jamaat al-Nur');
    expect(islamic.aligned.map((a) => a.how)).toContain('derived');
    expect(islamic.score).toBeGreaterThanOrEqual(0.7);
  });

  it('does not apply to person names', () => {
    const c = scoreNamePair('Marian Kowal', 'Maria Kowal', { schema: 'Person' });
    expect(c.aligned.map((a) => a.how)).not.toContain('derived');
  });

  it('reads the ezafe -e- / -i- as a connective', () => {
    const t = analyseName('Lashkar-e-Qadir', 'organization').tokens;
    expect(t.map((x) => x.kind)).toEqual(['word', 'stop', 'word']);
    expect(score('Lashkar-e-Qadir', 'Lashkar-i-Qadir')).toBe(1);
    // In a person's name a single letter stays an initial.
    expect(analyseName('John E Smith', 'person').tokens[1]?.kind).toBe('initial');
  });
});

describe('Arabic letters read by national usage', () => {
  it.each([
    ['qadir', 'gadir'], // ق as g (gāf in Gulf and Libyan speech)
    ['tareq', 'tarek'], // ق as k
    ['ramadan', 'ramazan'], // ض as z (Persian, Turkish)
    ['kadhim', 'kazim'], // ذ/ظ as z
  ])('%s ~ %s', (a, b) => {
    expect(romanizationEquivalent(a, b)).toBe(true);
  });

  it.each([
    ['kamal', 'gamal'], // ك and ج: k and g agree only through q
    ['kasim', 'gasim'],
  ])('%s is not %s', (a, b) => {
    expect(romanizationEquivalent(a, b)).toBe(false);
  });
});

describe('person names: national readings, married surnames, ranks', () => {
  const person = (a: string, b: string) => scoreNamePair(a, b, { schema: 'Person' }).score;

  it('reads th for ذ/ظ and kh for h as one letter', () => {
    expect(romanizationEquivalent('ghathafi', 'qadhafi')).toBe(true);
    expect(romanizationEquivalent('vakhitov', 'vahitov')).toBe(true);
    expect(romanizationEquivalent('thamir', 'samir')).toBe(false);
  });

  it('takes "de" + husband for a replaced second surname (three parts or more)', () => {
    const married = person('Lucia Herrera Solis', 'Lucia Herrera de Montoya');
    const different = person('Lucia Herrera Solis', 'Lucia Herrera Montoya');
    expect(married).toBeGreaterThan(different);
    // Two parts: "De" is part of the surname (Dutch usage), so the surnames still differ.
    expect(person('Anke De Smet', 'Anke De Groot')).toBeLessThan(0.7);
  });

  it('drops military ranks before a person name, not in organisation names', () => {
    expect(analyseName('General Tomas Oyelaran', 'person').tokens.map((t) => t.text)).toEqual([
      'tomas',
      'oyelaran',
    ]);
    expect(analyseName('General Oyelaran Trading', 'organization').tokens[0]?.text).toBe('general');
    expect(analyseName('Hajj Karim Zouabi', 'person').tokens[0]?.kind).toBe('stop');
  });
});

describe('acronyms of multiword organisation names (a weak signal)', () => {
  it('reads a word made of the beginnings of the name words, in order', () => {
    const c = org('Transportes Maritimos del Sur Ltda', 'Transmasur Ltda');
    expect(c.aligned.map((a) => a.how)).toContain('acronym');
    expect(c.score).toBeGreaterThan(org('Transportes Maritimos del Sur Ltda', 'Sur Ltda').score);
  });

  it('reads initials over three parts or more', () => {
    const c = org('Baltic Ferry Operators Union', 'BFOU');
    expect(c.aligned.map((a) => a.how)).toContain('acronym');
  });

  it('stays weak: an acronym alone is not a sure match', () => {
    expect(score('Baltic Ferry Operators Union', 'BFOU')).toBeLessThan(0.9);
  });

  it('needs the words in order and is for organisations only', () => {
    expect(
      org('Transportes Maritimos del Sur', 'Surtransma').aligned.map((a) => a.how),
    ).not.toContain('acronym');
    const p = scoreNamePair('Carlos Alberto Lopez', 'Carlopez', { schema: 'Person' });
    expect(p.aligned.map((a) => a.how)).not.toContain('acronym');
  });
});

describe('Chinese given names in pinyin syllables', () => {
  const person = (a: string, b: string) => scoreNamePair(a, b, { schema: 'Person' }).score;

  it('tells two given names apart by their second syllable', () => {
    expect(person('Liang Jianhua', 'Liang Jianguo')).toBeLessThan(0.7);
    expect(person('Liang Jianhua', 'Liang Jian Hua')).toBe(1);
    expect(person('Liang Jianhua', 'Liang Chien-hua')).toBeGreaterThanOrEqual(0.7);
  });

  it('leaves other names to the edit distance', () => {
    expect(person('Dmitri Lanin', 'Dmitri Lamin')).toBeGreaterThanOrEqual(0.7);
  });
});
