import type { Entity, EntityName, Schema } from './model';
import {
  analyseName,
  checkQueryName,
  type AnalysedName,
  type NameStyle,
  type NameToken,
} from './normalize';
import {
  clamp01,
  compareNames,
  KIND_WEIGHT,
  type NameComparison,
  type TokenWeigher,
} from './compare';
import { nameVariants, styleOf } from './pairs';
import { countryCode } from './countries';
import { ScreeningError } from './errors';

/**
 * In-memory screening index: recall first (cheap keys: tokens, Double Metaphone codes,
 * single-deletion variants after Garbe's symmetric-delete scheme, consonant skeletons and joined
 * neighbours), then rerank the few best candidates with the full name comparison and the
 * entity's other facts.
 *
 * The index holds only plain data built from entities, so each worker thread builds its own
 * from the same entity array (building is a fraction of a second per 10,000 entities).
 */
export interface ScreeningQuery {
  /** One name, or several (all are tried; the best counts). */
  readonly name?: string;
  readonly names?: readonly string[];
  readonly schema?: Schema;
  /** ISO 8601 date or prefix (1965, 1965-03, 1965-03-02). */
  readonly birthDate?: string;
  /** Country names or ISO codes. */
  readonly nationality?: string | readonly string[];
  readonly gender?: 'male' | 'female';
  readonly identifiers?: readonly { readonly type?: string; readonly value: string }[];
}

export interface Adjustment {
  readonly feature: 'birth-date' | 'nationality' | 'gender' | 'identifier' | 'weak-alias';
  /** Amount added to the score (negative: subtracted). */
  readonly delta: number;
  readonly detail: string;
}

export interface MatchExplanation {
  readonly queryName: string;
  readonly matchedName: string;
  readonly matchedNameQuality: EntityName['quality'];
  readonly nameScore: number;
  readonly name: NameComparison;
  readonly adjustments: readonly Adjustment[];
}

export interface ScreeningHit {
  readonly entity: Entity;
  readonly score: number;
  readonly explanation: MatchExplanation;
}

export interface SearchOptions {
  /** Hits below this are not returned (default 0.7). */
  readonly threshold?: number;
  /** At most this many hits (default 10). */
  readonly limit?: number;
  /** Only these lists (by `Entity.list`). */
  readonly lists?: readonly string[];
  /** Candidate names reranked per query (default 48). */
  readonly candidates?: number;
}

interface IndexedName {
  readonly entity: number;
  readonly name: EntityName;
  readonly analysed: AnalysedName;
  readonly style: NameStyle;
  /** The weigher's weight of each token, computed once when the index is built. */
  weights: readonly number[];
}

/** Penalties for contradicting facts (they only ever subtract, never add). */
export const PENALTY = {
  birthYear: 0.2,
  birthDay: 0.1,
  nationality: 0.1,
  gender: 0.1,
  weakAlias: 0.1,
} as const;

const SCHEMA_COMPAT: Record<Schema, readonly Schema[]> = {
  Person: ['Person', 'LegalEntity'],
  Organization: ['Organization', 'Company', 'LegalEntity'],
  Company: ['Organization', 'Company', 'LegalEntity'],
  LegalEntity: ['Person', 'Organization', 'Company', 'LegalEntity'],
  Vessel: ['Vessel'],
  Aircraft: ['Aircraft'],
};

function deletions(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i++) out.push(text.slice(0, i) + text.slice(i + 1));
  return out;
}

function recallKeys(token: NameToken): string[] {
  if (token.kind === 'stop' || token.kind === 'legal' || token.kind === 'initial') return [];
  const t = token.text;
  const keys = ['t' + t];
  if (token.kind === 'number') return keys;
  for (const p of token.phonetic) keys.push('p' + p);
  if (t.length >= 4) for (const d of deletions(t)) keys.push('d' + d);
  if (token.skeleton.length >= 2) keys.push('k' + token.skeleton);
  return keys;
}

/** Keys a list name is filed under. */
function nameKeys(a: AnalysedName): Set<string> {
  const keys = new Set<string>();
  const toks = a.tokens;
  for (const t of toks) {
    for (const k of recallKeys(t)) keys.add(k);
    // Deletion variants meet the other side's plain token as well.
    if (t.kind === 'word' && t.text.length >= 3) keys.add('d' + t.text);
  }
  for (let i = 0; i + 1 < toks.length; i++) {
    keys.add('t' + toks[i]!.text + toks[i + 1]!.text);
  }
  return keys;
}

function normaliseId(value: string): string {
  // "IMO 9187629" and "9187629" are the same IMO number.
  return value
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '')
    .replace(/^IMO(?=\d{7}$)/, '');
}

export function compareBirthDates(
  query: string,
  listed: readonly string[],
): Adjustment | undefined {
  if (!query || listed.length === 0) return undefined;
  const q = query.trim();
  let sameYear = false;
  for (const d of listed) {
    const n = Math.min(q.length, d.length);
    if (q.slice(0, n) === d.slice(0, n)) return undefined;
    if (q.slice(0, 4) === d.slice(0, 4)) sameYear = true;
  }
  return sameYear
    ? {
        feature: 'birth-date',
        delta: -PENALTY.birthDay,
        detail: `born ${q}; listed ${listed.join(', ')}`,
      }
    : {
        feature: 'birth-date',
        delta: -PENALTY.birthYear,
        detail: `born ${q}; listed ${listed.join(', ')}`,
      };
}

export class ScreeningIndex {
  readonly entities: readonly Entity[];
  private readonly names: IndexedName[] = [];
  private readonly postings = new Map<string, number[]>();
  private readonly idPostings = new Map<string, number[]>();
  private readonly df = new Map<string, number>();
  private readonly logN: number;
  /** Token weight: kind weight × rarity (IDF over the indexed names). */
  readonly weigher: TokenWeigher;
  private scratch: Float64Array;
  private mark: Int32Array;
  private stamp = 0;
  private groupMark: Int32Array;
  private groupStamp = 0;

  private constructor(entities: readonly Entity[]) {
    this.entities = entities;
    entities.forEach((entity, e) => {
      const style = styleOf(entity.schema);
      for (const name of entity.names) {
        let variants: AnalysedName[];
        try {
          variants = nameVariants(name.full, style);
        } catch {
          continue;
        }
        for (const analysed of variants) {
          if (analysed.tokens.length === 0) continue;
          const id = this.names.length;
          this.names.push({ entity: e, name, analysed, style, weights: [] });
          const seen = new Set<string>();
          for (const t of analysed.tokens) {
            if (seen.has(t.text)) continue;
            seen.add(t.text);
            this.df.set(t.text, (this.df.get(t.text) ?? 0) + 1);
          }
          for (const key of nameKeys(analysed)) {
            const list = this.postings.get(key);
            if (list) list.push(id);
            else this.postings.set(key, [id]);
          }
        }
      }
      for (const ident of entity.identifiers) {
        const key = normaliseId(ident.value);
        if (key.length < 4) continue;
        const list = this.idPostings.get(key);
        if (list) list.push(e);
        else this.idPostings.set(key, [e]);
      }
    });
    const n = Math.max(this.names.length, 2);
    this.logN = Math.log((n + 1) / 2);
    const df = this.df;
    const logN = this.logN;
    this.weigher = (t: NameToken): number => {
      const base = KIND_WEIGHT[t.kind];
      if (t.kind !== 'word') return base;
      const count = df.get(t.text) ?? 0;
      const idf = Math.log((n + 1) / (count + 1)) / logN;
      return base * Math.min(1, Math.max(0.3, idf));
    };
    for (const indexed of this.names) indexed.weights = indexed.analysed.tokens.map(this.weigher);
    this.scratch = new Float64Array(this.names.length);
    this.mark = new Int32Array(this.names.length);
    this.groupMark = new Int32Array(this.names.length);
  }

  static build(entities: readonly Entity[]): ScreeningIndex {
    return new ScreeningIndex(entities);
  }

  get nameCount(): number {
    return this.names.length;
  }

  /** Screen one query; hits are sorted best first. */
  search(query: ScreeningQuery, options: SearchOptions = {}): ScreeningHit[] {
    const threshold = options.threshold ?? 0.7;
    const limit = options.limit ?? 10;
    const queryNames = [...(query.name ? [query.name] : []), ...(query.names ?? [])];
    if (queryNames.length === 0 && !(query.identifiers?.length ?? 0)) {
      throw new ScreeningError('INVALID_QUERY', 'a screening query needs a name or an identifier');
    }
    for (const n of queryNames) checkQueryName(n);
    const style = styleOf(query.schema);
    const allowed = query.schema ? new Set(SCHEMA_COMPAT[query.schema]) : undefined;
    const lists = options.lists ? new Set(options.lists) : undefined;
    const best = new Map<number, ScreeningHit>();
    const wanted = (
      Array.isArray(query.nationality)
        ? query.nationality
        : query.nationality
          ? [query.nationality as string]
          : []
    )
      .map((c: string) => countryCode(c))
      .filter((c): c is string => !!c);

    const consider = (e: number, hit: ScreeningHit): void => {
      const prev = best.get(e);
      if (!prev || hit.score > prev.score) best.set(e, hit);
    };
    const eligible = (entity: Entity): boolean =>
      (!allowed || allowed.has(entity.schema)) && (!lists || lists.has(entity.list));

    // Strong identifiers decide.
    for (const ident of query.identifiers ?? []) {
      const key = normaliseId(ident.value);
      for (const e of this.idPostings.get(key) ?? []) {
        const entity = this.entities[e]!;
        if (!eligible(entity)) continue;
        const listed = entity.identifiers.find((i) => normaliseId(i.value) === key)!;
        const empty: NameComparison = {
          score: 0,
          aligned: [],
          unmatchedQuery: [],
          unmatchedCandidate: [],
          notes: [],
        };
        consider(e, {
          entity,
          score: 1,
          explanation: {
            queryName: queryNames[0] ?? '',
            matchedName: entity.names[0]?.full ?? '',
            matchedNameQuality: entity.names[0]?.quality ?? 'primary',
            nameScore: 0,
            name: empty,
            adjustments: [
              { feature: 'identifier', delta: 1, detail: `${listed.type} ${listed.value} matches` },
            ],
          },
        });
      }
    }

    for (const qName of queryNames) {
      for (const q of nameVariants(qName, style)) {
        if (q.tokens.length === 0) continue;
        const queryWeights = q.tokens.map(this.weigher);
        for (const id of this.recall(q, options.candidates ?? 48)) {
          const indexed = this.names[id]!;
          const entity = this.entities[indexed.entity]!;
          if (!eligible(entity)) continue;
          const prev = best.get(indexed.entity);
          if (prev && prev.score >= 1) continue;
          const cmp = compareNames(q, indexed.analysed, {
            weigher: this.weigher,
            style: query.schema ? style : indexed.style,
            queryWeights,
            candidateWeights: indexed.weights,
            explainFrom: threshold,
          });
          if (cmp.score <= 0) continue;
          const hit = this.finish(query, wanted, qName, cmp, indexed, entity);
          consider(indexed.entity, hit);
        }
      }
    }
    return [...best.values()]
      .filter((h) => h.score >= threshold)
      .sort((a, b) => b.score - a.score || a.entity.id.localeCompare(b.entity.id))
      .slice(0, limit);
  }

  private finish(
    query: ScreeningQuery,
    wanted: readonly string[],
    queryName: string,
    cmp: NameComparison,
    indexed: IndexedName,
    entity: Entity,
  ): ScreeningHit {
    const adjustments: Adjustment[] = [];
    if (indexed.name.quality === 'weak') {
      adjustments.push({
        feature: 'weak-alias',
        delta: -PENALTY.weakAlias,
        detail: `"${indexed.name.full}" is a weak alias`,
      });
    }
    if (query.birthDate) {
      const adj = compareBirthDates(query.birthDate, entity.birthDates);
      if (adj) adjustments.push(adj);
    }
    const known = [...entity.nationalities, ...entity.countries];
    if (wanted.length > 0 && known.length > 0 && !wanted.some((c) => known.includes(c))) {
      adjustments.push({
        feature: 'nationality',
        delta: -PENALTY.nationality,
        detail: `${wanted.join(', ')} not among ${[...new Set(known)].join(', ')}`,
      });
    }
    if (query.gender && entity.gender && query.gender !== entity.gender) {
      adjustments.push({
        feature: 'gender',
        delta: -PENALTY.gender,
        detail: `${query.gender} vs listed ${entity.gender}`,
      });
    }
    const score = clamp01(cmp.score + adjustments.reduce((s, a) => s + a.delta, 0));
    return {
      entity,
      score,
      explanation: {
        queryName,
        matchedName: indexed.name.full,
        matchedNameQuality: indexed.name.quality,
        nameScore: cmp.score,
        name: cmp,
        adjustments,
      },
    };
  }

  /** Candidate name ids for an analysed query name, best recall score first. */
  private recall(q: AnalysedName, k: number): number[] {
    if (this.stamp > 2_000_000_000 || this.groupStamp > 2_000_000_000) {
      this.mark.fill(0);
      this.groupMark.fill(0);
      this.stamp = 0;
      this.groupStamp = 0;
    }
    const stamp = ++this.stamp;
    const scratch = this.scratch;
    const mark = this.mark;
    const touched: number[] = [];
    const tokens = q.tokens;
    const groups: { keys: string[]; weight: number }[] = tokens.map((t) => ({
      keys: recallKeys(t),
      weight: this.weigher(t),
    }));
    for (let i = 0; i + 1 < tokens.length; i++) {
      const a = tokens[i]!;
      const b = tokens[i + 1]!;
      groups.push({
        keys: ['t' + a.text + b.text],
        weight: Math.max(this.weigher(a), this.weigher(b)),
      });
      if (i + 2 < tokens.length) {
        const c = tokens[i + 2]!;
        groups.push({ keys: ['t' + a.text + b.text + c.text], weight: this.weigher(c) });
      }
    }
    // A lone joined token ("SergeiLavrov") is looked up by its splits too.
    if (tokens.length === 1 && tokens[0]!.text.length >= 6) {
      const t = tokens[0]!.text;
      for (let cut = 2; cut <= t.length - 2; cut++) {
        groups.push({ keys: ['t' + t.slice(0, cut), 't' + t.slice(cut)], weight: 0.5 });
      }
    }
    const groupMark = this.groupMark;
    const add = (l: readonly number[] | undefined, group: number, weight: number): void => {
      if (!l) return;
      for (const id of l) {
        if (mark[id] !== stamp) {
          mark[id] = stamp;
          scratch[id] = 0;
          touched.push(id);
        }
        // Each query token counts once per name, however many of its keys hit.
        if (groupMark[id] === group) continue;
        groupMark[id] = group;
        scratch[id] = scratch[id]! + weight;
      }
    };
    for (const g of groups) {
      const group = ++this.groupStamp;
      for (const key of g.keys) add(this.postings.get(key), group, g.weight);
      // The query token's own deletions meet list tokens filed under their plain text.
      const t = g.keys[0];
      if (t && t[0] === 't' && t.length >= 5) {
        for (const d of deletions(t.slice(1))) add(this.postings.get('t' + d), group, g.weight);
      }
    }
    let top = 0;
    for (const id of touched) if (scratch[id]! > top) top = scratch[id]!;
    // Names that share much less with the query than the best candidate cannot win the rerank.
    const floor = top * 0.4;
    const kept = touched.filter((id) => scratch[id]! >= floor);
    if (kept.length <= k) return kept;
    kept.sort((a, b) => scratch[b]! - scratch[a]!);
    return kept.slice(0, k);
  }
}

/** Analyse a single name the way the index does (for callers comparing outside an index). */
export function analyseForSchema(name: string, schema?: Schema): AnalysedName {
  return analyseName(name, styleOf(schema));
}
