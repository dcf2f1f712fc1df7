import { useCallback, useMemo, type Key, type ReactNode } from 'react';
import { Anchor, Button, Card, Group, NativeSelect, Table, TextInput, Title } from '@mantine/core';
import { IconDownload, IconLink } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { csvHref, rowsPageHref, type Query } from './analytics-api';
import { fmt } from './format';

export { fmt, pct, signed } from './format';

/** A control's value and its change handler, bound to one URL parameter. */
export interface Bound {
  value: string;
  onChange: (value: string) => void;
}

/**
 * The address's parameters as they are now. Not the `prev` that react-router's setter passes:
 * that is the value of the last render, so a second choice made before the first has rendered
 * (two filters changed in quick succession) would write over the first one.
 */
function currentParams(): URLSearchParams {
  return new URLSearchParams(window.location.search);
}

/**
 * The view's filters live in the URL's query string: the address bar is always a shareable
 * link to exactly this view. Defaults are not written to the URL, only choices.
 */
export function useViewParams<K extends string>(
  defaults: Record<K, string>,
): [Record<K, string>, (changes: Partial<Record<K, string>>) => void, (key: K) => Bound] {
  const [params, setParams] = useSearchParams();
  const values = useMemo(() => {
    const out = { ...defaults };
    for (const key of Object.keys(defaults) as K[]) {
      const v = params.get(key);
      if (v !== null) out[key] = v;
    }
    return out;
    // eslint-disable-next-line react-hooks/exhaustive-deps -- defaults are literals per view
  }, [params]);
  const update = useCallback(
    (changes: Partial<Record<K, string>>) => {
      setParams(
        () => {
          const next = currentParams();
          for (const [k, v] of Object.entries(changes) as [K, string | undefined][]) {
            if (v === undefined || v === '' || v === defaults[k]) next.delete(k);
            else next.set(k, v);
          }
          return next;
        },
        { replace: true },
      );
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps -- defaults are literals per view
    [setParams],
  );
  // A control bound to one parameter: shows its value, and a change is written to the URL.
  const field = (key: K) => ({
    value: values[key],
    onChange: (value: string) => update({ [key]: value } as Partial<Record<K, string>>),
  });
  return [values, update, field];
}

/**
 * A list bound to one repeated URL parameter (`?show=Lsd&show=Ecstasy`): any value survives,
 * commas included, and the address stays a link to exactly this view. Writing replaces the
 * whole list; an empty list removes the parameter.
 */
export function useListParam(key: string): [string[], (values: readonly string[]) => void] {
  const [params, setParams] = useSearchParams();
  const values = useMemo(() => params.getAll(key), [params, key]);
  const set = useCallback(
    (next: readonly string[]) =>
      setParams(
        () => {
          const p = currentParams();
          p.delete(key);
          for (const v of next) p.append(key, v);
          return p;
        },
        { replace: true },
      ),
    [setParams, key],
  );
  return [values, set];
}

/**
 * One analytics API call for a view, cached under the view's name and its exact query, so two
 * views asking for the same figures share one request.
 */
export function useAnalytics<T>(
  name: string,
  fetch: (query: Query) => Promise<T>,
  query: Query,
  options: { enabled?: boolean } = {},
) {
  return useQuery({
    queryKey: ['analytics', name, query],
    queryFn: () => fetch(query),
    ...options,
  });
}

/** Drops empty values so that API calls and CSV links carry only real filters. */
export function compact(q: Record<string, string | number | undefined>): Query {
  const out: Query = {};
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') out[k] = v;
  return out;
}

export function Select({
  label,
  value,
  onChange,
  options,
  allLabel,
  w = 200,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  options: readonly (string | { value: string; label: string })[];
  allLabel?: string;
  w?: number;
}) {
  const data = [
    ...(allLabel !== undefined ? [{ value: '', label: allLabel }] : []),
    ...options.map((o) => (typeof o === 'string' ? { value: o, label: o } : o)),
  ];
  return (
    <NativeSelect
      label={label}
      value={value}
      onChange={(e) => onChange(e.currentTarget.value)}
      data={data}
      w={w}
    />
  );
}

export function MonthInput({
  label,
  value,
  onChange,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <TextInput
      label={label}
      type="month"
      value={value}
      onChange={(e) => onChange(e.currentTarget.value)}
      w={170}
    />
  );
}

/** A view's period: first and last month, each bound to its URL parameter. */
export function MonthRange({ from, to }: { from: Bound; to: Bound }) {
  return (
    <>
      <MonthInput label="From" {...from} />
      <MonthInput label="To" {...to} />
    </>
  );
}

/** The CBP drug filter, shared by the views of CBP seizures (empty: every drug). */
export function CbpDrugSelect({ drugs, ...bound }: Bound & { drugs: readonly string[] }) {
  return <Select label="Drug" {...bound} options={drugs} allLabel="All drugs" />;
}

export function CsvButton({ path, query, label }: { path: string; query: Query; label: string }) {
  return (
    <Button
      component="a"
      href={csvHref(path, query)}
      download
      variant="default"
      size="xs"
      leftSection={<IconDownload size={14} aria-hidden />}
    >
      {label}
    </Button>
  );
}

/** A link from a figure to the source rows summed into it. */
export function RowsLink({ href, rows }: { href: string; rows: number }) {
  return (
    <Anchor component={Link} to={rowsPageHref(href)} size="sm">
      <Group gap={4} wrap="nowrap" component="span" style={{ display: 'inline-flex' }}>
        <IconLink size={12} aria-hidden />
        {fmt(rows)} {rows === 1 ? 'row' : 'rows'}
      </Group>
    </Anchor>
  );
}

/** A view's filters: a labelled section of controls that wrap on narrow screens. */
export function FilterBar({
  label = 'Filters',
  gap = 'sm',
  children,
}: {
  label?: string;
  gap?: 'sm' | 'md';
  children: ReactNode;
}) {
  return (
    <Card withBorder component="section" aria-label={label}>
      <Group gap={gap} align="flex-end" wrap="wrap">
        {children}
      </Group>
    </Card>
  );
}

/**
 * A section of a view named by its heading (`id` labels the section for screen readers), with
 * the section's own controls and its CSV download on the heading's line when it has them.
 */
export function ViewCard({
  id,
  title,
  csv,
  controls,
  children,
}: {
  id: string;
  title: ReactNode;
  csv?: { path: string; query: Query; label?: string };
  controls?: ReactNode;
  children: ReactNode;
}) {
  const download = csv && (
    <CsvButton path={csv.path} query={csv.query} label={csv.label ?? 'CSV'} />
  );
  return (
    <Card withBorder component="section" aria-labelledby={id}>
      {download ? (
        <Group justify="space-between" mb="xs" align={controls ? 'flex-end' : undefined}>
          <Title order={2} size="h4" id={id}>
            {title}
          </Title>
          {controls ? (
            <Group gap="xs" align="flex-end">
              {controls}
              {download}
            </Group>
          ) : (
            download
          )}
        </Group>
      ) : (
        <Title order={2} size="h4" id={id} mb="xs">
          {title}
        </Title>
      )}
      {children}
    </Card>
  );
}

export interface Column<T> {
  header: ReactNode;
  cell: (row: T) => ReactNode;
  /** Figures are right-aligned, so their digits line up. */
  numeric?: boolean;
  /** React key when columns are built from data (defaults to the position). */
  key?: Key;
}

/**
 * A captioned table of rows: one header row, one row per item. With `minWidth` it scrolls
 * sideways on screens narrower than that instead of squeezing its columns.
 */
export function DataTable<T>({
  caption,
  columns,
  rows,
  rowKey,
  minWidth,
  mt,
  fz = 'sm',
  stickyHeader,
}: {
  caption: ReactNode;
  columns: readonly Column<T>[];
  rows: readonly T[];
  rowKey: (row: T) => Key;
  minWidth?: number;
  mt?: 'sm';
  fz?: 'sm' | 'xs';
  stickyHeader?: boolean;
}) {
  const align = (c: Column<T>) => (c.numeric ? 'right' : undefined);
  const table = (
    <Table fz={fz} striped stickyHeader={stickyHeader} mt={minWidth === undefined ? mt : undefined}>
      <Table.Caption>{caption}</Table.Caption>
      <Table.Thead>
        <Table.Tr>
          {columns.map((c, i) => (
            <Table.Th key={c.key ?? i} ta={align(c)}>
              {c.header}
            </Table.Th>
          ))}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map((r) => (
          <Table.Tr key={rowKey(r)}>
            {columns.map((c, i) => (
              <Table.Td key={c.key ?? i} ta={align(c)}>
                {c.cell(r)}
              </Table.Td>
            ))}
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
  if (minWidth === undefined) return table;
  return (
    <Table.ScrollContainer minWidth={minWidth} mt={mt}>
      {table}
    </Table.ScrollContainer>
  );
}
