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
