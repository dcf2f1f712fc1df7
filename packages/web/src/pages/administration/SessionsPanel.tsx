import { Badge, Button, Group, Modal, Stack, Table, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type SessionInfo, type User } from '../../api';
import { Empty } from '../../components/Empty';
import { ErrorAlert } from '../../components/QueryState';
import { formatDateTime } from '../../components/format';
import { PagedList, usePagedList } from './paging';

const sessionsKey = ['sessions'] as const;

const BROWSERS: [string, RegExp][] = [
  ['Edge', /Edg\//],
  ['Firefox', /Firefox\//],
  ['Chromium', /Chromium\//],
  ['Chrome', /Chrome\//],
  ['Safari', /Safari\//],
  ['curl', /^curl\//],
];
const SYSTEMS: [string, RegExp][] = [
  ['Windows', /Windows/],
  ['Android', /Android/],
  ['iOS', /iPhone|iPad/],
  ['macOS', /Mac OS X/],
  ['Linux', /Linux/],
];

/** "Firefox on Windows" from a User-Agent header, or the header's start when unrecognised. */
export function describeDevice(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device';
  const browser = BROWSERS.find(([, re]) => re.test(userAgent))?.[0];
  const os = SYSTEMS.find(([, re]) => re.test(userAgent))?.[0];
  if (browser && os) return `${browser} on ${os}`;
  return browser ?? os ?? userAgent.slice(0, 60);
}

/**
 * The sessions of the signed-in user (no `user`) or, for an admin, of one of their users: when
 * and from where each was signed in, when last used, and a button to end it. The server never
 * sends a session's secret, only a public id.
 */
export function SessionsList({ user }: { user?: User }) {
  const queryClient = useQueryClient();
  const key = [...sessionsKey, user?.id ?? 'own'];
  const sessions = usePagedList<SessionInfo>(
    key,
    (query) => (user ? api.users.sessions(user.id, query) : api.sessions.list(query)),
    { pageSize: 20 },
  );
  const afterChange = async (endedCurrent: boolean) => {
    // Ending this browser's own session signs it out: re-ask who is signed in.
    if (endedCurrent) await queryClient.invalidateQueries({ queryKey: ['session'] });
    else await queryClient.invalidateQueries({ queryKey: sessionsKey });
  };
  const end = useMutation({
    mutationFn: (session: SessionInfo) => api.sessions.end(session.id),
    onSuccess: (_, session) => afterChange(session.current),
  });
  const endOthers = useMutation({
    mutationFn: () => (user ? api.users.endSessions(user.id) : api.sessions.signOutOthers()),
    onSuccess: () => afterChange(false),
  });
  const whose = user ? user.email : 'you';
  return (
    <Stack gap="md">
      <Text size="sm" c="dimmed">
        Sessions end by themselves 12 hours after signing in. End one you do not recognise; a
        password change or reset ends them all.
      </Text>
      {end.isError && <ErrorAlert title="Could not end the session" error={end.error} />}
      {endOthers.isError && (
        <ErrorAlert title="Could not end the sessions" error={endOthers.error} />
      )}
      <PagedList
        query={sessions}
        label="sessions"
        empty={<Empty title={`No one is signed in as ${whose}`} />}
      >
        {(items) => (
          <Table.ScrollContainer minWidth={640}>
            <Table striped verticalSpacing="xs">
              <Table.Caption>Signed-in sessions of {whose}, newest first</Table.Caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Device</Table.Th>
                  <Table.Th scope="col">IP address</Table.Th>
                  <Table.Th scope="col">Signed in</Table.Th>
                  <Table.Th scope="col">Last active</Table.Th>
                  <Table.Th scope="col">Actions</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((s) => (
                  <Table.Tr key={s.id}>
                    <Table.Td>
                      <Group gap="xs" wrap="nowrap">
                        <Text size="sm" title={s.userAgent ?? undefined}>
                          {describeDevice(s.userAgent)}
                        </Text>
                        {s.current && (
                          <Badge variant="light" color="teal">
                            this browser
                          </Badge>
                        )}
                      </Group>
                    </Table.Td>
                    <Table.Td>{s.ip ?? '—'}</Table.Td>
                    <Table.Td>{formatDateTime(s.createdAt)}</Table.Td>
                    <Table.Td>{formatDateTime(s.lastSeenAt)}</Table.Td>
                    <Table.Td>
                      <Button
                        size="xs"
                        variant="default"
                        loading={end.isPending && end.variables.id === s.id}
                        onClick={() => end.mutate(s)}
                        aria-label={
                          s.current
                            ? 'Sign out this browser'
                            : `End the session of ${describeDevice(s.userAgent)} signed in ${formatDateTime(s.createdAt)}`
                        }
                      >
                        {s.current ? 'Sign out' : 'End'}
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </PagedList>
      <Group>
        <Button
          color="red"
          variant="light"
          loading={endOthers.isPending}
          onClick={() => endOthers.mutate()}
        >
          {user ? `End every session of ${user.email}` : 'Sign out everywhere else'}
        </Button>
        {endOthers.isSuccess && (
          <Text size="sm" role="status">
            {endOthers.data.sessionsEnded === 1
              ? '1 session ended.'
              : `${endOthers.data.sessionsEnded} sessions ended.`}
          </Text>
        )}
      </Group>
    </Stack>
  );
}

/** The sessions list in a dialog: from the user menu (own) or a user's row (admins). */
export function SessionsDialog({
  opened,
  onClose,
  user,
}: {
  opened: boolean;
  onClose: () => void;
  user?: User;
}) {
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={user ? `Sessions of ${user.email}` : 'Your sessions'}
      size="xl"
    >
      {opened && <SessionsList {...(user ? { user } : {})} />}
    </Modal>
  );
}
