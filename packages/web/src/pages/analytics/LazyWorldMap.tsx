import { lazy, Suspense, type ComponentProps } from 'react';
import { Loading } from '../../components/QueryState';
import type { WorldMap as WorldMapType } from './WorldMap';

// MapLibre is about a megabyte: load it only when a view shows a map.
const WorldMapImpl = lazy(() => import('./WorldMap').then((m) => ({ default: m.WorldMap })));

export function WorldMap(props: ComponentProps<typeof WorldMapType>) {
  return (
    <Suspense fallback={<Loading label="Loading the map" />}>
      <WorldMapImpl {...props} />
    </Suspense>
  );
}
