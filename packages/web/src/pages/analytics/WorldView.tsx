import { useMemo } from 'react';
import { Card, Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { QueryState } from '../../components/QueryState';
import { analyticsApi, type Facets } from './analytics-api';
import { EChart, type ChartOption } from './EChart';
import { compact, CsvButton, fmt, pct, RowsLink, Select, useViewParams } from './shared';
import { WorldMap } from './LazyWorldMap';

export function WorldView({ facets }: { facets: Facets }) {
  const years = facets.unodc.years;
  const [v, set] = useViewParams({
    drug: facets.unodc.drug.includes('Cocaine') ? 'Cocaine' : (facets.unodc.drug[0] ?? ''),
    year: String(years[years.length - 1] ?? ''),
    region: '',
  });
  const totalsQuery = compact({ drug: v.drug, region: v.region });
  const totals = useQuery({
    queryKey: ['analytics', 'unodc', totalsQuery],
    queryFn: () => analyticsApi.unodcTotals(totalsQuery),
  });
  const sharesQuery = compact({ drug: v.drug, year: v.year });
  const shares = useQuery({
    queryKey: ['analytics', 'unodc-shares', sharesQuery],
    queryFn: () => analyticsApi.unodcShares(sharesQuery),
  });
  const trendsQuery = compact({ drug: v.drug, region: v.region });
  const trends = useQuery({
    queryKey: ['analytics', 'unodc-trends', trendsQuery],
    queryFn: () => analyticsApi.unodcTrends(trendsQuery),
  });
  const yearRows = useMemo(
    () =>
      (totals.data?.items ?? [])
        .filter((t) => String(t.year) === v.year)
        .sort((a, b) => b.kilograms - a.kilograms),
    [totals.data, v.year],
  );
  const shading = useMemo(
    () => Object.fromEntries(yearRows.map((t) => [t.countryCode, t.kilograms])),
    [yearRows],
  );
  const worldOption: ChartOption = useMemo(
    () => ({
      tooltip: { trigger: 'axis' },
      grid: { left: 80, right: 20, top: 20, bottom: 30 },
      xAxis: { type: 'category', data: (totals.data?.world ?? []).map((w) => String(w.year)) },
      yAxis: { type: 'value', name: 'kg' },
      series: [
        {
          name: 'kg seized',
          type: 'bar',
          data: (totals.data?.world ?? []).map((w) => w.kilograms),
        },
      ],
    }),
    [totals.data],
  );
  const sharesOption: ChartOption = useMemo(
    () => ({
      tooltip: { trigger: 'item', formatter: '{b}: {d}%' },
      series: [
        {
          type: 'pie',
          radius: ['35%', '65%'],
          data: (shares.data?.items ?? []).map((s) => ({ name: s.region, value: s.kilograms })),
        },
      ],
    }),
    [shares.data],
  );

  return (
    <Stack gap="lg">
      <Card withBorder component="section" aria-label="Filters">
        <Group gap="sm" align="flex-end" wrap="wrap">
          <Select
            label="Drug"
            value={v.drug}
            onChange={(x) => set({ drug: x })}
            options={facets.unodc.drug}
            w={280}
          />
          <Select
            label="Year"
            value={v.year}
            onChange={(x) => set({ year: x })}
            options={years.map(String)}
            w={110}
          />
          <Select
            label="Region"
            value={v.region}
            onChange={(x) => set({ region: x })}
            options={facets.unodc.region}
            allLabel="World"
            w={180}
          />
        </Group>
      </Card>

      <Card withBorder component="section" aria-labelledby="world-map-heading">
        <Group justify="space-between" mb="xs">
          <Title order={2} size="h4" id="world-map-heading">
            {v.drug} seized in {v.year}, kilograms by country
          </Title>
          <CsvButton path="unodc/totals" query={{ ...totalsQuery, year: v.year }} label="CSV" />
        </Group>
        <WorldMap
          shading={shading}
          layers={[]}
          label={`Map of countries shaded by kilograms of ${v.drug} seized in ${v.year}`}
        />
        <Text size="xs" c="dimmed" mt={4}>
          Darker is more (quintiles of the countries that reported). Source: UNODC, World Drug
          Report 2024, statistical annex.
        </Text>
      </Card>

      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="lg">
        <Card withBorder component="section" aria-labelledby="world-total-heading">
          <Title order={2} size="h4" id="world-total-heading" mb="xs">
            {v.region || 'World'} total by year
          </Title>
          <QueryState query={totals} label="UNODC totals">
            {() => (
              <EChart
                option={worldOption}
                height={260}
                label={`Bar chart of ${v.drug} seized per year`}
              />
            )}
          </QueryState>
        </Card>
        <Card withBorder component="section" aria-labelledby="shares-heading">
          <Group justify="space-between" mb="xs">
            <Title order={2} size="h4" id="shares-heading">
              Regional shares, {v.year}
            </Title>
            <CsvButton path="unodc/shares" query={sharesQuery} label="CSV" />
          </Group>
          <QueryState query={shares} label="regional shares">
            {(data) => (
              <>
                <EChart
                  option={sharesOption}
                  height={220}
                  label={`Pie chart of regional shares of ${v.drug} seized`}
                />
                <Table fz="sm">
                  <Table.Caption>Share of the world total</Table.Caption>
                  <Table.Tbody>
                    {data.items.map((s) => (
                      <Table.Tr key={s.region}>
                        <Table.Td>{s.region}</Table.Td>
                        <Table.Td ta="right">{fmt(s.kilograms)} kg</Table.Td>
                        <Table.Td ta="right">{pct(s.share)}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </>
            )}
          </QueryState>
        </Card>
      </SimpleGrid>

      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="lg">
        <Card withBorder component="section" aria-labelledby="countries-heading">
          <Title order={2} size="h4" id="countries-heading" mb="xs">
            Countries, {v.year}
          </Title>
          <Table.ScrollContainer minWidth={400}>
            <Table fz="sm" striped>
              <Table.Caption>Kilograms reported, every row summed</Table.Caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Country</Table.Th>
                  <Table.Th ta="right">kg</Table.Th>
                  <Table.Th>Source</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {yearRows.slice(0, 20).map((t) => (
                  <Table.Tr key={t.countryCode}>
                    <Table.Td>{t.country}</Table.Td>
                    <Table.Td ta="right">{fmt(t.kilograms)}</Table.Td>
                    <Table.Td>
                      <RowsLink href={t.rowsHref} rows={t.rows} />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Card>
        <Card withBorder component="section" aria-labelledby="trends-heading">
          <Group justify="space-between" mb="xs">
            <Title order={2} size="h4" id="trends-heading">
              Trends by country
            </Title>
            <CsvButton path="unodc/trends" query={trendsQuery} label="CSV" />
          </Group>
          <QueryState query={trends} label="trends">
            {(data) => (
              <Table.ScrollContainer minWidth={400}>
                <Table fz="sm" striped>
                  <Table.Caption>
                    Least-squares slope (kg per year) and compound annual growth
                  </Table.Caption>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Country</Table.Th>
                      <Table.Th ta="right">Slope</Table.Th>
                      <Table.Th ta="right">Growth</Table.Th>
                      <Table.Th>Years</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {data.items.slice(0, 20).map((t) => (
                      <Table.Tr key={t.countryCode}>
                        <Table.Td>{t.country}</Table.Td>
                        <Table.Td ta="right">{fmt(t.slopePerYear)}</Table.Td>
                        <Table.Td ta="right">{pct(t.cagr)}</Table.Td>
                        <Table.Td>
                          {t.firstYear}–{t.lastYear}
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )}
          </QueryState>
        </Card>
      </SimpleGrid>
    </Stack>
  );
}
