import { createRoute, z } from '@hono/zod-openapi';
import { StoreError } from '@interdict/store';
import { clearSessionCookie, clientIp, setSessionCookie, SESSION_COOKIE } from '../auth/middleware';
import type { RateLimiter } from '../auth/rate-limit';
import type { App, ModuleDeps } from '../env';
import { HttpProblem } from '../problem';
import { json, jsonBody, problemResponses, ProblemSchema, SessionSchema } from '../schemas';
import { getCookie } from 'hono/cookie';
import { requireActor } from '../auth/middleware';

const PasswordChange = z
  .strictObject({
    currentPassword: z.string().max(1024),
    newPassword: z.string().min(12).max(1024),
  })
  .openapi('PasswordChange');

const SignIn = z
  .strictObject({ email: z.string().max(320), password: z.string().max(1024) })
  .openapi('SignIn');

/**
 * Sign-in, sign-out, one's own password and who is signed in: each route one call into the
 * platform service; the sign-in rate limits stay at the edge, where the client's address is.
 */
export function registerAuthRoutes(app: App, deps: ModuleDeps, limiter: RateLimiter): void {
  const { config } = deps;
  const platform = deps.services.platform;
  const ipRule = { limit: config.signInLimitPerIp, windowMs: config.signInWindowMs };
  const accountRule = { limit: config.signInLimitPerAccount, windowMs: config.signInWindowMs };

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/auth/sign-in',
      tags: ['auth'],
      summary: 'Sign in with email and password; sets the session cookie',
      request: { body: jsonBody(SignIn) },
      responses: {
        200: json(SessionSchema),
        ...problemResponses,
        429: {
          description: 'Too many attempts',
          content: { 'application/problem+json': { schema: ProblemSchema } },
        },
      },
    }),
    async (c) => {
      const { email, password } = c.req.valid('json');
      const ip = clientIp(c, config);
      const ipKey = `signin:ip:${ip}`;
      const accountKey = `signin:account:${email.trim().toLowerCase()}`;
      const wait = Math.max(
        await limiter.retryAfter(ipKey, ipRule),
        await limiter.retryAfter(accountKey, accountRule),
      );
      if (wait > 0) {
        await platform.sessions.refuseThrottledSignIn(email, { ip });
        throw new HttpProblem(
          429,
          'RATE_LIMITED',
          `too many sign-in attempts; try again in ${wait} s`,
          {
            'retry-after': String(wait),
          },
        );
      }
      try {
        const signed = await platform.sessions.signIn(email, password, {
          ip,
          userAgent: c.req.header('user-agent') ?? null,
        });
        await limiter.reset(accountKey);
        setSessionCookie(c, config, signed.sessionSecret, signed.expiresAt);
        return c.json(
          { user: signed.user, organisation: signed.organisation, csrfToken: signed.csrfToken },
          200,
        );
      } catch (error) {
        if (error instanceof StoreError && error.code === 'UNAUTHENTICATED') {
          await limiter.hit(ipKey, ipRule);
          await limiter.hit(accountKey, accountRule);
        }
        throw error;
      }
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/auth/sign-out',
      tags: ['auth'],
      summary: 'End the session',
      responses: { 204: { description: 'Signed out' }, ...problemResponses },
    }),
    async (c) => {
      const secret = getCookie(c, SESSION_COOKIE);
      if (secret) await platform.sessions.signOut(secret, { ip: clientIp(c, config) });
      clearSessionCookie(c);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/auth/password',
      tags: ['auth'],
      summary: 'Change your own password (signed in with the console); other sessions end',
      request: { body: jsonBody(PasswordChange) },
      responses: {
        204: { description: 'Changed' },
        ...problemResponses,
        429: {
          description: 'Too many attempts',
          content: { 'application/problem+json': { schema: ProblemSchema } },
        },
      },
    }),
    async (c) => {
      const actor = requireActor(c);
      const auth = c.get('auth');
      if (auth?.via !== 'session' || !auth.sessionSecret || !auth.user) {
        throw new StoreError(
          'FORBIDDEN',
          'sign in with a password to change it; API tokens cannot',
        );
      }
      const { currentPassword, newPassword } = c.req.valid('json');
      const accountKey = `signin:account:${auth.user.email}`;
      const wait = await limiter.retryAfter(accountKey, accountRule);
      if (wait > 0) {
        throw new HttpProblem(
          429,
          'RATE_LIMITED',
          `too many wrong passwords; try again in ${wait} s`,
          {
            'retry-after': String(wait),
          },
        );
      }
      try {
        await platform.sessions.changePassword(auth.sessionSecret, currentPassword, newPassword, {
          ip: clientIp(c, config),
        });
      } catch (error) {
        if (error instanceof StoreError && error.code === 'FORBIDDEN')
          await limiter.hit(accountKey, accountRule);
        throw error;
      }
      c.get('logger').info({ userId: actor.userId }, 'password changed');
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/auth/me',
      tags: ['auth'],
      summary: 'Who is signed in, with the CSRF token for unsafe requests',
      responses: { 200: json(SessionSchema), ...problemResponses },
    }),
    async (c) => {
      const actor = requireActor(c);
      const auth = c.get('auth');
      if (auth?.user && auth.organisation && auth.csrfToken) {
        return c.json(
          { user: auth.user, organisation: auth.organisation, csrfToken: auth.csrfToken },
          200,
        );
      }
      // A bearer token: describe the token's owner (or the organisation for a system token).
      return c.json({ ...(await platform.users.describe(actor)), csrfToken: '' }, 200);
    },
  );
}
