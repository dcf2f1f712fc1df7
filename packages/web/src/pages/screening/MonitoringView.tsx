import { useState, type FormEvent } from 'react';
import { Anchor, Badge, Button, Group, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { ErrorAlert, QueryState } from '../../components/QueryState';
import { detailsForApi, EMPTY_DETAILS, PartyDetailFields } from './PartyDetailFields';
import { screeningApi, type PartyInput } from './screening-api';

const when = (iso: string) => iso.slice(0, 16).replace('T', ' ');

const entityLink = (id: string, name: string) => (
  <Anchor component={Link} to={`/screening/entity/${encodeURIComponent(id)}`}>
    {name}
  </Anchor>
);

function AddPartyForm() {
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [details, setDetails] = useState(EMPTY_DETAILS);
  const [note, setNote] = useState('');
  const add = useMutation({
    mutationFn: (input: PartyInput) => screeningApi.addParty(input),
    onSuccess: () => {
      setName('');
      setDetails(EMPTY_DETAILS);
      setNote('');
      void queryClient.invalidateQueries({ queryKey: ['screening', 'parties'] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim()) return;
    add.mutate({
      name: name.trim(),
      ...detailsForApi(details),
      ...(note.trim() ? { note: note.trim() } : {}),
    });
  };
  return (
    <form onSubmit={submit} aria-label="Monitor a party">
      <Group align="flex-end" wrap="wrap">
        <TextInput
          label="Party name"
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          miw={240}
          required
        />
        <PartyDetailFields value={details} onChange={setDetails} />
        <TextInput
          label="Note"
          value={note}
          onChange={(e) => setNote(e.currentTarget.value)}
          w={200}
        />
        <Button type="submit" loading={add.isPending}>
          Monitor
        </Button>
      </Group>
      {add.isError && <ErrorAlert error={add.error} title="Could not add the party" />}
    </form>
  );
}

function AlertsTable() {
  const alerts = useQuery({ queryKey: ['screening', 'alerts'], queryFn: screeningApi.alerts });
  return (
    <QueryState query={alerts} label="alerts">
      {({ items }) =>
        items.length === 0 ? (
          <Text c="dimmed">No new hits since the parties were added.</Text>
        ) : (
          <Table aria-label="New-hit alerts" striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Found</Table.Th>
                <Table.Th>Party</Table.Th>
                <Table.Th>Listed entity</Table.Th>
                <Table.Th>Score</Table.Th>
                <Table.Th>List version</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((a) => (
                <Table.Tr key={`${a.partyId}/${a.entityId}`} data-testid="screening-alert">
                  <Table.Td>{when(a.createdAt)}</Table.Td>
                  <Table.Td>{a.partyName}</Table.Td>
                  <Table.Td>{entityLink(a.entityId, a.entityName)}</Table.Td>
                  <Table.Td>{a.score.toFixed(2)}</Table.Td>
                  <Table.Td>{a.listVersion.split('#')[0]}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )
      }
    </QueryState>
  );
}

function PartiesTable() {
  const queryClient = useQueryClient();
  const parties = useQuery({ queryKey: ['screening', 'parties'], queryFn: screeningApi.parties });
  const remove = useMutation({
    mutationFn: (id: string) => screeningApi.removeParty(id),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['screening'] }),
  });
  return (
    <QueryState query={parties} label="monitored parties">
      {({ items }) =>
        items.length === 0 ? (
          <Text c="dimmed">No party is monitored yet.</Text>
        ) : (
          <Table aria-label="Monitored parties" striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Party</Table.Th>
                <Table.Th>Details</Table.Th>
                <Table.Th>Hits</Table.Th>
                <Table.Th>Added</Table.Th>
                <Table.Th aria-label="Actions" />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((p) => (
                <Table.Tr key={p.id} data-testid="monitored-party">
                  <Table.Td>
                    {p.name}
                    {p.note && (
                      <Text size="xs" c="dimmed">
                        {p.note}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    {[p.schema, p.birthDate, p.nationality?.toUpperCase()]
                      .filter(Boolean)
                      .join(' · ') || '—'}
                  </Table.Td>
                  <Table.Td>
                    <Stack gap={2}>
                      {p.hits.length === 0 && <Text size="sm">none</Text>}
                      {p.hits.map((h) => (
                        <Group key={h.entityId} gap={4} wrap="nowrap">
                          {entityLink(h.entityId, h.entityName)}
                          <Badge size="sm" variant="light">
                            {h.score.toFixed(2)}
                          </Badge>
                          {h.trigger === 'list-update' && (
                            <Badge size="sm" color="red">
                              new
                            </Badge>
                          )}
                        </Group>
                      ))}
                    </Stack>
                  </Table.Td>
                  <Table.Td>{when(p.createdAt)}</Table.Td>
                  <Table.Td>
                    <Button
                      size="xs"
                      variant="subtle"
                      color="red"
                      onClick={() => remove.mutate(p.id)}
                      aria-label={`Remove ${p.name}`}
                    >
                      Remove
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )
      }
    </QueryState>
  );
}

/**
 * Monitored parties: re-screened by the server after every list update; alerts are the hits on
 * entities a party had not hit before (issue 5 §2).
 */
export function MonitoringView() {
  return (
    <Stack>
      <AddPartyForm />
      <Title order={2} size="h4">
        New hits after list updates
      </Title>
      <AlertsTable />
      <Title order={2} size="h4">
        Monitored parties
      </Title>
      <PartiesTable />
    </Stack>
  );
}
