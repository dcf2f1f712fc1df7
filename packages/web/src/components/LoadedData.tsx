import { useQuery } from '@tanstack/react-query';
import { Anchor, Badge, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import { api, type SummaryItem } from '../api';
import { useSession } from '../session';
import { Empty } from './Empty';
import { QueryState } from './QueryState';
import { formatDateTime, formatNumber } from './format';

export const summaryQuery = { queryKey: ['summary'], queryFn: () => api.summary() } as const;

/**
 * The data loaded so far (GET /api/summary), optionally only some capabilities' rows. Shared by
 * the overview and by every capability page until that capability brings its own views.
 */
export function LoadedData({
  capabilities,
  caption,
}: {
  capabilities?: readonly string[];
  caption: string;
}) {
  const query = useQuery({ ...summaryQuery, refetchInterval: 15_000 });
  const { session } = useSession();
  return (
    <QueryState query={query} label="the loaded data">
      {({ items }) => {
        const rows = capabilities
          ? items.filter((item) => capabilities.includes(item.capability))
          : items;
        if (rows.length === 0)
          return (
            <Empty title="No data loaded yet">
              {session?.user.role === 'admin' ? (
                <>
                  Load a file under{' '}
                  <Anchor component={Link} to="/administration/jobs">
                    Administration → Ingest jobs
                  </Anchor>
                  , or with <code>interdict ingest</code>.
                </>
              ) : (
                'An administrator loads data with an ingest job.'
              )}
            </Empty>
          );
        return <SummaryTable rows={rows} caption={caption} />;
      }}
    </QueryState>
  );
}

function SummaryTable({ rows, caption }: { rows: SummaryItem[]; caption: string }) {
  return (
    <Table.ScrollContainer minWidth={420}>
      <Table striped highlightOnHover verticalSpacing="xs">
        <Table.Caption>{caption}</Table.Caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Data</Table.Th>
            <Table.Th scope="col">Capability</Table.Th>
            <Table.Th scope="col" ta="right">
              Records
            </Table.Th>
            <Table.Th scope="col">Last updated</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((row) => (
            <Table.Tr key={`${row.capability}/${row.label}`}>
              <Table.Td>{row.label}</Table.Td>
              <Table.Td>
                <Badge variant="light" color="gray" tt="none">
                  {row.capability}
                </Badge>
              </Table.Td>
              <Table.Td ta="right" ff="monospace">
                {formatNumber(row.count)}
              </Table.Td>
              <Table.Td>
                <Text size="sm">{formatDateTime(row.updatedAt)}</Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
