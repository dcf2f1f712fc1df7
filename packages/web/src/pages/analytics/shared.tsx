import { useCallback, useMemo } from 'react';
import { Anchor, Button, Group, NativeSelect, TextInput } from '@mantine/core';
import { IconDownload, IconLink } from '@tabler/icons-react';
import { Link, useSearchParams } from 'react-router';
import { csvHref, rowsPageHref, type Query } from './analytics-api';

/**
 * The view's filters live in the URL's query string: the address bar is always a shareable
 * link to exactly this view. Defaults are not written to the URL, only choices.
 */
export function useViewParams<K extends string>(
  defaults: Record<K, string>,
): [Record<K, string>, (changes: Partial<Record<K, string>>) => void] {
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
        (prev) => {
          const next = new URLSearchParams(prev);
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
  return [values, update];
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
        {rows.toLocaleString()} {rows === 1 ? 'row' : 'rows'}
      </Group>
    </Anchor>
  );
}

const compactNumber = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
export function fmt(value: number | null | undefined, digits = 1): string {
  if (value == null || !Number.isFinite(value)) return '—';
  // A rounded −0.0 reads as a sign error; show it as 0.
  const shown = Math.abs(value) < 0.05 ? 0 : value;
  return digits === 1 ? compactNumber.format(shown) : shown.toFixed(digits);
}
export function pct(value: number | null | undefined): string {
  if (value == null || !Number.isFinite(value)) return '—';
  return `${(value * 100).toFixed(1)}%`;
}
