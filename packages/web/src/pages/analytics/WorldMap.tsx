import { useEffect, useRef, useState } from 'react';
import * as maplibregl from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import 'maplibre-gl/dist/maplibre-gl.css';
import { feature } from 'topojson-client';
import type { Topology, GeometryCollection } from 'topojson-specification';
import type { FeatureCollection, Geometry } from 'geojson';
import countries110m from 'world-atlas/countries-110m.json';
import { Box, useComputedColorScheme } from '@mantine/core';
import { ISO_NUMERIC } from './iso-numeric';

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

/** Sequential blues for the country shading, light to dark (ColorBrewer Blues, 5 classes). */
const SHADES = ['#eff3ff', '#bdd7e7', '#6baed6', '#3182bd', '#08519c'];

/**
 * An offline world map: Natural Earth country shapes (world-atlas, 1:110m) shaded by a value
 * per ISO alpha-3 country, and point layers (ports, border crossings). The style has no remote
 * source at all, so it renders the same with no network.
 */
export function WorldMap({
  shading,
  layers,
  height = 460,
  label,
  center = [-40, 25],
  zoom = 1.2,
  onPointClick,
}: {
  /** Value per ISO alpha-3 code. */
  shading?: Record<string, number>;
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
            paint: { 'fill-color': dark ? '#3a3f47' : '#f4f1ea', 'fill-outline-color': '#8a8f98' },
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
    const sorted = entries.map(([, v]) => v).sort((a, b) => a - b);
    const breaks = [0.2, 0.4, 0.6, 0.8].map(
      (q) => sorted[Math.floor(q * (sorted.length - 1))] ?? 0,
    );
    const match: unknown[] = ['match', ['get', 'iso']];
    for (const [alpha3, value] of entries) {
      const id = ISO_NUMERIC[alpha3];
      if (!id) continue;
      const cls = breaks.filter((b) => value > b).length;
      match.push(id, SHADES[cls]);
    }
    match.push(dark ? '#3a3f47' : '#f4f1ea');
    if (match.length > 3)
      m.setPaintProperty('countries', 'fill-color', match as maplibregl.ExpressionSpecification);
    else m.setPaintProperty('countries', 'fill-color', dark ? '#3a3f47' : '#f4f1ea');
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

  return (
    <Box
      ref={container}
      role="region"
      aria-label={label}
      data-map-ready={ready ? 'true' : 'false'}
      style={{ width: '100%', height, borderRadius: 8, overflow: 'hidden' }}
    />
  );
}
