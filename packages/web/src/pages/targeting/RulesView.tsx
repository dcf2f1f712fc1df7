// Officers' rules: the lane a declaration gets when it matches their conditions, listed, added
// and deleted.
import { useState, type FormEvent } from 'react';
import {
  Alert,
  Button,
  Card,
  Group,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Textarea,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ErrorAlert, QueryState } from '../../components/QueryState';
import { useSignedIn } from '../../session';
import { LedgerButton } from '../ledger/LedgerProof';
import { canManage, LANE_OPTIONS, LaneBadge, LEDGER_SUBJECT } from './shared';
import { targetingApi, type Rule, type RuleInput } from './targeting-api';

export function RulesView() {
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
  // A deleted rule leaves the table, but not the ledger: its entries stay one click away.
  const [removed, setRemoved] = useState<Rule | null>(null);
  const remove = useMutation({
    mutationFn: (rule: Rule) => targetingApi.deleteRule(rule.id),
    onSuccess: (_, rule) => {
      setConfirming(null);
      setRemoved(rule);
      void queryClient.invalidateQueries({ queryKey: ['targeting', 'rules'] });
      void queryClient.invalidateQueries({
        queryKey: ['ledger', 'subject', LEDGER_SUBJECT.rule, rule.id],
      });
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
                    <Group gap={4} wrap="nowrap">
                      <LedgerButton
                        subjectType={LEDGER_SUBJECT.rule}
                        subjectId={rule.id}
                        title={`Rule “${rule.explanation}” on the ledger`}
                        label={`Ledger entries of rule: ${rule.explanation}`}
                      />
                      {canManage(user.role) &&
                        (confirming === rule.id ? (
                          <Group gap={4} wrap="nowrap">
                            <Button
                              size="xs"
                              color="red"
                              loading={remove.isPending}
                              onClick={() => remove.mutate(rule)}
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
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </QueryState>
      {remove.isError && <ErrorAlert error={remove.error} title="Could not delete the rule" />}
      {removed && (
        <Alert
          color="gray"
          title="Rule deleted"
          role="status"
          withCloseButton
          closeButtonLabel="Dismiss"
          onClose={() => setRemoved(null)}
        >
          <Group justify="space-between" gap="sm">
            <Text size="sm">
              “{removed.explanation}” no longer applies from the next scoring. Its creation and its
              removal stay on the ledger.
            </Text>
            <LedgerButton
              subjectType={LEDGER_SUBJECT.rule}
              subjectId={removed.id}
              title={`Rule “${removed.explanation}” on the ledger`}
              label={`Ledger entries of the deleted rule: ${removed.explanation}`}
            />
          </Group>
        </Alert>
      )}
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
                data={LANE_OPTIONS}
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
