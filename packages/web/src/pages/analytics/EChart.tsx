import { useEffect, useRef, useState } from 'react';
import * as echarts from 'echarts';
import { useComputedColorScheme } from '@mantine/core';
import { axisNumber, fmt } from './format';

export type ChartOption = echarts.EChartsOption;

/** The part of zrender's scene the clipping check reads (public fields, typed here). */
interface DrawnElement {
  type: string;
  ignore?: boolean;
  invisible?: boolean;
  style?: { text?: unknown; font?: string; y?: number; textBaseline?: string };
  transform?: number[] | null;
  __clipPaths?: unknown[];
  getBoundingRect(): { x: number; width: number };
}

/** How far above its `y` a line of text reaches, for each canvas text baseline. */
const ABOVE_BASELINE: Record<string, number> = { top: 0, middle: 0.5, bottom: 1, hanging: 0 };

/**
 * The texts a chart drew (partly) outside its canvas: an axis name or tick label cut off at the
 * edge. Texts inside a clipping region (a scrolling legend's hidden items) are the clip's
 * business and not counted. The chart reports them in `data-clipped-text` so a test can see what
 * a reader would.
 *
 * Each line of text is a `tspan` in zrender's display list. Its measured width is right, but
 * zrender takes a line's height from the width of a CJK glyph, which is meaningless where no CJK
 * font is installed, so the height is the font's size, placed by the text's baseline (an
 * alphabetic baseline has about 0.8 em above it).
 */
function clippedTexts(instance: echarts.ECharts): string[] {
  const zr = instance.getZr();
  const width = zr.getWidth() ?? 0;
  const height = zr.getHeight() ?? 0;
  const elements = zr.storage.getDisplayList() as unknown as DrawnElement[];
  const out: string[] = [];
  for (const el of elements) {
    if (el.type !== 'tspan' || el.ignore || el.invisible || el.__clipPaths?.length) continue;
    const style = el.style ?? {};
    if (typeof style.text !== 'string' && typeof style.text !== 'number') continue;
    const size = Number(/(\d+(?:\.\d+)?)px/.exec(style.font ?? '')?.[1] ?? 12);
    const top = (style.y ?? 0) - size * (ABOVE_BASELINE[style.textBaseline ?? ''] ?? 0.8);
    const { x, width: w } = el.getBoundingRect();
    // The box's corners through the element's transform (axis names may be rotated).
    const m = el.transform ?? [1, 0, 0, 1, 0, 0];
    const corners = [
      [x, top],
      [x + w, top],
      [x, top + size],
      [x + w, top + size],
    ].map(([cx = 0, cy = 0]) => [
      (m[0] ?? 1) * cx + (m[2] ?? 0) * cy + (m[4] ?? 0),
      (m[1] ?? 0) * cx + (m[3] ?? 1) * cy + (m[5] ?? 0),
    ]);
    const outside = corners.some(
      ([cx = 0, cy = 0]) => cx < -1 || cy < -1 || cx > width + 1 || cy > height + 1,
    );
    if (outside) out.push(String(style.text));
  }
  return out;
}

/**
 * One ECharts instance bound to a div: created once, given new options when they change,
 * resized with its container and disposed on unmount. `label` names the chart for screen
 * readers (the canvas itself has no text), and `onPointClick` lets a figure open its rows.
 */
export function EChart({
  option,
  height = 320,
  label,
  onPointClick,
}: {
  option: ChartOption;
  height?: number;
  label: string;
  onPointClick?: (params: { seriesName?: string; dataIndex: number; name?: string }) => void;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  // null until the first render has finished; then the clipped texts, '' when none.
  const [clipped, setClipped] = useState<string | null>(null);
  const scheme = useComputedColorScheme('light');
  const click = useRef(onPointClick);
  useEffect(() => {
    click.current = onPointClick;
  });

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const instance = echarts.init(el, scheme === 'dark' ? 'dark' : undefined, {
      renderer: 'canvas',
    });
    chart.current = instance;
    instance.on('click', (p) => {
      const params = p as { seriesName?: string; dataIndex: number; name?: string };
      click.current?.(params);
    });
    instance.on('finished', () => setClipped(clippedTexts(instance).join(' | ')));
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(el);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, [scheme]);

  useEffect(() => {
    chart.current?.setOption({ backgroundColor: 'transparent', animation: false, ...option }, true);
  }, [option, scheme]);

  return (
    <div
      ref={ref}
      role="img"
      aria-label={label}
      data-clipped-text={clipped ?? undefined}
      style={{ width: '100%', height }}
    />
  );
}

/**
 * Where a cartesian chart's plot sits: the margins are the outer bounds, and ECharts shrinks the
 * plot until the axis labels and the axis names fit inside them, so a long tick label
 * (10,000,000) or a name above the axis is never cut off at the canvas edge.
 */
export function plotGrid(margins: { top: number; bottom: number }) {
  return {
    left: 8,
    right: 24,
    ...margins,
    outerBoundsMode: 'same',
    outerBoundsContain: 'all',
  } as const;
}

/** A value axis named by its unit, its ticks in the locale's number format. */
export function valueAxis(name: string) {
  return {
    type: 'value',
    name,
    // Left-aligned over the tick labels rather than centred on the axis line, whose left half
    // would run off the canvas.
    nameTextStyle: { align: 'left' },
    axisLabel: { formatter: (v: number) => axisNumber(v) },
  } as const;
}

/** A tooltip value in the locale's format, with its unit when given (12,345.6 lb). */
export function tooltipValue(unit?: string) {
  return (value: unknown): string => {
    const v = Array.isArray(value) ? (value as unknown[])[1] : value;
    if (typeof v !== 'number') return '—';
    return unit ? `${fmt(v)} ${unit}` : fmt(v);
  };
}

/**
 * One line per series over months (the trend charts): a scrolling legend of the series on top,
 * values on the y axis named `yName`. `zoom` adds a slider under the axis for long spans;
 * `unit` follows each value in the tooltip.
 */
export function lineChart(
  months: readonly string[],
  yName: string,
  lines: readonly { name: string; data: readonly (number | null)[] }[],
  options: { zoom?: boolean; unit?: string } = {},
): ChartOption {
  return {
    tooltip: { trigger: 'axis', valueFormatter: tooltipValue(options.unit) },
    legend: { type: 'scroll', top: 0 },
    grid: plotGrid({ top: 40, bottom: options.zoom ? 40 : 8 }),
    xAxis: { type: 'category', data: [...months] },
    yAxis: valueAxis(yName),
    ...(options.zoom
      ? { dataZoom: [{ type: 'inside' }, { type: 'slider', height: 18, bottom: 8 }] }
      : {}),
    series: lines.map((l) => ({
      name: l.name,
      type: 'line',
      showSymbol: false,
      data: [...l.data],
    })),
  };
}

/** One bar per category (a month or a year) of a single series, its unit named on the y axis. */
export function barChart(
  categories: readonly string[],
  yName: string,
  bars: { name: string; data: readonly number[] },
  unit?: string,
): ChartOption {
  return {
    tooltip: { trigger: 'axis', valueFormatter: tooltipValue(unit) },
    grid: plotGrid({ top: 32, bottom: 8 }),
    xAxis: { type: 'category', data: [...categories] },
    yAxis: valueAxis(yName),
    series: [{ name: bars.name, type: 'bar', data: [...bars.data] }],
  };
}
