import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '@interdict/services';
import {
  bootstrapStore,
  MEMORY,
  openStore,
  registerIngestKind,
  type IngestContext,
  type Store,
} from '@interdict/store';
import { loadDemoData, readDemoManifest, DEMO_SOURCE_PREFIX } from './index';

/** A bootstrapped in-memory store and the services over it. */
async function instance(): Promise<{
  store: Store;
  services: Services;
  close: () => Promise<void>;
}> {
  const store = await openStore({ dataDir: MEMORY });
  await bootstrapStore(store, { adminPassword: 'correct horse battery staple' });
  const services = createServices(store);
  return { store, services, close: () => services.close() };
}

// Kinds that exist only in this test, so it does not depend on which capabilities have landed.
const seenLines: Record<string, number> = {};
async function countLines(ctx: IngestContext): Promise<{ lines: number }> {
  let text = '';
  const decoder = new TextDecoder();
  for await (const chunk of ctx.input) text += decoder.decode(chunk, { stream: true });
  const lines = text.split('\n').filter(Boolean).length;
  ctx.progress(lines, lines);
  // Stay busy a moment, so the loader's progress ticker sees the job running.
  await new Promise((resolve) => setTimeout(resolve, 50));
  seenLines[ctx.sourceName] = lines;
  return { lines };
}

function logSink() {
  const lines: string[] = [];
  const put = (_o: object, msg?: string) => void lines.push(msg ?? '');
  return { lines, logger: { info: put, warn: put, error: put } };
}

describe('loadDemoData', () => {
  let dir: string;
  let store: Store;
  let services: Services;
  let closeInstance: () => Promise<void>;
  const unregister: (() => void)[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'interdict-demo-'));
    await mkdir(path.join(dir, 'sub'));
    await writeFile(path.join(dir, 'sub/a.csv.gz'), gzipSync('h\n1\n2\n3\n'));
    await writeFile(path.join(dir, 'b.csv'), 'h\n1\n');
    await writeFile(path.join(dir, 'c.csv'), 'h\n');
    await writeFile(path.join(dir, 'bad.csv'), 'whatever');
    const entry = (file: string, kind: string, order: number, load = true) => ({
      file,
      kind,
      order,
      load,
      rows: 0,
      description: file,
    });
    await writeFile(
      path.join(dir, 'manifest.json'),
      JSON.stringify({
        version: 1,
        files: [
          entry('b.csv', 'demo-test-lines', 20),
          entry('sub/a.csv.gz', 'demo-test-lines', 10),
          entry('bad.csv', 'demo-test-broken', 30),
          entry('c.csv', 'demo-test-not-registered', 40),
          entry('never.csv', 'demo-test-lines', 50, false),
        ],
      }),
    );
    unregister.push(
      registerIngestKind({
        kind: 'demo-test-lines',
        description: 'counts lines',
        fileHint: 'any text',
        run: countLines,
      }),
      registerIngestKind({
        kind: 'demo-test-broken',
        description: 'always refuses',
        fileHint: 'none',
        run: () => Promise.reject(new Error('line 1: refused on purpose')),
      }),
    );
    ({ store, services, close: closeInstance } = await instance());
  });

  afterAll(async () => {
    for (const u of unregister) u();
    await closeInstance();
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the manifest sorted by order, defaulting load to true', async () => {
    const m = await readDemoManifest(dir);
    expect(m.files.map((f) => f.order)).toEqual([10, 20, 30, 40, 50]);
    expect(m.files.map((f) => f.load)).toEqual([true, true, true, true, false]);
  });

  it('refuses a manifest entry that points outside the bundle', async () => {
    const other = await mkdtemp(path.join(tmpdir(), 'interdict-demo-bad-'));
    await writeFile(
      path.join(other, 'manifest.json'),
      JSON.stringify({ files: [{ file: '../x', kind: 'k', order: 1, description: 'd' }] }),
    );
    await expect(readDemoManifest(other)).rejects.toThrow(/outside the datasets folder/);
    await rm(other, { recursive: true, force: true });
  });

  it('on a fresh database loads registered kinds in order, one job each, and skips the rest', async () => {
    const { lines, logger } = logSink();
    const run = await loadDemoData(services, { datasetsDir: dir, logger, progressEveryMs: 1 });
    expect(run.reason).toBe('fresh');
    expect(run.planned.map((f) => f.file)).toEqual(['sub/a.csv.gz', 'b.csv', 'bad.csv']);
    expect(run.skipped.map((f) => f.kind)).toEqual(['demo-test-not-registered']);
    expect(lines.some((l) => l.includes('demo-test-not-registered'))).toBe(true);

    const jobs = await run.finished;
    expect(jobs.map((j) => [j.kind, j.status])).toEqual([
      ['demo-test-lines', 'succeeded'],
      ['demo-test-lines', 'succeeded'],
      ['demo-test-broken', 'failed'],
    ]);
    // Progress of a running job reached the log.
    expect(lines).toContain('demo data 1/3: demo-test-lines 4/4');
    // The gzip file arrived decompressed; the jobs ran strictly one after another.
    expect(seenLines[DEMO_SOURCE_PREFIX + 'sub/a.csv.gz']).toBe(4);
    const [first, second] = jobs;
    expect(Date.parse(second?.startedAt ?? '')).toBeGreaterThanOrEqual(
      Date.parse(first?.finishedAt ?? ''),
    );
    // Visible through the jobs API's repository too.
    const listed = await store.jobs.list(await store.systemActor());
    expect(listed.items.filter((j) => j.sourceName.startsWith(DEMO_SOURCE_PREFIX))).toHaveLength(3);
  });

  it('does not load twice, and resumes only files that have no job yet', async () => {
    const again = await loadDemoData(services, { datasetsDir: dir });
    expect(again.reason).toBe('resume');
    expect(again.planned).toEqual([]);
    expect(await again.finished).toEqual([]);

    // A capability registers the missing kind later: the next start picks up just that file.
    const off = registerIngestKind({
      kind: 'demo-test-not-registered',
      description: 'late',
      fileHint: 'any',
      run: countLines,
    });
    try {
      const later = await loadDemoData(services, { datasetsDir: dir });
      expect(later.planned.map((f) => f.file)).toEqual(['c.csv']);
      expect((await later.finished).map((j) => j.status)).toEqual(['succeeded']);
    } finally {
      off();
    }
  });

  it('leaves a database that holds other data alone', async () => {
    const other = await instance();
    try {
      const actor = await other.store.systemActor();
      const { finished } = await other.services.ingest.start(actor, {
        kind: 'demo-test-lines',
        sourceName: 'my-own.csv',
        input: Readable.from([new TextEncoder().encode('x\n')]),
      });
      await finished;
      const run = await loadDemoData(other.services, { datasetsDir: dir });
      expect(run.reason).toBe('has-data');
      expect(run.planned).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('runs its jobs through the ingest service, so what they put in force is on the ledger', async () => {
    const bundle = await mkdtemp(path.join(tmpdir(), 'interdict-demo-ledger-'));
    const fresh = await instance();
    const off = registerIngestKind({
      kind: 'demo-test-release',
      description: 'puts a release in force',
      fileHint: 'any text',
      async run(ctx) {
        const { lines } = await countLines(ctx);
        await ctx.record({
          type: 'demo-test.release',
          body: { lines },
          subject: { type: 'demo-test.release', id: ctx.jobId },
        });
        return { lines };
      },
    });
    try {
      await writeFile(path.join(bundle, 'r.csv'), 'h\n1\n2\n');
      await writeFile(
        path.join(bundle, 'manifest.json'),
        JSON.stringify({
          version: 1,
          files: [{ file: 'r.csv', kind: 'demo-test-release', order: 1, description: 'r' }],
        }),
      );
      const run = await loadDemoData(fresh.services, { datasetsDir: bundle });
      const [job] = await run.finished;
      expect(job?.status, job?.error ?? '').toBe('succeeded');
      const operator = await fresh.store.systemActor();
      const entries = await fresh.services.ledger.entriesFor(
        operator,
        'demo-test.release',
        job!.id,
      );
      expect(entries.map((e) => [e.recordType, e.body])).toEqual([
        ['demo-test.release', { lines: 3 }],
      ]);
      expect(entries[0]?.index).not.toBeNull();
    } finally {
      off();
      await fresh.close();
      await rm(bundle, { recursive: true, force: true });
    }
  });

  it('stops starting jobs once its signal is aborted', async () => {
    const fresh = await instance();
    try {
      const controller = new AbortController();
      controller.abort();
      const run = await loadDemoData(fresh.services, {
        datasetsDir: dir,
        signal: controller.signal,
      });
      expect(run.planned.length).toBeGreaterThan(0);
      expect(await run.finished).toEqual([]);
    } finally {
      await fresh.close();
    }
  });
});
