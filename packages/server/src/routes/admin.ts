import { createRoute, z } from '@hono/zod-openapi';
import { MAX_TOKEN_DAYS } from '@interdict/store';
import { clientIp, requireActor } from '../auth/middleware';
import type { App, ModuleDeps } from '../env';
import {
  AuditEventSchema,
  IdParams,
  json,
  jsonBody,
  listOf,
  OrganisationKindSchema,
  pageOptions,
  pageQuery,
  OrganisationSchema,
  problemResponses,
  RoleSchema,
  TokenSchema,
  UserSchema,
} from '../schemas';

const NewOrganisation = z
  .strictObject({ name: z.string().min(1).max(200), kind: OrganisationKindSchema })
  .openapi('NewOrganisation');
const NewUser = z
  .strictObject({
    email: z.string().min(3).max(320),
    name: z.string().min(1).max(200),
    role: RoleSchema,
    password: z.string().min(12).max(1024).optional(),
    organisationId: z.string().optional(),
  })
  .openapi('NewUser');
const CreatedUser = UserSchema.extend({ oneTimePassword: z.string().optional() }).openapi(
  'CreatedUser',
);
const UserChange = z
  .strictObject({
    name: z.string().min(1).max(200).optional(),
    role: RoleSchema.optional(),
    disabled: z.boolean().optional(),
  })
  .openapi('UserChange');
const NewToken = z
  .strictObject({
    name: z.string().min(1).max(200),
    role: RoleSchema.optional(),
    expiresInDays: z.number().int().min(1).max(MAX_TOKEN_DAYS),
  })
  .openapi('NewToken');
const CreatedToken = z
  .object({
    token: TokenSchema,
    secret: z.string().openapi({ description: 'Shown once; store it now' }),
  })
  .openapi('CreatedToken');
const AuditQuery = pageQuery(50);
const TokensQuery = pageQuery(100);
const UsersQuery = pageQuery(100).extend({
  organisationId: z
    .string()
    .optional()
    .openapi({ param: { name: 'organisationId', in: 'query' } }),
});

/**
 * Organisations, users, API tokens and the audit log: each route one call into the platform
 * service (packages/services/src/platform), which checks roles and commits users' and tokens'
 * changes to the ledger.
 */
export function registerAdminRoutes(app: App, deps: ModuleDeps): void {
  const { config } = deps;
  const platform = deps.services.platform;
  const meta = (c: Parameters<typeof clientIp>[0]) => ({ ip: clientIp(c, config) });

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/organisations',
      tags: ['organisations'],
      summary: 'Organisations within reach',
      responses: { 200: json(listOf(OrganisationSchema)), ...problemResponses },
    }),
    async (c) => c.json(await platform.organisations.list(requireActor(c)), 200),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/organisations',
      tags: ['organisations'],
      summary: 'Create an organisation (home organisation admins)',
      request: { body: jsonBody(NewOrganisation) },
      responses: { 201: json(OrganisationSchema, 'Created'), ...problemResponses },
    }),
    async (c) =>
      c.json(
        await platform.organisations.create(requireActor(c), c.req.valid('json'), meta(c)),
        201,
      ),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/organisations/{id}',
      tags: ['organisations'],
      summary: 'One organisation',
      request: { params: IdParams },
      responses: { 200: json(OrganisationSchema), ...problemResponses },
    }),
    async (c) =>
      c.json(await platform.organisations.get(requireActor(c), c.req.valid('param').id), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/users',
      tags: ['users'],
      summary: 'Users (admins), oldest first, in pages',
      request: { query: UsersQuery },
      responses: { 200: json(listOf(UserSchema)), ...problemResponses },
    }),
    async (c) => {
      const query = c.req.valid('query');
      return c.json(
        await platform.users.list(requireActor(c), {
          ...pageOptions(query, 100),
          ...(query.organisationId === undefined ? {} : { organisationId: query.organisationId }),
        }),
        200,
      );
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/users',
      tags: ['users'],
      summary:
        'Create a user (admins); without a password one is generated and shown once. The user and their role are committed to the ledger (record type platform.user)',
      request: { body: jsonBody(NewUser) },
      responses: { 201: json(CreatedUser, 'Created'), ...problemResponses },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const { user, oneTimePassword } = await platform.users.create(
        requireActor(c),
        input,
        meta(c),
      );
      return c.json(oneTimePassword === undefined ? user : { ...user, oneTimePassword }, 201);
    },
  );
  app.openapi(
    createRoute({
      method: 'patch',
      path: '/api/users/{id}',
      tags: ['users'],
      summary:
        'Change a user (admins); a change of role, or disabling or re-enabling, is committed to the ledger with its before and after (platform.user)',
      request: { params: IdParams, body: jsonBody(UserChange) },
      responses: { 200: json(UserSchema), ...problemResponses },
    }),
    async (c) =>
      c.json(
        await platform.users.update(
          requireActor(c),
          c.req.valid('param').id,
          c.req.valid('json'),
          meta(c),
        ),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/tokens',
      tags: ['tokens'],
      summary: 'API tokens (admins: the organisation’s; others: their own), newest first, in pages',
      request: { query: TokensQuery },
      responses: { 200: json(listOf(TokenSchema)), ...problemResponses },
    }),
    async (c) =>
      c.json(
        await platform.tokens.list(requireActor(c), pageOptions(c.req.valid('query'), 100)),
        200,
      ),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/tokens',
      tags: ['tokens'],
      summary:
        'Create an API token; the secret is shown once. The token (never its secret) is committed to the ledger (platform.token)',
      request: { body: jsonBody(NewToken) },
      responses: { 201: json(CreatedToken, 'Created'), ...problemResponses },
    }),
    async (c) =>
      c.json(await platform.tokens.create(requireActor(c), c.req.valid('json'), meta(c)), 201),
  );
  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/tokens/{id}',
      tags: ['tokens'],
      summary: 'Revoke an API token; the revocation is committed to the ledger (platform.token)',
      request: { params: IdParams },
      responses: { 204: { description: 'Revoked' }, ...problemResponses },
    }),
    async (c) => {
      await platform.tokens.revoke(requireActor(c), c.req.valid('param').id, meta(c));
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/audit',
      tags: ['audit'],
      summary: 'Audit events (admins), newest first, in pages',
      request: { query: AuditQuery },
      responses: { 200: json(listOf(AuditEventSchema)), ...problemResponses },
    }),
    async (c) =>
      c.json(
        await platform.audit.list(requireActor(c), pageOptions(c.req.valid('query'), 50)),
        200,
      ),
  );
}
