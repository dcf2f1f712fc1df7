import { describe, expect, it } from 'vitest';
import { getIngestKind, registerIngestKind } from './registry';
import './kinds';

// The kinds name the tables they fill, so that the runner can ANALYZE them after the commit. That
// a job leaves planner statistics on them is tested where jobs run with their ledger hook, in
// packages/services/src/ingest/statistics.test.ts (the kinds put releases and list versions in
// force, which only the ingest service can record).

describe('IngestKind.tables', () => {
  it('is declared by the large kinds', () => {
    for (const kind of [
      'declarations',
      'ofac-sdn',
      'un-consolidated',
      'bts-crossings',
      'cbp-seizures',
    ])
      expect(getIngestKind(kind)?.tables?.length, kind).toBeGreaterThan(0);
  });

  it('refuses a table name that is not a plain identifier', () => {
    expect(() =>
      registerIngestKind({
        kind: 'test-bad-table',
        description: 'test only',
        fileHint: 'anything',
        tables: ['x; DROP TABLE users'],
        run: () => Promise.resolve(null),
      }),
    ).toThrow(/plain lower-case table name/);
    expect(getIngestKind('test-bad-table')).toBeUndefined();
  });
});
