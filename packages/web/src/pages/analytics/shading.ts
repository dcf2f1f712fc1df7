// How the maps shade countries by a value: five classes at the quintiles of the countries that
// reported, so each shade holds about a fifth of them whatever the skew (a few countries seize
// most of the world's cocaine; equal-width classes would leave all the others in one shade).

/** Sequential blues for the classes, light to dark (ColorBrewer Blues, 5 classes). */
export const SHADES = ['#eff3ff', '#bdd7e7', '#6baed6', '#3182bd', '#08519c'] as const;

/** Land with no value (nothing reported, or zero), in the light and the dark scheme. */
export const NO_DATA = { light: '#f4f1ea', dark: '#3a3f47' } as const;

export interface ShadingClass {
  readonly color: string;
  /** Values above this are in the class (null: the first class, from the smallest value). */
  readonly above: number | null;
  /** Values up to and including this are in the class (null: the last class, no upper end). */
  readonly upTo: number | null;
  /** How many of the values fall in the class. */
  readonly count: number;
}

/**
 * The class breaks of positive values: the 20th, 40th, 60th and 80th percentiles (nearest rank
 * below), so class k holds the values above break k−1 and up to break k.
 */
export function quintileBreaks(values: readonly number[]): number[] {
  const sorted = values.filter((v) => v > 0).sort((a, b) => a - b);
  return [0.2, 0.4, 0.6, 0.8].map((q) => sorted[Math.floor(q * (sorted.length - 1))] ?? 0);
}

/** The class of a value: how many breaks it is above. */
export function classOf(value: number, breaks: readonly number[]): number {
  return breaks.filter((b) => value > b).length;
}

/**
 * The legend's classes: each with its colour, its range and how many values it holds. Classes
 * that hold nothing (equal breaks, when many values tie) are left out rather than shown with a
 * range no value falls in.
 */
export function shadingClasses(values: readonly number[]): ShadingClass[] {
  const positive = values.filter((v) => v > 0);
  if (positive.length === 0) return [];
  const breaks = quintileBreaks(positive);
  const counts = SHADES.map(() => 0);
  for (const v of positive) counts[classOf(v, breaks)] = (counts[classOf(v, breaks)] ?? 0) + 1;
  return SHADES.map((color, k) => ({
    color,
    above: k === 0 ? null : (breaks[k - 1] ?? null),
    upTo: k === SHADES.length - 1 ? null : (breaks[k] ?? null),
    count: counts[k] ?? 0,
  })).filter((c) => c.count > 0);
}
