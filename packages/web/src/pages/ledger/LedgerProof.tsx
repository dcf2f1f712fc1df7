import { Badge, Button, Card, Code, Group, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { IconShieldCheck } from '@tabler/icons-react';
import { errorMessage } from '../../api';
import { formatDateTime, formatNumber } from '../../components/format';
import { entryTime, ledgerApi, type LedgerEntry, type LedgerInfo } from './ledgerApi';
import { verifyEntry } from './verify';

// The ledger entries behind one record (a screening decision, a rule, a model, a day's
// selection…), with a button that verifies each in this browser: the tlog-proof against the log's
// vkey, and the organisation's signature in the opening the leaf commits to. Any record page
// shows it with the record's subject type and id (GET /api/ledger/subjects/{type}/{id}).

function EntryLine({ entry, info }: { entry: LedgerEntry; info: LedgerInfo }) {
  const verify = useMutation({
    mutationFn: () =>
      verifyEntry(
        entry,
        info.vkey,
        info.organisationKeys.map((k) => k.vkey),
      ),
  });
  return (
    <Stack gap={4}>
      <Group gap="xs" wrap="wrap">
        <Text size="sm">
          Entry <Code>{entry.index ?? 'pending'}</Code> · {entry.recordType} ·{' '}
          {formatDateTime(entryTime(entry))}
        </Text>
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
      </Group>
      {verify.data && (
        <Text size="xs" c="teal" role="status">
          Included in the log of size {formatNumber(verify.data.size)}, checked against the log key
          {verify.data.organisationKey
            ? '; the organisation’s signature over the committed record is valid'
            : '; organisation signature not checked (you cannot open this record)'}
          .
        </Text>
      )}
      {verify.isError && (
        <Text size="xs" c="red" role="alert">
          Does not verify: {errorMessage(verify.error)}
        </Text>
      )}
    </Stack>
  );
}

/** "On the ledger": the entries committed for a record, each verifiable in the browser. */
export function LedgerProof({
  subjectType,
  subjectId,
}: {
  subjectType: string;
  subjectId: string;
}) {
  const info = useQuery({ queryKey: ['ledger', 'info'], queryFn: ledgerApi.info });
  const entries = useQuery({
    queryKey: ['ledger', 'subject', subjectType, subjectId],
    queryFn: () => ledgerApi.subject(subjectType, subjectId),
  });
  return (
    <Card withBorder component="section" aria-label="On the ledger">
      <Stack gap="xs">
        <Title order={3} size="h5">
          On the ledger
        </Title>
        {entries.isError || info.isError ? (
          <Text size="sm" c="red" role="alert">
            {errorMessage(entries.error ?? info.error)}
          </Text>
        ) : !entries.data || !info.data ? (
          <Text size="sm" c="dimmed">
            Loading…
          </Text>
        ) : entries.data.items.length === 0 ? (
          <Text size="sm" c="dimmed">
            No ledger entry is visible to you for this record.
          </Text>
        ) : (
          entries.data.items.map((e) => (
            <EntryLine key={`${e.index ?? 'pending'}-${e.recordType}`} entry={e} info={info.data} />
          ))
        )}
      </Stack>
    </Card>
  );
}
