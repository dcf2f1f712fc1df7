import { useMemo } from 'react';
import { Stack, Text } from '@mantine/core';
import { useNavigate } from 'react-router';
import { QueryState } from '../../components/QueryState';
import { analyticsApi, rowsPageHref, type Facets, type RateItem } from './analytics-api';
import { barChart, EChart, lineChart, type ChartOption } from './EChart';
import {
  CbpDrugSelect,
  compact,
  DataTable,
  FilterBar,
  fmt,
  MonthRange,
  RowsLink,
  Select,
  useAnalytics,
  useViewParams,
  ViewCard,
} from './shared';

/**
 * The traffic units of the analytics package's TRAFFIC_UNITS. Only `crossings` counts every way
 * a land seizure can come through a port; the others are one mode each (`mode`), which CBP's
 * seizure data cannot be split by.
 */
const UNITS = [
  { value: 'crossings', label: 'All inbound crossings', noun: 'inbound crossings', mode: false },
  { value: 'trucks', label: 'Trucks only', noun: 'trucks', mode: true },
  {
    value: 'containers',
    label: 'Containers only (truck and rail)',
    noun: 'containers',
    mode: true,
  },
  {
    value: 'personal-vehicles',
    label: 'Personal vehicles only',
    noun: 'personal vehicles',
    mode: true,
  },
  { value: 'pedestrians', label: 'Pedestrians only', noun: 'pedestrians', mode: true },
];

/** Seizures per 100,000 units of traffic over a whole period (— without traffic). */
function per100k(seized: number, traffic: number): string {
  return traffic > 0 ? fmt((seized / traffic) * 1e5, 2) : '—';
}

export function TrafficView({ facets }: { facets: Facets }) {
  const navigate = useNavigate();
  const [v, , field] = useViewParams({
    unit: 'crossings',
    area: 'region',
    drug: '',
    from: '2019-01',
    to: '',
    rate: 'events',
    measure: 'Trucks',
    port: '2304',
  });
  const ratesQuery = compact({ unit: v.unit, area: v.area, drug: v.drug, from: v.from, to: v.to });
  const rates = useAnalytics('rates', analyticsApi.rates, ratesQuery);
  const crossingQuery = compact({
    measure: v.measure,
    port: v.port,
    from: v.from,
    to: v.to,
    group: 'total',
  });
  const crossings = useAnalytics('crossings', analyticsApi.crossingSeries, crossingQuery);
  const rateField = v.rate === 'pounds' ? 'poundsPer100k' : 'eventsPer100k';
  const unit = UNITS.find((u) => u.value === v.unit);
  const unitLabel = unit?.noun ?? v.unit;
  const perWhat = `per 100,000 ${unitLabel}`;
  // Which seizures the server counted: land seizures by the Office of Field Operations (at the
  // ports) for field offices; for regions, until the server says otherwise (`components`), Border
  // Patrol's seizures between the ports as well.
  const components =
    rates.data?.components ??
    (v.area === 'field-office'
      ? ['Office of Field Operations']
      : ['Office of Field Operations', 'U.S. Border Patrol']);
  const betweenPorts = components.includes('U.S. Border Patrol');
  const seized = v.rate === 'pounds' ? 'Pounds seized' : 'Seizure events';

  const rateItems = rates.data?.items;
  const byArea = useMemo(() => {
    const m = new Map<string, RateItem[]>();
    for (const r of rateItems ?? []) m.set(r.area, [...(m.get(r.area) ?? []), r]);
    return m;
  }, [rateItems]);
  const months = useMemo(
    () => [...new Set((rates.data?.items ?? []).map((r) => r.month))].sort(),
    [rates.data],
  );
  const ratesOption: ChartOption = useMemo(
    () =>
      lineChart(
        months,
        `${v.rate} ${perWhat}`,
        [...byArea].map(([area, items]) => {
          const at = new Map(items.map((i) => [i.month, i[rateField]]));
          return { name: area, data: months.map((m) => at.get(m) ?? null) };
        }),
        { unit: `${v.rate} ${perWhat}` },
      ),
    [byArea, months, rateField, v.rate, perWhat],
  );
  const point = crossings.data?.series[0];
  const crossingOption: ChartOption = useMemo(
    () =>
      barChart(
        point?.points.map((p) => p.month) ?? [],
        v.measure.toLowerCase(),
        { name: v.measure, data: point?.points.map((p) => p.value) ?? [] },
        v.measure.toLowerCase(),
      ),
    [point, v.measure],
  );
  const portName = facets.crossings.ports.find((p) => p.code === v.port);

  const totals = [...byArea].map(([area, items]) => {
    const events = items.reduce((a, i) => a + i.events, 0);
    const pounds = items.reduce((a, i) => a + i.pounds, 0);
    const traffic = items.reduce((a, i) => a + i.traffic, 0);
    return { area, events, pounds, traffic, months: items.length };
  });

  return (
    <Stack gap="lg">
      <FilterBar>
        <Select
          label="Set against"
          {...field('unit')}
          options={UNITS.map((u) => ({ value: u.value, label: u.label }))}
          w={250}
        />
        <Select
          label="Areas"
          {...field('area')}
          options={[
            { value: 'region', label: 'Border regions' },
            { value: 'field-office', label: 'Field offices (ports of entry)' },
          ]}
          w={230}
        />
        <CbpDrugSelect drugs={facets.seizures.drug} {...field('drug')} />
        <Select
          label="Rate of"
          {...field('rate')}
          options={[
            { value: 'events', label: 'Seizure events' },
            { value: 'pounds', label: 'Pounds seized' },
          ]}
          w={160}
        />
        <MonthRange from={field('from')} to={field('to')} />
      </FilterBar>

      <ViewCard
        id="rates-heading"
        title={
          <>
            {unit?.mode
              ? v.rate === 'pounds'
                ? 'Pounds from all land seizures'
                : 'All land seizure events'
              : seized}{' '}
            {perWhat}
          </>
        }
        csv={{ path: 'seizures/rates', query: ratesQuery }}
      >
        <QueryState query={rates} label="seizures per traffic">
          {(data) =>
            data.items.length === 0 ? (
              <Text c="dimmed">
                Needs both CBP seizures and BTS border crossings loaded for overlapping months.
              </Text>
            ) : (
              <>
                <Text size="sm" mb="xs">
                  {unit?.mode
                    ? `CBP does not record in which conveyance a seizure was made, so this sets every land seizure, whatever carried it, against ${unitLabel} alone: it shows how seizures move with that traffic, not how often ${unitLabel} carry drugs. For a rate, set seizures against all inbound crossings.`
                    : 'Every land seizure set against every inbound crossing that could have carried it: each truck, personal vehicle, bus and train, and each pedestrian, once (containers and passengers ride in those).'}
                  {betweenPorts
                    ? ' Seizures here include Border Patrol’s between the ports, which no port traffic carried; choose field offices for ports of entry alone.'
                    : ' Seizures are those made at the ports of entry (Office of Field Operations).'}
                </Text>
                <EChart
                  option={ratesOption}
                  label={`Line chart of ${seized.toLowerCase()} ${perWhat} by area`}
                  onPointClick={(p) => {
                    const item = byArea
                      .get(p.seriesName ?? '')
                      ?.find((i) => i.month === months[p.dataIndex]);
                    if (item) void navigate(rowsPageHref(item.rowsHref));
                  }}
                />
                <DataTable
                  caption={
                    <>
                      Whole period. Traffic counts inbound {data.measures.join(', ').toLowerCase()};
                      seizures are CBP&apos;s land seizures
                      {betweenPorts
                        ? ', Border Patrol’s between the ports included'
                        : ' at the ports of entry'}
                      .
                    </>
                  }
                  columns={[
                    { header: 'Area', cell: (t) => t.area },
                    { header: 'Events', numeric: true, cell: (t) => fmt(t.events) },
                    { header: 'Pounds', numeric: true, cell: (t) => fmt(t.pounds) },
                    {
                      header: `Traffic (${unitLabel})`,
                      numeric: true,
                      cell: (t) => fmt(t.traffic),
                    },
                    {
                      header: 'Events per 100k',
                      numeric: true,
                      cell: (t) => per100k(t.events, t.traffic),
                    },
                    {
                      header: 'Pounds per 100k',
                      numeric: true,
                      cell: (t) => per100k(t.pounds, t.traffic),
                    },
                  ]}
                  rows={totals}
                  rowKey={(t) => t.area}
                  mt="sm"
                />
              </>
            )
          }
        </QueryState>
      </ViewCard>

      <ViewCard
        id="crossings-heading"
        title={
          <>
            Monthly {v.measure.toLowerCase()} at{' '}
            {portName ? `${portName.name}, ${portName.state}` : 'all ports'}
          </>
        }
        csv={{ path: 'crossings/series', query: crossingQuery }}
        controls={
          <>
            <Select
              label="Measure"
              {...field('measure')}
              options={facets.crossings.measure}
              w={220}
            />
            <Select
              label="Port"
              {...field('port')}
              options={facets.crossings.ports.map((p) => ({
                value: p.code,
                label: `${p.name}, ${p.state}`,
              }))}
              allLabel="All ports"
              w={240}
            />
          </>
        }
      >
        <QueryState query={crossings} label="border crossings">
          {(data) => {
            const s = data.series[0];
            if (!s) return <Text c="dimmed">No crossings for these filters.</Text>;
            const last = s.points[s.points.length - 1];
            return (
              <>
                <EChart
                  option={crossingOption}
                  height={260}
                  label={`Bar chart of monthly ${v.measure}`}
                  onPointClick={(p) => {
                    const pt = s.points[p.dataIndex];
                    if (pt) void navigate(rowsPageHref(pt.rowsHref));
                  }}
                />
                {last && (
                  <Text size="sm">
                    Latest month {last.month}: {fmt(last.value)} ·{' '}
                    <RowsLink href={last.rowsHref} rows={last.rows} />
                  </Text>
                )}
              </>
            );
          }}
        </QueryState>
      </ViewCard>
    </Stack>
  );
}
