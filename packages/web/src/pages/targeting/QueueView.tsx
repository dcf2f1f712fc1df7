// The queue: a day's declarations by lane and score, which go to inspection and why, and scoring
// the day within the inspection capacity.
import { useState } from 'react';
import {
  Anchor,
  Badge,
  Button,
  Group,
  NumberInput,
  Select,
  Stack,
  Table,
  Text,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useLocation, useSearchParams } from 'react-router';
import { ErrorAlert, QueryState } from '../../components/QueryState';
import { useSignedIn } from '../../session';
import { LedgerButton } from '../ledger/LedgerProof';
import {
  canInspect,
  InspectionBadge,
  LANE_OPTIONS,
  LANES,
  LaneBadge,
  LEDGER_SUBJECT,
  RAISE_LABEL,
  raiseText,
  SELECTED_BY,
} from './shared';
import {
  targetingApi,
  type Capacity,
  type Day,
  type Lane,
  type LaneRaise,
  type QueueItem,
  type QueueSort,
} from './targeting-api';

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

export function QueueView() {
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
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['targeting'] });
      // The scoring's selection is a new ledger entry of the day.
      void queryClient.invalidateQueries({ queryKey: ['ledger', 'subject', LEDGER_SUBJECT.day] });
    },
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
                data={LANE_OPTIONS}
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
                    {day && day.scored > 0 && (
                      <Group gap="sm" justify="space-between">
                        <DaySummary day={day} />
                        <LedgerButton
                          subjectType={LEDGER_SUBJECT.day}
                          subjectId={day.date}
                          title={`Selection of ${day.date} on the ledger`}
                        >
                          Day’s selection on the ledger
                        </LedgerButton>
                      </Group>
                    )}
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
                                {item.release && (
                                  <Badge ml={4} size="xs" color="gray" variant="outline">
                                    released
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
