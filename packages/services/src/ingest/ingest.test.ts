import { randomBytes } from 'node:crypto';
import { isInterdictError } from '@interdict/core';
import { registerIngestKind, type Actor, type Store } from '@interdict/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  byteSource,
  ENGINES,
  openEngineStore,
  type EngineStore,
} from '../../../store/src/test-support';
import { createServices, type Services } from '../services';

// Who may run, read and cancel ingest jobs (moved here from the store's suite with its
// assertions: issue 12 §2), on both engines. Each read path refuses a role without the right,
// and another organisation's job is NOT_FOUND, as a job that does not exist.

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isInterdictError(error), String(error)).toBe(true);
  expect((error as { code: string }).code).toBe(code);
}

async function count(store: Store, table: 'ingest_jobs' | 'blobs'): Promise<number> {
  const row = await store.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

for (const engine of ENGINES) {
  describe(`ingest service (${engine})`, () => {
    const kind = `test-ingest-service-${engine}`;
    const waiting = `test-ingest-waits-${engine}`;
    let opened: EngineStore;
    let store: Store;
    let services: Services;
    let admin: Actor;
    let analyst: Actor;
    let viewer: Actor;
    let partner: Actor;
    let otherAdmin: Actor;
    const unregister: (() => void)[] = [];
    /** What the last job of `kind` was given. */
    let seen: { attachments: object; options: object } | undefined;

    beforeAll(async () => {
      opened = await openEngineStore(engine, 'ingest');
      store = opened.store;
      admin = opened.actor;
      analyst = { ...admin, role: 'analyst' };
      viewer = { ...admin, role: 'viewer' };
      partner = { ...admin, role: 'partner' };
      const other = await store.organisations.create(admin, { name: 'Other', kind: 'agency' });
      otherAdmin = { userId: null, organisationId: other.id, role: 'admin', home: false };
      services = createServices(store, {
        closeStore: false,
        ledger: { key: randomBytes(32).toString('base64'), checkpointIntervalMs: 50 },
      });
      unregister.push(
        registerIngestKind({
          kind,
          description: 'test only: stores one blob per line',
          fileHint: 'lines of text',
          attachments: [{ name: 'notes', description: 'a note' }],
          options: [
            {
              name: 'onBadRow',
              description: 'test',
              values: ['refuse', 'skip'],
              default: 'refuse',
            },
          ],
          async run(ctx) {
            seen = { attachments: ctx.attachments, options: ctx.options };
            let text = '';
            for await (const chunk of ctx.input) text += new TextDecoder().decode(chunk);
            const lines = text.split('\n').filter(Boolean);
            for (const [i, line] of lines.entries()) {
              await ctx.store.db
                .insertInto('blobs')
                .values({ key: `${ctx.jobId}/${i}`, bytes: new TextEncoder().encode(line) })
                .execute();
            }
            ctx.progress(lines.length, lines.length);
            return { lines: lines.length };
          },
        }),
        registerIngestKind({
          kind: waiting,
          description: 'test only: stores a blob, then waits until it is cancelled',
          fileHint: 'anything',
          async run(ctx) {
            await ctx.store.db
              .insertInto('blobs')
              .values({ key: `${ctx.jobId}/kept?`, bytes: new Uint8Array([1]) })
              .execute();
            ctx.progress(1);
            await new Promise<void>((resolve) => {
              if (ctx.signal.aborted) resolve();
              ctx.signal.addEventListener('abort', () => resolve());
            });
            return {};
          },
        }),
      );
    });

    afterAll(async () => {
      for (const off of unregister) off();
      await services?.close();
      await opened?.close();
    });

    it('lets admins and analysts run jobs, and refuses other roles before a job is recorded', async () => {
      const ok = await services.ingest.run(analyst, {
        kind,
        sourceName: 'a.txt',
        input: byteSource('x\ny\n'),
      });
      expect(ok.job).toMatchObject({ status: 'succeeded', summary: { lines: 2 } });
      const jobs = await count(store, 'ingest_jobs');
      for (const actor of [viewer, partner, { ...admin, role: 'officer' as const }]) {
        await expectCode(
          services.ingest.run(actor, { kind, sourceName: 'x', input: byteSource('a') }),
          'FORBIDDEN',
        );
        await expectCode(
          services.ingest.start(actor, { kind, sourceName: 'x', input: byteSource('a') }),
          'FORBIDDEN',
        );
      }
      expect(await count(store, 'ingest_jobs')).toBe(jobs);
      await expectCode(
        services.ingest.run(admin, {
          kind: 'no-such-kind',
          sourceName: 'x',
          input: byteSource('a'),
        }),
        'UNKNOWN_INGEST_KIND',
      );
    });

    it('shows jobs to staff of their organisation only', async () => {
      const { job } = await services.ingest.run(admin, {
        kind,
        sourceName: 'mine.txt',
        input: byteSource('z\n'),
      });
      expect((await services.ingest.job(viewer, job.id)).status).toBe('succeeded');
      expect((await services.ingest.jobs(viewer)).items.map((j) => j.id)).toContain(job.id);
      await expectCode(services.ingest.jobs(partner), 'FORBIDDEN');
      await expectCode(services.ingest.job(partner, job.id), 'FORBIDDEN');
      await expectCode(services.ingest.job(otherAdmin, job.id), 'NOT_FOUND');
      await expectCode(services.ingest.job(admin, crypto.randomUUID()), 'NOT_FOUND');
      expect((await services.ingest.jobs(otherAdmin)).items.map((j) => j.id)).not.toContain(job.id);
    });

    it('sorts an upload’s fields into the kind’s attachments and options', async () => {
      const { finished } = await services.ingest.upload(admin, {
        kind,
        sourceName: 'up.txt',
        input: byteSource('u\n'),
        fields: { notes: 'a note', onBadRow: 'skip' },
      });
      expect((await finished).status).toBe('succeeded');
      expect(seen).toEqual({ attachments: { notes: 'a note' }, options: { onBadRow: 'skip' } });
      await expectCode(
        services.ingest.upload(admin, {
          kind,
          sourceName: 'up.txt',
          input: byteSource('u\n'),
          fields: { onBadRow: 'ignore' },
        }),
        'INVALID_ARGUMENT',
      );
      expect(services.ingest.kinds().map((k) => k.kind)).toEqual(
        expect.arrayContaining([kind, waiting]),
      );
    });

    it('lets no one without the right start a skipping declarations job (moved from the store with its assertions)', async () => {
      // A declarations file through a column mapping, asked to skip bad rows.
      const mapping = JSON.stringify({
        name: 'national-entries',
        hsDigits: 6,
        columns: {
          id: 'entry_no',
          date: 'accepted',
          hsCode: 'tariff_line',
          importer: 'importer',
          origin: 'origin',
          itemPrice: 'customs_value',
          fraud: 'inspected',
        },
      });
      const text =
        'entry_no,accepted,tariff_line,importer,origin,customs_value,inspected\n' +
        'E-1,2024-03-01,870323,IMP-1,DE,25000,0\nE-2,2024-02-30,620342,IMP-2,CN,900,0\n';
      const declarations = async () =>
        Number(
          (
            await store.db
              .selectFrom('targeting_declarations')
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      const [jobsBefore, rowsBefore] = [await count(store, 'ingest_jobs'), await declarations()];
      for (const actor of [viewer, { ...admin, role: 'officer' as const }, partner]) {
        await expectCode(
          services.ingest.start(actor, {
            kind: 'declarations',
            sourceName: 'entries.csv',
            input: byteSource(text),
            attachments: { mapping },
            options: { onBadRow: 'skip' },
          }),
          'FORBIDDEN',
        );
      }
      expect(await count(store, 'ingest_jobs')).toBe(jobsBefore);
      expect(await declarations()).toBe(rowsBefore);
    });

    it('cancels a running job, which then keeps nothing; only its organisation’s ingesters may', async () => {
      const blobs = await count(store, 'blobs');
      const { job, finished } = await services.ingest.start(admin, {
        kind: waiting,
        sourceName: 'long.txt',
        input: byteSource('.'),
      });
      await expectCode(services.ingest.cancel(viewer, job.id), 'FORBIDDEN');
      await expectCode(services.ingest.cancel(otherAdmin, job.id), 'NOT_FOUND');
      expect((await services.ingest.cancel(analyst, job.id)).id).toBe(job.id);
      const ended = await finished;
      expect(ended.status).toBe('failed');
      expect(ended.error).toMatch(/cancelled/);
      expect(await count(store, 'blobs')).toBe(blobs);
      await expectCode(services.ingest.cancel(admin, job.id), 'CONFLICT');
      await expectCode(services.ingest.cancel(admin, crypto.randomUUID()), 'NOT_FOUND');
    });
  });
}
