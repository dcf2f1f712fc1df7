import { Card, SimpleGrid, Stack, Text, ThemeIcon, Title, UnstyledButton } from '@mantine/core';
import { Link } from 'react-router';
import { PageHeader } from '../../components/PageHeader';
import { LoadedData } from '../../components/LoadedData';
import { useSignedIn } from '../../session';
import { pages } from '../index';
import { pageHref } from '../page';
import classes from './OverviewPage.module.css';

export default function OverviewPage() {
  const { user, organisation } = useSignedIn();
  const shortcuts = pages.filter((p) => p.path !== '' && (!p.roles || p.roles.includes(user.role)));
  return (
    <>
      <PageHeader
        title="Overview"
        description={`Signed in as ${user.name || user.email} (${user.role}) at ${organisation.name}.`}
      />
      <Stack gap="xl">
        <section aria-labelledby="capabilities-heading">
          <Title order={2} size="h4" mb="sm" id="capabilities-heading">
            Capabilities
          </Title>
          <SimpleGrid cols={{ base: 1, xs: 2, lg: 4 }} spacing="sm">
            {shortcuts.map((p) => (
              <UnstyledButton
                key={p.path}
                component={Link}
                to={pageHref(p)}
                className={classes.tile}
              >
                <ThemeIcon variant="light" size="lg" aria-hidden>
                  <p.icon size={20} stroke={1.6} />
                </ThemeIcon>
                <Text fw={600}>{p.label}</Text>
              </UnstyledButton>
            ))}
          </SimpleGrid>
        </section>
        <Card withBorder padding="lg" component="section" aria-labelledby="overview-data-heading">
          <Title order={2} size="h4" mb="sm" id="overview-data-heading">
            Data loaded
          </Title>
          <LoadedData caption="Every data set loaded into this instance" />
        </Card>
      </Stack>
    </>
  );
}
