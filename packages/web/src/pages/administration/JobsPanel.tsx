import { useState, type FormEvent } from 'react';
import {
  Badge,
  Button,
  Card,
  Code,
  FileInput,
  Group,
  Progress,
  Select,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { IconUpload } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type Job, type JobStatus } from '../../api';
import { Empty } from '../../components/Empty';
import { ErrorAlert } from '../../components/QueryState';
import { formatDateTime, formatNumber } from '../../components/format';
import { PagedList, usePagedList } from './paging';

const jobsKey = ['jobs'] as const;
const statusColor: Record<JobStatus, string> = {
  queued: 'gray',
  running: 'blue',
  succeeded: 'teal',
  failed: 'red',
};

function isLive(job: Job): boolean {
  return job.status === 'queued' || job.status === 'running';
}

/** An option's label from its camelCase name: `onBadRow` → "On bad row". */
function optionLabel(name: string): string {
  const words = name.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`);
  return `${words[0]!.toUpperCase()}${words.slice(1)}`;
}

function Upload() {
  const queryClient = useQueryClient();
  const kinds = useQuery({
    queryKey: ['ingest-kinds'],
    queryFn: () => api.ingest.kinds(),
    staleTime: 60_000,
  });
  const [kind, setKind] = useState<string | null>(null);
  const [file, setFile] = useState<File | null>(null);
  // Files the chosen kind takes beside the data (e.g. a declarations column mapping), by name.
  const [attachments, setAttachments] = useState<Record<string, File>>({});
  // Choices the chosen kind takes (e.g. what to do with a bad declaration row), by name; an option
  // not set here is not sent and takes its default on the server.
  const [options, setOptions] = useState<Record<string, string>>({});
  const upload = useMutation({
    mutationFn: ({
      kind,
      file,
      attachments,
      options,
    }: {
      kind: string;
      file: File;
      attachments: Record<string, File>;
      options: Record<string, string>;
    }) => api.ingest.upload(kind, file, attachments, options),
    onSuccess: async () => {
      setFile(null);
      setAttachments({});
      // Back to each option's default (e.g. refuse bad rows): a choice is made for one file.
      setOptions({});
      await queryClient.invalidateQueries({ queryKey: jobsKey });
      await queryClient.invalidateQueries({ queryKey: ['summary'] });
    },
  });
  const selected = kinds.data?.items.find((k) => k.kind === kind);
  function submit(event: FormEvent) {
    event.preventDefault();
    if (kind && file) upload.mutate({ kind, file, attachments, options });
  }
  return (
    <Card withBorder component="section" aria-labelledby="upload-heading">
      <form onSubmit={submit}>
        <Stack gap="sm">
          <Title order={2} size="h5" id="upload-heading">
            Load a file
          </Title>
          {kinds.isError && (
            <ErrorAlert title="Could not load the ingest kinds" error={kinds.error} />
          )}
          {kinds.data && kinds.data.items.length === 0 ? (
            <Text size="sm" c="dimmed">
              No ingest kinds are registered yet; they arrive with each capability.
            </Text>
          ) : (
            <Group align="flex-end" gap="sm" wrap="wrap">
              <Select
                label="Kind of data"
                placeholder={kinds.isPending ? 'Loading…' : 'Choose a kind'}
                data={(kinds.data?.items ?? []).map((k) => ({ value: k.kind, label: k.kind }))}
                value={kind}
                onChange={(k) => {
                  setKind(k);
                  setAttachments({});
                  setOptions({});
                }}
                searchable
                required
                w={{ base: '100%', sm: 300 }}
              />
              <FileInput
                label="File"
                placeholder="Choose a file"
                value={file}
                onChange={setFile}
                required
                clearable
                // The clear button is an icon: without a name, screen readers announce "button".
                clearButtonProps={{ 'aria-label': 'Clear the file' }}
                leftSection={<IconUpload size={16} aria-hidden />}
                w={{ base: '100%', sm: 300 }}
              />
              {(selected?.attachments ?? []).map((a) => (
                <FileInput
                  key={a.name}
                  label={`${a.name[0]!.toUpperCase()}${a.name.slice(1)} file (optional)`}
                  description={a.description}
                  placeholder="None"
                  value={attachments[a.name] ?? null}
                  onChange={(f) =>
                    setAttachments(({ [a.name]: _, ...rest }) =>
                      f ? { ...rest, [a.name]: f } : rest,
                    )
                  }
                  clearable
                  clearButtonProps={{ 'aria-label': `Clear the ${a.name} file` }}
                  leftSection={<IconUpload size={16} aria-hidden />}
                  w={{ base: '100%', sm: 300 }}
                />
              ))}
              {(selected?.options ?? []).map((o) => (
                <Select
                  key={o.name}
                  label={optionLabel(o.name)}
                  description={o.description}
                  data={o.values.map((v) => ({
                    value: v,
                    label: v === o.default ? `${v} (default)` : v,
                  }))}
                  value={options[o.name] ?? o.default}
                  onChange={(v) => setOptions((rest) => ({ ...rest, [o.name]: v ?? o.default }))}
                  allowDeselect={false}
                  w={{ base: '100%', sm: 300 }}
                />
              ))}
              <Button type="submit" loading={upload.isPending} disabled={!kind || !file}>
                Start ingest job
              </Button>
            </Group>
          )}
          <Text size="sm" c="dimmed" aria-live="polite">
            {selected
              ? `${selected.description}. Expected file: ${selected.fileHint}. Compressed .gz files are accepted.`
              : 'Choose the kind of data, then its file (compressed .gz files are accepted).'}
          </Text>
          {upload.isError && <ErrorAlert title="The upload was refused" error={upload.error} />}
        </Stack>
      </form>
    </Card>
  );
}

function JobProgress({ job }: { job: Job }) {
  const total = job.total ?? 0;
  const percent =
    job.status === 'succeeded' ? 100 : total > 0 ? Math.min(100, (job.done / total) * 100) : 0;
  const text =
    total > 0
      ? `${formatNumber(job.done)} of ${formatNumber(total)}`
      : `${formatNumber(job.done)} done`;
  return (
    <Stack gap={4} miw={160}>
      <Progress
        value={job.status === 'running' && total === 0 ? 100 : percent}
        color={statusColor[job.status]}
        animated={job.status === 'running'}
        aria-label={`Progress of ${job.kind} ${job.sourceName}: ${text}`}
        size="md"
      />
      <Text size="xs" c="dimmed">
        {text}
      </Text>
    </Stack>
  );
}

// Fields of a summary that repeat the row (kind, file) or are too long to scan in a table; the
// full summary stays one click away.
const repeated = new Set(['kind', 'sourceName', 'sha256', 'notes']);

function summaryFacts(summary: unknown): string[] {
  if (!summary || typeof summary !== 'object' || Array.isArray(summary)) return [];
  return Object.entries(summary as Record<string, unknown>)
    .filter(
      ([key, value]) =>
        !repeated.has(key) && (typeof value === 'number' || typeof value === 'string'),
    )
    .filter(([, value]) => String(value).length <= 24)
    .slice(0, 8)
    .map(
      ([key, value]) =>
        `${key}: ${typeof value === 'number' ? formatNumber(value) : String(value)}`,
    );
}

function JobSummary({ job }: { job: Job }) {
  if (job.error)
    return (
      <Text size="xs" c="var(--interdict-danger-text)" style={{ overflowWrap: 'anywhere' }}>
        {job.error}
      </Text>
    );
  if (job.summary == null) return <Text size="xs">—</Text>;
  const facts = summaryFacts(job.summary);
  return (
    <Stack gap={4}>
      {facts.length > 0 && <Text size="xs">{facts.join(' · ')}</Text>}
      <details>
        <summary style={{ cursor: 'pointer', fontSize: 'var(--mantine-font-size-xs)' }}>
          Full result
        </summary>
        <Code block fz="xs" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
          {JSON.stringify(job.summary, null, 2)}
        </Code>
      </details>
    </Stack>
  );
}

export function JobsPanel() {
  // Poll quickly while a job is queued or running, so progress bars move; slowly otherwise.
  const jobs = usePagedList([...jobsKey, 'pages'], (query) => api.ingest.jobs(query), {
    refetchInterval: (items) => (items.some(isLive) ? 1000 : 10_000),
  });
  return (
    <Stack gap="lg">
      <Upload />
      <PagedList
        query={jobs}
        label="ingest jobs"
        empty={<Empty title="No ingest jobs yet">Jobs appear here as files are loaded.</Empty>}
      >
        {(items) => (
          <Table.ScrollContainer minWidth={820}>
            <Table striped verticalSpacing="xs">
              <Table.Caption>Ingest jobs, newest first; progress updates live</Table.Caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Kind</Table.Th>
                  <Table.Th scope="col">Source</Table.Th>
                  <Table.Th scope="col">Status</Table.Th>
                  <Table.Th scope="col">Progress</Table.Th>
                  <Table.Th scope="col">Started</Table.Th>
                  <Table.Th scope="col">Finished</Table.Th>
                  <Table.Th scope="col">Result</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((job) => (
                  <Table.Tr key={job.id}>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>
                      <Code>{job.kind}</Code>
                    </Table.Td>
                    <Table.Td miw={140} style={{ overflowWrap: 'anywhere' }}>
                      {job.sourceName}
                    </Table.Td>
                    <Table.Td>
                      <Badge color={statusColor[job.status]} variant="light">
                        {job.status}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      <JobProgress job={job} />
                    </Table.Td>
                    <Table.Td>{formatDateTime(job.startedAt ?? job.createdAt)}</Table.Td>
                    <Table.Td>{formatDateTime(job.finishedAt)}</Table.Td>
                    <Table.Td maw={320} miw={200}>
                      <JobSummary job={job} />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </PagedList>
    </Stack>
  );
}
