import { useMemo } from 'react';
import { Card, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { QueryState } from '../../components/QueryState';
import { analyticsApi, rowsPageHref, type Facets, type RateItem } from './analytics-api';
import { EChart, type ChartOption } from './EChart';
import { compact, CsvButton, fmt, MonthInput, RowsLink, Select, useViewParams } from './shared';

const UNITS = [
  { value: 'trucks', label: 'Trucks' },
  { value: 'containers', label: 'Containers (truck and rail)' },
  { value: 'personal-vehicles', label: 'Personal vehicles' },
  { value: 'pedestrians', label: 'Pedestrians' },
];

export function TrafficView({ facets }: { facets: Facets }) {
  const navigate = useNavigate();
  const [v, set] = useViewParams({
    unit: 'trucks',
    area: 'region',
    drug: '',
    from: '2019-01',
    to: '',
    rate: 'events',
    measure: 'Trucks',
    port: '2304',
  });
  const ratesQuery = compact({ unit: v.unit, area: v.area, drug: v.drug, from: v.from, to: v.to });
  const rates = useQuery({
    queryKey: ['analytics', 'rates', ratesQuery],
    queryFn: () => analyticsApi.rates(ratesQuery),
  });
  const crossingQuery = compact({
    measure: v.measure,
    port: v.port,
    from: v.from,
    to: v.to,
    group: 'total',
  });
  const crossings = useQuery({
    queryKey: ['analytics', 'crossings', crossingQuery],
    queryFn: () => analyticsApi.crossingSeries(crossingQuery),
  });
  const field = v.rate === 'pounds' ? 'poundsPer100k' : 'eventsPer100k';
  const unitLabel = UNITS.find((u) => u.value === v.unit)?.label.toLowerCase() ?? v.unit;

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
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { type: 'scroll', top: 0 },
      grid: { left: 60, right: 20, top: 40, bottom: 30 },
      xAxis: { type: 'category', data: months },
      yAxis: { type: 'value', name: `${v.rate} per 100k` },
      series: [...byArea].map(([area, items]) => {
        const at = new Map(items.map((i) => [i.month, i[field]]));
        return {
          name: area,
          type: 'line',
          showSymbol: false,
          data: months.map((m) => at.get(m) ?? null),
        };
      }),
    }),
    [byArea, months, field, v.rate],
  );
  const point = crossings.data?.series[0];
  const crossingOption: ChartOption = useMemo(
    () => ({
      tooltip: { trigger: 'axis' },
      grid: { left: 70, right: 20, top: 20, bottom: 30 },
      xAxis: { type: 'category', data: point?.points.map((p) => p.month) ?? [] },
      yAxis: { type: 'value', name: v.measure },
      series: [{ name: v.measure, type: 'bar', data: point?.points.map((p) => p.value) ?? [] }],
    }),
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
      <Card withBorder component="section" aria-label="Filters">
        <Group gap="sm" align="flex-end" wrap="wrap">
          <Select
            label="Traffic unit"
            value={v.unit}
            onChange={(x) => set({ unit: x })}
            options={UNITS}
            w={230}
          />
          <Select
            label="Areas"
            value={v.area}
            onChange={(x) => set({ area: x })}
            options={[
              { value: 'region', label: 'Border regions' },
              { value: 'field-office', label: 'Field offices (ports of entry)' },
            ]}
            w={230}
          />
          <Select
            label="Drug"
            value={v.drug}
            onChange={(x) => set({ drug: x })}
            options={facets.seizures.drug}
            allLabel="All drugs"
          />
          <Select
            label="Rate of"
            value={v.rate}
            onChange={(x) => set({ rate: x })}
            options={[
              { value: 'events', label: 'Seizure events' },
              { value: 'pounds', label: 'Pounds seized' },
            ]}
            w={160}
          />
          <MonthInput label="From" value={v.from} onChange={(x) => set({ from: x })} />
          <MonthInput label="To" value={v.to} onChange={(x) => set({ to: x })} />
        </Group>
      </Card>

      <Card withBorder component="section" aria-labelledby="rates-heading">
        <Group justify="space-between" mb="xs">
          <Title order={2} size="h4" id="rates-heading">
            {v.rate === 'pounds' ? 'Pounds' : 'Seizure events'} per 100,000 {unitLabel}
          </Title>
          <CsvButton path="seizures/rates" query={ratesQuery} label="CSV" />
        </Group>
        <QueryState query={rates} label="seizures per traffic">
          {(data) =>
            data.items.length === 0 ? (
              <Text c="dimmed">
                Needs both CBP seizures and BTS border crossings loaded for overlapping months.
              </Text>
            ) : (
              <>
                <EChart
                  option={ratesOption}
                  label={`Line chart of seizure ${v.rate} per 100,000 ${unitLabel} by area`}
                  onPointClick={(p) => {
                    const item = byArea
                      .get(p.seriesName ?? '')
                      ?.find((i) => i.month === months[p.dataIndex]);
                    if (item) void navigate(rowsPageHref(item.rowsHref));
                  }}
                />
                <Table fz="sm" striped mt="sm">
                  <Table.Caption>
                    Whole period. Traffic counts inbound {data.measures.join(', ').toLowerCase()};
                    seizures are CBP&apos;s land seizures only, and Border Patrol seizures between
                    ports count for regions, not for field offices.
                  </Table.Caption>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Area</Table.Th>
                      <Table.Th ta="right">Events</Table.Th>
                      <Table.Th ta="right">Pounds</Table.Th>
                      <Table.Th ta="right">Traffic</Table.Th>
                      <Table.Th ta="right">Events per 100k</Table.Th>
                      <Table.Th ta="right">Pounds per 100k</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {totals.map((t) => (
                      <Table.Tr key={t.area}>
                        <Table.Td>{t.area}</Table.Td>
                        <Table.Td ta="right">{fmt(t.events)}</Table.Td>
                        <Table.Td ta="right">{fmt(t.pounds)}</Table.Td>
                        <Table.Td ta="right">{fmt(t.traffic)}</Table.Td>
                        <Table.Td ta="right">
                          {t.traffic > 0 ? fmt((t.events / t.traffic) * 1e5, 2) : '—'}
                        </Table.Td>
                        <Table.Td ta="right">
                          {t.traffic > 0 ? fmt((t.pounds / t.traffic) * 1e5, 2) : '—'}
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </>
            )
          }
        </QueryState>
      </Card>

      <Card withBorder component="section" aria-labelledby="crossings-heading">
        <Group justify="space-between" mb="xs" align="flex-end">
          <Title order={2} size="h4" id="crossings-heading">
            Monthly {v.measure.toLowerCase()} at{' '}
            {portName ? `${portName.name}, ${portName.state}` : 'all ports'}
          </Title>
          <Group gap="xs" align="flex-end">
            <Select
              label="Measure"
              value={v.measure}
              onChange={(x) => set({ measure: x })}
              options={facets.crossings.measure}
              w={220}
            />
            <Select
              label="Port"
              value={v.port}
              onChange={(x) => set({ port: x })}
              options={facets.crossings.ports.map((p) => ({
                value: p.code,
                label: `${p.name}, ${p.state}`,
              }))}
              allLabel="All ports"
              w={240}
            />
            <CsvButton path="crossings/series" query={crossingQuery} label="CSV" />
          </Group>
        </Group>
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
      </Card>
    </Stack>
  );
}
