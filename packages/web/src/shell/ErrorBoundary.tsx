import { Component, type ErrorInfo, type ReactNode } from 'react';
import { Alert, Button, Group, Text } from '@mantine/core';
import { ErrorAlert } from '../components/QueryState';

interface Props {
  children: ReactNode;
  /** Changing it clears a caught error (e.g. the route path, so navigating away recovers). */
  resetKey?: string;
}

interface State {
  error: unknown;
  key?: string;
}

/**
 * A page's code chunk is gone when the server was updated while this tab was open (hashed file
 * names change with every build); a reload fetches the new version.
 */
function isStaleChunk(error: unknown): boolean {
  return (
    error instanceof Error &&
    /dynamically imported module|Importing a module script failed|Failed to load module script/i.test(
      error.message,
    )
  );
}

/** Keeps a failing page (a render error, a chunk that failed to load) from blanking the shell. */
export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: unknown) {
    return { error };
  }

  static getDerivedStateFromProps(props: Props, state: State) {
    if (props.resetKey !== state.key) return { error: null, key: props.resetKey };
    return null;
  }

  override componentDidCatch(error: unknown, info: ErrorInfo) {
    if (!isStaleChunk(error)) console.error('Page failed', error, info.componentStack);
  }

  override render() {
    const { error } = this.state;
    if (error && isStaleChunk(error))
      return (
        <Alert color="blue" variant="light" title="Interdict was updated" role="alert">
          <Group justify="space-between" gap="sm">
            <Text size="sm">Reload to use the new version of the console.</Text>
            <Button size="xs" onClick={() => window.location.reload()}>
              Reload
            </Button>
          </Group>
        </Alert>
      );
    if (error)
      return (
        <ErrorAlert
          title="This page failed to load"
          error={error}
          onRetry={() => window.location.reload()}
        />
      );
    return this.props.children;
  }
}
