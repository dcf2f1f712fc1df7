import { Component, type ErrorInfo, type ReactNode } from 'react';
import { ErrorAlert } from '../components/QueryState';

interface Props {
  children: ReactNode;
  /** Changing it clears a caught error (e.g. the route path, so navigating away recovers). */
  resetKey?: string;
}

/** Keeps a failing page (a render error, a chunk that failed to load) from blanking the shell. */
export class ErrorBoundary extends Component<Props, { error: unknown; key?: string }> {
  override state: { error: unknown; key?: string } = { error: null };

  static getDerivedStateFromError(error: unknown) {
    return { error };
  }

  static getDerivedStateFromProps(props: Props, state: { error: unknown; key?: string }) {
    if (props.resetKey !== state.key) return { error: null, key: props.resetKey };
    return null;
  }

  override componentDidCatch(error: unknown, info: ErrorInfo) {
    console.error('Page failed', error, info.componentStack);
  }

  override render() {
    if (this.state.error)
      return (
        <ErrorAlert
          title="This page failed to load"
          error={this.state.error}
          onRetry={() => window.location.reload()}
        />
      );
    return this.props.children;
  }
}
