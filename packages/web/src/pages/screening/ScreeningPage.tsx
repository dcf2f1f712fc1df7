import { useState, type FormEvent } from 'react';
import {
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  NumberInput,
  Stack,
  Table,
  Tabs,
  Text,
  TextInput,
  Textarea,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Link,
  Route,
  Routes,
  useLocation,
  useNavigate,
  useParams,
  useSearchParams,
} from 'react-router';
import { PageHeader } from '../../components/PageHeader';
import { ErrorAlert, QueryState } from '../../components/QueryState';
import { useSignedIn } from '../../session';
import { LedgerProof } from '../ledger/LedgerProof';
import { entityPath, screenedFrom } from './hit-link';
import { MonitoringView } from './MonitoringView';
import { detailsForApi, EMPTY_DETAILS, PartyDetailFields } from './PartyDetailFields';
import { DECISION_SUBJECT, screeningApi, type Hit, type MatchQuery } from './screening-api';

function scoreColour(score: number): string {
  return score >= 0.9 ? 'red' : score >= 0.8 ? 'orange' : 'yellow';
}

/** A hit, linking to its entity page with the name that was screened and the hit's score. */
function HitCard({ hit, screenedName }: { hit: Hit; screenedName: string }) {
  const e = hit.explanation;
  return (
    <Card withBorder padding="md" data-testid="screening-hit">
      <Group justify="space-between" wrap="nowrap" align="flex-start">
        <Stack gap={2}>
          <Anchor
            component={Link}
            to={entityPath(hit.entityId, { name: screenedName, score: hit.score })}
            fw={600}
          >
            {hit.name}
          </Anchor>
          {hit.matchedName !== hit.name && (
            <Text size="sm" c="dimmed">
              matched the {e.matchedNameQuality} alias “{hit.matchedName}”
            </Text>
          )}
          <Group gap={4}>
            <Badge variant="light">{hit.schema}</Badge>
            <Badge variant="outline">{hit.list.toUpperCase()}</Badge>
            {hit.programs.map((p) => (
              <Badge key={p} variant="dot" color="gray">
                {p}
              </Badge>
            ))}
          </Group>
        </Stack>
        <Badge
          size="lg"
          color={scoreColour(hit.score)}
          aria-label={`score ${hit.score.toFixed(2)}`}
        >
          {hit.score.toFixed(2)}
        </Badge>
      </Group>
      <Table mt="sm" fz="sm" withRowBorders={false} aria-label="Why this score">
        <Table.Tbody>
          {e.name.aligned.map((a, i) => (
            <Table.Tr key={i}>
              <Table.Td>{a.query}</Table.Td>
              <Table.Td>~ {a.candidate}</Table.Td>
              <Table.Td c="dimmed">
                {a.how}, similarity {a.similarity}, weight {a.weight}
              </Table.Td>
            </Table.Tr>
          ))}
          {(e.name.unmatchedQuery.length > 0 || e.name.unmatchedCandidate.length > 0) && (
            <Table.Tr>
              <Table.Td colSpan={3} c="dimmed">
                not aligned: {[...e.name.unmatchedQuery, ...e.name.unmatchedCandidate].join(', ')}
              </Table.Td>
            </Table.Tr>
          )}
          {e.adjustments.map((a, i) => (
            <Table.Tr key={`adj${i}`}>
              <Table.Td colSpan={3}>
                {a.feature} {a.delta > 0 ? '+' : ''}
                {a.delta.toFixed(2)}: {a.detail}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Card>
  );
}

function SearchView() {
  const [name, setName] = useState('');
  const [details, setDetails] = useState(EMPTY_DETAILS);
  const [threshold, setThreshold] = useState<number | string>(0.7);
  const search = useMutation({
    mutationFn: (q: MatchQuery) => screeningApi.match(q, Number(threshold) || 0.7),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim()) return;
    search.mutate({ name: name.trim(), ...detailsForApi(details) });
  };
  const result = search.data?.results[0];
  return (
    <Stack>
      <form onSubmit={submit} aria-label="Screen a name">
        <Group align="flex-end" wrap="wrap">
          <TextInput
            label="Name"
            placeholder="e.g. Ismael Zambada Garcia"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            miw={280}
            required
            data-autofocus
          />
          <PartyDetailFields value={details} onChange={setDetails} />
          <NumberInput
            label="Threshold"
            min={0}
            max={1}
            step={0.05}
            decimalScale={2}
            value={threshold}
            onChange={setThreshold}
            w={110}
          />
          <Button type="submit" loading={search.isPending}>
            Screen
          </Button>
        </Group>
      </form>
      {search.isError && <ErrorAlert error={search.error} title="Screening failed" />}
      {search.data && (
        <Text size="sm" c="dimmed" role="status">
          {result?.hits.length ?? 0} hit(s) against{' '}
          {search.data.listVersions.join(', ') || 'no lists loaded'}
        </Text>
      )}
      {result?.hits.map((hit) => (
        <HitCard key={hit.entityId} hit={hit} screenedName={result.query.name} />
      ))}
    </Stack>
  );
}

function EntityView() {
  const { id = '' } = useParams();
  const [params] = useSearchParams();
  // The hit decided on: the name that was screened and its score (from the search or the
  // monitoring view), which the decision and its ledger entry record.
  const screened = screenedFrom(params);
  const session = useSignedIn();
  const queryClient = useQueryClient();
  const entity = useQuery({
    queryKey: ['screening', 'entity', id],
    queryFn: () => screeningApi.entity(id),
  });
  const [note, setNote] = useState('');
  const [typedName, setTypedName] = useState('');
  const queryName = screened?.name ?? typedName.trim();
  const decide = useMutation({
    mutationFn: (decision: 'confirmed' | 'dismissed') =>
      screeningApi.decide({
        entityId: id,
        queryName,
        decision,
        note,
        ...(screened ? { score: screened.score } : {}),
      }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['screening', 'entity', id] }),
  });
  const canDecide = ['admin', 'analyst', 'officer'].includes(session.user.role);
  return (
    <QueryState query={entity} label="the listed entity">
      {({ entity: e, version, decisions }) => (
        <Stack>
          <Title order={2} size="h3">
            {e.names[0]?.full}
          </Title>
          <Group gap={4}>
            <Badge variant="light">{e.schema}</Badge>
            <Badge variant="outline">{version.split('#')[0]}</Badge>
            {e.programs.map((p) => (
              <Badge key={p} variant="dot" color="gray">
                {p}
              </Badge>
            ))}
          </Group>
          <Table aria-label="Names" striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Quality</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {e.names.map((n) => (
                <Table.Tr key={n.full}>
                  <Table.Td>{n.full}</Table.Td>
                  <Table.Td>
                    {n.quality}
                    {n.kind ? ` (${n.kind})` : ''}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Text size="sm">
            Born: {e.birthDates.join(', ') || '—'} · Places: {e.birthPlaces.join('; ') || '—'} ·
            Nationality: {e.nationalities.join(', ').toUpperCase() || '—'} · Countries:{' '}
            {e.countries.join(', ').toUpperCase() || '—'}
          </Text>
          {e.identifiers.length > 0 && (
            <Table aria-label="Identifiers">
              <Table.Tbody>
                {e.identifiers.map((i) => (
                  <Table.Tr key={`${i.type}${i.value}`}>
                    <Table.Td>{i.label ?? i.type}</Table.Td>
                    <Table.Td>{i.value}</Table.Td>
                    <Table.Td>{i.country?.toUpperCase() ?? ''}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
          {e.addresses.map((a) => (
            <Text key={a.full} size="sm" c="dimmed">
              {a.full}
            </Text>
          ))}
          {e.remarks && <Text size="sm">{e.remarks}</Text>}
          <Title order={3} size="h4">
            Decisions
          </Title>
          {decisions.length === 0 && (
            <Text c="dimmed">No decision recorded by your organisation.</Text>
          )}
          {decisions.map((d) => {
            // What was decided, on which listed entity, for which screened name at which score.
            const screenedAs = `screened as “${d.queryName}”${d.score === null ? '' : `, score ${d.score.toFixed(2)}`}`;
            const what = `${d.decision} for “${e.names[0]?.full ?? d.entityId}” (${screenedAs})`;
            return (
              <Stack key={d.id} gap="xs" data-testid="screening-decision">
                <Text size="sm">
                  {d.createdAt.slice(0, 16).replace('T', ' ')} — {what}
                  {d.note ? `: ${d.note}` : ''} (lists {d.listVersions.join(', ')}) —{' '}
                  {d.ledger ? (
                    <Anchor component={Link} to="/ledger" data-testid="decision-ledger">
                      committed to the ledger at index {d.ledger.index}
                    </Anchor>
                  ) : (
                    'not committed to the ledger'
                  )}
                </Text>
                <LedgerProof subjectType={DECISION_SUBJECT} subjectId={d.id} />
              </Stack>
            );
          })}
          {canDecide && (
            <Stack gap="xs" maw={520}>
              {screened ? (
                <Text size="sm" data-testid="decision-hit">
                  Deciding on the hit for “{screened.name}”, score {screened.score.toFixed(2)}.
                </Text>
              ) : (
                <TextInput
                  label="Name screened"
                  description="The name whose screening found this entity"
                  value={typedName}
                  onChange={(ev) => setTypedName(ev.currentTarget.value)}
                  required
                />
              )}
              <Textarea
                label="Note"
                value={note}
                onChange={(ev) => setNote(ev.currentTarget.value)}
              />
              <Group>
                <Button
                  color="red"
                  onClick={() => decide.mutate('confirmed')}
                  loading={decide.isPending}
                  disabled={!queryName}
                >
                  Confirm hit
                </Button>
                <Button
                  variant="default"
                  onClick={() => decide.mutate('dismissed')}
                  loading={decide.isPending}
                  disabled={!queryName}
                >
                  Dismiss hit
                </Button>
              </Group>
              {decide.isError && (
                <ErrorAlert error={decide.error} title="Could not record the decision" />
              )}
            </Stack>
          )}
        </Stack>
      )}
    </QueryState>
  );
}

function ListsView() {
  const lists = useQuery({ queryKey: ['screening', 'lists'], queryFn: screeningApi.lists });
  return (
    <QueryState query={lists} label="list versions">
      {({ items }) => (
        <Table aria-label="List versions" striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Version</Table.Th>
              <Table.Th>In force</Table.Th>
              <Table.Th>Entities</Table.Th>
              <Table.Th>Added / changed / removed</Table.Th>
              <Table.Th>Loaded</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((v) => (
              <Table.Tr key={v.storedId}>
                <Table.Td>{v.id}</Table.Td>
                <Table.Td>{v.current ? 'yes' : ''}</Table.Td>
                <Table.Td>{v.counts.entities}</Table.Td>
                <Table.Td>
                  {v.diff.added} / {v.diff.changed} / {v.diff.removed}
                </Table.Td>
                <Table.Td>
                  {v.ingestedAt.slice(0, 16).replace('T', ' ')} ({v.sourceName})
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </QueryState>
  );
}

export default function ScreeningPage() {
  const location = useLocation();
  const navigate = useNavigate();
  const session = useSignedIn();
  // Viewers read the monitoring view; officers, analysts and admins also act in it.
  const canMonitor = ['admin', 'analyst', 'officer', 'viewer'].includes(session.user.role);
  const segment = location.pathname.split('/')[2];
  const section = segment === 'lists' || segment === 'monitoring' ? segment : 'search';
  return (
    <>
      <PageHeader
        title="Screening"
        description="Check shippers, consignees, vessels and people against sanctions and drug-kingpin lists (OFAC SDN, UN). Every score comes with its reasons."
      />
      <Tabs
        value={section}
        onChange={(v) => v && void navigate(v === 'search' ? '/screening' : `/screening/${v}`)}
        mb="lg"
      >
        <Tabs.List aria-label="Screening views">
          <Tabs.Tab value="search">Search</Tabs.Tab>
          {canMonitor && <Tabs.Tab value="monitoring">Monitoring</Tabs.Tab>}
          <Tabs.Tab value="lists">List versions</Tabs.Tab>
        </Tabs.List>
      </Tabs>
      <Routes>
        <Route index element={<SearchView />} />
        <Route path="lists" element={<ListsView />} />
        <Route path="monitoring" element={<MonitoringView />} />
        <Route path="entity/:id" element={<EntityView />} />
        <Route path="*" element={<SearchView />} />
      </Routes>
    </>
  );
}
