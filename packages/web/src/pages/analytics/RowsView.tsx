import { Anchor, Button, Card, Group, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { QueryState } from '../../components/QueryState';
import { analyticsApi } from './analytics-api';
import { CsvButton, DataTable } from './shared';

const DATASETS: Record<string, string> = {
  'cbp-seizures': 'CBP nationwide drug seizures',
  'bts-crossings': 'BTS border crossings',
  'unodc-seizures': 'UNODC drug seizures',
  'bts-ports': 'BTS land ports',
  'wpi-ports': 'World Port Index',
  unlocode: 'UN/LOCODE',
};
const PAGE = 100;

/** A source row's cell as read from the file; an empty cell as a dash. */
function cellText(value: unknown): string {
  if (value === null || value === undefined) return '—';
  // The source tables hold scalars only (text, numbers, booleans, dates as text).
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- no objects reach here
  return String(value);
}

/**
 * The source rows behind a figure: the same filters as the figure's view, read from the URL, so
 * every chart point and table cell can link here. Each row shows the file and line it came from.
 */
export function RowsView() {
  const [params, setParams] = useSearchParams();
  const dataset = params.get('dataset') ?? 'cbp-seizures';
  const offset = Number(params.get('offset') ?? 0);
  const filters: Record<string, string> = {};
  for (const [k, val] of params) if (k !== 'dataset' && k !== 'offset') filters[k] = val;
  const query = useQuery({
    queryKey: ['analytics', 'rows', dataset, filters, offset],
    queryFn: () => analyticsApi.rows(dataset, { ...filters, limit: PAGE, offset }),
  });
  const go = (next: number) =>
    setParams((prev) => {
      const p = new URLSearchParams(prev);
      if (next > 0) p.set('offset', String(next));
      else p.delete('offset');
      return p;
    });
  return (
    <Stack gap="md">
      <Card withBorder component="section" aria-labelledby="rows-heading">
        <Group justify="space-between" mb="xs">
          <div>
            <Title order={2} size="h4" id="rows-heading">
              Source rows: {DATASETS[dataset] ?? dataset}
            </Title>
            <Text size="sm" c="dimmed">
              {Object.entries(filters)
                .map(([k, val]) => `${k} = ${val}`)
                .join(' · ') || 'all rows'}
            </Text>
          </div>
          <Group gap="xs">
            <CsvButton
              path={`rows/${dataset}`}
              query={{ ...filters, limit: 1000 }}
              label="CSV (first 1,000)"
            />
            <Anchor component={Link} to="/analytics" size="sm">
              Back to the views
            </Anchor>
          </Group>
        </Group>
        <QueryState query={query} label="source rows">
          {(data) => {
            const columns = data.items[0] ? Object.keys(data.items[0]) : [];
            const ordered = [
              'source_name',
              'source_line',
              ...columns.filter((c) => c !== 'source_name' && c !== 'source_line'),
            ];
            return (
              <>
                <Text size="sm" mb="xs">
                  {data.total.toLocaleString()} {data.total === 1 ? 'row' : 'rows'}
                  {data.total > PAGE
                    ? `, showing ${offset + 1}–${Math.min(offset + PAGE, data.total)}`
                    : ''}
                </Text>
                <DataTable
                  caption="Each row with the file and line it was read from"
                  columns={ordered.map((c) => ({
                    key: c,
                    header: c,
                    cell: (r: Record<string, unknown>) => cellText(r[c]),
                  }))}
                  rows={data.items}
                  rowKey={(r) => `${String(r.source_name)}:${String(r.source_line)}`}
                  minWidth={800}
                  fz="xs"
                  stickyHeader
                />
                <Group mt="sm" gap="xs">
                  <Button
                    variant="default"
                    size="xs"
                    disabled={offset === 0}
                    onClick={() => go(Math.max(0, offset - PAGE))}
                  >
                    Previous
                  </Button>
                  <Button
                    variant="default"
                    size="xs"
                    disabled={offset + PAGE >= data.total}
                    onClick={() => go(offset + PAGE)}
                  >
                    Next
                  </Button>
                </Group>
              </>
            );
          }}
        </QueryState>
      </Card>
    </Stack>
  );
}
