import { z } from '@hono/zod-openapi';
import { MAX_PAGE_LIMIT, ORGANISATION_KINDS, ROLES } from '@interdict/store';

export const RoleSchema = z.enum(ROLES).openapi('Role');
export const OrganisationKindSchema = z.enum(ORGANISATION_KINDS).openapi('OrganisationKind');
const Timestamp = z.string().openapi({ format: 'date-time', example: '2026-01-31T12:00:00.000Z' });
const Id = z.string().openapi({ format: 'uuid' });

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string(),
    code: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem', { description: 'RFC 9457 problem details' });

export const OrganisationSchema = z
  .object({
    id: Id,
    name: z.string(),
    kind: OrganisationKindSchema,
    home: z.boolean(),
    createdAt: Timestamp,
  })
  .openapi('Organisation');

export const UserSchema = z
  .object({
    id: Id,
    email: z.string(),
    name: z.string(),
    role: RoleSchema,
    organisationId: Id,
    disabled: z.boolean(),
    createdAt: Timestamp,
  })
  .openapi('User');

export const SessionSchema = z
  .object({ user: UserSchema, organisation: OrganisationSchema, csrfToken: z.string() })
  .openapi('Session');

export const TokenSchema = z
  .object({
    id: Id,
    name: z.string(),
    role: RoleSchema,
    organisationId: Id,
    userId: Id.nullable(),
    createdAt: Timestamp,
    expiresAt: Timestamp,
    revokedAt: Timestamp.nullable(),
    lastUsedAt: Timestamp.nullable(),
  })
  .openapi('ApiToken');

export const JobSchema = z
  .object({
    id: Id,
    kind: z.string(),
    sourceName: z.string(),
    status: z.enum(['queued', 'running', 'succeeded', 'failed']),
    done: z.number(),
    total: z.number().nullable(),
    error: z.string().nullable(),
    summary: z.unknown(),
    createdAt: Timestamp,
    startedAt: Timestamp.nullable(),
    finishedAt: Timestamp.nullable(),
  })
  .openapi('Job');

export const AuditEventSchema = z
  .object({
    id: Id,
    organisationId: Id.nullable(),
    actorUserId: Id.nullable(),
    actorTokenId: Id.nullable(),
    action: z.string(),
    outcome: z.enum(['success', 'failure']),
    targetType: z.string().nullable(),
    targetId: z.string().nullable(),
    ip: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
    createdAt: Timestamp,
  })
  .openapi('AuditEvent');

export const SessionInfoSchema = z
  .object({
    id: Id,
    userId: Id,
    createdAt: Timestamp,
    lastSeenAt: Timestamp,
    expiresAt: Timestamp,
    ip: z.string().nullable().openapi({ description: 'As recorded at sign-in' }),
    userAgent: z.string().nullable(),
    current: z.boolean().openapi({ description: 'The session this request came with' }),
  })
  .openapi('SessionInfo', {
    description: 'A signed-in session; its secret is never shown (only its hash is stored)',
  });

export const IdParams = z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' } }) });

/**
 * Keyset pagination for a list: `limit` rows (1–MAX_PAGE_LIMIT) after `cursor`, the
 * `nextCursor` of the previous page. Cursors are opaque; a page never repeats or skips rows
 * when others are added meanwhile.
 */
export function pageQuery(defaultLimit: number) {
  return z.object({
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(MAX_PAGE_LIMIT)
      .optional()
      .openapi({
        param: {
          name: 'limit',
          in: 'query',
          description: `Rows per page, 1–${MAX_PAGE_LIMIT} (default ${defaultLimit})`,
        },
        example: defaultLimit,
      }),
    cursor: z
      .string()
      .max(100)
      .optional()
      .openapi({
        param: {
          name: 'cursor',
          in: 'query',
          description: 'The nextCursor of the previous page; absent for the first page',
        },
      }),
  });
}

export function listOf<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    nextCursor: z.string().optional().openapi({
      description: 'Present when more rows follow: pass it as `cursor` for the next page',
    }),
  });
}

/** The page options a route passes to a repository, leaving out what was not asked for. */
export function pageOptions(
  query: { limit?: number | undefined; cursor?: string | undefined },
  defaultLimit: number,
): { limit: number; cursor?: string } {
  return {
    limit: query.limit ?? defaultLimit,
    ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
  };
}

/** Error answers every API route may give, documented once. */
export const problemResponses = {
  400: {
    description: 'Invalid request',
    content: { 'application/problem+json': { schema: ProblemSchema } },
  },
  401: {
    description: 'Not signed in',
    content: { 'application/problem+json': { schema: ProblemSchema } },
  },
  403: {
    description: 'Not allowed (role or CSRF)',
    content: { 'application/problem+json': { schema: ProblemSchema } },
  },
  404: {
    description: 'Not found or not within reach',
    content: { 'application/problem+json': { schema: ProblemSchema } },
  },
  413: {
    description: 'Body too large',
    content: { 'application/problem+json': { schema: ProblemSchema } },
  },
} as const;

export function json<T extends z.ZodType>(schema: T, description = 'OK') {
  return { description, content: { 'application/json': { schema } } };
}

export function jsonBody<T extends z.ZodType>(schema: T) {
  return { required: true, content: { 'application/json': { schema } } };
}
