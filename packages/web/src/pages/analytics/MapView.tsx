import { useMemo } from 'react';
import { Checkbox, Group, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { analyticsApi, rowsPageHref, type Facets } from './analytics-api';
import {
  compact,
  CsvButton,
  FilterBar,
  fmt,
  Select,
  useAnalytics,
  useViewParams,
  ViewCard,
} from './shared';
import { WorldMap } from './LazyWorldMap';
import type { MapLayer } from './WorldMap';

export function MapView({ facets }: { facets: Facets }) {
  const navigate = useNavigate();
  const years = facets.unodc.years;
  const [v, set, field] = useViewParams({
    shade: 'unodc',
    drug: facets.unodc.drug.includes('Cocaine') ? 'Cocaine' : (facets.unodc.drug[0] ?? ''),
    year: String(years[years.length - 1] ?? ''),
    measure: 'Trucks',
    from: '2024-01',
    to: '2024-12',
    layers: 'bts,wpi,border',
  });
  const on = new Set(v.layers.split(',').filter(Boolean));
  const portsQuery = compact({ measure: v.measure, from: v.from, to: v.to });
  const ports = useAnalytics('ports', analyticsApi.crossingPorts, portsQuery, {
    enabled: on.has('bts'),
  });
  const wpi = useQuery({
    queryKey: ['analytics', 'places', 'wpi'],
    queryFn: () => analyticsApi.places({ kind: 'wpi' }),
    enabled: on.has('wpi'),
    staleTime: Infinity,
  });
  const border = useQuery({
    queryKey: ['analytics', 'places', 'unlocode-border'],
    queryFn: () => analyticsApi.places({ kind: 'unlocode-border' }),
    enabled: on.has('border'),
    staleTime: Infinity,
  });
  const totalsQuery = compact({ drug: v.drug, year: v.year });
  const totals = useAnalytics('unodc', analyticsApi.unodcTotals, totalsQuery, {
    enabled: v.shade === 'unodc',
  });
  const shading = useMemo(
    () =>
      v.shade === 'unodc'
        ? Object.fromEntries((totals.data?.items ?? []).map((t) => [t.countryCode, t.kilograms]))
        : {},
    [totals.data, v.shade],
  );
  const layers: MapLayer[] = useMemo(() => {
    const out: MapLayer[] = [];
    if (on.has('wpi') && wpi.data)
      out.push({
        id: 'wpi',
        label: 'Seaports (World Port Index)',
        color: '#1c7ed6',
        points: wpi.data.items.map((p) => ({ ...p, description: `seaport ${p.detail ?? ''}` })),
      });
    if (on.has('border') && border.data)
      out.push({
        id: 'unlocode-border',
        label: 'Border crossings (UN/LOCODE)',
        color: '#7048e8',
        points: border.data.items.map((p) => ({ ...p, description: `border crossing ${p.id}` })),
      });
    if (on.has('bts') && ports.data)
      out.push({
        id: 'bts-ports',
        label: 'US land ports (BTS)',
        color: '#e8590c',
        points: ports.data.items
          .filter((p) => p.latitude !== null && p.longitude !== null)
          .map((p) => ({
            id: p.portCode,
            name: `${p.portName}, ${p.state}`,
            latitude: p.latitude as number,
            longitude: p.longitude as number,
            value: p.value,
            description: `${fmt(p.value)} ${v.measure.toLowerCase()} (${v.from}–${v.to})`,
          })),
      });
    return out;
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `on` is derived from v.layers
  }, [v.layers, wpi.data, border.data, ports.data, v.measure, v.from, v.to]);

  return (
    <Stack gap="lg">
      <FilterBar label="Map settings" gap="md">
        <Select
          label="Shade countries by"
          {...field('shade')}
          options={[
            { value: 'unodc', label: 'Kilograms seized (UNODC)' },
            { value: 'none', label: 'Nothing' },
          ]}
          w={230}
        />
        <Select label="Drug" {...field('drug')} options={facets.unodc.drug} w={240} />
        <Select label="Year" {...field('year')} options={years.map(String)} w={100} />
        <Select
          label="Port size by"
          {...field('measure')}
          options={facets.crossings.measure}
          w={220}
        />
        <Checkbox.Group
          label="Points"
          value={[...on]}
          onChange={(values) => set({ layers: values.join(',') || 'none' })}
        >
          <Group gap="sm" mt={6}>
            <Checkbox value="bts" label="US land ports" />
            <Checkbox value="wpi" label="Seaports" />
            <Checkbox value="border" label="Border crossings" />
          </Group>
        </Checkbox.Group>
        <CsvButton path="crossings/ports" query={portsQuery} label="Ports CSV" />
        <CsvButton path="places" query={{ kind: 'wpi' }} label="Seaports CSV" />
      </FilterBar>
      <ViewCard
        id="map-heading"
        title={
          <>
            Ports, border crossings and{' '}
            {v.shade === 'unodc' ? `${v.drug} seized in ${v.year}` : 'countries'}
          </>
        }
      >
        <WorldMap
          shading={shading}
          layers={layers}
          height={560}
          label="Offline world map of ports and border crossings"
          legend={
            v.shade === 'unodc'
              ? { title: `Countries: ${v.drug} seized in ${v.year}, kilograms`, unit: 'kg' }
              : undefined
          }
          onPointClick={(layer, id) => {
            if (layer === 'bts-ports') {
              const p = ports.data?.items.find((x) => x.portCode === id);
              if (p) void navigate(rowsPageHref(p.rowsHref));
            }
          }}
        />
        <Group gap="lg" mt="xs">
          {layers.map((l) => (
            <Group key={l.id} gap={6}>
              <span
                aria-hidden
                style={{
                  width: 10,
                  height: 10,
                  borderRadius: 5,
                  background: l.color,
                  display: 'inline-block',
                }}
              />
              <Text size="sm">
                {l.label} ({fmt(l.points.length)})
              </Text>
            </Group>
          ))}
        </Group>
        <Text size="xs" c="dimmed" mt={4}>
          A US land port&apos;s circle area is its inbound {v.measure.toLowerCase()}, {v.from} to{' '}
          {v.to}. Country shapes: Natural Earth 1:110m (world-atlas), bundled; no map tiles are
          fetched. Click a US land port to open its crossing rows.
        </Text>
      </ViewCard>
    </Stack>
  );
}
