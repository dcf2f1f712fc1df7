import { sha256Hex } from '@interdict/core';
import type { ByteSource, Entity, ListVersion, Schema } from '../model';
import { ScreeningError } from '../errors';

const MONTHS: Record<string, string> = {
  jan: '01',
  feb: '02',
  mar: '03',
  apr: '04',
  may: '05',
  jun: '06',
  jul: '07',
  aug: '08',
  sep: '09',
  oct: '10',
  nov: '11',
  dec: '12',
};

/**
 * Dates as lists write them ("01 Jan 1960", "Jan 1960", "circa 1960", "1960 to 1962",
 * "1960-06-29") to ISO 8601 prefixes; a range gives every year in it (at most 20).
 */
export function parseListDate(text: string): string[] {
  const t = text.trim().replace(/^(circa|approximately|about|c\.)\s+/i, '');
  let m = /^(\d{4})\s*(?:to|-|–)\s*(\d{4})$/.exec(t);
  if (m) {
    const from = Number(m[1]);
    const to = Number(m[2]);
    if (to >= from && to - from <= 20) {
      const out: string[] = [];
      for (let y = from; y <= to; y++) out.push(String(y));
      return out;
    }
    return [String(from), String(to)];
  }
  m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:T.*)?$/.exec(t);
  if (m) return [[m[1], m[2], m[3]].filter(Boolean).join('-')];
  m = /^(?:(\d{1,2})\s+)?([A-Za-z]{3})[a-z]*\.?\s+(\d{4})$/.exec(t);
  if (m) {
    const month = MONTHS[(m[2] ?? '').toLowerCase()];
    if (month) return [m[1] ? `${m[3]}-${month}-${m[1].padStart(2, '0')}` : `${m[3]}-${month}`];
  }
  m = /^(\d{1,2})[./](\d{1,2})[./](\d{4})$/.exec(t);
  if (m) return [`${m[3]}-${(m[2] ?? '').padStart(2, '0')}-${(m[1] ?? '').padStart(2, '0')}`];
  m = /(\d{4})/.exec(t);
  return m?.[1] ? [m[1]] : [];
}

/** Decode UTF-8 strictly: a list in another encoding is refused, not silently garbled. */
export async function readUtf8(
  source: ByteSource,
  what: string,
  maxBytes: number,
): Promise<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let text = '';
  let bytes = 0;
  try {
    for await (const chunk of source) {
      if (typeof chunk === 'string') {
        text += chunk;
        bytes += chunk.length;
      } else {
        bytes += chunk.byteLength;
        text += decoder.decode(chunk, { stream: true });
      }
      if (bytes > maxBytes) {
        throw new ScreeningError('LIST_MALFORMED', `${what} is larger than ${maxBytes} bytes`, {
          details: { limit: maxBytes },
        });
      }
    }
    text += decoder.decode();
  } catch (error) {
    if (error instanceof ScreeningError) throw error;
    throw new ScreeningError('LIST_ENCODING', `${what} is not valid UTF-8 text`, {
      cause: error,
    });
  }
  return text.replace(/^\uFEFF/, '');
}

/** Prepend a chunk (a synthetic header line) to a byte source. */
export async function* prepend(
  first: string,
  source: ByteSource,
): AsyncGenerator<Uint8Array | string> {
  yield first;
  for await (const chunk of source) yield chunk;
}

/** A list version: identity, date, a hash over the parsed content, and counts. */
export function makeVersion(
  source: string,
  entities: readonly Entity[],
  published: string | undefined,
): ListVersion {
  const contentHash = sha256Hex(JSON.stringify(entities));
  const bySchema: Partial<Record<Schema, number>> = {};
  let names = 0;
  for (const e of entities) {
    bySchema[e.schema] = (bySchema[e.schema] ?? 0) + 1;
    names += e.names.length;
  }
  return {
    id: `${source}@${published ? published.slice(0, 10) : contentHash.slice(0, 12)}`,
    source,
    ...(published ? { published } : {}),
    contentHash,
    counts: { entities: entities.length, names, bySchema },
  };
}

export function uniq<T>(values: Iterable<T>): T[] {
  return [...new Set(values)];
}
