import { Tabs } from '@mantine/core';
import { IconChartLine, IconMap, IconTable, IconTruck, IconWorld } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { Navigate, Route, Routes, useLocation, useNavigate } from 'react-router';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../components/QueryState';
import { analyticsApi } from './analytics-api';
import { MapView } from './MapView';
import { RowsView } from './RowsView';
import { SeizuresView } from './SeizuresView';
import { TrafficView } from './TrafficView';
import { WorldView } from './WorldView';

const sections = [
  { path: 'seizures', label: 'Seizures', icon: IconChartLine },
  { path: 'traffic', label: 'Against traffic', icon: IconTruck },
  { path: 'world', label: 'World (UNODC)', icon: IconWorld },
  { path: 'map', label: 'Map', icon: IconMap },
  { path: 'rows', label: 'Source rows', icon: IconTable },
] as const;

export default function AnalyticsPage() {
  const location = useLocation();
  const navigate = useNavigate();
  const current = location.pathname.split('/')[2] ?? 'seizures';
  const facets = useQuery({
    queryKey: ['analytics', 'facets'],
    queryFn: analyticsApi.facets,
    staleTime: 60_000,
  });
  return (
    <>
      <PageHeader
        title="Analytics"
        description="Drug seizures by drug, place and month, set against the traffic crossing each border; unusual months, forecasts and a map. Every figure links to its source rows."
      />
      <Tabs
        value={current}
        onChange={(value) => value && void navigate(`/analytics/${value}`)}
        keepMounted={false}
        mb="lg"
      >
        <Tabs.List aria-label="Analytics views">
          {sections.map((s) => (
            <Tabs.Tab key={s.path} value={s.path} leftSection={<s.icon size={16} aria-hidden />}>
              {s.label}
            </Tabs.Tab>
          ))}
        </Tabs.List>
      </Tabs>
      <QueryState query={facets} label="analytics filters">
        {(f) => (
          <Routes>
            <Route index element={<Navigate to="seizures" replace />} />
            <Route path="seizures" element={<SeizuresView facets={f} />} />
            <Route path="traffic" element={<TrafficView facets={f} />} />
            <Route path="world" element={<WorldView facets={f} />} />
            <Route path="map" element={<MapView facets={f} />} />
            <Route path="rows" element={<RowsView />} />
            <Route path="*" element={<Navigate to="seizures" replace />} />
          </Routes>
        )}
      </QueryState>
    </>
  );
}
