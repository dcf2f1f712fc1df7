import { createRoute, z } from '@hono/zod-openapi';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { requireActor } from '../auth/middleware';
import type { App, ModuleDeps } from '../env';
import {
  IdParams,
  JobSchema,
  json,
  listOf,
  pageOptions,
  pageQuery,
  problemResponses,
  ProblemSchema,
} from '../schemas';

const IngestKindSchema = z
  .object({
    kind: z.string(),
    description: z.string(),
    fileHint: z.string(),
    // Extra files a job of this kind takes beside the data, each in the form field of its name.
    attachments: z.array(z.object({ name: z.string(), description: z.string() })).optional(),
    // Choices a job of this kind takes, each in the form field of its name; others are refused.
    options: z
      .array(
        z.object({
          name: z.string(),
          description: z.string(),
          values: z.array(z.string()),
          default: z.string(),
        }),
      )
      .optional(),
  })
  .openapi('IngestKind');
const SummarySchema = z
  .object({
    items: z.array(
      z.object({
        capability: z.string(),
        label: z.string(),
        count: z.number(),
        updatedAt: z.string().nullable(),
      }),
    ),
  })
  .openapi('Summary');
const JobUpload = z
  .object({
    kind: z.string().min(1).max(100),
    file: z
      .instanceof(File, { message: 'send the file to ingest in the form field "file"' })
      .openapi({ type: 'string', format: 'binary' }),
    mapping: z
      .union([z.instanceof(File), z.string()])
      .optional()
      .openapi({
        type: 'string',
        format: 'binary',
        description:
          "Column mapping JSON for `declarations` in a schema other than the KCS benchmark (as the CLI's --mapping); a bad one is refused with 422 and nothing is stored",
      }),
    onBadRow: z.string().max(100).optional().openapi({
      example: 'skip',
      description:
        "`declarations` only: `refuse` (default) refuses the whole file at a row with a missing or malformed field, storing nothing; `skip` stores the good rows and lists the skipped ones (line, column, reason) in the job's summary. Any other value, or this field with another kind, is refused with 400 and no job is recorded (GET /api/ingest-kinds lists each kind's options)",
    }),
  })
  .openapi('JobUpload');
const JobsQuery = pageQuery(100);

/**
 * Ingest (kinds, jobs, uploads) and the summary: each route one call into the services
 * (packages/services/src/ingest, `Services.summary`).
 */
export function registerDataRoutes(app: App, deps: ModuleDeps): void {
  const { logger } = deps;
  const ingest = deps.services.ingest;

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/ingest-kinds',
      tags: ['ingest'],
      summary: 'Kinds of file this instance can ingest',
      responses: { 200: json(z.object({ items: z.array(IngestKindSchema) })), ...problemResponses },
    }),
    (c) => {
      requireActor(c);
      return c.json({ items: ingest.kinds() }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/jobs',
      tags: ['ingest'],
      summary: 'Ingest jobs, newest first, in pages',
      request: { query: JobsQuery },
      responses: { 200: json(listOf(JobSchema)), ...problemResponses },
    }),
    async (c) =>
      c.json(await ingest.jobs(requireActor(c), pageOptions(c.req.valid('query'), 100)), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/jobs/{id}',
      tags: ['ingest'],
      summary: 'One ingest job, with live progress',
      request: { params: IdParams },
      responses: { 200: json(JobSchema), ...problemResponses },
    }),
    async (c) => c.json(await ingest.job(requireActor(c), c.req.valid('param').id), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/jobs/{id}/cancel',
      tags: ['ingest'],
      summary:
        'Cancel a running ingest job (admins, analysts): it rolls back, keeping nothing it read, and ends failed; 409 once it has ended',
      request: { params: IdParams },
      responses: {
        202: json(JobSchema, 'Cancelling; poll GET /api/jobs/{id} until it has failed'),
        ...problemResponses,
        409: {
          description: 'The job has ended, or runs on another replica',
          content: { 'application/problem+json': { schema: ProblemSchema } },
        },
      },
    }),
    async (c) => c.json(await ingest.cancel(requireActor(c), c.req.valid('param').id), 202),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/jobs',
      tags: ['ingest'],
      summary: 'Upload a file to ingest (admins, analysts); runs in the background',
      request: {
        body: { required: true, content: { 'multipart/form-data': { schema: JobUpload } } },
      },
      responses: { 202: json(JobSchema, 'Accepted; poll GET /api/jobs/{id}'), ...problemResponses },
    }),
    async (c) => {
      const actor = requireActor(c);
      const { kind, file, ...fields } = c.req.valid('form');
      const input = Readable.fromWeb(file.stream() as NodeReadableStream<Uint8Array>);
      // The other fields are attachments (files) or options (words) of some kind, as text; the
      // ingest service sorts them and refuses any the requested kind does not take, before a job
      // is recorded.
      const texts: Record<string, string> = {};
      for (const [name, value] of Object.entries(fields) as [string, File | string | undefined][]) {
        // A plain HTML form sends an empty, unnamed part for a file input left empty, and an empty
        // value for a choice left unmade: neither was asked for (an option then takes its default).
        if (
          value === undefined ||
          value === '' ||
          (value instanceof File && value.size === 0 && !value.name)
        )
          continue;
        texts[name] = typeof value === 'string' ? value : await value.text();
      }
      const { job, finished } = await ingest.upload(actor, {
        kind,
        sourceName: file.name || 'upload',
        input: input as AsyncIterable<Uint8Array>,
        fields: texts,
      });
      logger.info(
        { jobId: job.id, kind: job.kind, sourceName: job.sourceName },
        'ingest job started',
      );
      finished
        .then((j) =>
          logger.info(
            { jobId: j.id, status: j.status, error: j.error ?? undefined },
            'ingest job finished',
          ),
        )
        .catch((error: unknown) =>
          logger.error({ err: error, jobId: job.id }, 'ingest job could not record its end'),
        );
      return c.json(job, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/summary',
      tags: ['data'],
      summary: 'What data is loaded, per capability',
      responses: { 200: json(SummarySchema), ...problemResponses },
    }),
    async (c) => {
      // Each service's lines, counted as the caller may (`Services.summary`).
      return c.json({ items: await deps.services.summary(requireActor(c)) }, 200);
    },
  );
}
