import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { clearSessionCookie, clientIp, requireActor } from '../auth/middleware';
import type { App, AppEnv, ModuleDeps } from '../env';
import {
  IdParams,
  json,
  listOf,
  pageOptions,
  pageQuery,
  problemResponses,
  SessionInfoSchema,
} from '../schemas';

const SessionsQuery = pageQuery(50);
const Ended = z
  .object({ sessionsEnded: z.number().int().openapi({ description: 'How many sessions ended' }) })
  .openapi('SessionsEnded');

/** The cookie secret of the asking request, when it came with one (never from a token). */
function currentSecret(c: Context<AppEnv>): { currentSecret?: string } {
  const secret = c.get('auth')?.sessionSecret;
  return secret === undefined ? {} : { currentSecret: secret };
}

/**
 * Sessions a user can see and end (OWASP ASVS 4.0 §3.3.4: users can view and log out of any or
 * all of their active sessions). ASVS asks for the password again first; we do not, because
 * ending sessions only ever takes access away (at worst a thief of this session signs the owner
 * out, who signs in again and then ends the thief's). Who may see and end which sessions is the
 * platform service's decision (packages/services/src/platform/sessions.ts): one's own sessions;
 * an admin's, their organisation's users'; the instance admin's, anyone's.
 */
export function registerSessionRoutes(app: App, deps: ModuleDeps): void {
  const { config } = deps;
  const sessions = deps.services.platform.sessions;
  const list = async (
    c: Context<AppEnv>,
    query: { limit?: number | undefined; cursor?: string | undefined },
    userId?: string,
  ) =>
    sessions.list(requireActor(c), {
      ...(userId === undefined ? {} : { userId }),
      ...pageOptions(query, 50),
      ...currentSecret(c),
    });

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/sessions',
      tags: ['sessions'],
      summary: 'Your signed-in sessions, newest first, in pages (the current one flagged)',
      request: { query: SessionsQuery },
      responses: { 200: json(listOf(SessionInfoSchema)), ...problemResponses },
    }),
    async (c) => c.json(await list(c, c.req.valid('query')), 200),
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/sessions/{id}',
      tags: ['sessions'],
      summary:
        "End a session: your own, or (admins) one of your organisation's users'; ending the current one signs you out",
      request: { params: IdParams },
      responses: { 204: { description: 'Ended' }, ...problemResponses },
    }),
    async (c) => {
      const { current } = await sessions.revoke(requireActor(c), c.req.valid('param').id, {
        ip: clientIp(c, config),
        ...currentSecret(c),
      });
      if (current) clearSessionCookie(c);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/sessions/sign-out-others',
      tags: ['sessions'],
      summary: 'Sign out everywhere else: end all your sessions but this one',
      responses: { 200: json(Ended), ...problemResponses },
    }),
    async (c) => {
      const secret = c.get('auth')?.sessionSecret;
      const sessionsEnded = await sessions.revokeOthers(requireActor(c), {
        ip: clientIp(c, config),
        ...(secret === undefined ? {} : { keepSecret: secret }),
      });
      return c.json({ sessionsEnded }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/users/{id}/sessions',
      tags: ['sessions'],
      summary: "A user's sessions (the user; admins for their organisation's users)",
      request: { params: IdParams, query: SessionsQuery },
      responses: { 200: json(listOf(SessionInfoSchema)), ...problemResponses },
    }),
    async (c) => c.json(await list(c, c.req.valid('query'), c.req.valid('param').id), 200),
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/users/{id}/sessions',
      tags: ['sessions'],
      summary: "End every session of a user (the user; admins for their organisation's users)",
      request: { params: IdParams },
      responses: { 200: json(Ended), ...problemResponses },
    }),
    async (c) => {
      const actor = requireActor(c);
      const userId = c.req.valid('param').id;
      const sessionsEnded = await sessions.revokeAllOf(actor, userId, {
        ip: clientIp(c, config),
      });
      if (userId === actor.userId && c.get('auth')?.via === 'session') clearSessionCookie(c);
      return c.json({ sessionsEnded }, 200);
    },
  );
}
