import { Card, List, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { PageHeader } from './PageHeader';
import { LoadedData } from './LoadedData';

/**
 * A capability's page before the capability exists: the data already loaded for it and what the
 * page will offer. Capability engineers replace the registry line's component with their own page.
 */
export function CapabilityPlaceholder({
  title,
  description,
  capabilities,
  upcoming,
}: {
  title: string;
  description: string;
  /** `capability` values of GET /api/summary rows that belong here. */
  capabilities: readonly string[];
  /** What the finished page will show, one line each. */
  upcoming: readonly string[];
}) {
  return (
    <>
      <PageHeader title={title} description={description} />
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="lg">
        <Card withBorder padding="lg" component="section" aria-labelledby="loaded-data-heading">
          <Stack gap="sm">
            <Title order={2} size="h4" id="loaded-data-heading">
              Data loaded so far
            </Title>
            <LoadedData capabilities={capabilities} caption={`Data available to ${title}`} />
          </Stack>
        </Card>
        <Card withBorder padding="lg" component="section" aria-labelledby="upcoming-heading">
          <Stack gap="sm">
            <Title order={2} size="h4" id="upcoming-heading">
              What this page will show
            </Title>
            <Text size="sm" c="dimmed">
              {title} is being built. When it arrives, this page offers:
            </Text>
            <List size="sm" spacing={6}>
              {upcoming.map((line) => (
                <List.Item key={line}>{line}</List.Item>
              ))}
            </List>
          </Stack>
        </Card>
      </SimpleGrid>
    </>
  );
}
