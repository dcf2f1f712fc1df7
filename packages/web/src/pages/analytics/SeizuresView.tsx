import { useMemo } from 'react';
import { Badge, Button, Group, MultiSelect, SimpleGrid, Stack, Text } from '@mantine/core';
import { useNavigate } from 'react-router';
import { QueryState } from '../../components/QueryState';
import {
  analyticsApi,
  rowsPageHref,
  type Facets,
  type Series,
  type UnusualItem,
} from './analytics-api';
import { EChart, lineChart, plotGrid, valueAxis, type ChartOption } from './EChart';
import {
  CbpDrugSelect,
  compact,
  DataTable,
  FilterBar,
  fmt,
  MonthRange,
  pct,
  RowsLink,
  Select,
  signed,
  useAnalytics,
  useListParam,
  useViewParams,
  ViewCard,
  type Column,
} from './shared';

const GROUPS = [
  { value: 'drug', label: 'Drug' },
  { value: 'region', label: 'Region' },
  { value: 'component', label: 'Component' },
  { value: 'aor', label: 'Field office / sector' },
  { value: 'total', label: 'All together' },
];

/** The most recent complete fiscal year in a month range (FY N ends in September of N). */
function lastFullFiscalYear(last: string | undefined): number {
  if (!last) return new Date().getFullYear() - 1;
  const [y, m] = last.split('-').map(Number) as [number, number];
  return m >= 9 ? y : y - 1;
}

/** Fiscal years covered by the loaded CBP months (FY N starts in October of N−1). */
function fiscalYears(months: [string, string] | null): string[] {
  if (!months) return [String(lastFullFiscalYear(undefined))];
  const fy = (m: string) => {
    const [y, mm] = m.split('-').map(Number) as [number, number];
    return mm >= 10 ? y + 1 : y;
  };
  const out: string[] = [];
  for (let y = fy(months[0]); y <= fy(months[1]); y++) out.push(String(y));
  return out;
}

/** A series' last full fiscal year against the one before (null without two full years). */
function lastYearChange(s: Series): number | null {
  const full = s.annual.filter((a) => a.months === 12);
  const last = full[full.length - 1];
  const prev = full[full.length - 2];
  return last && prev && prev.value > 0 ? (last.value - prev.value) / prev.value : null;
}

/**
 * The fiscal-year table's columns: one per year of the grid every series shares (the server
 * puts all series on the same months, so the first series' years are every series' years).
 */
function fiscalYearColumns(series: readonly Series[]): Column<Series>[] {
  return [
    { header: 'Series', cell: (s) => s.key },
    ...(series[0]?.annual ?? []).map((a, i): Column<Series> => ({
      key: a.year,
      header: (
        <>
          FY{a.year}
          {a.months < 12 ? ` (${a.months} mo)` : ''}
        </>
      ),
      numeric: true,
      cell: (s) => fmt(s.annual[i]?.value),
    })),
    {
      header: 'Last full year vs before',
      numeric: true,
      cell: (s) => {
        const change = lastYearChange(s);
        return change === null ? '—' : `${change >= 0 ? '+' : ''}${pct(change)}`;
      },
    },
  ];
}

/** How many series the chart draws unless the reader chooses: more lines are unreadable. */
const DEFAULT_SHOWN = 8;

/**
 * The series the chart draws: those the reader chose (the `show` parameters that name a series
 * of this view), else the largest few. A choice made under another grouping names no series
 * here and falls back to the default.
 */
function shownSeries(ranked: readonly Series[], chosen: readonly string[]): Series[] {
  const wanted = new Set(chosen);
  const picked = ranked.filter((s) => wanted.has(s.key));
  return picked.length > 0 ? picked : ranked.slice(0, DEFAULT_SHOWN);
}

/**
 * Why a month is unusual, in words: how far it is from the expected value (in the unit, and as a
 * ratio), and the range of ordinary months it left (the values within the threshold). The
 * actual and expected values have their own columns.
 */
function whyUnusual(u: UnusualItem, unit: string): string {
  const off =
    u.ratio === null
      ? 'where none was expected'
      : u.ratio >= 1
        ? `${fmt(u.ratio)}× expected`
        : `${pct(u.ratio)} of expected`;
  const low = Math.max(0, u.usualLow);
  return `${signed(u.gap)} ${unit} (${off}); the usual range was ${fmt(low)}–${fmt(u.usualHigh)} ${unit}.`;
}

export function SeizuresView({ facets }: { facets: Facets }) {
  const navigate = useNavigate();
  const [v, , field] = useViewParams({
    group: 'drug',
    metric: 'pounds',
    drug: '',
    region: '',
    component: '',
    aor: '',
    from: '',
    to: '',
    fy: String(lastFullFiscalYear(facets.seizures.months?.[1])),
    threshold: '3.5',
    minimum: '',
  });
  const [chosen, choose] = useListParam('show');
  const filters = compact({
    drug: v.drug,
    region: v.region,
    component: v.component,
    aor: v.aor,
    from: v.from,
    to: v.to,
  });
  const seriesQuery = { ...filters, group: v.group, metric: v.metric };
  const series = useAnalytics('seizures', analyticsApi.seizureSeries, seriesQuery);
  const mixQuery = compact({ ...filters, from: undefined, to: undefined, fiscalYear: v.fy });
  const mix = useAnalytics('mix', analyticsApi.mix, mixQuery);
  const unusualQuery = compact({ ...seriesQuery, threshold: v.threshold, minimum: v.minimum });
  const unusual = useAnalytics('unusual', analyticsApi.unusual, unusualQuery);
  const forecastQuery = { ...filters, group: 'total', metric: v.metric, horizon: 6 };
  const forecast = useAnalytics('forecast', analyticsApi.forecast, forecastQuery);
  const unit = v.metric === 'events' ? 'seizure events' : 'pounds';
  const shortUnit = v.metric === 'events' ? 'events' : 'lb';
  const groupLabel = GROUPS.find((g) => g.value === v.group)?.label.toLowerCase() ?? v.group;

  // Every series of the view, largest total first: the order of the chooser and of the table.
  const ranked = useMemo(() => {
    const all = series.data?.series ?? [];
    return [...all]
      .map((s) => ({ s, total: s.points.reduce((a, p) => a + p.value, 0) }))
      .sort((a, b) => b.total - a.total)
      .map((x) => x.s);
  }, [series.data]);
  const shown = useMemo(() => shownSeries(ranked, chosen), [ranked, chosen]);
  const choosing =
    shown.length !== Math.min(ranked.length, DEFAULT_SHOWN) ||
    shown.some((s, i) => s !== ranked[i]);

  const seriesOption: ChartOption = useMemo(
    () =>
      lineChart(
        shown[0]?.points.map((p) => p.month) ?? [],
        unit,
        shown.map((s) => ({ name: s.key, data: s.points.map((p) => p.value) })),
        { zoom: true, unit: shortUnit },
      ),
    [shown, unit, shortUnit],
  );

  return (
    <Stack gap="lg">
      <FilterBar>
        <Select label="Series by" {...field('group')} options={GROUPS} w={190} />
        <Select
          label="Measure"
          {...field('metric')}
          options={[
            { value: 'pounds', label: 'Pounds seized' },
            { value: 'events', label: 'Seizure events' },
          ]}
          w={160}
        />
        <CbpDrugSelect drugs={facets.seizures.drug} {...field('drug')} />
        <Select
          label="Region"
          {...field('region')}
          options={facets.seizures.region}
          allLabel="All regions"
          w={180}
        />
        <Select
          label="Component"
          {...field('component')}
          options={facets.seizures.component}
          allLabel="Both components"
          w={210}
        />
        <Select
          label="Field office / sector"
          {...field('aor')}
          options={facets.seizures.aor}
          allLabel="All"
          w={230}
        />
        <MonthRange from={field('from')} to={field('to')} />
      </FilterBar>

      <ViewCard
        id="series-heading"
        title={
          <>
            Monthly {unit} by {groupLabel}
          </>
        }
        csv={{ path: 'seizures/series', query: seriesQuery }}
      >
        <QueryState query={series} label="seizure series">
          {(data) =>
            data.series.length === 0 ? (
              <Text c="dimmed">
                No CBP seizure rows match these filters. Load CBP files under Administration →
                Ingest jobs.
              </Text>
            ) : (
              <>
                <Group justify="space-between" align="flex-end" gap="sm" mb="xs">
                  <Text size="sm" aria-live="polite">
                    {shown.length === ranked.length
                      ? `Showing all ${fmt(ranked.length)} series.`
                      : choosing
                        ? `Showing ${fmt(shown.length)} of ${fmt(ranked.length)} series, as chosen.`
                        : `Showing the ${fmt(shown.length)} largest of ${fmt(ranked.length)} series (by total ${unit}); choose which to show.`}
                  </Text>
                  <Group gap="xs">
                    {shown.length < ranked.length && (
                      <Button
                        variant="default"
                        size="xs"
                        onClick={() => choose(ranked.map((s) => s.key))}
                      >
                        Show all {fmt(ranked.length)}
                      </Button>
                    )}
                    {choosing && (
                      <Button variant="default" size="xs" onClick={() => choose([])}>
                        The {fmt(Math.min(DEFAULT_SHOWN, ranked.length))} largest
                      </Button>
                    )}
                  </Group>
                </Group>
                {ranked.length > 1 && (
                  <MultiSelect
                    label="Series on the chart"
                    data={ranked.map((s) => s.key)}
                    value={shown.map((s) => s.key)}
                    onChange={(keys) => choose(keys)}
                    searchable
                    clearable
                    hidePickedOptions
                    nothingFoundMessage="No such series"
                    mb="xs"
                  />
                )}
                <EChart
                  option={seriesOption}
                  label={`Line chart of monthly ${unit} by ${groupLabel}: ${shown
                    .map((s) => s.key)
                    .join(', ')}`}
                  onPointClick={(p) => {
                    const s = shown.find((x) => x.key === p.seriesName);
                    const point = s?.points[p.dataIndex];
                    if (point) void navigate(rowsPageHref(point.rowsHref));
                  }}
                />
                <Text size="xs" c="dimmed">
                  Click a point to see the CBP rows behind it. Fiscal years run October to
                  September.
                </Text>
                <DataTable
                  caption="Fiscal-year totals and change on the year before, every series"
                  columns={fiscalYearColumns(data.series)}
                  rows={ranked}
                  rowKey={(s) => s.key}
                  minWidth={600}
                  mt="sm"
                />
              </>
            )
          }
        </QueryState>
      </ViewCard>

      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="lg">
        <ViewCard
          id="mix-heading"
          title={<>Drug mix, FY{v.fy}</>}
          csv={{ path: 'seizures/mix', query: mixQuery }}
          controls={
            <Select
              label="Fiscal year"
              {...field('fy')}
              options={fiscalYears(facets.seizures.months)}
              w={110}
            />
          }
        >
          <QueryState query={mix} label="drug mix">
            {(data) => (
              <DataTable
                caption="Share of pounds and of seizure events, by drug"
                columns={[
                  { header: 'Drug', cell: (i) => i.drug },
                  { header: 'Pounds', numeric: true, cell: (i) => fmt(i.pounds) },
                  { header: 'Share', numeric: true, cell: (i) => pct(i.poundsShare) },
                  { header: 'Events', numeric: true, cell: (i) => fmt(i.events) },
                  { header: 'Share', numeric: true, cell: (i) => pct(i.eventsShare) },
                  { header: 'Source', cell: (i) => <RowsLink href={i.rowsHref} rows={i.rows} /> },
                ]}
                rows={data.items}
                rowKey={(i) => i.drug}
              />
            )}
          </QueryState>
        </ViewCard>

        <ViewCard
          id="forecast-heading"
          title="Forecast, next 6 months"
          csv={{ path: 'seizures/forecast', query: forecastQuery }}
        >
          <QueryState query={forecast} label="forecast">
            {(data) => {
              const item = data.items[0];
              if (!item) return <Text c="dimmed">Not enough months to forecast.</Text>;
              const months = [
                ...item.history.map((p) => p.month),
                ...item.forecast.points.map((p) => p.month),
              ];
              const pad = item.history.map(() => null);
              const interval = `${Math.round(item.forecast.level * 100)}% interval`;
              // One line per figure of the hovered month: the actual value, or the forecast and
              // its interval as a range (the chart draws the band as a stacked width).
              const tooltipText = (index: number): string => {
                const lines = [months[index] ?? ''];
                const actual = item.history[index];
                const ahead = item.forecast.points[index - item.history.length];
                if (actual) lines.push(`Actual: ${fmt(actual.value)} ${shortUnit}`);
                if (ahead) {
                  lines.push(`Forecast: ${fmt(ahead.value)} ${shortUnit}`);
                  lines.push(`${interval}: ${fmt(ahead.lower)} – ${fmt(ahead.upper)} ${shortUnit}`);
                }
                return lines.join('<br>');
              };
              const option: ChartOption = {
                tooltip: {
                  trigger: 'axis',
                  formatter: (params) => {
                    const first = Array.isArray(params) ? params[0] : params;
                    return tooltipText(first?.dataIndex ?? 0);
                  },
                },
                legend: {
                  top: 0,
                  data: ['Actual', 'Forecast', interval],
                },
                grid: plotGrid({ top: 40, bottom: 8 }),
                xAxis: { type: 'category', data: months },
                yAxis: valueAxis(unit),
                series: [
                  {
                    name: 'Actual',
                    type: 'line',
                    showSymbol: false,
                    data: item.history.map((p) => p.value),
                  },
                  {
                    name: 'Lower bound',
                    type: 'line',
                    stack: 'band',
                    symbol: 'none',
                    lineStyle: { opacity: 0 },
                    data: [...pad, ...item.forecast.points.map((p) => p.lower)],
                  },
                  {
                    name: interval,
                    type: 'line',
                    stack: 'band',
                    symbol: 'none',
                    lineStyle: { opacity: 0 },
                    areaStyle: { opacity: 0.25 },
                    data: [...pad, ...item.forecast.points.map((p) => p.upper - p.lower)],
                  },
                  {
                    name: 'Forecast',
                    type: 'line',
                    lineStyle: { type: 'dashed' },
                    data: [...pad, ...item.forecast.points.map((p) => p.value)],
                  },
                ],
              };
              return (
                <>
                  <EChart
                    option={option}
                    height={280}
                    label={`Forecast of monthly ${unit} with interval`}
                  />
                  <Text size="xs" c="dimmed">
                    {item.forecast.method === 'holt-winters-additive'
                      ? 'Seasonal Holt-Winters'
                      : 'Holt linear trend'}
                    ; one-step error (RMSE) {fmt(item.forecast.rmse)} {unit}; band widens with √h.
                  </Text>
                </>
              );
            }}
          </QueryState>
        </ViewCard>
      </SimpleGrid>

      <ViewCard
        id="unusual-heading"
        title="Unusual months"
        csv={{ path: 'seizures/unusual', query: unusualQuery }}
        controls={
          <>
            <Select
              label="Flag from |z| ≥"
              {...field('threshold')}
              options={['2.5', '3', '3.5', '4', '5']}
              w={120}
            />
            <Select
              label="Smallest gap"
              {...field('minimum')}
              options={[
                { value: '', label: '1% of the view' },
                { value: '0', label: 'Any gap' },
                ...(v.metric === 'events'
                  ? ['10', '100', '1000']
                  : ['10', '100', '1000', '10000']
                ).map((m) => ({ value: m, label: `${fmt(Number(m))} ${shortUnit}` })),
              ]}
              w={190}
            />
          </>
        }
      >
        <QueryState query={unusual} label="unusual months">
          {(data) => (
            <>
              <Text size="sm" c="dimmed" mb="xs">
                A month is flagged when two tests agree. It is far from what its series leads one to
                expect: against a robust seasonal baseline (running median level plus the median
                effect of its calendar month), its residual is at least {v.threshold} robust
                standard deviations (1.4826 × MAD).{' '}
                {data.minimum === undefined
                  ? 'And its gap from the expected value is large enough to matter in this view.'
                  : data.minimumRule?.kind === 'share-of-view'
                    ? `And its gap from the expected value is at least ${fmt(data.minimum)} ${shortUnit}: ${pct(data.minimumRule.share)} of this view’s typical monthly total (${fmt(data.minimumRule.typicalTotal)} ${shortUnit}), so that a series too small to matter here, where one seizure swings a month, is not flagged for its noise.`
                    : data.minimum === 0
                      ? 'Any gap from the expected value counts, as chosen.'
                      : `And its gap from the expected value is at least ${fmt(data.minimum)} ${shortUnit}, as chosen.`}
                {data.belowMinimum
                  ? ` ${fmt(data.belowMinimum)} ${data.belowMinimum === 1 ? 'month passes' : 'months pass'} the first test but not the second.`
                  : ''}
              </Text>
              {data.items.length === 0 ? (
                <Text c="dimmed">No month stands out at this threshold.</Text>
              ) : (
                <DataTable
                  caption={
                    data.items.length > 25
                      ? `The 25 most unusual of ${fmt(data.items.length)} months flagged (all in the CSV)`
                      : 'Months flagged, most unusual first'
                  }
                  columns={[
                    { header: 'Series', cell: (u) => u.key },
                    {
                      header: 'Month',
                      cell: (u) => (
                        <Text span size="sm" style={{ whiteSpace: 'nowrap' }}>
                          {u.month}
                        </Text>
                      ),
                    },
                    { header: 'Actual', numeric: true, cell: (u) => fmt(u.value) },
                    { header: 'Expected', numeric: true, cell: (u) => fmt(u.expected) },
                    { header: 'Robust SDs', numeric: true, cell: (u) => fmt(u.score) },
                    {
                      header: 'How unusual',
                      cell: (u) => (
                        <Badge
                          color={
                            u.severity === 'extreme'
                              ? 'red'
                              : u.severity === 'strong'
                                ? 'orange'
                                : 'yellow'
                          }
                          variant="light"
                        >
                          {u.severity} {u.direction}
                        </Badge>
                      ),
                    },
                    {
                      header: 'Why',
                      cell: (u) => (
                        <Text size="sm" miw={220}>
                          {whyUnusual(u, shortUnit)}
                        </Text>
                      ),
                    },
                    {
                      header: 'Source',
                      cell: (u) => <RowsLink href={u.rowsHref} rows={u.rows} />,
                    },
                  ]}
                  rows={data.items.slice(0, 25)}
                  rowKey={(u) => `${u.key}-${u.month}`}
                  minWidth={900}
                />
              )}
            </>
          )}
        </QueryState>
      </ViewCard>
    </Stack>
  );
}
