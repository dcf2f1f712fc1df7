import { useState, type FormEvent } from 'react';
import {
  Badge,
  Button,
  Card,
  Group,
  Modal,
  NumberInput,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, roles, type ApiToken, type Role } from '../../api';
import { Empty } from '../../components/Empty';
import { ErrorAlert } from '../../components/QueryState';
import { formatDateTime } from '../../components/format';
import { LedgerButton } from '../ledger/LedgerProof';
import { PagedList, usePagedList } from './paging';
import { SecretOnce } from './SecretOnce';

const tokensKey = ['tokens'] as const;
/** The ledger's subject for a token: created, revoked (packages/services/src/platform/records.ts). */
const TOKEN_LEDGER_SUBJECT = 'platform.token';

function tokenState(token: ApiToken): { label: string; color: string } {
  if (token.revokedAt) return { label: 'revoked', color: 'gray' };
  if (new Date(token.expiresAt).getTime() <= Date.now())
    return { label: 'expired', color: 'orange' };
  return { label: 'active', color: 'teal' };
}

function CreateToken({ onCreated }: { onCreated: (name: string, secret: string) => void }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role | null>(null);
  const [days, setDays] = useState<number | string>(90);
  const create = useMutation({
    mutationFn: () =>
      api.tokens.create({
        name: name.trim(),
        expiresInDays: Number(days),
        ...(role ? { role } : {}),
      }),
    onSuccess: async ({ token, secret }) => {
      setName('');
      onCreated(token.name, secret);
      await queryClient.invalidateQueries({ queryKey: tokensKey });
    },
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate();
  }
  const validDays = Number.isInteger(Number(days)) && Number(days) >= 1;
  return (
    <Card withBorder component="section" aria-labelledby="new-token-heading">
      <form onSubmit={submit}>
        <Stack gap="sm">
          <Title order={2} size="h5" id="new-token-heading">
            New API token
          </Title>
          <Text size="sm" c="dimmed">
            For machines and scripts: send it as <code>Authorization: Bearer …</code>.
          </Text>
          <Group align="flex-end" gap="sm" wrap="wrap">
            <TextInput
              label="Token name"
              required
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              w={{ base: '100%', sm: 260 }}
            />
            <Select
              label="Role"
              placeholder="Same as mine"
              data={roles.map((r) => ({ value: r, label: r }))}
              value={role}
              onChange={(v) => setRole(v)}
              clearable
              w={{ base: '100%', sm: 160 }}
            />
            <NumberInput
              label="Expires in (days)"
              min={1}
              max={3650}
              allowDecimal={false}
              value={days}
              onChange={setDays}
              w={{ base: '100%', sm: 150 }}
            />
            <Button type="submit" loading={create.isPending} disabled={!name.trim() || !validDays}>
              Create token
            </Button>
          </Group>
          {create.isError && <ErrorAlert title="Could not create the token" error={create.error} />}
        </Stack>
      </form>
    </Card>
  );
}

function RevokeDialog({ token, onClose }: { token: ApiToken | null; onClose: () => void }) {
  const queryClient = useQueryClient();
  const revoke = useMutation({
    mutationFn: (id: string) => api.tokens.revoke(id),
    onSuccess: async (_, id) => {
      onClose();
      await queryClient.invalidateQueries({ queryKey: tokensKey });
      await queryClient.invalidateQueries({
        queryKey: ['ledger', 'subject', TOKEN_LEDGER_SUBJECT, id],
      });
    },
  });
  return (
    <Modal opened={token !== null} onClose={onClose} title="Revoke API token">
      <Stack gap="md">
        <Text size="sm">
          Revoke <strong>{token?.name}</strong>? Anything using it is refused from now on. This
          cannot be undone.
        </Text>
        {revoke.isError && <ErrorAlert title="Could not revoke the token" error={revoke.error} />}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button
            color="red"
            loading={revoke.isPending}
            onClick={() => token && revoke.mutate(token.id)}
          >
            Revoke token
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

export function TokensPanel() {
  const tokens = usePagedList([...tokensKey, 'pages'], (query) => api.tokens.list(query));
  const [secret, setSecret] = useState<{ name: string; secret: string } | null>(null);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  return (
    <Stack gap="lg">
      <CreateToken onCreated={(name, value) => setSecret({ name, secret: value })} />
      <SecretOnce
        title={secret ? `API token "${secret.name}"` : ''}
        intro="This is the token's secret."
        label="Token secret"
        secret={secret?.secret ?? null}
        onClose={() => setSecret(null)}
      />
      <RevokeDialog token={revoking} onClose={() => setRevoking(null)} />
      <PagedList
        query={tokens}
        label="API tokens"
        empty={
          <Empty title="No API tokens yet">
            Create one above for a script or a partner system.
          </Empty>
        }
      >
        {(items) => (
          <Table.ScrollContainer minWidth={720}>
            <Table striped highlightOnHover verticalSpacing="xs">
              <Table.Caption>API tokens</Table.Caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Name</Table.Th>
                  <Table.Th scope="col">Role</Table.Th>
                  <Table.Th scope="col">Status</Table.Th>
                  <Table.Th scope="col">Created</Table.Th>
                  <Table.Th scope="col">Expires</Table.Th>
                  <Table.Th scope="col">Last used</Table.Th>
                  <Table.Th scope="col">Actions</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((t) => {
                  const state = tokenState(t);
                  return (
                    <Table.Tr key={t.id}>
                      <Table.Td>{t.name}</Table.Td>
                      <Table.Td>{t.role}</Table.Td>
                      <Table.Td>
                        <Badge color={state.color} variant="light">
                          {state.label}
                        </Badge>
                      </Table.Td>
                      <Table.Td>{formatDateTime(t.createdAt)}</Table.Td>
                      <Table.Td>{formatDateTime(t.expiresAt)}</Table.Td>
                      <Table.Td>{formatDateTime(t.lastUsedAt)}</Table.Td>
                      <Table.Td>
                        <Group gap="xs" wrap="nowrap">
                          {state.label !== 'revoked' && (
                            <Button
                              size="xs"
                              variant="default"
                              onClick={() => setRevoking(t)}
                              aria-label={`Revoke ${t.name}`}
                            >
                              Revoke
                            </Button>
                          )}
                          <LedgerButton
                            subjectType={TOKEN_LEDGER_SUBJECT}
                            subjectId={t.id}
                            title={`API token “${t.name}” on the ledger`}
                            label={`Ledger entries of token ${t.name}`}
                          />
                        </Group>
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </PagedList>
    </Stack>
  );
}
