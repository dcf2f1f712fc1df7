import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { API_TYPES_FILE, apiTypesSource } from '../../../scripts/api-types';
import { openApiDocument } from './openapi-document';

/** The first line where `a` and `b` differ (1-based), with both versions of it. */
function firstDifference(a: string, b: string): { line: number; was: string; now: string } {
  const was = a.split('\n');
  const now = b.split('\n');
  let i = 0;
  while (i < was.length && i < now.length && was[i] === now[i]) i++;
  return { line: i + 1, was: was[i] ?? '(end of file)', now: now[i] ?? '(end of file)' };
}

let document: unknown;
beforeAll(async () => {
  document = await openApiDocument();
});

describe('openApiDocument', () => {
  it('is the OpenAPI 3.1 document of the whole API, from a throwaway store', () => {
    const doc = document as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/auth/sign-in', '/api/targeting/queue', '/api/ledger']),
    );
  });
});

describe('the console API types (packages/web/src/api-types.ts)', () => {
  // The console types its requests and answers from that file; generated from an older document,
  // it would let the console compile against an API the server no longer serves.
  it('are those generated from the OpenAPI document the server publishes now', async () => {
    const fresh = await apiTypesSource(document);
    const committed = await readFile(API_TYPES_FILE, 'utf8').catch(() => '');
    if (committed !== fresh) {
      const d = firstDifference(committed, fresh);
      expect.fail(
        `${path.relative(process.cwd(), API_TYPES_FILE)} is stale: run npm run api:types ` +
          `(first difference at line ${d.line}: committed ${JSON.stringify(d.was)}, ` +
          `generated ${JSON.stringify(d.now)})`,
      );
    }
  });
});
