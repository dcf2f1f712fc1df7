// A declaration's page: its lane and reasons, parties, the models' explanations of its scores,
// the declared fields, and the inspection result (on record, and the form to record or correct it).
import { useState, type FormEvent } from 'react';
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  Radio,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Textarea,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { Link, useLocation, useParams } from 'react-router';
import { ErrorAlert, QueryState } from '../../components/QueryState';
import { formatDateTime } from '../../components/format';
import { useSignedIn } from '../../session';
import { LedgerProof } from '../ledger/LedgerProof';
import {
  canInspect,
  canRelease,
  InspectionBadge,
  LaneBadge,
  LEDGER_SUBJECT,
  raiseText,
  SELECTED_BY,
} from './shared';
import {
  targetingApi,
  type Contribution,
  type Inspection,
  type Release,
  type ScoreExplanation,
} from './targeting-api';

/** After a decision on a declaration: its page, the queue, and its entries on the ledger. */
function refreshDeclaration(queryClient: QueryClient, declarationId: string) {
  void queryClient.invalidateQueries({ queryKey: ['targeting'] });
  void queryClient.invalidateQueries({
    queryKey: ['ledger', 'subject', LEDGER_SUBJECT.declaration, declarationId],
  });
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
    onSuccess: () => refreshDeclaration(queryClient, declarationId),
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

/** Longest reason the API takes (targeting.ts, the release route's body). */
const MAX_RELEASE_REASON = 500;

/**
 * Releasing a red-lane declaration without inspecting it (officers and admins): a reason is
 * required, and a second click confirms, since the release is on the ledger for good.
 */
function ReleaseForm({ declarationId }: { declarationId: string }) {
  const queryClient = useQueryClient();
  const [reason, setReason] = useState('');
  const [missing, setMissing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const release = useMutation({
    mutationFn: () => targetingApi.release(declarationId, reason.trim()),
    onSuccess: () => refreshDeclaration(queryClient, declarationId),
    onError: () => setConfirming(false),
  });
  const ask = () => {
    if (reason.trim() === '') setMissing(true);
    else setConfirming(true);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (confirming) release.mutate();
    else ask();
  };
  return (
    <Card withBorder component="form" onSubmit={submit} aria-label="Release without inspection">
      <Stack gap="sm">
        <Title order={2} size="h4">
          Release without inspection
        </Title>
        <Text size="sm">
          The day’s selection sent this declaration to inspection. Releasing it lets the consignment
          go uninspected. The reason, your account and the time are recorded on the ledger, where
          they cannot be changed or removed. Scoring the day again makes a new selection and clears
          the release.
        </Text>
        <Textarea
          label="Reason for the release"
          description={`Required, at most ${MAX_RELEASE_REASON} characters`}
          required
          value={reason}
          onChange={(e) => {
            setReason(e.currentTarget.value);
            setMissing(false);
            setConfirming(false);
          }}
          maxLength={MAX_RELEASE_REASON}
          error={missing ? 'Give the reason for releasing it without inspection.' : undefined}
          autosize
          minRows={2}
        />
        {release.isError && (
          <ErrorAlert error={release.error} title="Could not release the declaration" />
        )}
        {confirming ? (
          <Group gap="sm">
            <Text size="sm" fw={600}>
              Release declaration {declarationId} without inspection?
            </Text>
            <Button type="submit" color="red.9" loading={release.isPending}>
              Confirm release
            </Button>
            <Button variant="default" onClick={() => setConfirming(false)}>
              Cancel
            </Button>
          </Group>
        ) : (
          <Group>
            <Button variant="outline" color="red.9" onClick={ask}>
              Release without inspection
            </Button>
          </Group>
        )}
      </Stack>
    </Card>
  );
}

/** The release on record: who, when, why, and what the day's selection had decided. */
function ReleaseRecorded({ release: r, selfId }: { release: Release; selfId: string }) {
  const who =
    r.releasedBy === null
      ? 'by the instance’s operator'
      : r.releasedBy === selfId
        ? 'by you'
        : `by user ${r.releasedBy.slice(0, 8)}`;
  return (
    <Card withBorder aria-label="Release on record" component="section">
      <Title order={2} size="h4" mb="xs">
        Released without inspection
      </Title>
      <Text size="sm">
        Released {who} on {formatDateTime(r.releasedAt)}. The day’s selection had put it in the{' '}
        {r.from.lane} lane
        {r.from.selectedBy
          ? `, picked for inspection (${SELECTED_BY[r.from.selectedBy] ?? r.from.selectedBy})`
          : ''}
        .
      </Text>
      <Text size="sm" mt={4}>
        Reason: {r.reason}
      </Text>
    </Card>
  );
}

export function DeclarationView() {
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
            {d.release && <ReleaseRecorded release={d.release} selfId={user.id} />}
            {canInspect(user.role) && (
              <InspectionForm
                declarationId={String(d.declaration.id)}
                current={d.inspection}
                key={String(d.declaration.id)}
              />
            )}
            {canRelease(user.role) &&
              d.lane === 'red' &&
              d.score !== null &&
              !d.inspection &&
              !d.release && (
                <ReleaseForm
                  declarationId={String(d.declaration.id)}
                  key={`release-${String(d.declaration.id)}`}
                />
              )}
            <LedgerProof
              subjectType={LEDGER_SUBJECT.declaration}
              subjectId={String(d.declaration.id)}
              empty="Nothing about this declaration is on the ledger yet: an inspection result recorded here, or a release, will be. Its lane comes from the day’s selection, on the ledger with the day (see the queue)."
            />
          </Stack>
        );
      }}
    </QueryState>
  );
}
