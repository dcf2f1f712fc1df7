// A held-out name-matching protocol built from the watchlists themselves, so that name_bench
// (which the matcher was developed on) is not the only measure of quality.
//
// Pairs:
// - positive "alias": two Latin-script names of ONE entity (primary, strong or weak a.k.a.) that
//   are spelling variants of each other rather than unrelated aliases ("ATWA, Ali" / "BOUSLIM,
//   Ammar Mansour" is an alias, not a spelling variant, and no name matcher should join them);
// - positive "cross-script": a UN entry's name in its original script against its Latin name;
// - negative "shared-surname" / "shared-given" / "shared-token": names of two DIFFERENT entities
//   of one list and one schema that share a token (a rare one first), i.e. the pairs a screening
//   officer actually has to tell apart ("KIM Kyong Min" / "KIM Kyong Il").
//
// "Spelling variant" is decided without the matcher: the Dice coefficient of the two names'
// letter bigrams (within tokens, token boundaries marked, ASCII letters after NFKD) is at least
// 0.4. Negatives must pass the SAME filter, so the filter does not separate the two classes; it
// only makes both of them hard. Pairs the filter drops (nicknames, noms de guerre, "Mao Tse-tung"
// / "Mao Zedong") are not in the automatic set; the written pairs in
// packages/screening/test-fixtures/romanization_pairs.csv cover romanization systems instead.
//
// The split is fixed before any error is looked at: sha256 of the entity id, first byte even →
// "dev" (errors may be looked at), odd → "test" (only its figures are printed). A negative is
// kept only when both of its entities fall in the same half.
import { createHash } from 'node:crypto';
import type { Entity, ParsedList } from '@interdict/screening';

export type Half = 'dev' | 'test';
export type PairKind =
  'alias' | 'cross-script' | 'shared-surname' | 'shared-given' | 'shared-token' | 'written';

export interface HeldOutPair {
  readonly name1: string;
  readonly name2: string;
  readonly schema: string;
  readonly isMatch: boolean;
  readonly kind: PairKind;
  readonly half: Half;
  readonly source: string;
}

const hashByte = (s: string): number => createHash('sha256').update(s).digest()[0]!;
export const halfOf = (entityId: string): Half => (hashByte(entityId) % 2 === 0 ? 'dev' : 'test');

/** ASCII letters only, lower case, one entry per word. Not the matcher's normaliser. */
function plainWords(name: string): string[] {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z\s,'-]/g, '')
    .split(/[\s,'-]+/)
    .filter(Boolean);
}

const isLatin = (name: string): boolean =>
  !/[^\p{Script=Latin}\p{N}\p{P}\p{Z}\p{S}\p{M}]/u.test(name);

function bigrams(words: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const w of words) {
    const s = `^${w}$`;
    for (let i = 0; i + 1 < s.length; i++) {
      const b = s.slice(i, i + 2);
      out.set(b, (out.get(b) ?? 0) + 1);
    }
  }
  return out;
}

export function dice(a: string, b: string): number {
  const x = bigrams(plainWords(a));
  const y = bigrams(plainWords(b));
  let common = 0;
  let total = 0;
  for (const [k, v] of x) {
    common += Math.min(v, y.get(k) ?? 0);
    total += v;
  }
  for (const v of y.values()) total += v;
  return total === 0 ? 0 : (2 * common) / total;
}

const VARIANT_DICE = 0.4;

/** Words too common to define a hard negative by themselves (particles, legal forms). */
const COMMON = new Set(
  'al el bin ibn ben abu abd de la del los las the of and company co ltd llc limited sa inc corp group international trading'.split(
    ' ',
  ),
);

const schemaClass = (e: Entity): string => (e.schema === 'Person' ? 'Person' : e.schema);

/** OFAC writes persons "SURNAME, Given Names": the part before the comma is the surname. */
function surnameWords(name: string): string[] | undefined {
  const comma = name.indexOf(',');
  return comma > 0 ? plainWords(name.slice(0, comma)) : undefined;
}

export function heldOutPairs(lists: readonly ParsedList[], perToken = 3): HeldOutPair[] {
  const out: HeldOutPair[] = [];
  for (const list of lists) {
    const source = list.version.id;
    // Positives.
    for (const e of list.entities) {
      const half = halfOf(e.id);
      // The primary name against each other Latin name (all pairs would let entities with
      // twenty aliases dominate).
      const primary = e.names[0];
      const seen = new Set<string>();
      for (const n of e.names.slice(1)) {
        if (!primary || !isLatin(primary.full) || !isLatin(n.full)) continue;
        const a = primary.full;
        const b = n.full;
        const key = plainWords(b).sort().join(' ');
        // Identical up to case, punctuation and order: no test of anything.
        if (plainWords(a).sort().join(' ') === key || seen.has(key)) continue;
        if (dice(a, b) < VARIANT_DICE) continue;
        seen.add(key);
        out.push({
          name1: a,
          name2: b,
          schema: schemaClass(e),
          isMatch: true,
          kind: 'alias',
          half,
          source,
        });
      }
      for (const n of e.names) {
        if (n.kind !== 'original-script' || !primary || isLatin(n.full)) continue;
        out.push({
          name1: primary.full,
          name2: n.full,
          schema: schemaClass(e),
          isMatch: true,
          kind: 'cross-script',
          half,
          source,
        });
      }
    }
    // Negatives: entities that share a word, rarest words first, a few pairs per word.
    const byWord = new Map<string, { e: Entity; name: string }[]>();
    for (const e of list.entities) {
      const words = new Set<string>();
      for (const n of e.names) {
        if (!isLatin(n.full)) continue;
        for (const w of plainWords(n.full)) {
          if (w.length < 3 || COMMON.has(w) || words.has(w)) continue;
          words.add(w);
          const arr = byWord.get(w) ?? [];
          arr.push({ e, name: n.full });
          byWord.set(w, arr);
        }
      }
    }
    const taken = new Set<string>();
    for (const [word, members] of byWord) {
      const entities = new Set(members.map((m) => m.e.id));
      if (entities.size < 2 || entities.size > 200) continue;
      let count = 0;
      // A fixed, content-derived order, so the set does not depend on list order.
      const ordered = [...members].sort(
        (x, y) => hashByte(x.e.id + word) - hashByte(y.e.id + word) || x.e.id.localeCompare(y.e.id),
      );
      for (let i = 0; i < ordered.length && count < perToken; i++) {
        for (let j = i + 1; j < ordered.length && count < perToken; j++) {
          const x = ordered[i]!;
          const y = ordered[j]!;
          if (x.e.id === y.e.id || schemaClass(x.e) !== schemaClass(y.e)) continue;
          const half = halfOf(x.e.id);
          if (half !== halfOf(y.e.id)) continue;
          const pairKey = [x.e.id, y.e.id].sort().join('|');
          if (taken.has(pairKey) || dice(x.name, y.name) < VARIANT_DICE) continue;
          taken.add(pairKey);
          count++;
          let kind: PairKind = 'shared-token';
          if (x.e.schema === 'Person') {
            const sx = surnameWords(x.name);
            const sy = surnameWords(y.name);
            if (sx && sy) {
              const inX = sx.includes(word);
              if (inX && sy.includes(word)) kind = 'shared-surname';
              else if (!inX && !sy.includes(word)) kind = 'shared-given';
            }
          }
          out.push({
            name1: x.name,
            name2: y.name,
            schema: schemaClass(x.e),
            isMatch: false,
            kind,
            half,
            source,
          });
        }
      }
    }
  }
  return out;
}
