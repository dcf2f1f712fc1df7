import { AnalyticsError } from './errors';
import { addMonths, type Month } from './months';

export interface ForecastPoint {
  readonly month: Month;
  readonly value: number;
  readonly lower: number;
  readonly upper: number;
}

export interface Forecast {
  readonly method: 'holt-winters-additive' | 'holt-linear';
  readonly alpha: number;
  readonly beta: number;
  readonly gamma: number;
  /** Root mean squared one-step-ahead error over the fitted span. */
  readonly rmse: number;
  /** Nominal coverage of the intervals, e.g. 0.8. */
  readonly level: number;
  readonly points: readonly ForecastPoint[];
}

interface Fit {
  sse: number;
  residuals: number[];
  level: number;
  trend: number;
  season: number[];
}

function fitHoltWinters(
  y: readonly number[],
  period: number,
  a: number,
  b: number,
  g: number,
): Fit {
  // Initial state from the first two seasons (Hyndman & Athanasopoulos, FPP3 §8.3).
  const m = period;
  const first = y.slice(0, m);
  const second = y.slice(m, 2 * m);
  const mean1 = first.reduce((s, v) => s + v, 0) / m;
  const mean2 = second.length === m ? second.reduce((s, v) => s + v, 0) / m : mean1;
  let level = mean1;
  let trend = (mean2 - mean1) / m;
  const season = first.map((v) => v - mean1);
  const residuals: number[] = [];
  let sse = 0;
  for (let t = m; t < y.length; t++) {
    const s = season[t % m] as number;
    const yt = y[t] as number;
    const predicted = level + trend + s;
    const e = yt - predicted;
    residuals.push(e);
    sse += e * e;
    const newLevel = a * (yt - s) + (1 - a) * (level + trend);
    trend = b * (newLevel - level) + (1 - b) * trend;
    season[t % m] = g * (yt - newLevel) + (1 - g) * s;
    level = newLevel;
  }
  return { sse, residuals, level, trend, season };
}

function fitHolt(y: readonly number[], a: number, b: number): Fit {
  let level = y[0] as number;
  let trend = y.length > 1 ? (y[1] as number) - (y[0] as number) : 0;
  const residuals: number[] = [];
  let sse = 0;
  for (let t = 1; t < y.length; t++) {
    const yt = y[t] as number;
    const e = yt - (level + trend);
    residuals.push(e);
    sse += e * e;
    const newLevel = a * yt + (1 - a) * (level + trend);
    trend = b * (newLevel - level) + (1 - b) * trend;
    level = newLevel;
  }
  return { sse, residuals, level, trend, season: [] };
}

/** Standard normal quantile (Acklam's rational approximation, |error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new AnalyticsError('INVALID_ARGUMENT', 'quantile needs 0 < p < 1');
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972,
    -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734,
    4.374664141464968, 2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const pl = 0.02425;
  const [a0, a1, a2, a3, a4, a5] = a as [number, number, number, number, number, number];
  const [b0, b1, b2, b3, b4] = b as [number, number, number, number, number];
  const [c0, c1, c2, c3, c4, c5] = c as [number, number, number, number, number, number];
  const [d0, d1, d2, d3] = d as [number, number, number, number];
  if (p < pl) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) /
      ((((d0 * q + d1) * q + d2) * q + d3) * q + 1)
    );
  }
  if (p > 1 - pl) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q) /
    (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1)
  );
}

/**
 * Short-horizon forecast by additive Holt-Winters exponential smoothing (FPP3 §8.3), smoothing
 * parameters chosen by grid search on one-step-ahead squared error. With fewer than two full
 * seasons it falls back to Holt's linear method. Intervals are residual-based: σ·√h, with σ
 * the RMSE of the one-step residuals — a simple stand-in for the exact ETS variance (FPP3 §8.7)
 * that widens with the horizon — and the lower bound is clamped at zero because counts and
 * weights cannot go negative.
 */
export function forecastSeries(
  points: readonly { month: Month; value: number }[],
  options: { horizon?: number; period?: number; level?: number } = {},
): Forecast {
  const horizon = options.horizon ?? 6;
  const period = options.period ?? 12;
  const level = options.level ?? 0.8;
  if (points.length < 3) {
    throw new AnalyticsError('INVALID_ARGUMENT', 'a forecast needs at least 3 months of data');
  }
  if (!Number.isInteger(horizon) || horizon < 1 || horizon > 36) {
    throw new AnalyticsError('INVALID_ARGUMENT', 'forecast horizon must be 1–36 months');
  }
  const y = points.map((p) => p.value);
  const seasonal = y.length >= 2 * period;
  const grid = [0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9];
  const betas = [0.01, 0.05, 0.1, 0.2];
  let best: { fit: Fit; a: number; b: number; g: number } | undefined;
  for (const a of grid) {
    for (const b of betas) {
      for (const g of seasonal ? [0.05, 0.1, 0.2, 0.4] : [0]) {
        const fit = seasonal ? fitHoltWinters(y, period, a, b, g) : fitHolt(y, a, b);
        if (!best || fit.sse < best.fit.sse) best = { fit, a, b, g };
      }
    }
  }
  const chosen = best as { fit: Fit; a: number; b: number; g: number };
  const { fit } = chosen;
  const rmse = Math.sqrt(fit.sse / Math.max(1, fit.residuals.length));
  const z = normalQuantile(0.5 + level / 2);
  const last = points[points.length - 1]?.month as Month;
  const out: ForecastPoint[] = [];
  for (let h = 1; h <= horizon; h++) {
    const s = seasonal ? (fit.season[(y.length + h - 1) % period] as number) : 0;
    const value = Math.max(0, fit.level + h * fit.trend + s);
    const width = z * rmse * Math.sqrt(h);
    out.push({
      month: addMonths(last, h),
      value,
      lower: Math.max(0, value - width),
      upper: value + width,
    });
  }
  return {
    method: seasonal ? 'holt-winters-additive' : 'holt-linear',
    alpha: chosen.a,
    beta: chosen.b,
    gamma: chosen.g,
    rmse,
    level,
    points: out,
  };
}
