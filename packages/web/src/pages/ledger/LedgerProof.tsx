import { useState } from 'react';
import {
  Badge,
  Button,
  Card,
  Code,
  Collapse,
  Divider,
  Drawer,
  Group,
  Stack,
  Text,
  Title,
  type ButtonProps,
} from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { IconShieldCheck } from '@tabler/icons-react';
import { errorMessage } from '../../api';
import { formatDateTime, formatNumber } from '../../components/format';
import { useSignedIn } from '../../session';
import { describeEntry } from './entry-summary';
import { entryTime, ledgerApi, type LedgerEntry, type LedgerInfo } from './ledgerApi';
import { verifyEntry, type EntryVerification } from './verify';

// The ledger entries behind one record (a screening decision, a rule, a model, a day's
// selection…), each saying what it records, with a button that verifies it in this browser: the
// tlog-proof against the log's vkey, the organisation's signature in the opening the leaf commits
// to, and the body shown against that opening. Any record page shows it with the record's subject
// type and id (GET /api/ledger/subjects/{type}/{id}); a table row opens it in a drawer
// (LedgerButton).

/** The log key as people compare it with the published one: its name and key ID. */
const keyLabel = (vkey: string) => vkey.split('+').slice(0, 2).join('+');

/** What was checked, and no more: a record the reader cannot open is only proven included. */
function verifiedText(v: EntryVerification, info: LedgerInfo): string {
  const included = `Verified in this browser: entry ${v.index} is in the log, in the checkpoint of ${formatNumber(v.size)} entries signed by the log key ${keyLabel(info.vkey)}`;
  if (!v.organisationKey)
    return `${included}. The record is not open to you, so what it says and who signed it were not checked.`;
  return v.body
    ? `${included}; the record shown is the one committed, signed by its organisation’s key.`
    : `${included}; its organisation’s signature is valid (the record itself is not shown).`;
}

function EntryLine({ entry, info }: { entry: LedgerEntry; info: LedgerInfo }) {
  const { user } = useSignedIn();
  const [showRecord, setShowRecord] = useState(false);
  const verify = useMutation({
    mutationFn: () =>
      verifyEntry(
        entry,
        info.vkey,
        info.organisationKeys.map((k) => k.vkey),
      ),
  });
  const summary = describeEntry(entry, user.id);
  const hasBody = entry.body !== undefined && entry.body !== null;
  return (
    <Stack
      gap={4}
      component="article"
      aria-label={`Ledger entry ${entry.index ?? 'pending'}: ${summary.title}`}
    >
      <Group gap="xs" wrap="wrap" align="baseline">
        <Text size="sm" fw={600}>
          {summary.title}
        </Text>
        <Text size="xs" c="dimmed">
          {formatDateTime(entryTime(entry))} · entry{' '}
          {entry.index === null ? 'being sequenced' : <Code>{entry.index}</Code>}
          {summary.title !== entry.recordType && <> · {entry.recordType}</>}
        </Text>
      </Group>
      {summary.lines.map((line) => (
        <Text size="sm" key={line}>
          {line}
        </Text>
      ))}
      {!hasBody && (
        <Text size="xs" c="dimmed">
          {entry.erasedAt
            ? `The record was erased on ${formatDateTime(entry.erasedAt)}; its entry stays in the log.`
            : 'The record is another organisation’s: only its place in the log is shown.'}
        </Text>
      )}
      <Group gap="xs" wrap="wrap">
        {entry.proof ? (
          <Button
            size="xs"
            variant="default"
            leftSection={<IconShieldCheck size={14} aria-hidden />}
            loading={verify.isPending}
            onClick={() => verify.mutate()}
          >
            Verify in this browser
          </Button>
        ) : (
          <Badge variant="light" color="gray">
            awaiting the next checkpoint
          </Badge>
        )}
        {hasBody && (
          <Button
            size="xs"
            variant="subtle"
            onClick={() => setShowRecord((v) => !v)}
            aria-expanded={showRecord}
          >
            {showRecord ? 'Hide the record' : 'Show the record'}
          </Button>
        )}
      </Group>
      {verify.data && (
        <Text size="xs" c="teal.9" role="status">
          {verifiedText(verify.data, info)}
        </Text>
      )}
      {verify.isError && (
        <Text size="xs" c="red.9" role="alert">
          Does not verify: {errorMessage(verify.error)}. Do not rely on what this entry shows.
        </Text>
      )}
      <Collapse expanded={showRecord}>
        <Code block aria-label={`Record of entry ${entry.index ?? 'pending'}`}>
          {JSON.stringify(entry.body, null, 2)}
        </Code>
      </Collapse>
    </Stack>
  );
}

/** "On the ledger": the entries committed for a record, each verifiable in the browser. */
export function LedgerProof({
  subjectType,
  subjectId,
  withTitle = true,
  empty = 'No ledger entry is visible to you for this record.',
}: {
  subjectType: string;
  subjectId: string;
  /** What to say when there is no entry (a record page knows what would put one there). */
  empty?: string;
  /** False inside a drawer whose title already says it. */
  withTitle?: boolean;
}) {
  const info = useQuery({ queryKey: ['ledger', 'info'], queryFn: ledgerApi.info });
  const entries = useQuery({
    queryKey: ['ledger', 'subject', subjectType, subjectId],
    queryFn: () => ledgerApi.subject(subjectType, subjectId),
    // A decision is answered once its entry is durable; the checkpoint that includes it follows
    // within the checkpoint interval (a second by default): ask again until every entry has one.
    refetchInterval: (q) => (q.state.data?.items.some((e) => !e.proof) ? 1500 : false),
  });
  return (
    <Card withBorder component="section" aria-label="On the ledger">
      <Stack gap="xs">
        {withTitle && (
          <Title order={3} size="h5">
            On the ledger
          </Title>
        )}
        {entries.isError || info.isError ? (
          <Text size="sm" c="red.9" role="alert">
            {errorMessage(entries.error ?? info.error)}
          </Text>
        ) : !entries.data || !info.data ? (
          <Text size="sm" c="dimmed">
            Loading…
          </Text>
        ) : entries.data.items.length === 0 ? (
          <Text size="sm" c="dimmed">
            {empty}
          </Text>
        ) : (
          <>
            <Text size="xs" c="dimmed">
              Each decision on this record was committed to the tamper-evident ledger with the
              change itself. Verifying an entry checks, in this browser, that it is in the log
              signed by the log key and that the record is the one its organisation signed.
            </Text>
            {entries.data.items.map((e, i) => (
              <Stack gap="xs" key={`${e.index ?? 'pending'}-${e.recordType}-${e.createdAt}`}>
                {i > 0 && <Divider />}
                <EntryLine entry={e} info={info.data} />
              </Stack>
            ))}
          </>
        )}
      </Stack>
    </Card>
  );
}

/**
 * A button that opens a record's ledger entries in a drawer: for table rows (a rule, a model, a
 * user, a token) and views where the entries would crowd the page (a day's queue).
 */
export function LedgerButton({
  subjectType,
  subjectId,
  title,
  label,
  children = 'Ledger',
  ...button
}: {
  subjectType: string;
  subjectId: string;
  /** The drawer's title, naming the record: "Rule “…” on the ledger". */
  title: string;
  /** The button's accessible name when its text alone is ambiguous (one per row). */
  label?: string;
  children?: string;
} & Omit<ButtonProps, 'children'>) {
  const [opened, setOpened] = useState(false);
  return (
    <>
      <Button
        size="xs"
        variant="default"
        leftSection={<IconShieldCheck size={14} aria-hidden />}
        onClick={() => setOpened(true)}
        aria-label={label}
        {...button}
      >
        {children}
      </Button>
      <Drawer
        opened={opened}
        onClose={() => setOpened(false)}
        title={title}
        position="right"
        size="lg"
        closeButtonProps={{ 'aria-label': 'Close' }}
      >
        {opened && (
          <LedgerProof subjectType={subjectType} subjectId={subjectId} withTitle={false} />
        )}
      </Drawer>
    </>
  );
}
