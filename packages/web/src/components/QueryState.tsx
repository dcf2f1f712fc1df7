import type { ReactNode } from 'react';
import type { UseQueryResult } from '@tanstack/react-query';
import { Alert, Button, Center, Group, Loader, Text } from '@mantine/core';
import { IconAlertCircle } from '@tabler/icons-react';
import { errorMessage } from '../api';

/** An error as an alert that screen readers announce, with a retry when one makes sense. */
export function ErrorAlert({
  error,
  title = 'Something went wrong',
  onRetry,
}: {
  error: unknown;
  title?: string;
  onRetry?: () => void;
}) {
  return (
    <Alert
      color="red"
      variant="light"
      title={title}
      icon={<IconAlertCircle aria-hidden />}
      role="alert"
    >
      <Group justify="space-between" gap="sm">
        <Text size="sm">{errorMessage(error)}</Text>
        {onRetry && (
          <Button size="xs" variant="default" onClick={onRetry}>
            Try again
          </Button>
        )}
      </Group>
    </Alert>
  );
}

export function Loading({ label = 'Loading' }: { label?: string }) {
  return (
    <Center py="xl" role="status" aria-live="polite">
      <Loader size="sm" aria-hidden />
      <Text size="sm" ml="sm" c="dimmed">
        {label}…
      </Text>
    </Center>
  );
}

/**
 * Renders a query's loading and error states, then `children(data)`. Keeps every page's
 * data-loading behaviour alike: a labelled spinner, a readable error with retry.
 */
export function QueryState<T>({
  query,
  label,
  children,
}: {
  query: UseQueryResult<T>;
  label?: string;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <Loading label={label ? `Loading ${label}` : undefined} />;
  if (query.isError)
    return (
      <ErrorAlert
        error={query.error}
        title={label ? `Could not load ${label}` : undefined}
        onRetry={() => void query.refetch()}
      />
    );
  return <>{children(query.data)}</>;
}
