import { useState, type FormEvent } from 'react';
import {
  Badge,
  Button,
  Card,
  Group,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, organisationKinds, type OrganisationKind } from '../../api';
import { Empty } from '../../components/Empty';
import { ErrorAlert, QueryState } from '../../components/QueryState';
import { formatDateTime } from '../../components/format';
import { useSignedIn } from '../../session';

export const organisationsQuery = {
  queryKey: ['organisations'],
  queryFn: () => api.organisations.list(),
} as const;

function CreateOrganisation() {
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [kind, setKind] = useState<OrganisationKind>('agency');
  const create = useMutation({
    mutationFn: () => api.organisations.create({ name: name.trim(), kind }),
    onSuccess: async () => {
      setName('');
      await queryClient.invalidateQueries({ queryKey: organisationsQuery.queryKey });
    },
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate();
  }
  return (
    <Card withBorder component="section" aria-labelledby="new-org-heading">
      <form onSubmit={submit}>
        <Stack gap="sm">
          <Title order={2} size="h5" id="new-org-heading">
            New organisation
          </Title>
          <Group align="flex-end" gap="sm" wrap="wrap">
            <TextInput
              label="Name"
              required
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              w={{ base: '100%', sm: 280 }}
            />
            <Select
              label="Kind"
              data={organisationKinds.map((k) => ({ value: k, label: k }))}
              value={kind}
              onChange={(v) => v && setKind(v)}
              allowDeselect={false}
              w={{ base: '100%', sm: 160 }}
            />
            <Button type="submit" loading={create.isPending} disabled={!name.trim()}>
              Create organisation
            </Button>
          </Group>
          {create.isError && (
            <ErrorAlert title="Could not create the organisation" error={create.error} />
          )}
        </Stack>
      </form>
    </Card>
  );
}

export function OrganisationsPanel() {
  const { organisation } = useSignedIn();
  const query = useQuery(organisationsQuery);
  return (
    <Stack gap="lg">
      {organisation.home !== false ? (
        <CreateOrganisation />
      ) : (
        <Text size="sm" c="dimmed">
          Partner organisations are created by the administrators of this instance&apos;s home
          organisation.
        </Text>
      )}
      <QueryState query={query} label="organisations">
        {({ items }) =>
          items.length === 0 ? (
            <Empty title="No organisations yet" />
          ) : (
            <Table.ScrollContainer minWidth={480}>
              <Table striped highlightOnHover>
                <Table.Caption>Organisations you can see</Table.Caption>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Name</Table.Th>
                    <Table.Th scope="col">Kind</Table.Th>
                    <Table.Th scope="col">Created</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((o) => (
                    <Table.Tr key={o.id}>
                      <Table.Td>
                        {o.name}{' '}
                        {o.id === organisation.id && (
                          <Badge size="sm" variant="light" ml={4}>
                            yours
                          </Badge>
                        )}
                        {o.home && (
                          <Badge size="sm" variant="light" color="gray" ml={4}>
                            home
                          </Badge>
                        )}
                      </Table.Td>
                      <Table.Td>{o.kind}</Table.Td>
                      <Table.Td>{formatDateTime(o.createdAt)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )
        }
      </QueryState>
    </Stack>
  );
}
