import { useEffect, useRef, useState } from 'react';
import * as maplibregl from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import 'maplibre-gl/dist/maplibre-gl.css';
import { feature } from 'topojson-client';
import type { Topology, GeometryCollection } from 'topojson-specification';
import type { FeatureCollection, Geometry } from 'geojson';
import countries110m from 'world-atlas/countries-110m.json';
import { Box, Group, Stack, Text, useComputedColorScheme } from '@mantine/core';
import { fmt } from './format';
import { ISO_NUMERIC } from './iso-numeric';
import { classOf, NO_DATA, quintileBreaks, shadingClasses, SHADES } from './shading';

// Vite serves the worker as its own file; MapLibre must be told where (it cannot find itself
// inside a bundle). Nothing here loads tiles, fonts or sprites from the internet.
maplibregl.setWorkerUrl(workerUrl);

export interface MapPoint {
  id: string;
  name: string;
  latitude: number;
  longitude: number;
  /** Drives the circle size when given. */
  value?: number;
  description: string;
}

export interface MapLayer {
  id: string;
  label: string;
  color: string;
  points: MapPoint[];
}

const shapes = feature(
  countries110m as unknown as Topology,
  (countries110m as unknown as Topology).objects.countries as GeometryCollection,
) as FeatureCollection<Geometry, { name: string }>;
/**
 * Rings that cross the antimeridian (Russia, Fiji) jump from +180 to −180 in Natural Earth;
 * drawn as given they smear a band across the whole map. Unwrapping each ring (adding ±360 to
 * keep consecutive points within 180° of each other) lets MapLibre draw them across the seam.
 */
function unwrapRing(ring: number[][]): number[][] {
  let shift = 0;
  let previous: number | undefined;
  return ring.map(([lon = 0, lat = 0]) => {
    if (previous !== undefined) {
      if (lon + shift - previous > 180) shift -= 360;
      else if (lon + shift - previous < -180) shift += 360;
    }
    previous = lon + shift;
    return [lon + shift, lat];
  });
}

function unwrap(geometry: Geometry): Geometry {
  if (geometry.type === 'Polygon')
    return { ...geometry, coordinates: geometry.coordinates.map(unwrapRing) };
  if (geometry.type === 'MultiPolygon')
    return { ...geometry, coordinates: geometry.coordinates.map((p) => p.map(unwrapRing)) };
  return geometry;
}

/** The numeric ISO code as a property: MapLibre's `['id']` does not keep string ids as given. */
const countryShapes: FeatureCollection<Geometry, { name: string; iso: string }> = {
  type: 'FeatureCollection',
  features: shapes.features
    // Antarctica reaches the pole, which Web Mercator cannot draw.
    .filter((f) => String(f.id) !== '010')
    .map((f) => ({
      ...f,
      geometry: unwrap(f.geometry),
      properties: { name: f.properties.name, iso: String(f.id ?? '') },
    })),
};

function plural(n: number, one: string, many: string): string {
  return `${fmt(n)} ${n === 1 ? one : many}`;
}

/**
 * What the shading means: the quantity and unit, then each class's colour and range and how many
 * countries it holds, and the colour of countries without a value. Laid over the map's corner,
 * as text a screen reader reads and a test can find.
 */
function ShadingLegend({
  values,
  title,
  unit,
  dark,
}: {
  values: readonly number[];
  title: string;
  unit: string;
  dark: boolean;
}) {
  const classes = shadingClasses(values);
  const range = (above: number | null, upTo: number | null) =>
    above === null
      ? `up to ${fmt(upTo)} ${unit}`
      : upTo === null
        ? `over ${fmt(above)} ${unit}`
        : `${fmt(above)} – ${fmt(upTo)} ${unit}`;
  const swatch = (color: string) => (
    <span
      aria-hidden
      style={{
        width: 14,
        height: 14,
        background: color,
        border: '1px solid #8a8f98',
        display: 'inline-block',
        flex: 'none',
      }}
    />
  );
  return (
    <Box
      component="section"
      aria-label="Map legend"
      pos="absolute"
      left={8}
      bottom={8}
      p={8}
      style={{
        background: 'var(--mantine-color-body)',
        border: '1px solid var(--mantine-color-default-border)',
        borderRadius: 6,
        maxWidth: 300,
      }}
    >
      <Text size="xs" fw={600}>
        {title}
      </Text>
      <Text size="xs" c="dimmed" mb={4}>
        Darker is more: quintiles of the{' '}
        {plural(values.filter((v) => v > 0).length, 'country', 'countries')} with a value
      </Text>
      <Stack gap={2} component="ul" m={0} p={0} style={{ listStyle: 'none' }}>
        {classes.map((c) => (
          <Group key={c.color} gap={6} wrap="nowrap" component="li">
            {swatch(c.color)}
            <Text size="xs">
              {range(c.above, c.upTo)} · {plural(c.count, 'country', 'countries')}
            </Text>
          </Group>
        ))}
        <Group gap={6} wrap="nowrap" component="li">
          {swatch(dark ? NO_DATA.dark : NO_DATA.light)}
          <Text size="xs">None reported</Text>
        </Group>
      </Stack>
    </Box>
  );
}

/**
 * An offline world map: Natural Earth country shapes (world-atlas, 1:110m) shaded by a value
 * per ISO alpha-3 country, and point layers (ports, border crossings). The style has no remote
 * source at all, so it renders the same with no network. With `legend`, the shading's legend
 * is drawn over the map.
 */
export function WorldMap({
  shading,
  layers,
  height = 460,
  label,
  center = [-40, 25],
  zoom = 1.2,
  onPointClick,
  legend,
}: {
  /** Value per ISO alpha-3 code. */
  shading?: Record<string, number>;
  /** What the shading's value is (`Cocaine seized in 2022`) and its unit (`kg`). */
  legend?: { title: string; unit: string };
  layers: MapLayer[];
  height?: number;
  label: string;
  center?: [number, number];
  zoom?: number;
  onPointClick?: (layerId: string, pointId: string) => void;
}) {
  const container = useRef<HTMLDivElement>(null);
  const map = useRef<maplibregl.Map | null>(null);
  const [ready, setReady] = useState(false);
  const dark = useComputedColorScheme('light') === 'dark';
  const click = useRef(onPointClick);
  useEffect(() => {
    click.current = onPointClick;
  });

  useEffect(() => {
    if (!container.current) return;
    const m = new maplibregl.Map({
      container: container.current,
      style: {
        version: 8,
        sources: { countries: { type: 'geojson', data: countryShapes } },
        layers: [
          {
            id: 'sea',
            type: 'background',
            paint: { 'background-color': dark ? '#1b2635' : '#dbe9f4' },
          },
          {
            id: 'countries',
            type: 'fill',
            source: 'countries',
            paint: {
              'fill-color': dark ? NO_DATA.dark : NO_DATA.light,
              'fill-outline-color': '#8a8f98',
            },
          },
        ],
      },
      center,
      zoom,
      attributionControl: { compact: true, customAttribution: 'Natural Earth' },
    });
    m.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
    m.on('load', () => setReady(true));
    map.current = m;
    return () => {
      m.remove();
      map.current = null;
      setReady(false);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the map is created once per scheme
  }, [dark]);

  // Country shading: a class per quantile of the values, by numeric ISO id of each shape.
  useEffect(() => {
    const m = map.current;
    if (!m || !ready) return;
    const entries = Object.entries(shading ?? {}).filter(([, v]) => v > 0);
    const breaks = quintileBreaks(entries.map(([, v]) => v));
    const noData = dark ? NO_DATA.dark : NO_DATA.light;
    const match: unknown[] = ['match', ['get', 'iso']];
    for (const [alpha3, value] of entries) {
      const id = ISO_NUMERIC[alpha3];
      if (!id) continue;
      match.push(id, SHADES[classOf(value, breaks)]);
    }
    match.push(noData);
    if (match.length > 3)
      m.setPaintProperty('countries', 'fill-color', match as maplibregl.ExpressionSpecification);
    else m.setPaintProperty('countries', 'fill-color', noData);
  }, [shading, ready, dark]);

  // Point layers, sized by value (square-root scale so area follows the value).
  useEffect(() => {
    const m = map.current;
    if (!m || !ready) return;
    for (const layer of layers) {
      const max = Math.max(1, ...layer.points.map((p) => p.value ?? 0));
      const data: FeatureCollection = {
        type: 'FeatureCollection',
        features: layer.points.map((p) => ({
          type: 'Feature',
          geometry: { type: 'Point', coordinates: [p.longitude, p.latitude] },
          properties: {
            id: p.id,
            name: p.name,
            description: p.description,
            radius: p.value === undefined ? 3 : 3 + 12 * Math.sqrt((p.value ?? 0) / max),
          },
        })),
      };
      const source = m.getSource<maplibregl.GeoJSONSource>(layer.id);
      if (source) void source.setData(data);
      else {
        m.addSource(layer.id, { type: 'geojson', data });
        m.addLayer({
          id: layer.id,
          type: 'circle',
          source: layer.id,
          paint: {
            'circle-color': layer.color,
            'circle-radius': ['get', 'radius'],
            'circle-opacity': 0.75,
            'circle-stroke-color': '#ffffff',
            'circle-stroke-width': 0.5,
          },
        });
        m.on('click', layer.id, (e: maplibregl.MapLayerMouseEvent) => {
          const f = e.features?.[0];
          if (!f) return;
          const props = f.properties as { id: string; name: string; description: string };
          new maplibregl.Popup({ closeButton: true })
            .setLngLat(e.lngLat)
            .setText(`${props.name}: ${props.description}`)
            .addTo(m);
          click.current?.(layer.id, props.id);
        });
        m.on('mouseenter', layer.id, () => (m.getCanvas().style.cursor = 'pointer'));
        m.on('mouseleave', layer.id, () => (m.getCanvas().style.cursor = ''));
      }
    }
    for (const id of ['bts-ports', 'wpi', 'unlocode-border']) {
      if (!layers.some((l) => l.id === id) && m.getLayer(id)) {
        m.removeLayer(id);
        m.removeSource(id);
      }
    }
  }, [layers, ready]);

  const values = Object.values(shading ?? {});
  return (
    <Box pos="relative">
      <Box
        ref={container}
        role="region"
        aria-label={label}
        data-map-ready={ready ? 'true' : 'false'}
        style={{ width: '100%', height, borderRadius: 8, overflow: 'hidden' }}
      />
      {legend && values.some((v) => v > 0) && (
        <ShadingLegend values={values} title={legend.title} unit={legend.unit} dark={dark} />
      )}
    </Box>
  );
}
