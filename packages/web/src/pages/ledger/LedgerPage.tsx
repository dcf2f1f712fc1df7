import { useState, type FormEvent } from 'react';
import {
  Alert,
  Badge,
  Button,
  Card,
  Code,
  CopyButton,
  Group,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { IconCircleCheck, IconDownload } from '@tabler/icons-react';
import { errorMessage } from '../../api';
import { Empty } from '../../components/Empty';
import { ErrorAlert, QueryState } from '../../components/QueryState';
import { PageHeader } from '../../components/PageHeader';
import { formatDateTime, formatNumber } from '../../components/format';
import { useSignedIn } from '../../session';
import { entryTime, ledgerApi, type LedgerEntry, type LedgerInfo } from './ledgerApi';
import { verifyCheckpointNote, verifyEntry, verifyProofText } from './verify';

const infoKey = ['ledger', 'info'] as const;
const entriesKey = ['ledger', 'entries'] as const;

function CheckpointCard({ info }: { info: LedgerInfo }) {
  const verified = useQuery({
    queryKey: ['ledger', 'checkpoint-verified', info.checkpoint, info.vkey],
    queryFn: () => verifyCheckpointNote(info.checkpoint ?? '', info.vkey),
    enabled: info.checkpoint !== null,
  });
  return (
    <Card withBorder component="section" aria-labelledby="checkpoint-heading">
      <Stack gap="xs">
        <Title order={2} size="h4" id="checkpoint-heading">
          Latest checkpoint
        </Title>
        <Text size="sm">
          Origin <Code>{info.origin}</Code>, size <strong>{formatNumber(info.size)}</strong>
        </Text>
        {info.checkpoint === null ? (
          <Text c="dimmed">No checkpoint published yet.</Text>
        ) : (
          <QueryState query={verified} label="the checkpoint verification">
            {(v) => (
              <Stack gap="xs">
                <Alert
                  color="teal"
                  variant="light"
                  icon={<IconCircleCheck aria-hidden />}
                  title="Verified in this browser"
                >
                  Signature verified against key{' '}
                  <Code style={{ wordBreak: 'break-all' }}>{info.vkey}</Code>
                </Alert>
                <Table.ScrollContainer minWidth={420}>
                  <Table aria-label="Checkpoint signatures">
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>Signer</Table.Th>
                        <Table.Th>Key ID</Table.Th>
                        <Table.Th>Kind</Table.Th>
                        <Table.Th>Time</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {v.signatures.map((s) => (
                        <Table.Tr key={`${s.name}-${s.keyId}`}>
                          <Table.Td>{s.name}</Table.Td>
                          <Table.Td>
                            <Code>{s.keyId}</Code>
                          </Table.Td>
                          <Table.Td>
                            <Badge color={s.kind === 'log' ? 'teal' : 'blue'} variant="light">
                              {s.kind === 'log' ? 'log signature (verified)' : s.kind}
                            </Badge>
                          </Table.Td>
                          <Table.Td>
                            {s.timestamp !== undefined
                              ? formatDateTime(new Date(s.timestamp * 1000).toISOString())
                              : '—'}
                          </Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </Table.ScrollContainer>
                <Text size="xs" c="dimmed">
                  Witness cosignatures are checked against a policy of trusted witness keys, e.g.
                  with <Code>interdict ledger verify-checkpoint --policy FILE</Code>.
                </Text>
              </Stack>
            )}
          </QueryState>
        )}
      </Stack>
    </Card>
  );
}

function KeysCard({ info }: { info: LedgerInfo }) {
  return (
    <Card withBorder component="section" aria-labelledby="keys-heading">
      <Stack gap="xs">
        <Title order={2} size="h4" id="keys-heading">
          Verifier keys to give partners
        </Title>
        {[
          ['Log key', info.vkey],
          ['Witness key (this instance cosigning other logs)', info.witnessVkey],
        ].map(([label, value]) => (
          <Stack gap={2} key={label}>
            <Text size="sm" fw={600}>
              {label}
            </Text>
            <Group gap="xs" wrap="nowrap">
              <Code style={{ wordBreak: 'break-all' }}>{value}</Code>
              <CopyButton value={value ?? ''}>
                {({ copied, copy }) => (
                  <Button size="xs" variant="default" onClick={copy} style={{ flexShrink: 0 }}>
                    {copied ? 'Copied' : 'Copy'}
                  </Button>
                )}
              </CopyButton>
            </Group>
          </Stack>
        ))}
        {!info.sequencing && (
          <Text size="sm" c="dimmed">
            This server serves the log read-only; another replica sequences it and takes new
            records.
          </Text>
        )}
        <Text size="sm">
          Tiles: <Code>{info.tilesPrefix}</Code> (C2SP tlog-tiles; any standard client can verify
          the log).
        </Text>
      </Stack>
    </Card>
  );
}

function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  URL.revokeObjectURL(url);
}

function EntryRow({ entry, info }: { entry: LedgerEntry; info: LedgerInfo }) {
  const [checked, setChecked] = useState<string | null>(null);
  const check = useMutation({
    mutationFn: async () => {
      if (entry.index === null) throw new Error('this entry is not sequenced yet');
      const full = await ledgerApi.entry(entry.index);
      const r = await verifyEntry(
        full,
        info.vkey,
        info.organisationKeys.map((k) => k.vkey),
      );
      return { full, r };
    },
    onSuccess: ({ r }) =>
      setChecked(
        `included in the tree of size ${formatNumber(r.size)}${r.organisationKey ? '; organisation signature valid' : ''}`,
      ),
  });
  return (
    <Table.Tr>
      <Table.Td>{entry.index}</Table.Td>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>{entry.recordType}</Table.Td>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(entryTime(entry))}</Table.Td>
      <Table.Td>
        {entry.bodySha256 ? (
          <Code>{entry.bodySha256.slice(0, 16)}…</Code>
        ) : (
          <Text span size="xs" c="dimmed">
            hidden (another organisation&apos;s record)
          </Text>
        )}
        {entry.erasedAt && (
          <Badge ml="xs" color="gray" variant="light">
            body erased
          </Badge>
        )}
      </Table.Td>
      <Table.Td>
        <Group gap="xs">
          <Button
            size="xs"
            variant="default"
            loading={check.isPending}
            onClick={() => check.mutate()}
          >
            Verify
          </Button>
          {check.data?.full.proof && (
            <Button
              size="xs"
              variant="subtle"
              leftSection={<IconDownload size={14} aria-hidden />}
              onClick={() =>
                download(
                  `entry-${entry.index ?? 'pending'}.tlog-proof`,
                  check.data.full.proof ?? '',
                )
              }
            >
              Proof
            </Button>
          )}
          {check.data && (
            // The proof checker below (or a partner) needs the leaf hash with the proof.
            <CopyButton value={check.data.full.leafHash}>
              {({ copied, copy }) => (
                <Button size="xs" variant="subtle" onClick={copy}>
                  {copied ? 'Copied' : 'Copy leaf hash'}
                </Button>
              )}
            </CopyButton>
          )}
        </Group>
        {checked && (
          <Text size="xs" c="teal" role="status">
            Verified against key {info.vkey.split('+')[0]}+{info.vkey.split('+')[1]}: {checked}
          </Text>
        )}
        {check.isError && (
          <Text size="xs" c="red" role="alert">
            {errorMessage(check.error)}
          </Text>
        )}
      </Table.Td>
    </Table.Tr>
  );
}

function Entries({ info }: { info: LedgerInfo }) {
  const entries = useQuery({ queryKey: entriesKey, queryFn: () => ledgerApi.entries() });
  return (
    <Card withBorder component="section" aria-labelledby="entries-heading">
      <Title order={2} size="h4" id="entries-heading" mb="xs">
        Recent entries you may see
      </Title>
      <QueryState query={entries} label="entries">
        {(page) =>
          page.items.length === 0 ? (
            <Empty title="No entries yet">Records your organisation shares appear here.</Empty>
          ) : (
            <Table.ScrollContainer minWidth={640}>
              <Table aria-label="Ledger entries">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Index</Table.Th>
                    <Table.Th>Type</Table.Th>
                    <Table.Th>Time</Table.Th>
                    <Table.Th>Body SHA-256</Table.Th>
                    <Table.Th>Proof</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {page.items.map((e) => (
                    <EntryRow key={e.index} entry={e} info={info} />
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )
        }
      </QueryState>
    </Card>
  );
}

function ProofChecker({ info }: { info: LedgerInfo }) {
  const [proof, setProof] = useState('');
  const [leafHash, setLeafHash] = useState('');
  const [vkey, setVkey] = useState(info.vkey);
  const check = useMutation({
    mutationFn: () => verifyProofText(proof, leafHash.trim(), vkey.trim()),
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    check.mutate();
  }
  return (
    <Card withBorder component="section" aria-labelledby="proof-heading">
      <form onSubmit={submit}>
        <Stack gap="sm">
          <Title order={2} size="h4" id="proof-heading">
            Check a proof
          </Title>
          <Text size="sm" c="dimmed">
            Paste a C2SP tlog-proof (for example one a partner sent you) and the leaf hash; it is
            checked here against the verifier key you give, nothing is sent to the server.
          </Text>
          <Textarea
            label="Proof (c2sp.org/tlog-proof@v1)"
            value={proof}
            onChange={(e) => setProof(e.currentTarget.value)}
            autosize
            minRows={4}
            required
          />
          <TextInput
            label="Leaf hash (base64)"
            value={leafHash}
            onChange={(e) => setLeafHash(e.currentTarget.value)}
            required
          />
          <TextInput
            label="Log verifier key"
            value={vkey}
            onChange={(e) => setVkey(e.currentTarget.value)}
            required
          />
          {check.isError && (
            <Alert color="red" variant="light" role="alert" title="Not verified">
              {errorMessage(check.error)}
            </Alert>
          )}
          {check.data && (
            <Alert color="teal" variant="light" role="status" title="Verified">
              Leaf {check.data.index} is in the tree of size {formatNumber(check.data.size)} of{' '}
              <Code>{check.data.origin}</Code>, verified against key{' '}
              <Code>{vkey.split('+').slice(0, 2).join('+')}</Code>.
            </Alert>
          )}
          <Group>
            <Button type="submit" variant="default" loading={check.isPending}>
              Verify
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

function AppendForm() {
  const queryClient = useQueryClient();
  const [type, setType] = useState('note');
  const [body, setBody] = useState('{\n  "text": ""\n}');
  const [parseError, setParseError] = useState<string | null>(null);
  const append = useMutation({
    mutationFn: (value: unknown) => ledgerApi.append({ type, body: value, wait: true }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['ledger'] });
    },
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    try {
      const value: unknown = JSON.parse(body);
      setParseError(null);
      append.mutate(value);
    } catch {
      setParseError('The body must be valid JSON');
    }
  }
  return (
    <Card withBorder component="section" aria-labelledby="append-heading">
      <form onSubmit={submit}>
        <Stack gap="sm">
          <Title order={2} size="h4" id="append-heading">
            Record something
          </Title>
          <TextInput
            label="Record type"
            value={type}
            onChange={(e) => setType(e.currentTarget.value)}
            required
          />
          <Textarea
            label="Body (JSON; stays private to your organisation, only its hash is logged)"
            value={body}
            onChange={(e) => setBody(e.currentTarget.value)}
            autosize
            minRows={3}
            error={parseError}
          />
          {append.isError && <ErrorAlert error={append.error} title="Could not record" />}
          {append.data && (
            <Text size="sm" role="status">
              Recorded as entry {append.data.index} and included in a signed checkpoint.
            </Text>
          )}
          <Group>
            <Button type="submit" loading={append.isPending}>
              Record
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

export default function LedgerPage() {
  const session = useSignedIn();
  const info = useQuery({ queryKey: infoKey, queryFn: ledgerApi.info });
  const canWrite = ['admin', 'analyst', 'officer'].includes(session.user.role);
  return (
    <>
      <PageHeader
        title="Ledger"
        description="A verifiable record of everything shared: what, by whom and when. Proofs are checked here in your browser, trusting only the log's verifier key."
      />
      <QueryState query={info} label="the ledger">
        {(i) => (
          <Stack gap="lg">
            <SimpleGrid cols={{ base: 1, md: 2 }}>
              <CheckpointCard info={i} />
              <KeysCard info={i} />
            </SimpleGrid>
            <Entries info={i} />
            <SimpleGrid cols={{ base: 1, md: canWrite ? 2 : 1 }}>
              {canWrite && <AppendForm />}
              <ProofChecker info={i} />
            </SimpleGrid>
          </Stack>
        )}
      </QueryState>
    </>
  );
}
