import { useEffect, useRef } from 'react';
import * as echarts from 'echarts';
import { useComputedColorScheme } from '@mantine/core';

export type ChartOption = echarts.EChartsOption;

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

  return <div ref={ref} role="img" aria-label={label} style={{ width: '100%', height }} />;
}

/**
 * One line per series over months (the trend charts): a scrolling legend of the series on top,
 * values on the y axis named `yName`. `zoom` adds a slider under the axis for long spans.
 */
export function lineChart(
  months: readonly string[],
  yName: string,
  lines: readonly { name: string; data: readonly (number | null)[] }[],
  options: { zoom?: boolean } = {},
): ChartOption {
  return {
    tooltip: { trigger: 'axis' },
    legend: { type: 'scroll', top: 0 },
    grid: { left: 60, right: 20, top: 40, bottom: options.zoom ? 60 : 30 },
    xAxis: { type: 'category', data: [...months] },
    yAxis: { type: 'value', name: yName },
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
  left: number,
): ChartOption {
  return {
    tooltip: { trigger: 'axis' },
    grid: { left, right: 20, top: 20, bottom: 30 },
    xAxis: { type: 'category', data: [...categories] },
    yAxis: { type: 'value', name: yName },
    series: [{ name: bars.name, type: 'bar', data: [...bars.data] }],
  };
}
