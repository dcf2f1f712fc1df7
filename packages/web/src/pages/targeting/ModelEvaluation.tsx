import { Alert, Loader, Stack, Table, Text, Title } from '@mantine/core';
import { useQueries } from '@tanstack/react-query';
import { ErrorAlert } from '../../components/QueryState';
import {
  targetingApi,
  type EvaluationFigures,
  type ModelEvaluation,
  type TargetingModel,
} from './targeting-api';

// The Models tab's evaluations (issue 6: "model versions with their evaluation"): the figures
// stored at training time, labelled for what they are, and the out-of-time evaluation of each
// version side by side (GET /api/targeting/models/{id}/evaluation,
// packages/server/src/modules/targeting-evaluation.ts).

const PERCENTS = [1, 2, 5, 10] as const;
/** Versions compared side by side: the newest ones (each costs a computation the first time). */
export const COMPARED_VERSIONS = 6;

const shortId = (id: string) => id.slice(0, 8);
const objectiveLabel = (o: 'fraud' | 'critical') => (o === 'fraud' ? 'Fraud' : 'Critical Fraud');

/**
 * Precision@n% and Recall@n% at training time, on the latest-dated slice of the training data
 * held out for early stopping: the model chose its number of trees on those very declarations,
 * so the figures flatter it, and the column says so.
 */
export function EarlyStoppingSlice({ model }: { model: TargetingModel }) {
  const slice = model.earlyStoppingSlice;
  if (!slice || slice.metrics.length === 0) return <Text size="xs">–</Text>;
  return (
    <Stack gap={2}>
      <Table
        fz="xs"
        withRowBorders={false}
        verticalSpacing={0}
        aria-label={`Evaluation of model ${shortId(model.id)} on its early-stopping slice`}
      >
        <Table.Thead>
          <Table.Tr>
            <Table.Th>n</Table.Th>
            {slice.metrics.map((m) => (
              <Table.Th key={m.percent}>{m.percent}%</Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          <Table.Tr>
            <Table.Th>P@n</Table.Th>
            {slice.metrics.map((m) => (
              <Table.Td key={m.percent}>{m.precision.toFixed(3)}</Table.Td>
            ))}
          </Table.Tr>
          <Table.Tr>
            <Table.Th>R@n</Table.Th>
            {slice.metrics.map((m) => (
              <Table.Td key={m.percent}>{m.recall.toFixed(3)}</Table.Td>
            ))}
          </Table.Tr>
        </Table.Tbody>
      </Table>
      <Text size="xs" c="dimmed">
        on {slice.declarations} declarations from {slice.from ?? '?'} to {slice.to}; optimistic
      </Text>
    </Stack>
  );
}

type Cell = (e: ModelEvaluation) => string;

function figuresRows(
  pick: (e: ModelEvaluation) => EvaluationFigures | null,
  prefix: string,
): [string, Cell][] {
  const metric = (e: ModelEvaluation, percent: number, key: 'precision' | 'recall') => {
    const f = pick(e);
    if (!f) return 'none inspected';
    const m = f.metrics?.find((x) => x.percent === percent);
    return m ? m[key].toFixed(3) : 'not enough yet';
  };
  return [
    [
      prefix ? `${prefix}inspected (positive)` : 'Inspected (positive)',
      (e) => {
        const f = pick(e);
        return f ? `${f.inspected} (${f.positives})` : '0';
      },
    ],
    ...PERCENTS.map((p): [string, Cell] => [`${prefix}P@${p}%`, (e) => metric(e, p, 'precision')]),
    ...PERCENTS.map((p): [string, Cell] => [`${prefix}R@${p}%`, (e) => metric(e, p, 'recall')]),
  ];
}

const ROWS: [string, Cell][] = [
  ['Trained through', (e) => e.trainedThrough],
  [
    'Inspected after it',
    (e) => (e.firstDate ? `${e.firstDate} – ${e.lastDate ?? ''} (${e.days} days)` : 'none yet'),
  ],
  ['Inspection results from', (e) => `${e.sources.officer} officers, ${e.sources.import} imported`],
  ...figuresRows((e) => e.all, ''),
  ...figuresRows((e) => e.randomShare, 'Random share: '),
];

/**
 * The out-of-time evaluation of the newest versions, one column per version so that they can
 * be compared: Precision/Recall@n% on the declarations inspected after each version's training
 * data, every day scored as the queue scores it. A version whose evaluation is still computing
 * shows a spinner in its column; one short of inspected declarations says so instead of figures.
 */
export function OutOfTimeEvaluation({ models }: { models: TargetingModel[] }) {
  const compared = models.slice(0, COMPARED_VERSIONS);
  const evaluations = useQueries({
    queries: compared.map((m) => ({
      queryKey: ['targeting', 'models', m.id, 'evaluation'],
      queryFn: () => targetingApi.evaluation(m.id),
      // Computed from the stored declarations; the server caches it until they change.
      staleTime: 60_000,
    })),
  });
  if (compared.length === 0) return null;
  const minimum = evaluations.find((q) => q.data)?.data?.minimum;
  return (
    <Stack gap="xs">
      <Title order={3} size="h4">
        Out-of-time evaluation
      </Title>
      <Text size="sm" c="dimmed">
        Each version on the declarations inspected after its training data, each day scored as the
        queue scores it. Inspected declarations are mostly those targeting selected, so these
        figures lean towards what earlier scores favoured; the random-share rows (declarations drawn
        at random for inspection) are the unbiased ones.
        {minimum &&
          ` Figures need at least ${minimum.inspected} inspected declarations with ${minimum.positives} positives.`}
      </Text>
      {models.length > compared.length && (
        <Text size="xs" c="dimmed">
          The newest {compared.length} of {models.length} versions.
        </Text>
      )}
      <Table.ScrollContainer minWidth={300 + compared.length * 140}>
        <Table striped fz="sm" aria-label="Out-of-time evaluation by model version">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Version</Table.Th>
              {compared.map((m) => (
                <Table.Th key={m.id} data-testid="evaluation-version">
                  <Text size="sm" ff="monospace" span>
                    {shortId(m.id)}
                  </Text>{' '}
                  {objectiveLabel(m.objective)}
                  {m.active ? ' (in use by the queue)' : ''}
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            <Table.Tr>
              <Table.Th>Status</Table.Th>
              {evaluations.map((q, k) => (
                <Table.Td key={compared[k]!.id} data-testid="evaluation-status">
                  {q.isPending ? (
                    <span role="status" aria-live="polite">
                      <Loader size="xs" aria-hidden /> Computing…
                    </span>
                  ) : q.isError ? (
                    <ErrorAlert
                      error={q.error}
                      title="Could not evaluate"
                      onRetry={() => void q.refetch()}
                    />
                  ) : q.data.status === 'ok' ? (
                    'evaluated'
                  ) : (
                    'Not enough inspected declarations yet'
                  )}
                </Table.Td>
              ))}
            </Table.Tr>
            {ROWS.map(([label, cell]) => (
              <Table.Tr key={label}>
                <Table.Th>{label}</Table.Th>
                {evaluations.map((q, k) => (
                  <Table.Td key={compared[k]!.id}>{q.data ? cell(q.data) : ''}</Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {evaluations.some((q) => q.data && q.data.all.inspected > 0 && !q.data.randomShare) && (
        <Alert color="gray" variant="light" title="No random-share inspections yet">
          Declarations picked by the random share are recorded when a day is scored with a random
          share above zero; until some are inspected, there are no unbiased figures.
        </Alert>
      )}
    </Stack>
  );
}
