import { timingSafeEqual } from 'node:crypto';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Services } from '@interdict/services';
import { StoreError, type Actor, type Role } from '@interdict/store';
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { AppEnv, ServerConfig } from '../env';
import { problem } from '../problem';

export const SESSION_COOKIE = 'interdict_session';
export const CSRF_HEADER = 'X-CSRF-Token';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Signing in needs no CSRF token: there is no session to ride yet (SameSite=Strict covers login CSRF). */
const CSRF_EXEMPT = new Set(['/api/auth/sign-in']);

function sameSecret(given: string | undefined, expected: string): boolean {
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The signed-in actor, or a 401 problem (thrown, answered by the error handler). */
export function requireActor(c: Context<AppEnv>): Actor {
  const auth = c.get('auth');
  if (!auth) throw new StoreError('UNAUTHENTICATED', 'sign in or send an API token');
  return auth.actor;
}

/** The actor if it has one of `roles`, else a 403 problem. */
export function requireRole(c: Context<AppEnv>, ...roles: Role[]): Actor {
  const actor = requireActor(c);
  if (!roles.includes(actor.role)) {
    throw new StoreError('FORBIDDEN', `role ${actor.role} may not do this`, {
      details: { allowed: roles },
    });
  }
  return actor;
}

/** The client's address: the socket's, or X-Forwarded-For's first hop when behind a trusted proxy. */
export function clientIp(c: Context<AppEnv>, config: ServerConfig): string {
  if (config.trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
    if (forwarded) return forwarded;
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown'; // in-process requests (tests) have no socket
  }
}

/** The request reached us over TLS: directly, or through a trusted proxy that says so. */
export function isHttps(c: Context<AppEnv>, config: ServerConfig): boolean {
  if (new URL(c.req.url).protocol === 'https:') return true;
  return config.trustProxy && c.req.header('x-forwarded-proto') === 'https';
}

export function setSessionCookie(
  c: Context<AppEnv>,
  config: ServerConfig,
  secret: string,
  expiresAt: Date,
): void {
  // HttpOnly: scripts cannot read it; SameSite=Strict: browsers never send it on cross-site
  // requests (RFC 6265bis §5.4.7); Secure whenever the request came over https.
  setCookie(c, SESSION_COOKIE, secret, {
    path: '/',
    httpOnly: true,
    sameSite: 'Strict',
    secure: isHttps(c, config),
    expires: expiresAt,
  });
}

export function clearSessionCookie(c: Context<AppEnv>): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/' });
}

/**
 * Finds who is asking: a bearer API token (machines) or the session cookie (the console).
 * A bad bearer token is a 401 at once; a bad cookie just means anonymous. Cookie-authenticated
 * unsafe requests must carry the session's CSRF token in X-CSRF-Token (OWASP CSRF cheat sheet,
 * synchronizer token); bearer requests need none, as browsers never attach them by themselves.
 */
export function authenticate(services: Services): MiddlewareHandler<AppEnv> {
  // Who is asking is the platform service's answer (with the in-process cache of
  // store/busy-cache.ts).
  const { tokens, sessions } = services.platform;
  return async (c, next) => {
    const authorization = c.req.header('authorization');
    if (authorization !== undefined) {
      const m = /^Bearer\s+(\S+)$/i.exec(authorization);
      const found = m?.[1] ? await tokens.authenticate(m[1]) : undefined;
      if (!found) {
        return problem(c, 401, 'UNAUTHENTICATED', 'the API token is unknown, expired or revoked', {
          headers: { 'www-authenticate': 'Bearer' },
        });
      }
      c.set('auth', { actor: found.actor, via: 'token' });
      return next();
    }
    const secret = getCookie(c, SESSION_COOKIE);
    const session = secret ? await sessions.resolve(secret) : undefined;
    if (session && secret) {
      c.set('auth', {
        actor: session.actor,
        via: 'session',
        user: session.user,
        organisation: session.organisation,
        csrfToken: session.csrfToken,
        sessionSecret: secret,
      });
      if (
        UNSAFE.has(c.req.method) &&
        !CSRF_EXEMPT.has(c.req.path) &&
        !sameSecret(c.req.header(CSRF_HEADER), session.csrfToken)
      ) {
        return problem(
          c,
          403,
          'CSRF_FAILED',
          `send the session's CSRF token in the ${CSRF_HEADER} header`,
        );
      }
    } else {
      c.set('auth', undefined);
    }
    return next();
  };
}
