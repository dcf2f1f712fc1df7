import type { ReactNode } from 'react';
import { EmptyState } from '@mantine/core';
import { IconInbox } from '@tabler/icons-react';

/** What a list or view shows when there is nothing in it yet, and what to do about that. */
export function Empty({
  title,
  children,
  action,
}: {
  title: string;
  children?: ReactNode;
  action?: ReactNode;
}) {
  return (
    <EmptyState
      variant="light"
      size="sm"
      title={title}
      description={children}
      icon={<IconInbox aria-hidden />}
      py="lg"
    >
      {action}
    </EmptyState>
  );
}
