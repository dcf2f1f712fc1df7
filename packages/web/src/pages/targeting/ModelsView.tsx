// The models: training a Fraud or Critical Fraud model (and following it while it runs), and the
// versions with their evaluations.
import { useEffect, useRef, useState } from 'react';
import { Alert, Badge, Button, Group, Stack, Table, Text, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ErrorAlert, QueryState } from '../../components/QueryState';
import { useSignedIn } from '../../session';
import { EarlyStoppingSlice, OutOfTimeEvaluation } from './ModelEvaluation';
import { LedgerButton } from '../ledger/LedgerProof';
import { canManage, LEDGER_SUBJECT } from './shared';
import { targetingApi } from './targeting-api';

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

export function ModelsView() {
  const { user } = useSignedIn();
  const queryClient = useQueryClient();
  const models = useQuery({ queryKey: ['targeting', 'models'], queryFn: targetingApi.models });
  const [until, setUntil] = useState('');
  const train = useMutation({
    mutationFn: (objective: 'fraud' | 'critical') =>
      targetingApi.train(objective, /^\d{4}-\d{2}-\d{2}$/.test(until) ? until : undefined),
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: ['targeting'] });
      // A new active model retires the one before it: both have a new entry.
      void queryClient.invalidateQueries({ queryKey: ['ledger', 'subject', LEDGER_SUBJECT.model] });
    },
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
      void queryClient.invalidateQueries({ queryKey: ['ledger', 'subject', LEDGER_SUBJECT.model] });
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
                      <Group gap={6} wrap="nowrap">
                        {model.active ? (
                          <Badge>active</Badge>
                        ) : (
                          <Badge variant="outline">retired</Badge>
                        )}
                        <LedgerButton
                          subjectType={LEDGER_SUBJECT.model}
                          subjectId={model.id}
                          title={`${model.objective === 'critical' ? 'Critical Fraud' : 'Fraud'} model ${model.id.slice(0, 8)} on the ledger`}
                          label={`Ledger entries of model ${model.id.slice(0, 8)}`}
                        />
                      </Group>
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
