import { Badge, Button, Code, Group, Stack, Table, Text } from '@mantine/core';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api, type AuditEvent } from '../../api';
import { Empty } from '../../components/Empty';
import { ErrorAlert, Loading } from '../../components/QueryState';
import { formatDateTime } from '../../components/format';

function target(event: AuditEvent): string {
  if (!event.targetType) return event.targetId ?? '—';
  return event.targetId ? `${event.targetType} ${event.targetId}` : event.targetType;
}

function details(event: AuditEvent): string | null {
  const entries = Object.entries(event.details);
  if (event.ip) entries.push(['ip', event.ip]);
  return entries.length === 0 ? null : JSON.stringify(Object.fromEntries(entries));
}

export function AuditPanel() {
  // Names for actor ids; admins may list their users (the audit log is admin-only as well). One
  // page of the largest size names them on any instance but a very large one; others show ids.
  const users = useQuery({
    queryKey: ['users', 'lookup'],
    queryFn: () => api.users.list({ limit: 500 }),
  });
  const actor = (event: AuditEvent): string => {
    if (event.actorUserId)
      return users.data?.items.find((u) => u.id === event.actorUserId)?.email ?? event.actorUserId;
    if (event.actorTokenId) return `API token ${event.actorTokenId}`;
    return 'system';
  };
  const audit = useInfiniteQuery({
    queryKey: ['audit'],
    queryFn: ({ pageParam }) => api.audit.list({ limit: 50, cursor: pageParam }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor ?? null,
  });
  if (audit.isPending) return <Loading label="Loading the audit log" />;
  if (audit.isError)
    return (
      <ErrorAlert
        title="Could not load the audit log"
        error={audit.error}
        onRetry={() => void audit.refetch()}
      />
    );
  const events = audit.data.pages.flatMap((p) => p.items);
  if (events.length === 0) return <Empty title="No audit events yet" />;
  return (
    <Stack gap="md">
      <Table.ScrollContainer minWidth={720}>
        <Table striped verticalSpacing="xs">
          <Table.Caption>Audit log, newest first: every sign-in and every change</Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Time</Table.Th>
              <Table.Th scope="col">Action</Table.Th>
              <Table.Th scope="col">Actor</Table.Th>
              <Table.Th scope="col">Outcome</Table.Th>
              <Table.Th scope="col">Target</Table.Th>
              <Table.Th scope="col">Details</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {events.map((e) => {
              const extra = details(e);
              return (
                <Table.Tr key={e.id}>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>
                    {formatDateTime(e.createdAt)}
                  </Table.Td>
                  <Table.Td>
                    <Code>{e.action}</Code>
                  </Table.Td>
                  <Table.Td style={{ overflowWrap: 'anywhere' }}>{actor(e)}</Table.Td>
                  <Table.Td>
                    <Badge variant="light" color={e.outcome === 'failure' ? 'red' : 'teal'}>
                      {e.outcome}
                    </Badge>
                  </Table.Td>
                  <Table.Td style={{ overflowWrap: 'anywhere' }}>{target(e)}</Table.Td>
                  <Table.Td maw={320}>
                    {extra ? (
                      <Code fz="xs" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
                        {extra}
                      </Code>
                    ) : (
                      <Text size="xs">—</Text>
                    )}
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Group justify="center">
        {audit.hasNextPage ? (
          <Button
            variant="default"
            loading={audit.isFetchingNextPage}
            onClick={() => void audit.fetchNextPage()}
          >
            Load older events
          </Button>
        ) : (
          <Text size="sm" c="dimmed">
            That is the whole log.
          </Text>
        )}
      </Group>
    </Stack>
  );
}
