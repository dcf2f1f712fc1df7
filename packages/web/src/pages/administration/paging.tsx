import type { ReactNode } from 'react';
import { Button, Group, Stack, Text } from '@mantine/core';
import { useInfiniteQuery, type QueryKey } from '@tanstack/react-query';
import type { ListResponse, PageQuery } from '../../api';
import { ErrorAlert, Loading } from '../../components/QueryState';

/**
 * A list the server hands out in keyset pages (limit + cursor): the first page now, the next one
 * when the user asks ("Load more"). A refetch (polling, or after a change) reloads the pages
 * already shown, so nothing on screen goes stale.
 */
export function usePagedList<T>(
  queryKey: QueryKey,
  fetchPage: (query: PageQuery) => Promise<ListResponse<T>>,
  options: {
    pageSize?: number;
    refetchInterval?: (items: T[]) => number | false;
    enabled?: boolean;
  } = {},
) {
  const pageSize = options.pageSize ?? 50;
  const { refetchInterval } = options;
  return useInfiniteQuery({
    queryKey,
    queryFn: ({ pageParam }) => fetchPage({ limit: pageSize, cursor: pageParam }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor ?? null,
    ...(options.enabled === undefined ? {} : { enabled: options.enabled }),
    ...(refetchInterval
      ? {
          refetchInterval: (query: { state: { data?: { pages: ListResponse<T>[] } } }) =>
            refetchInterval(query.state.data?.pages.flatMap((p) => p.items) ?? []),
        }
      : {}),
  });
}

/** Loading and error states of a paged list, its rows through `children`, then "Load more". */
export function PagedList<T>({
  query,
  label,
  empty,
  children,
}: {
  query: ReturnType<typeof usePagedList<T>>;
  /** What the rows are, in the plural ("users"). */
  label: string;
  empty: ReactNode;
  children: (items: T[]) => ReactNode;
}) {
  if (query.isPending) return <Loading label={`Loading ${label}`} />;
  if (query.isError)
    return (
      <ErrorAlert
        error={query.error}
        title={`Could not load ${label}`}
        onRetry={() => void query.refetch()}
      />
    );
  const items = query.data.pages.flatMap((p) => p.items);
  if (items.length === 0) return <>{empty}</>;
  return (
    <Stack gap="md">
      {children(items)}
      {(query.hasNextPage || query.data.pages.length > 1) && (
        <Group justify="center">
          {query.hasNextPage ? (
            <Button
              variant="default"
              loading={query.isFetchingNextPage}
              onClick={() => void query.fetchNextPage()}
            >
              Load more {label}
            </Button>
          ) : (
            <Text size="sm" c="dimmed">
              All {items.length} {label} are shown.
            </Text>
          )}
        </Group>
      )}
    </Stack>
  );
}
