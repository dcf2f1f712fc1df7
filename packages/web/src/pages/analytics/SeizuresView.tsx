import { useMemo } from 'react';
import { Badge, Card, Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { QueryState } from '../../components/QueryState';
import { analyticsApi, rowsPageHref, type Facets } from './analytics-api';
import { EChart, type ChartOption } from './EChart';
import {
  compact,
  CsvButton,
  fmt,
  MonthInput,
  pct,
  RowsLink,
  Select,
  useViewParams,
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

export function SeizuresView({ facets }: { facets: Facets }) {
  const navigate = useNavigate();
  const [v, set] = useViewParams({
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
  });
  const filters = compact({
    drug: v.drug,
    region: v.region,
    component: v.component,
    aor: v.aor,
    from: v.from,
    to: v.to,
  });
  const seriesQuery = { ...filters, group: v.group, metric: v.metric };
  const series = useQuery({
    queryKey: ['analytics', 'seizures', seriesQuery],
    queryFn: () => analyticsApi.seizureSeries(seriesQuery),
  });
  const mixQuery = compact({ ...filters, from: undefined, to: undefined, fiscalYear: v.fy });
  const mix = useQuery({
    queryKey: ['analytics', 'mix', mixQuery],
    queryFn: () => analyticsApi.mix(mixQuery),
  });
  const unusualQuery = { ...seriesQuery, threshold: v.threshold };
  const unusual = useQuery({
    queryKey: ['analytics', 'unusual', unusualQuery],
    queryFn: () => analyticsApi.unusual(unusualQuery),
  });
  const forecastQuery = { ...filters, group: 'total', metric: v.metric, horizon: 6 };
  const forecast = useQuery({
    queryKey: ['analytics', 'forecast', forecastQuery],
    queryFn: () => analyticsApi.forecast(forecastQuery),
  });
  const unit = v.metric === 'events' ? 'seizure events' : 'pounds';

  const topSeries = useMemo(() => {
    const all = series.data?.series ?? [];
    return [...all]
      .map((s) => ({ s, total: s.points.reduce((a, p) => a + p.value, 0) }))
      .sort((a, b) => b.total - a.total)
      .slice(0, 8)
      .map((x) => x.s);
  }, [series.data]);

  const seriesOption: ChartOption = useMemo(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { type: 'scroll', top: 0 },
      grid: { left: 60, right: 20, top: 40, bottom: 60 },
      xAxis: { type: 'category', data: topSeries[0]?.points.map((p) => p.month) ?? [] },
      yAxis: { type: 'value', name: unit },
      dataZoom: [{ type: 'inside' }, { type: 'slider', height: 18, bottom: 8 }],
      series: topSeries.map((s) => ({
        name: s.key,
        type: 'line',
        showSymbol: false,
        data: s.points.map((p) => p.value),
      })),
    }),
    [topSeries, unit],
  );

  return (
    <Stack gap="lg">
      <Card withBorder component="section" aria-label="Filters">
        <Group gap="sm" align="flex-end" wrap="wrap">
          <Select
            label="Series by"
            value={v.group}
            onChange={(x) => set({ group: x })}
            options={GROUPS}
            w={190}
          />
          <Select
            label="Measure"
            value={v.metric}
            onChange={(x) => set({ metric: x })}
            options={[
              { value: 'pounds', label: 'Pounds seized' },
              { value: 'events', label: 'Seizure events' },
            ]}
            w={160}
          />
          <Select
            label="Drug"
            value={v.drug}
            onChange={(x) => set({ drug: x })}
            options={facets.seizures.drug}
            allLabel="All drugs"
          />
          <Select
            label="Region"
            value={v.region}
            onChange={(x) => set({ region: x })}
            options={facets.seizures.region}
            allLabel="All regions"
            w={180}
          />
          <Select
            label="Component"
            value={v.component}
            onChange={(x) => set({ component: x })}
            options={facets.seizures.component}
            allLabel="Both components"
            w={210}
          />
          <Select
            label="Field office / sector"
            value={v.aor}
            onChange={(x) => set({ aor: x })}
            options={facets.seizures.aor}
            allLabel="All"
            w={230}
          />
          <MonthInput label="From" value={v.from} onChange={(x) => set({ from: x })} />
          <MonthInput label="To" value={v.to} onChange={(x) => set({ to: x })} />
        </Group>
      </Card>

      <Card withBorder component="section" aria-labelledby="series-heading">
        <Group justify="space-between" mb="xs">
          <Title order={2} size="h4" id="series-heading">
            Monthly {unit} by {GROUPS.find((g) => g.value === v.group)?.label.toLowerCase()}
          </Title>
          <CsvButton path="seizures/series" query={seriesQuery} label="CSV" />
        </Group>
        <QueryState query={series} label="seizure series">
          {(data) =>
            data.series.length === 0 ? (
              <Text c="dimmed">
                No CBP seizure rows match these filters. Load CBP files under Administration →
                Ingest jobs.
              </Text>
            ) : (
              <>
                <EChart
                  option={seriesOption}
                  label={`Line chart of monthly ${unit} by ${v.group}`}
                  onPointClick={(p) => {
                    const s = topSeries.find((x) => x.key === p.seriesName);
                    const point = s?.points[p.dataIndex];
                    if (point) void navigate(rowsPageHref(point.rowsHref));
                  }}
                />
                <Text size="xs" c="dimmed">
                  Click a point to see the CBP rows behind it. Fiscal years run October to
                  September.
                </Text>
                <Table.ScrollContainer minWidth={600} mt="sm">
                  <Table striped fz="sm">
                    <Table.Caption>Fiscal-year totals and change on the year before</Table.Caption>
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>Series</Table.Th>
                        {data.series[0]?.annual.map((a) => (
                          <Table.Th key={a.year} ta="right">
                            FY{a.year}
                            {a.months < 12 ? ` (${a.months} mo)` : ''}
                          </Table.Th>
                        ))}
                        <Table.Th ta="right">Last full year vs before</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {topSeries.map((s) => {
                        const full = s.annual.filter((a) => a.months === 12);
                        const last = full[full.length - 1];
                        const prev = full[full.length - 2];
                        const change =
                          last && prev && prev.value > 0
                            ? (last.value - prev.value) / prev.value
                            : null;
                        return (
                          <Table.Tr key={s.key}>
                            <Table.Td>{s.key}</Table.Td>
                            {s.annual.map((a) => (
                              <Table.Td key={a.year} ta="right">
                                {fmt(a.value)}
                              </Table.Td>
                            ))}
                            <Table.Td ta="right">
                              {change === null ? '—' : `${change >= 0 ? '+' : ''}${pct(change)}`}
                            </Table.Td>
                          </Table.Tr>
                        );
                      })}
                    </Table.Tbody>
                  </Table>
                </Table.ScrollContainer>
              </>
            )
          }
        </QueryState>
      </Card>

      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="lg">
        <Card withBorder component="section" aria-labelledby="mix-heading">
          <Group justify="space-between" mb="xs" align="flex-end">
            <Title order={2} size="h4" id="mix-heading">
              Drug mix, FY{v.fy}
            </Title>
            <Group gap="xs" align="flex-end">
              <Select
                label="Fiscal year"
                value={v.fy}
                onChange={(x) => set({ fy: x })}
                options={fiscalYears(facets.seizures.months)}
                w={110}
              />
              <CsvButton path="seizures/mix" query={mixQuery} label="CSV" />
            </Group>
          </Group>
          <QueryState query={mix} label="drug mix">
            {(data) => (
              <Table fz="sm" striped>
                <Table.Caption>Share of pounds and of seizure events, by drug</Table.Caption>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Drug</Table.Th>
                    <Table.Th ta="right">Pounds</Table.Th>
                    <Table.Th ta="right">Share</Table.Th>
                    <Table.Th ta="right">Events</Table.Th>
                    <Table.Th ta="right">Share</Table.Th>
                    <Table.Th>Source</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.items.map((i) => (
                    <Table.Tr key={i.drug}>
                      <Table.Td>{i.drug}</Table.Td>
                      <Table.Td ta="right">{fmt(i.pounds)}</Table.Td>
                      <Table.Td ta="right">{pct(i.poundsShare)}</Table.Td>
                      <Table.Td ta="right">{fmt(i.events)}</Table.Td>
                      <Table.Td ta="right">{pct(i.eventsShare)}</Table.Td>
                      <Table.Td>
                        <RowsLink href={i.rowsHref} rows={i.rows} />
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
          </QueryState>
        </Card>

        <Card withBorder component="section" aria-labelledby="forecast-heading">
          <Group justify="space-between" mb="xs">
            <Title order={2} size="h4" id="forecast-heading">
              Forecast, next 6 months
            </Title>
            <CsvButton path="seizures/forecast" query={forecastQuery} label="CSV" />
          </Group>
          <QueryState query={forecast} label="forecast">
            {(data) => {
              const item = data.items[0];
              if (!item) return <Text c="dimmed">Not enough months to forecast.</Text>;
              const months = [
                ...item.history.map((p) => p.month),
                ...item.forecast.points.map((p) => p.month),
              ];
              const pad = item.history.map(() => null);
              const option: ChartOption = {
                tooltip: { trigger: 'axis' },
                legend: {
                  top: 0,
                  data: [
                    'Actual',
                    'Forecast',
                    `${Math.round(item.forecast.level * 100)}% interval`,
                  ],
                },
                grid: { left: 60, right: 20, top: 40, bottom: 30 },
                xAxis: { type: 'category', data: months },
                yAxis: { type: 'value', name: unit },
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
                    name: `${Math.round(item.forecast.level * 100)}% interval`,
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
        </Card>
      </SimpleGrid>

      <Card withBorder component="section" aria-labelledby="unusual-heading">
        <Group justify="space-between" mb="xs" align="flex-end">
          <Title order={2} size="h4" id="unusual-heading">
            Unusual months
          </Title>
          <Group gap="xs" align="flex-end">
            <Select
              label="Flag from |z| ≥"
              value={v.threshold}
              onChange={(x) => set({ threshold: x })}
              options={['2.5', '3', '3.5', '4', '5']}
              w={120}
            />
            <CsvButton path="seizures/unusual" query={unusualQuery} label="CSV" />
          </Group>
        </Group>
        <Text size="sm" c="dimmed" mb="xs">
          Each month against a robust seasonal baseline (running median level plus the median effect
          of its calendar month); the score is the residual in robust standard deviations (1.4826 ×
          MAD).
        </Text>
        <QueryState query={unusual} label="unusual months">
          {(data) =>
            data.items.length === 0 ? (
              <Text c="dimmed">No month stands out at this threshold.</Text>
            ) : (
              <Table.ScrollContainer minWidth={600}>
                <Table fz="sm" striped>
                  <Table.Caption>Months flagged, most unusual first</Table.Caption>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Series</Table.Th>
                      <Table.Th>Month</Table.Th>
                      <Table.Th ta="right">Actual</Table.Th>
                      <Table.Th ta="right">Expected</Table.Th>
                      <Table.Th ta="right">Score</Table.Th>
                      <Table.Th>How unusual</Table.Th>
                      <Table.Th>Source</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {data.items.slice(0, 25).map((u) => (
                      <Table.Tr key={`${u.key}-${u.month}`}>
                        <Table.Td>{u.key}</Table.Td>
                        <Table.Td>{u.month}</Table.Td>
                        <Table.Td ta="right">{fmt(u.value)}</Table.Td>
                        <Table.Td ta="right">{fmt(u.expected)}</Table.Td>
                        <Table.Td ta="right">{u.score.toFixed(1)}</Table.Td>
                        <Table.Td>
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
                        </Table.Td>
                        <Table.Td>
                          <RowsLink href={u.rowsHref} rows={u.rows} />
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )
          }
        </QueryState>
      </Card>
    </Stack>
  );
}
