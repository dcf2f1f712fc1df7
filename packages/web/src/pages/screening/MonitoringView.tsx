import { useState, type FormEvent } from 'react';
import {
  Anchor,
  Badge,
  Button,
  Group,
  NumberInput,
  SegmentedControl,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { ErrorAlert, QueryState } from '../../components/QueryState';
import { useSignedIn } from '../../session';
import { entityPath, type Screened } from './hit-link';
import { detailsForApi, EMPTY_DETAILS, PartyDetailFields } from './PartyDetailFields';
import {
  screeningApi,
  type AlertStatus,
  type MonitoredParty,
  type PartyInput,
  type ScreeningAlert,
} from './screening-api';

/** Lowest alert threshold the server accepts (MIN_MONITOR_THRESHOLD in the store). */
const MIN_THRESHOLD = 0.5;

/** Officers, analysts and admins act on monitoring; viewers only read (docs/access-control.md). */
function usePermissions() {
  const role = useSignedIn().user.role;
  return {
    canAct: role === 'admin' || role === 'analyst' || role === 'officer',
    canSetDefault: role === 'admin',
  };
}

const when = (iso: string) => iso.slice(0, 16).replace('T', ' ');

/** A hit's entity page, opened with the party name that was screened and the hit's score. */
const entityLink = (id: string, name: string, screened: Screened) => (
  <Anchor component={Link} to={entityPath(id, screened)}>
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

function AcknowledgeCell({ alert }: { alert: ScreeningAlert }) {
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [note, setNote] = useState('');
  const acknowledge = useMutation({
    mutationFn: () => screeningApi.acknowledge(alert, note.trim()),
    onSuccess: () => {
      setOpen(false);
      setNote('');
      void queryClient.invalidateQueries({ queryKey: ['screening', 'alerts'] });
    },
  });
  if (!open) {
    return (
      <Button
        size="xs"
        variant="light"
        onClick={() => setOpen(true)}
        aria-label={`Acknowledge ${alert.partyName} on ${alert.entityName}`}
      >
        Acknowledge
      </Button>
    );
  }
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        if (note.trim()) acknowledge.mutate();
      }}
    >
      <Group gap={4} wrap="nowrap" align="flex-end">
        <TextInput
          size="xs"
          label="Acknowledgement note"
          placeholder="why (required)"
          value={note}
          onChange={(e) => setNote(e.currentTarget.value)}
          required
          autoFocus
          w={220}
        />
        <Button size="xs" type="submit" loading={acknowledge.isPending}>
          Save
        </Button>
        <Button size="xs" variant="subtle" onClick={() => setOpen(false)}>
          Cancel
        </Button>
      </Group>
      {acknowledge.isError && (
        <ErrorAlert error={acknowledge.error} title="Could not acknowledge the alert" />
      )}
    </form>
  );
}

const STATUS_LABELS: Record<AlertStatus, string> = {
  open: 'Open',
  acknowledged: 'Acknowledged',
  all: 'All',
};

function AlertsTable() {
  const { canAct } = usePermissions();
  const [status, setStatus] = useState<AlertStatus>('open');
  const alerts = useQuery({
    queryKey: ['screening', 'alerts', status],
    queryFn: () => screeningApi.alerts(status),
  });
  return (
    <Stack gap="xs">
      <SegmentedControl
        aria-label="Which alerts"
        value={status}
        onChange={(v) => setStatus(v)}
        data={(['open', 'acknowledged', 'all'] as const).map((v) => ({
          value: v,
          label: STATUS_LABELS[v],
        }))}
        w="fit-content"
      />
      <QueryState query={alerts} label="alerts">
        {({ items }) =>
          items.length === 0 ? (
            <Text c="dimmed">
              {status === 'acknowledged'
                ? 'No alert has been acknowledged yet.'
                : status === 'open'
                  ? 'No open alerts: no new hits since the parties were added, or all acknowledged.'
                  : 'No new hits since the parties were added.'}
            </Text>
          ) : (
            <Table aria-label="New-hit alerts" striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Found</Table.Th>
                  <Table.Th>Party</Table.Th>
                  <Table.Th>Listed entity</Table.Th>
                  <Table.Th>Score</Table.Th>
                  <Table.Th>List version</Table.Th>
                  <Table.Th>Acknowledgement</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((a) => (
                  <Table.Tr key={`${a.partyId}/${a.entityId}`} data-testid="screening-alert">
                    <Table.Td>{when(a.createdAt)}</Table.Td>
                    <Table.Td>{a.partyName}</Table.Td>
                    <Table.Td>
                      {entityLink(a.entityId, a.entityName, { name: a.partyName, score: a.score })}
                    </Table.Td>
                    <Table.Td>{a.score.toFixed(2)}</Table.Td>
                    <Table.Td>{a.listVersion.split('#')[0]}</Table.Td>
                    <Table.Td>
                      {a.acknowledgement ? (
                        <Stack gap={0} data-testid="alert-acknowledgement">
                          <Text size="sm">{a.acknowledgement.note}</Text>
                          <Text size="xs" c="dimmed">
                            acknowledged {when(a.acknowledgement.at)}
                            {a.acknowledgement.byName ? ` by ${a.acknowledgement.byName}` : ''}
                          </Text>
                        </Stack>
                      ) : canAct ? (
                        <AcknowledgeCell alert={a} />
                      ) : (
                        <Text size="sm">open</Text>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )
        }
      </QueryState>
    </Stack>
  );
}

function ThresholdCell({ party }: { party: MonitoredParty }) {
  const { canAct } = usePermissions();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState<string | number>(party.effectiveThreshold);
  const save = useMutation({
    mutationFn: (threshold: number | null) => screeningApi.setPartyThreshold(party.id, threshold),
    onSuccess: () => {
      setEditing(false);
      void queryClient.invalidateQueries({ queryKey: ['screening', 'parties'] });
    },
  });
  const shown = (
    <Text size="sm" data-testid="party-threshold">
      {party.effectiveThreshold.toFixed(2)}
      {party.threshold === null ? ' (default)' : ''}
    </Text>
  );
  if (!canAct) return shown;
  if (!editing) {
    return (
      <Group gap={4} wrap="nowrap">
        {shown}
        <Button
          size="xs"
          variant="subtle"
          onClick={() => {
            setValue(party.effectiveThreshold);
            setEditing(true);
          }}
          aria-label={`Edit the threshold of ${party.name}`}
        >
          Edit
        </Button>
      </Group>
    );
  }
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        if (typeof value === 'number') save.mutate(value);
      }}
    >
      <Group gap={4} wrap="nowrap" align="flex-end">
        <NumberInput
          size="xs"
          label={`Threshold for ${party.name}`}
          value={value}
          onChange={setValue}
          min={MIN_THRESHOLD}
          max={1}
          step={0.05}
          decimalScale={2}
          w={150}
        />
        <Button size="xs" type="submit" loading={save.isPending}>
          Save
        </Button>
        <Button size="xs" variant="subtle" onClick={() => save.mutate(null)}>
          Use default
        </Button>
      </Group>
      {save.isError && <ErrorAlert error={save.error} title="Could not set the threshold" />}
    </form>
  );
}

function DefaultThresholdForm() {
  const { canSetDefault } = usePermissions();
  const queryClient = useQueryClient();
  const settings = useQuery({
    queryKey: ['screening', 'monitor-settings'],
    queryFn: screeningApi.monitorSettings,
  });
  const [value, setValue] = useState<string | number>('');
  const save = useMutation({
    mutationFn: (threshold: number) => screeningApi.setMonitorThreshold(threshold),
    onSuccess: () => {
      setValue('');
      void queryClient.invalidateQueries({ queryKey: ['screening'] });
    },
  });
  return (
    <QueryState query={settings} label="monitoring settings">
      {(s) => (
        <Group align="flex-end" gap="xs">
          <Text size="sm" data-testid="default-threshold">
            Organisation default alert threshold: <strong>{s.threshold.toFixed(2)}</strong>
            {s.custom ? '' : ' (built-in)'}
          </Text>
          {canSetDefault && (
            <form
              onSubmit={(event) => {
                event.preventDefault();
                if (typeof value === 'number') save.mutate(value);
              }}
            >
              <Group gap={4} align="flex-end">
                <NumberInput
                  size="xs"
                  label="New default threshold"
                  value={value}
                  onChange={setValue}
                  min={MIN_THRESHOLD}
                  max={1}
                  step={0.05}
                  decimalScale={2}
                  w={170}
                />
                <Button size="xs" type="submit" loading={save.isPending}>
                  Set default
                </Button>
              </Group>
              {save.isError && (
                <ErrorAlert error={save.error} title="Could not set the default threshold" />
              )}
            </form>
          )}
        </Group>
      )}
    </QueryState>
  );
}

function PartiesTable() {
  const { canAct } = usePermissions();
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
                <Table.Th>Threshold</Table.Th>
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
                    <ThresholdCell party={p} />
                  </Table.Td>
                  <Table.Td>
                    <Stack gap={2}>
                      {p.hits.length === 0 && <Text size="sm">none</Text>}
                      {p.hits.map((h) => (
                        <Group key={h.entityId} gap={4} wrap="nowrap">
                          {entityLink(h.entityId, h.entityName, { name: p.name, score: h.score })}
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
                    {canAct && (
                      <Button
                        size="xs"
                        variant="subtle"
                        color="red"
                        onClick={() => remove.mutate(p.id)}
                        aria-label={`Remove ${p.name}`}
                      >
                        Remove
                      </Button>
                    )}
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
 * entities a party had not hit before (issue 5 §2), at each party's threshold (its own, else the
 * organisation's default). Officers acknowledge an alert with a note; it then leaves the open
 * queue and stays in the history.
 */
export function MonitoringView() {
  const { canAct } = usePermissions();
  return (
    <Stack>
      {canAct && <AddPartyForm />}
      <DefaultThresholdForm />
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
