import { useEffect, useRef, useState, type FormEvent } from 'react';
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  NumberInput,
  Radio,
  Select,
  SimpleGrid,
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
import { EarlyStoppingSlice, OutOfTimeEvaluation } from './ModelEvaluation';
import {
  targetingApi,
  type Lane,
  type LaneRaise,
  type QueueSort,
  type ScoreExplanation,
  type QueueItem,
  type Capacity,
  type Contribution,
  type Day,
  type Inspection,
  type RuleInput,
} from './targeting-api';

const LANES: readonly Lane[] = ['red', 'yellow', 'blue', 'green'];
const LANE_COLOUR: Record<Lane, string> = {
  red: 'red',
  yellow: 'yellow',
  blue: 'blue',
  green: 'green',
};
const LANE_LABEL: Record<Lane, string> = {
  red: 'Red: inspect',
  yellow: 'Yellow: documents',
  blue: 'Blue: audit later',
  green: 'Green: release',
};

function LaneBadge({ lane }: { lane: Lane }) {
  return (
    <Badge
      color={LANE_COLOUR[lane]}
      variant={lane === 'red' ? 'filled' : 'light'}
      aria-label={`lane ${lane}`}
    >
      {lane}
    </Badge>
  );
}

function canInspect(role: string): boolean {
  return role === 'admin' || role === 'analyst' || role === 'officer';
}
function canManage(role: string): boolean {
  return role === 'admin' || role === 'analyst';
}

function InspectionBadge({ item }: { item: Pick<QueueItem, 'inspection'> }) {
  const i = item.inspection;
  if (!i)
    return (
      <Text size="sm" c="dimmed">
        not inspected
      </Text>
    );
  if (i.fraud === 0)
    return (
      <Badge variant="outline" color="gray">
        no fraud
      </Badge>
    );
  return (
    // The darkest shades: white on orange-6 or grape-6 is under WCAG's 4.5:1 for small text.
    <Badge color={i.critical === 2 ? 'grape.9' : 'red.9'}>
      {i.critical === 2 ? 'critical fraud' : 'fraud'}
    </Badge>
  );
}

/** Why a declaration was picked for inspection (selection.ts SelectionReason). */
const SELECTED_BY: Record<string, string> = {
  model: 'top score',
  rule: 'officer rule',
  raised: 'raised lane',
  random: 'random',
};

const RAISE_LABEL: Record<string, string> = {
  watchlist: 'watchlist hit',
  intelligence: 'intelligence',
  'critical-model': 'Critical Fraud model',
};

/** A raise as shown: its source, the lane when asked, then its reason without the source twice. */
function raiseText(r: LaneRaise, withLane = false): string {
  const label = RAISE_LABEL[r.source] ?? r.source;
  const reason = r.reason.startsWith(`${label}: `) ? r.reason.slice(label.length + 2) : r.reason;
  return `${label}${withLane ? ` → ${r.lane}` : ''}: ${reason}`;
}

/** Why it was picked: a raise names its source (watchlist hit, Critical Fraud model, …). */
function selectedLabel(item: Pick<QueueItem, 'selectedBy' | 'raises'>): string {
  if (item.selectedBy === 'raised') {
    const red = item.raises.find((r) => r.lane === 'red') ?? item.raises[0];
    if (red) return RAISE_LABEL[red.source] ?? red.source;
  }
  return SELECTED_BY[item.selectedBy ?? ''] ?? item.selectedBy ?? '';
}

/** Raises (watchlist hits) first and set apart: they name a listed party, not a statistic. */
function Reasons({ reasons, raises }: { reasons: string[]; raises: LaneRaise[] }) {
  const raised = new Set(raises.map((r) => r.reason));
  const rest = reasons.filter((r) => !raised.has(r));
  return (
    <Stack gap={2}>
      {raises.map((r) => (
        <Text size="xs" key={r.reason} fw={600} c="red.9" data-testid="raise-reason">
          {raiseText(r)}
        </Text>
      ))}
      {rest.length > 0 && <Text size="xs">{rest.join('; ')}</Text>}
    </Stack>
  );
}

/**
 * The day at a glance: how many go to inspection and why, and how many in each lane. Counted by
 * the server over the whole day, not from the rows loaded (at most a page, maybe filtered).
 */
function DaySummary({ day }: { day: Day }) {
  const { lanes, toInspect } = day;
  const inspect = toInspect.model + toInspect.rule + toInspect.raised + toInspect.random;
  const reasons = Object.entries(toInspect)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${SELECTED_BY[k] ?? k}`)
    .join(', ');
  return (
    <Text size="sm" data-testid="day-summary">
      <b>To inspect: {inspect}</b>
      {reasons ? ` (${reasons})` : ''} · red {lanes.red} · yellow {lanes.yellow} · blue {lanes.blue}{' '}
      · green {lanes.green}
    </Text>
  );
}

function QueueView() {
  const { user } = useSignedIn();
  const queryClient = useQueryClient();
  const days = useQuery({ queryKey: ['targeting', 'days'], queryFn: targetingApi.days });
  // Day and lane live in the address, so "← Queue" from a declaration (and a shared link, or the
  // browser's back button) returns to the same view instead of the latest day, all lanes.
  const [params, setParams] = useSearchParams();
  const location = useLocation();
  const picked = params.get('date');
  const laneParam = params.get('lane');
  const lane: Lane | null = LANES.includes(laneParam as Lane) ? (laneParam as Lane) : null;
  // Order and critical filter live in the address too, for the same reason.
  const sort: QueueSort = params.get('sort') === 'critical' ? 'critical' : 'lane';
  const minParam = Number(params.get('minCritical'));
  const minCritical =
    params.get('minCritical') !== null && minParam >= 0 && minParam <= 1 ? minParam : null;
  const setView = (next: {
    date?: string | null;
    lane?: Lane | null;
    sort?: QueueSort;
    minCritical?: number | null;
  }) => {
    const merged = { date: picked, lane, sort, minCritical, ...next };
    const search = new URLSearchParams();
    if (merged.date) search.set('date', merged.date);
    if (merged.lane) search.set('lane', merged.lane);
    if (merged.sort === 'critical') search.set('sort', 'critical');
    if (merged.minCritical !== null) search.set('minCritical', String(merged.minCritical));
    setParams(search, { replace: true });
  };
  const setPicked = (date: string | null) => setView({ date });
  const setLane = (value: string | null) =>
    setView({ lane: LANES.includes(value as Lane) ? (value as Lane) : null });
  const [capacity, setCapacity] = useState<Capacity>({ unit: 'percent', value: 5 });
  // Share of the capacity kept for random inspections (issue 6: a reserved random share keeps
  // the next training's data unbiased); 10% as the API's default.
  const [randomPercent, setRandomPercent] = useState<number>(10);
  const date = picked ?? days.data?.items[0]?.date ?? null;
  const day = days.data?.items.find((x) => x.date === date);
  const queue = useQuery({
    queryKey: ['targeting', 'queue', date, lane, sort, minCritical],
    queryFn: () =>
      targetingApi.queue(date as string, lane ?? undefined, sort, minCritical ?? undefined),
    enabled: date !== null,
  });
  const score = useMutation({
    mutationFn: () => targetingApi.score(date as string, capacity, randomPercent / 100),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['targeting'] }),
  });
  return (
    <QueryState query={days} label="declaration days">
      {(d) =>
        d.items.length === 0 ? (
          <Text c="dimmed">
            No declarations loaded yet: upload a declarations file under Administration → Jobs.
          </Text>
        ) : (
          <Stack>
            <Group align="flex-end" wrap="wrap">
              <Select
                label="Day"
                data={d.items.map((x) => ({
                  value: x.date,
                  label: `${x.date} (${x.declarations}, ${x.scored} scored)`,
                }))}
                value={date}
                onChange={setPicked}
                allowDeselect={false}
                searchable
                nothingFoundMessage="No declarations on that day"
                w={260}
              />
              <Select
                label="Lane"
                placeholder="All lanes"
                data={(['red', 'yellow', 'blue', 'green'] as Lane[]).map((l) => ({
                  value: l,
                  label: LANE_LABEL[l],
                }))}
                value={lane}
                onChange={setLane}
                clearable
                w={200}
              />
              <Select
                label="Order"
                data={[
                  { value: 'lane', label: 'Lane, then Fraud score' },
                  { value: 'critical', label: 'Critical probability' },
                ]}
                value={sort}
                onChange={(v) => setView({ sort: v === 'critical' ? 'critical' : 'lane' })}
                allowDeselect={false}
                w={210}
              />
              <NumberInput
                label="Critical probability at least"
                placeholder="any"
                min={0}
                max={1}
                step={0.05}
                decimalScale={4}
                value={minCritical ?? ''}
                onChange={(v) =>
                  setView({
                    minCritical:
                      v === '' || !Number.isFinite(Number(v))
                        ? null
                        : Math.min(1, Math.max(0, Number(v))),
                  })
                }
                w={210}
              />
              {canInspect(user.role) && (
                <>
                  <NumberInput
                    label={capacity.unit === 'percent' ? 'Capacity (%)' : 'Capacity (declarations)'}
                    min={capacity.unit === 'percent' ? 0 : 1}
                    max={capacity.unit === 'percent' ? 100 : undefined}
                    allowDecimal={capacity.unit === 'percent'}
                    value={capacity.value}
                    onChange={(v) => setCapacity({ ...capacity, value: Number(v) || 0 })}
                    w={170}
                  />
                  <Select
                    label="Capacity in"
                    data={[
                      { value: 'percent', label: '% of the day' },
                      { value: 'count', label: 'declarations' },
                    ]}
                    value={capacity.unit}
                    onChange={(v) =>
                      setCapacity(
                        v === 'count'
                          ? { unit: 'count', value: Math.max(1, Math.round(capacity.value)) }
                          : { unit: 'percent', value: 5 },
                      )
                    }
                    allowDeselect={false}
                    w={150}
                  />
                  <NumberInput
                    label="Random share (% of capacity)"
                    min={0}
                    max={100}
                    value={randomPercent}
                    onChange={(v) => setRandomPercent(Math.min(100, Math.max(0, Number(v) || 0)))}
                    w={210}
                  />
                  <Button onClick={() => score.mutate()} loading={score.isPending}>
                    Score this day
                  </Button>
                </>
              )}
            </Group>
            {score.isError && <ErrorAlert error={score.error} title="Could not score the day" />}
            {score.isSuccess && (
              <Text size="sm" role="status">
                Scored {score.data.scored} declarations: red {score.data.lanes.red}, yellow{' '}
                {score.data.lanes.yellow}, blue {score.data.lanes.blue}, green{' '}
                {score.data.lanes.green}
                {score.data.raised - score.data.criticalRaised > 0
                  ? `; ${score.data.raised - score.data.criticalRaised} raised by watchlist hits on their parties`
                  : ''}
                {score.data.criticalRaised > 0
                  ? `; ${score.data.criticalRaised} raised by the Critical Fraud model's top band`
                  : ''}
                .
              </Text>
            )}
            <QueryState query={queue} label="the queue">
              {(q) => {
                // The Critical column appears once a Critical Fraud model has scored the day.
                const withCritical = q.items.some((i) => i.criticalScore !== null);
                return (
                  <>
                    {day && !lane && q.items.length < day.declarations && (
                      <Text size="sm" role="note">
                        Showing the first {q.items.length} of {day.declarations} declarations,{' '}
                        {sort === 'critical'
                          ? 'highest critical probabilities first'
                          : 'highest lanes and scores first'}
                        : filter by lane to see the others.
                      </Text>
                    )}
                    {day && day.scored > 0 && <DaySummary day={day} />}
                    {day && day.scored === 0 && (
                      <Text size="sm" c="dimmed" role="note">
                        This day has not been scored yet: no declaration has a lane until it is.
                      </Text>
                    )}
                    <Table.ScrollContainer minWidth={900}>
                      <Table striped highlightOnHover aria-label={`Queue for ${date ?? ''}`}>
                        <Table.Thead>
                          <Table.Tr>
                            <Table.Th>Lane</Table.Th>
                            <Table.Th>Declaration</Table.Th>
                            <Table.Th>Inspect</Table.Th>
                            <Table.Th>Score</Table.Th>
                            {withCritical && <Table.Th>Critical</Table.Th>}
                            <Table.Th>Importer</Table.Th>
                            <Table.Th>HS</Table.Th>
                            <Table.Th>Origin</Table.Th>
                            <Table.Th>Reasons</Table.Th>
                            <Table.Th>Result</Table.Th>
                          </Table.Tr>
                        </Table.Thead>
                        <Table.Tbody>
                          {q.items.map((item) => (
                            <Table.Tr key={item.id} data-testid="queue-row">
                              <Table.Td>
                                {/* The store gives an unscored declaration the green lane; to an
                                  officer green means "release", which nothing decided yet. */}
                                {item.score === null ? (
                                  <Badge color="gray" variant="outline" aria-label="not scored">
                                    not scored
                                  </Badge>
                                ) : (
                                  <LaneBadge lane={item.lane} />
                                )}
                              </Table.Td>
                              <Table.Td>
                                <Anchor
                                  component={Link}
                                  to={`/targeting/declaration/${encodeURIComponent(item.id)}`}
                                  state={{ queue: location.search }}
                                >
                                  {item.id}
                                </Anchor>
                                {item.raises.some((r) => r.source === 'watchlist') && (
                                  <Badge ml={4} size="xs" color="red.9" variant="outline">
                                    watchlist
                                  </Badge>
                                )}
                                {item.raises.some((r) => r.source === 'critical-model') && (
                                  <Badge ml={4} size="xs" color="grape.9" variant="outline">
                                    critical
                                  </Badge>
                                )}
                              </Table.Td>
                              <Table.Td>
                                {item.inspect ? (
                                  <Text size="sm" fw={600}>
                                    yes
                                    <Text span size="xs" c="dimmed" fw={400}>
                                      {' '}
                                      ({selectedLabel(item)})
                                    </Text>
                                  </Text>
                                ) : (
                                  <Text size="sm" c="dimmed">
                                    no
                                  </Text>
                                )}
                              </Table.Td>
                              <Table.Td>
                                {item.score === null ? '–' : item.score.toFixed(3)}
                              </Table.Td>
                              {withCritical && (
                                <Table.Td data-testid="critical-score">
                                  {item.criticalScore === null
                                    ? '–'
                                    : item.criticalScore.toFixed(3)}
                                </Table.Td>
                              )}
                              <Table.Td>
                                {item.parties.find((p) => p.role === 'importer')?.name ??
                                  item.importer}
                              </Table.Td>
                              <Table.Td>{item.hsCode}</Table.Td>
                              <Table.Td>{item.origin}</Table.Td>
                              <Table.Td>
                                <Reasons reasons={item.reasons} raises={item.raises} />
                              </Table.Td>
                              <Table.Td>
                                <InspectionBadge item={item} />
                              </Table.Td>
                            </Table.Tr>
                          ))}
                        </Table.Tbody>
                      </Table>
                    </Table.ScrollContainer>
                  </>
                );
              }}
            </QueryState>
          </Stack>
        )
      }
    </QueryState>
  );
}

function InspectionForm({
  declarationId,
  current,
}: {
  declarationId: string;
  current: Inspection | null;
}) {
  const queryClient = useQueryClient();
  // Starts from the result on record, so saving without looking never turns "fraud" into "no fraud".
  const [outcome, setOutcome] = useState<'0' | '1' | '2'>(
    current ? (current.fraud === 0 ? '0' : current.critical === 2 ? '2' : '1') : '0',
  );
  const [note, setNote] = useState(current?.note ?? '');
  const record = useMutation({
    mutationFn: () =>
      targetingApi.recordInspection(declarationId, {
        fraud: outcome === '0' ? 0 : 1,
        critical: Number(outcome) as 0 | 1 | 2,
        note,
      }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['targeting'] }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    record.mutate();
  };
  return (
    <Card withBorder component="form" onSubmit={submit} aria-label="Record an inspection result">
      <Stack gap="sm">
        <Title order={2} size="h4">
          {current ? 'Correct the inspection result' : 'Record the inspection result'}
        </Title>
        <Radio.Group value={outcome} onChange={(v) => setOutcome(v)} label="Outcome">
          <Group mt={4}>
            <Radio value="0" label="No fraud" />
            <Radio value="1" label="Fraud" />
            <Radio value="2" label="Critical fraud (public safety)" />
          </Group>
        </Radio.Group>
        <Textarea
          label="Note"
          value={note}
          onChange={(e) => setNote(e.currentTarget.value)}
          maxLength={2000}
        />
        {record.isError && <ErrorAlert error={record.error} title="Could not record the result" />}
        {record.isSuccess && (
          <Text size="sm" role="status">
            Recorded. It will be used at the next training.
          </Text>
        )}
        <Group>
          <Button type="submit" loading={record.isPending}>
            Record result
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

const TOP_CONTRIBUTIONS = 15;
const logistic = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * The score's exact TreeSHAP decomposition (Lundberg et al. 2020): base + every contribution =
 * the log-odds. The largest are listed; the others are summed in one row so the column still
 * adds up to the total the officer sees.
 */
function Explanation({
  explanation: e,
  score,
  critical = false,
}: {
  explanation: ScoreExplanation;
  score: number | null;
  /** The Critical Fraud model's explanation (log-odds of critical fraud). */
  critical?: boolean;
}) {
  const top = e.contributions.slice(0, TOP_CONTRIBUTIONS);
  const rest = e.contributions.slice(TOP_CONTRIBUTIONS);
  const restSum = rest.reduce((sum, c) => sum + c.contribution, 0);
  const maxAbs = Math.max(1e-9, ...top.map((c) => Math.abs(c.contribution)));
  const probability = logistic(e.margin);
  // The stored score comes from the model active when the day was scored; the explanation from
  // the model active now. After a retraining they differ until the day is scored again.
  const stale = score !== null && Math.abs(probability - score) > 1e-6;
  const signed = (x: number) => `${x > 0 ? '+' : ''}${x.toFixed(3)}`;
  return (
    <>
      {stale && (
        <Alert color="yellow" mb="xs" title="Explained by a newer model" role="note">
          This explanation comes from the model active now (version {e.modelId.slice(0, 8)}), which
          gives {probability.toFixed(3)}; the day was scored with an earlier model (
          {score.toFixed(3)}). Score the day again for lanes from the current model.
        </Alert>
      )}
      <Text size="xs" c="dimmed" mb="xs">
        Contributions of each feature to the log-odds of {critical ? 'critical fraud' : 'fraud'}{' '}
        (exact TreeSHAP): the base rate plus every contribution gives the{' '}
        {critical ? 'critical probability' : 'score'}.
      </Text>
      <Table
        fz="xs"
        aria-label={critical ? 'Critical model contributions' : 'Feature contributions'}
      >
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Feature</Table.Th>
            <Table.Th>Value</Table.Th>
            <Table.Th>Contribution</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          <Table.Tr>
            <Table.Td>Base (average declaration)</Table.Td>
            <Table.Td />
            <Table.Td>{signed(e.bias)}</Table.Td>
          </Table.Tr>
          {top.map((c: Contribution) => (
            <Table.Tr key={c.feature}>
              <Table.Td>{c.feature}</Table.Td>
              <Table.Td>{c.value === null ? 'missing' : Number(c.value.toPrecision(4))}</Table.Td>
              <Table.Td>
                <Group gap={6} wrap="nowrap">
                  <div
                    aria-hidden
                    style={{
                      width: `${Math.round((60 * Math.abs(c.contribution)) / maxAbs)}px`,
                      height: 8,
                      background:
                        c.contribution > 0
                          ? 'var(--mantine-color-red-6)'
                          : 'var(--mantine-color-teal-6)',
                    }}
                  />
                  <span>{signed(c.contribution)}</span>
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
          {rest.length > 0 && (
            <Table.Tr>
              <Table.Td>
                {rest.length} other feature{rest.length === 1 ? '' : 's'}
              </Table.Td>
              <Table.Td />
              <Table.Td>{signed(restSum)}</Table.Td>
            </Table.Tr>
          )}
        </Table.Tbody>
        <Table.Tfoot>
          <Table.Tr>
            <Table.Th>Total (log-odds)</Table.Th>
            <Table.Td>probability {probability.toFixed(3)}</Table.Td>
            <Table.Th data-testid={critical ? 'critical-explanation-total' : 'explanation-total'}>
              {signed(e.margin)}
            </Table.Th>
          </Table.Tr>
        </Table.Tfoot>
      </Table>
    </>
  );
}

const OUTCOME_LABEL = (i: Inspection) =>
  i.fraud === 0 ? 'no fraud' : i.critical === 2 ? 'critical fraud' : 'fraud';

/** The result on record: what, from where, when, and the officer's note. */
function InspectionRecorded({ inspection: i }: { inspection: Inspection }) {
  return (
    <Card withBorder aria-label="Inspection result on record" component="section">
      <Title order={2} size="h4" mb="xs">
        Inspection result on record
      </Title>
      <Text size="sm">
        <b>{OUTCOME_LABEL(i)}</b>,{' '}
        {i.source === 'import'
          ? 'loaded with the declarations file'
          : `recorded by an officer on ${new Date(i.recordedAt).toLocaleString()}`}
        .
      </Text>
      {i.note && (
        <Text size="sm" mt={4}>
          Note: {i.note}
        </Text>
      )}
    </Card>
  );
}

function DeclarationView() {
  const { id = '' } = useParams();
  const location = useLocation();
  const { user } = useSignedIn();
  const detail = useQuery({
    queryKey: ['targeting', 'declaration', id],
    queryFn: () => targetingApi.declaration(id),
  });
  return (
    <QueryState query={detail} label="the declaration">
      {(d) => {
        const e = d.explanation;
        const declaredCard = (
          <Card withBorder>
            <Title order={3} size="h5" mb="xs">
              Declared
            </Title>
            <Table fz="sm" aria-label="Declaration fields">
              <Table.Tbody>
                {Object.entries(d.declaration)
                  .filter(([k]) => k !== 'day')
                  .map(([k, v]) => (
                    <Table.Tr key={k}>
                      <Table.Th>{k}</Table.Th>
                      <Table.Td>{v === null || v === '' ? '–' : String(v)}</Table.Td>
                    </Table.Tr>
                  ))}
              </Table.Tbody>
            </Table>
          </Card>
        );
        return (
          <Stack>
            <Group>
              <Anchor
                component={Link}
                to={`/targeting${
                  (location.state as { queue?: string } | null)?.queue ||
                  `?date=${encodeURIComponent(String(d.declaration.date))}`
                }`}
              >
                ← Queue
              </Anchor>
            </Group>
            <Group gap="sm">
              <Title order={2} size="h3">
                Declaration {String(d.declaration.id)}
              </Title>
              {d.lane && <LaneBadge lane={d.lane} />}
              {d.score !== null && <Badge variant="outline">score {d.score.toFixed(3)}</Badge>}
              {d.criticalScore !== null && (
                <Badge variant="outline" color="grape.9">
                  critical {d.criticalScore.toFixed(3)}
                </Badge>
              )}
              <InspectionBadge item={d} />
            </Group>
            {d.raises.length > 0 && (
              <Alert color="red" title="Lane raised" aria-label="Lane raised">
                <Stack gap={4}>
                  {d.raises.map((r) => (
                    <Text size="sm" key={r.reason} data-testid="raise-reason">
                      {raiseText(r, true)}
                    </Text>
                  ))}
                </Stack>
              </Alert>
            )}
            {d.reasons.some((r) => !d.raises.some((x) => x.reason === r)) && (
              <Text size="sm">
                <b>{d.raises.length > 0 ? 'Other reasons' : 'Reasons'}:</b>{' '}
                {d.reasons.filter((r) => !d.raises.some((x) => x.reason === r)).join('; ')}
              </Text>
            )}
            {d.parties.length > 0 && (
              <Table fz="sm" aria-label="Parties" withTableBorder>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Party</Table.Th>
                    <Table.Th>Name</Table.Th>
                    <Table.Th>Country</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {d.parties.map((p) => (
                    <Table.Tr key={p.role}>
                      <Table.Td>{p.role}</Table.Td>
                      <Table.Td>{p.name}</Table.Td>
                      <Table.Td>{p.country ?? '–'}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
            {/* With a Critical model, its explanation sits beside the Fraud one and the declared
                fields go below; without one, the page is as it was. */}
            <SimpleGrid cols={{ base: 1, md: 2 }}>
              {!d.criticalExplanation && declaredCard}
              <Card withBorder>
                <Title order={3} size="h5" mb="xs">
                  Why this score
                </Title>
                {e ? (
                  <Explanation explanation={e} score={d.score} />
                ) : (
                  <Text size="sm" c="dimmed">
                    No explanation: no Fraud model has been trained on days before this one.
                  </Text>
                )}
              </Card>
              {d.criticalExplanation && (
                <Card withBorder aria-label="Critical Fraud model" component="section">
                  <Title order={3} size="h5" mb="xs">
                    Why this critical probability
                  </Title>
                  <Explanation
                    explanation={d.criticalExplanation}
                    score={d.criticalScore}
                    critical
                  />
                </Card>
              )}
            </SimpleGrid>
            {d.criticalExplanation && declaredCard}
            {d.inspection && <InspectionRecorded inspection={d.inspection} />}
            {canInspect(user.role) && (
              <InspectionForm
                declarationId={String(d.declaration.id)}
                current={d.inspection}
                key={String(d.declaration.id)}
              />
            )}
          </Stack>
        );
      }}
    </QueryState>
  );
}

function RulesView() {
  const { user } = useSignedIn();
  const queryClient = useQueryClient();
  const rules = useQuery({ queryKey: ['targeting', 'rules'], queryFn: targetingApi.rules });
  const [draft, setDraft] = useState<RuleInput>({ lane: 'red', explanation: '' });
  const create = useMutation({
    mutationFn: () => {
      const clean: Record<string, string> = {};
      for (const [k, v] of Object.entries(draft) as [string, string | undefined][]) {
        const value = v?.trim();
        if (value) clean[k] = value;
      }
      return targetingApi.createRule(clean as unknown as RuleInput);
    },
    onSuccess: () => {
      setDraft({ lane: 'red', explanation: '' });
      void queryClient.invalidateQueries({ queryKey: ['targeting', 'rules'] });
    },
  });
  const [confirming, setConfirming] = useState<string | null>(null);
  const remove = useMutation({
    mutationFn: (ruleId: string) => targetingApi.deleteRule(ruleId),
    onSuccess: () => {
      setConfirming(null);
      void queryClient.invalidateQueries({ queryKey: ['targeting', 'rules'] });
    },
  });
  const field = (
    key: keyof RuleInput,
    label: string,
    placeholder?: string,
    transform: (v: string) => string = (v) => v,
  ) => (
    <TextInput
      label={label}
      placeholder={placeholder}
      value={draft[key] ?? ''}
      onChange={(e) => setDraft({ ...draft, [key]: transform(e.currentTarget.value) })}
    />
  );
  // Declarations carry country codes in capitals; "co" typed in a hurry means CO.
  const upper = (v: string) => v.toUpperCase();
  // Said before sending: the API refuses the same (targeting.ts RuleBody).
  const from = draft.validFrom?.trim() ?? '';
  const to = draft.validTo?.trim() ?? '';
  const badDate = [from, to].find((v) => v !== '' && !/^\d{4}-\d{2}-\d{2}$/.test(v));
  const dateProblem =
    badDate !== undefined
      ? `${badDate} is not a date: write it YYYY-MM-DD.`
      : from && to && to < from
        ? `Valid to (${to}) is before valid from (${from}): the rule would never apply.`
        : null;
  return (
    <Stack>
      <QueryState query={rules} label="rules">
        {(r) => (
          <Table aria-label="Officer rules">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Lane</Table.Th>
                <Table.Th>Conditions</Table.Th>
                <Table.Th>Valid</Table.Th>
                <Table.Th>Explanation</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {r.items.map((rule) => (
                <Table.Tr key={rule.id}>
                  <Table.Td>
                    <LaneBadge lane={rule.lane} />
                  </Table.Td>
                  <Table.Td>
                    {[
                      rule.hsPrefix && `HS ${rule.hsPrefix}*`,
                      rule.origin && `origin ${rule.origin}`,
                      rule.departure && `departure ${rule.departure}`,
                      rule.importer && `importer ${rule.importer}`,
                      rule.declarant && `declarant ${rule.declarant}`,
                      rule.office && `office ${rule.office}`,
                    ]
                      .filter(Boolean)
                      .join(', ') || 'every declaration'}
                  </Table.Td>
                  <Table.Td>
                    {rule.validFrom ?? '…'} – {rule.validTo ?? '…'}
                  </Table.Td>
                  <Table.Td>{rule.explanation}</Table.Td>
                  <Table.Td>
                    {canManage(user.role) &&
                      (confirming === rule.id ? (
                        <Group gap={4} wrap="nowrap">
                          <Button
                            size="xs"
                            color="red"
                            loading={remove.isPending}
                            onClick={() => remove.mutate(rule.id)}
                          >
                            Confirm delete
                          </Button>
                          <Button size="xs" variant="default" onClick={() => setConfirming(null)}>
                            Keep
                          </Button>
                        </Group>
                      ) : (
                        <Button
                          size="xs"
                          variant="subtle"
                          color="red"
                          onClick={() => setConfirming(rule.id)}
                          aria-label={`Delete rule: ${rule.explanation}`}
                        >
                          Delete
                        </Button>
                      ))}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </QueryState>
      {remove.isError && <ErrorAlert error={remove.error} title="Could not delete the rule" />}
      <Text size="sm" c="dimmed">
        Rules apply when a day is scored: score the day again for a new or deleted rule to change
        its lanes.
      </Text>
      {canManage(user.role) && (
        <Card
          withBorder
          component="form"
          aria-label="New rule"
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            if (dateProblem === null) create.mutate();
          }}
        >
          <Stack gap="sm">
            <Title order={2} size="h4">
              New rule
            </Title>
            <SimpleGrid cols={{ base: 1, sm: 3 }}>
              <Select
                label="Lane"
                data={(['red', 'yellow', 'blue', 'green'] as Lane[]).map((l) => ({
                  value: l,
                  label: LANE_LABEL[l],
                }))}
                value={draft.lane}
                onChange={(v) => setDraft({ ...draft, lane: v ?? 'red' })}
                allowDeselect={false}
              />
              {field('hsPrefix', 'HS code prefix', '2933')}
              {field('origin', 'Origin country', 'CO', upper)}
              {field('departure', 'Departure country', 'EC', upper)}
              {field('importer', 'Importer ID')}
              {field('declarant', 'Declarant ID')}
              {field('office', 'Customs office')}
              {field('validFrom', 'Valid from', 'YYYY-MM-DD')}
              {field('validTo', 'Valid to', 'YYYY-MM-DD')}
            </SimpleGrid>
            <Textarea
              label="Explanation"
              required
              value={draft.explanation}
              onChange={(e) => setDraft({ ...draft, explanation: e.currentTarget.value })}
            />
            {dateProblem !== null && (
              <Alert color="red" role="alert" title="Check the validity dates">
                {dateProblem}
              </Alert>
            )}
            {create.isError && <ErrorAlert error={create.error} title="Could not add the rule" />}
            <Group>
              <Button type="submit" loading={create.isPending}>
                Add rule
              </Button>
            </Group>
          </Stack>
        </Card>
      )}
    </Stack>
  );
}

/** What is training and for how long, counted in seconds while it runs. */
function TrainingProgress({
  objective,
  startedAt,
}: {
  objective: 'fraud' | 'critical';
  startedAt: string | null;
}) {
  const [since] = useState(() => Date.now());
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const start = startedAt ? Date.parse(startedAt) : since;
  const seconds = Math.max(0, Math.round((now - start) / 1000));
  return (
    <Alert color="blue" title="Training in progress" role="status">
      Training a {objective === 'fraud' ? 'Fraud' : 'Critical Fraud'} model on the inspected
      declarations: {seconds} s so far (typically a few seconds to a few minutes, depending on how
      many declarations there are). You can leave this page; the model becomes active when it is
      done.
    </Alert>
  );
}

function ModelsView() {
  const { user } = useSignedIn();
  const queryClient = useQueryClient();
  const models = useQuery({ queryKey: ['targeting', 'models'], queryFn: targetingApi.models });
  const [until, setUntil] = useState('');
  const train = useMutation({
    mutationFn: (objective: 'fraud' | 'critical') =>
      targetingApi.train(objective, /^\d{4}-\d{2}-\d{2}$/.test(until) ? until : undefined),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: ['targeting'] }),
  });
  // Training runs for seconds to minutes on the server: ask it what is running (also after a
  // reload, or when a colleague started it) and poll while something is.
  const training = useQuery({
    queryKey: ['targeting', 'training'],
    queryFn: targetingApi.training,
    refetchInterval: (q) =>
      (q.state.data?.items.some((t) => t.status === 'running') ?? false) || train.isPending
        ? 2000
        : false,
  });
  const running = training.data?.items.find((t) => t.status === 'running');
  const lastFailed = training.data?.items.find((t) => t.status === 'failed');
  const busy = train.isPending || running !== undefined;
  // A training this page did not start (or started before a reload) ends without this page's
  // request settling: refresh the models when the server stops reporting it.
  const runningSince = running?.startedAt ?? null;
  const watched = useRef<string | null>(null);
  useEffect(() => {
    if (runningSince !== null) watched.current = runningSince;
    else if (watched.current !== null) {
      watched.current = null;
      void queryClient.invalidateQueries({ queryKey: ['targeting', 'models'] });
    }
  }, [runningSince, queryClient]);
  return (
    <Stack>
      {canManage(user.role) && (
        <Group align="flex-end">
          <TextInput
            label="Learn from inspections before"
            description="A model scores only days after the data it learnt from"
            placeholder="YYYY-MM-DD (all when empty)"
            value={until}
            onChange={(e) => setUntil(e.currentTarget.value)}
            w={260}
          />
          <Button
            onClick={() => train.mutate('fraud')}
            loading={train.isPending && train.variables === 'fraud'}
            disabled={busy && !(train.isPending && train.variables === 'fraud')}
          >
            Train Fraud model
          </Button>
          <Button
            variant="default"
            onClick={() => train.mutate('critical')}
            loading={train.isPending && train.variables === 'critical'}
            disabled={busy && !(train.isPending && train.variables === 'critical')}
          >
            Train Critical Fraud model
          </Button>
        </Group>
      )}
      {(running || train.isPending) && (
        <TrainingProgress
          objective={running?.objective ?? train.variables ?? 'fraud'}
          startedAt={running?.startedAt ?? null}
        />
      )}
      {train.isSuccess && !busy && (
        <Text size="sm" role="status">
          Trained a {train.data.objective} model on {String(train.data.training.rows)} inspected
          declarations: it is now the active one. Score a day again to use it.
        </Text>
      )}
      {train.isError && <ErrorAlert error={train.error} title="Could not train" />}
      {lastFailed && !train.isError && !busy && (
        <Alert color="red" title="The last training failed" role="alert">
          The {lastFailed.objective === 'fraud' ? 'Fraud' : 'Critical Fraud'} model training started{' '}
          {new Date(lastFailed.startedAt).toLocaleString()} failed: {lastFailed.error}. The active
          model is unchanged.
        </Alert>
      )}
      <QueryState query={models} label="models">
        {(m) => (
          <Stack>
            <Table aria-label="Models">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Trained</Table.Th>
                  <Table.Th>Objective</Table.Th>
                  <Table.Th>Declarations</Table.Th>
                  <Table.Th>Trees</Table.Th>
                  <Table.Th>Data</Table.Th>
                  <Table.Th>Version</Table.Th>
                  <Table.Th>
                    At training, early-stopping slice (the model chose its number of trees on it)
                  </Table.Th>
                  <Table.Th>Status</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {m.items.map((model) => (
                  <Table.Tr key={model.id}>
                    <Table.Td>{new Date(model.createdAt).toLocaleString()}</Table.Td>
                    <Table.Td>{model.objective}</Table.Td>
                    <Table.Td>
                      {String(model.training.rows)} ({String(model.training.positives)} positive)
                    </Table.Td>
                    <Table.Td>{String(model.training.bestRound)}</Table.Td>
                    <Table.Td>
                      {String(model.training.firstDate)} – {String(model.training.lastDate)}
                    </Table.Td>
                    <Table.Td>
                      <Text size="xs" ff="monospace">
                        {model.id.slice(0, 8)}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <EarlyStoppingSlice model={model} />
                    </Table.Td>
                    <Table.Td>
                      {model.active ? (
                        <Badge>active</Badge>
                      ) : (
                        <Badge variant="outline">retired</Badge>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
            <OutOfTimeEvaluation models={m.items} />
          </Stack>
        )}
      </QueryState>
    </Stack>
  );
}

const TABS = [
  // Mantine's Tabs refuse an empty value; the queue lives at /targeting itself.
  { value: 'queue', label: 'Queue' },
  { value: 'rules', label: 'Rules' },
  { value: 'models', label: 'Models' },
];

export default function TargetingPage() {
  const location = useLocation();
  const navigate = useNavigate();
  const sub = location.pathname.replace(/^\/targeting\/?/, '').split('/')[0] ?? '';
  const tab = TABS.some((t) => t.value === sub) ? sub : 'queue';
  return (
    <>
      <PageHeader
        title="Targeting"
        description="Which declarations to inspect today within capacity, and why: lanes from the model's scores, officers' rules, watchlist hits on the parties and a random share."
      />
      {sub !== 'declaration' && (
        <Tabs
          value={tab}
          onChange={(v) => void navigate(`/targeting${v && v !== 'queue' ? `/${v}` : ''}`)}
          mb="md"
        >
          <Tabs.List>
            {TABS.map((t) => (
              <Tabs.Tab key={t.value} value={t.value}>
                {t.label}
              </Tabs.Tab>
            ))}
          </Tabs.List>
        </Tabs>
      )}
      <Routes>
        <Route index element={<QueueView />} />
        <Route path="declaration/:id" element={<DeclarationView />} />
        <Route path="rules" element={<RulesView />} />
        <Route path="models" element={<ModelsView />} />
        <Route path="*" element={<QueueView />} />
      </Routes>
    </>
  );
}
