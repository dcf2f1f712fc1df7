import { useMemo } from 'react';
import { SimpleGrid, Stack, Table, Text } from '@mantine/core';
import { QueryState } from '../../components/QueryState';
import { analyticsApi, type Facets } from './analytics-api';
import { barChart, EChart, type ChartOption } from './EChart';
import {
  compact,
  DataTable,
  FilterBar,
  fmt,
  pct,
  RowsLink,
  Select,
  useAnalytics,
  useViewParams,
  ViewCard,
} from './shared';
import { WorldMap } from './LazyWorldMap';

export function WorldView({ facets }: { facets: Facets }) {
  const years = facets.unodc.years;
  const [v, , field] = useViewParams({
    drug: facets.unodc.drug.includes('Cocaine') ? 'Cocaine' : (facets.unodc.drug[0] ?? ''),
    year: String(years[years.length - 1] ?? ''),
    region: '',
  });
  const totalsQuery = compact({ drug: v.drug, region: v.region });
  const totals = useAnalytics('unodc', analyticsApi.unodcTotals, totalsQuery);
  const sharesQuery = compact({ drug: v.drug, year: v.year });
  const shares = useAnalytics('unodc-shares', analyticsApi.unodcShares, sharesQuery);
  const trendsQuery = compact({ drug: v.drug, region: v.region });
  const trends = useAnalytics('unodc-trends', analyticsApi.unodcTrends, trendsQuery);
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
    () =>
      barChart(
        (totals.data?.world ?? []).map((w) => String(w.year)),
        'kg',
        { name: 'kg seized', data: (totals.data?.world ?? []).map((w) => w.kilograms) },
        'kg',
      ),
    [totals.data],
  );
  const sharesOption: ChartOption = useMemo(
    () => ({
      tooltip: {
        trigger: 'item',
        formatter: (p) => {
          const item = Array.isArray(p) ? p[0] : p;
          return `${item?.name ?? ''}: ${fmt(Number(item?.value))} kg (${pct((item?.percent ?? 0) / 100)})`;
        },
      },
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
      <FilterBar>
        <Select label="Drug" {...field('drug')} options={facets.unodc.drug} w={280} />
        <Select label="Year" {...field('year')} options={years.map(String)} w={110} />
        <Select
          label="Region"
          {...field('region')}
          options={facets.unodc.region}
          allLabel="World"
          w={180}
        />
      </FilterBar>

      <ViewCard
        id="world-map-heading"
        title={
          <>
            {v.drug} seized in {v.year}, kilograms by country
          </>
        }
        csv={{ path: 'unodc/totals', query: { ...totalsQuery, year: v.year } }}
      >
        <WorldMap
          shading={shading}
          layers={[]}
          label={`Map of countries shaded by kilograms of ${v.drug} seized in ${v.year}`}
          legend={{ title: `${v.drug} seized in ${v.year}, kilograms`, unit: 'kg' }}
        />
        <Text size="xs" c="dimmed" mt={4}>
          Source: UNODC, World Drug Report 2024, statistical annex.
        </Text>
      </ViewCard>

      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="lg">
        <ViewCard id="world-total-heading" title={<>{v.region || 'World'} total by year</>}>
          <QueryState query={totals} label="UNODC totals">
            {() => (
              <EChart
                option={worldOption}
                height={260}
                label={`Bar chart of ${v.drug} seized per year`}
              />
            )}
          </QueryState>
        </ViewCard>
        <ViewCard
          id="shares-heading"
          title={<>Regional shares, {v.year}</>}
          csv={{ path: 'unodc/shares', query: sharesQuery }}
        >
          <QueryState query={shares} label="regional shares">
            {(data) => (
              <>
                <EChart
                  option={sharesOption}
                  height={220}
                  label={`Pie chart of regional shares of ${v.drug} seized`}
                />
                {/* A legend of the pie rather than a data table: no header row. */}
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
        </ViewCard>
      </SimpleGrid>

      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="lg">
        <ViewCard id="countries-heading" title={<>Countries, {v.year}</>}>
          <DataTable
            caption="Kilograms reported, every row summed"
            columns={[
              { header: 'Country', cell: (t) => t.country },
              { header: 'kg', numeric: true, cell: (t) => fmt(t.kilograms) },
              { header: 'Source', cell: (t) => <RowsLink href={t.rowsHref} rows={t.rows} /> },
            ]}
            rows={yearRows.slice(0, 20)}
            rowKey={(t) => t.countryCode}
            minWidth={400}
          />
        </ViewCard>
        <ViewCard
          id="trends-heading"
          title="Trends by country"
          csv={{ path: 'unodc/trends', query: trendsQuery }}
        >
          <QueryState query={trends} label="trends">
            {(data) => (
              <DataTable
                caption="Least-squares slope (kg per year) and compound annual growth"
                columns={[
                  { header: 'Country', cell: (t) => t.country },
                  { header: 'Slope', numeric: true, cell: (t) => fmt(t.slopePerYear) },
                  { header: 'Growth', numeric: true, cell: (t) => pct(t.cagr) },
                  {
                    header: 'Years',
                    cell: (t) => (
                      <>
                        {t.firstYear}–{t.lastYear}
                      </>
                    ),
                  },
                ]}
                rows={data.items.slice(0, 20)}
                rowKey={(t) => t.countryCode}
                minWidth={400}
              />
            )}
          </QueryState>
        </ViewCard>
      </SimpleGrid>
    </Stack>
  );
}
