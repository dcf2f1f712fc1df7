import { useState, type FormEvent } from 'react';
import {
  Badge,
  Button,
  Card,
  Group,
  PasswordInput,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, roles, type Role, type User } from '../../api';
import { Empty } from '../../components/Empty';
import { ErrorAlert } from '../../components/QueryState';
import { formatDateTime } from '../../components/format';
import { useSignedIn } from '../../session';
import { LedgerButton } from '../ledger/LedgerProof';
import { organisationsQuery } from './OrganisationsPanel';
import { PagedList, usePagedList } from './paging';
import { SecretOnce } from './SecretOnce';
import { SessionsDialog } from './SessionsPanel';

const usersKey = ['users'] as const;
/**
 * The ledger's subject for a user: created, role changed, disabled or re-enabled
 * (packages/services/src/platform/records.ts).
 */
const USER_LEDGER_SUBJECT = 'platform.user';
const usersPagesKey = [...usersKey, 'pages'] as const;
const roleOptions = roles.map((r) => ({ value: r, label: r }));

function CreateUser({ onCreated }: { onCreated: (user: User, oneTimePassword?: string) => void }) {
  const { organisation } = useSignedIn();
  const queryClient = useQueryClient();
  const organisations = useQuery(organisationsQuery);
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('analyst');
  const [organisationId, setOrganisationId] = useState(organisation.id);
  const [password, setPassword] = useState('');
  const create = useMutation({
    mutationFn: () =>
      api.users.create({
        email: email.trim(),
        name: name.trim(),
        role,
        organisationId,
        ...(password ? { password } : {}),
      }),
    onSuccess: async (created) => {
      const { oneTimePassword, ...user } = created;
      setEmail('');
      setName('');
      setPassword('');
      onCreated(user, oneTimePassword);
      await queryClient.invalidateQueries({ queryKey: usersKey });
    },
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate();
  }
  const orgOptions = (organisations.data?.items ?? [organisation]).map((o) => ({
    value: o.id,
    label: o.name,
  }));
  return (
    <Card withBorder component="section" aria-labelledby="new-user-heading">
      <form onSubmit={submit}>
        <Stack gap="sm">
          <Title order={2} size="h5" id="new-user-heading">
            New user
          </Title>
          <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="sm">
            <TextInput
              label="Email"
              type="email"
              required
              autoComplete="off"
              value={email}
              onChange={(e) => setEmail(e.currentTarget.value)}
            />
            <TextInput
              label="Full name"
              required
              autoComplete="off"
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
            />
            <Select
              label="Role"
              data={roleOptions}
              value={role}
              onChange={(v) => v && setRole(v)}
              allowDeselect={false}
            />
            <Select
              label="Organisation"
              data={orgOptions}
              value={organisationId}
              onChange={(v) => v && setOrganisationId(v)}
              allowDeselect={false}
            />
            <PasswordInput
              label="Password"
              description="Leave empty to generate a one-time password"
              autoComplete="new-password"
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
              visibilityToggleButtonProps={{ 'aria-label': 'Show or hide the password' }}
            />
          </SimpleGrid>
          <Group>
            <Button
              type="submit"
              loading={create.isPending}
              disabled={!email.trim() || !name.trim()}
            >
              Create user
            </Button>
          </Group>
          {create.isError && <ErrorAlert title="Could not create the user" error={create.error} />}
        </Stack>
      </form>
    </Card>
  );
}

function UserRow({
  user,
  self,
  organisationName,
}: {
  user: User;
  self: boolean;
  organisationName: string;
}) {
  const queryClient = useQueryClient();
  const [showSessions, setShowSessions] = useState(false);
  const update = useMutation({
    mutationFn: (input: { role?: Role; disabled?: boolean }) => api.users.update(user.id, input),
    onSettled: async () => {
      await queryClient.invalidateQueries({ queryKey: usersKey });
      await queryClient.invalidateQueries({
        queryKey: ['ledger', 'subject', USER_LEDGER_SUBJECT, user.id],
      });
    },
  });
  return (
    <Table.Tr>
      <Table.Td>
        <Text size="sm" fw={500}>
          {user.name}
        </Text>
        <Text size="xs" c="dimmed">
          {user.email}
        </Text>
        {update.isError && (
          <Text size="xs" c="var(--interdict-danger-text)" role="alert">
            {update.error.message}
          </Text>
        )}
      </Table.Td>
      <Table.Td>{organisationName}</Table.Td>
      <Table.Td>
        <Select
          aria-label={`Role of ${user.email}`}
          data={roleOptions}
          value={user.role}
          onChange={(v) => v && v !== user.role && update.mutate({ role: v })}
          allowDeselect={false}
          disabled={self || update.isPending}
          size="xs"
          w={120}
        />
      </Table.Td>
      <Table.Td>
        {user.disabled ? (
          <Badge color="gray" variant="outline">
            disabled
          </Badge>
        ) : (
          <Badge color="teal" variant="light">
            active
          </Badge>
        )}
      </Table.Td>
      <Table.Td>{formatDateTime(user.createdAt)}</Table.Td>
      <Table.Td>
        <Group gap="xs" wrap="nowrap">
          <Button
            size="xs"
            variant="default"
            disabled={self}
            loading={update.isPending}
            onClick={() => update.mutate({ disabled: !user.disabled })}
            aria-label={`${user.disabled ? 'Enable' : 'Disable'} ${user.email}`}
          >
            {user.disabled ? 'Enable' : 'Disable'}
          </Button>
          <Button
            size="xs"
            variant="default"
            onClick={() => setShowSessions(true)}
            aria-label={`Sessions of ${user.email}`}
          >
            Sessions
          </Button>
          <LedgerButton
            subjectType={USER_LEDGER_SUBJECT}
            subjectId={user.id}
            title={`${user.name} (${user.email}) on the ledger`}
            label={`Ledger entries of ${user.email}`}
          />
        </Group>
        <SessionsDialog opened={showSessions} onClose={() => setShowSessions(false)} user={user} />
      </Table.Td>
    </Table.Tr>
  );
}

export function UsersPanel() {
  const { user: me } = useSignedIn();
  const users = usePagedList(usersPagesKey, (query) => api.users.list(query));
  const organisations = useQuery(organisationsQuery);
  const [created, setCreated] = useState<{ user: User; password: string } | null>(null);
  const orgName = (id: string) => organisations.data?.items.find((o) => o.id === id)?.name ?? '—';
  return (
    <Stack gap="lg">
      <CreateUser onCreated={(user, password) => password && setCreated({ user, password })} />
      <SecretOnce
        title={created ? `One-time password for ${created.user.email}` : ''}
        intro="Give this password to the user through a trusted channel; they should change it."
        label="One-time password"
        secret={created?.password ?? null}
        onClose={() => setCreated(null)}
      />
      <PagedList query={users} label="users" empty={<Empty title="No users yet" />}>
        {(items) => (
          <Table.ScrollContainer minWidth={820}>
            <Table striped highlightOnHover verticalSpacing="xs">
              <Table.Caption>Users you manage</Table.Caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">User</Table.Th>
                  <Table.Th scope="col">Organisation</Table.Th>
                  <Table.Th scope="col">Role</Table.Th>
                  <Table.Th scope="col">Status</Table.Th>
                  <Table.Th scope="col">Created</Table.Th>
                  <Table.Th scope="col">Actions</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((u) => (
                  <UserRow
                    key={u.id}
                    user={u}
                    self={u.id === me.id}
                    organisationName={orgName(u.organisationId)}
                  />
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </PagedList>
    </Stack>
  );
}
