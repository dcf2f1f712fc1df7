// Figures as the reader's locale writes them: its digit grouping and decimal sign everywhere
// (tables, sentences, chart axes and tooltips), through Intl.NumberFormat. One formatter per
// pattern, made once: constructing them is the costly part.

const formatters = new Map<string, Intl.NumberFormat>();
function formatter(options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = JSON.stringify(options);
  let f = formatters.get(key);
  if (!f) formatters.set(key, (f = new Intl.NumberFormat(undefined, options)));
  return f;
}

/**
 * A figure with the locale's grouping: at most one decimal by default, exactly `digits`
 * decimals otherwise (rates, where the second decimal carries information). A dash for none.
 */
export function fmt(value: number | null | undefined, digits = 1): string {
  if (value == null || !Number.isFinite(value)) return '—';
  // A rounded −0.0 reads as a sign error; show it as 0.
  const shown = Math.abs(value) < 0.5 * 10 ** -digits ? 0 : value;
  return formatter(
    digits === 1
      ? { maximumFractionDigits: 1 }
      : { minimumFractionDigits: digits, maximumFractionDigits: digits },
  ).format(shown);
}

/** A figure with its sign always written (+1,234.5, −12), for gaps and changes. */
export function signed(value: number | null | undefined): string {
  if (value == null || !Number.isFinite(value)) return '—';
  if (Math.abs(value) < 0.05) return fmt(0);
  return formatter({ maximumFractionDigits: 1, signDisplay: 'always' }).format(value);
}

/** A share as a percentage with one decimal, in the locale's style (12.3%, 12,3 %). */
export function pct(value: number | null | undefined): string {
  if (value == null || !Number.isFinite(value)) return '—';
  return formatter({
    style: 'percent',
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  }).format(value);
}

/**
 * A chart axis tick: axis ticks are round numbers, so no fixed decimals, but small rates keep
 * up to two (0.25 events per 100,000).
 */
export function axisNumber(value: number): string {
  return formatter({ maximumFractionDigits: 2 }).format(value);
}
