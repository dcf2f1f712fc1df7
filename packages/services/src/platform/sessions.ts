import type { Actor, Page, ResolvedSession, SessionInfo, SignedIn } from '@interdict/store';
import { requireRole } from '../access';
import type { PlatformDeps, RequestMeta } from './deps';

/**
 * Sign-in, sign-out and the sessions a user can see and end (OWASP ASVS 4.0 §3.3.4: users can
 * view and log out of any or all of their active sessions). One's own sessions; an admin's, also
 * their organisation's users'; the instance admin's, anyone's. Asking about someone else without
 * the right is FORBIDDEN; about someone out of reach, NOT_FOUND (the store's scoping), so that
 * existence does not leak.
 */
export class SessionsService {
  constructor(private readonly deps: PlatformDeps) {}

  /**
   * Password sign-in; every attempt, success or failure, is audited, and a failure says only
   * "wrong email or password" whatever the reason (the store spends the same scrypt work).
   */
  signIn(email: string, password: string, meta: RequestMeta = {}): Promise<SignedIn> {
    return this.deps.store.auth.signIn(email, password, meta);
  }

  /**
   * Records a sign-in refused because too many attempts came from the client or for the account
   * (the edge counts them: see packages/server/src/auth/rate-limit.ts), so that guessing shows in
   * the audit log although no password was checked.
   */
  async refuseThrottledSignIn(email: string, meta: RequestMeta = {}): Promise<void> {
    await this.deps.store.audit.record({
      action: 'auth.sign_in',
      outcome: 'failure',
      ip: meta.ip ?? null,
      details: { email: email.trim().toLowerCase().slice(0, 320), reason: 'rate_limited' },
    });
  }

  /** The session behind a cookie value, or undefined when unknown, expired or its user disabled. */
  resolve(sessionSecret: string): Promise<ResolvedSession | undefined> {
    return this.deps.store.auth.resolveSession(sessionSecret);
  }

  /** Ends the session behind a cookie value (idempotent) and audits it. */
  signOut(sessionSecret: string, meta: RequestMeta = {}): Promise<void> {
    return this.deps.store.auth.signOut(sessionSecret, meta);
  }

  /**
   * A signed-in user changes their own password: the current one must be given (FORBIDDEN
   * otherwise); every other session of the user ends, the one asking stays.
   */
  changePassword(
    sessionSecret: string,
    currentPassword: string,
    newPassword: string,
    meta: RequestMeta = {},
  ): Promise<void> {
    return this.deps.store.auth.changePassword(sessionSecret, currentPassword, newPassword, meta);
  }

  /**
   * Live sessions of `userId` (default: the actor's own), newest first, in keyset pages;
   * `currentSecret` (the asking request's cookie) flags that session. Only admins ask about
   * someone else.
   */
  async list(
    actor: Actor,
    options: { userId?: string; currentSecret?: string; limit?: number; cursor?: string } = {},
  ): Promise<Page<SessionInfo>> {
    if (options.userId !== undefined && options.userId !== actor.userId)
      requireRole(actor, 'admin');
    return this.deps.store.auth.listSessions(actor, options);
  }

  /**
   * Ends one session: one's own, or (admins) one of a user of their organisation, or (the
   * instance admin) anyone's; NOT_FOUND otherwise. Says whether it was `currentSecret`'s.
   */
  revoke(
    actor: Actor,
    sessionId: string,
    meta: RequestMeta & { currentSecret?: string } = {},
  ): Promise<{ userId: string; current: boolean }> {
    return this.deps.store.auth.revokeSession(actor, sessionId, {
      ...meta,
      ...(actor.role === 'admin' ? {} : { ownerId: actor.userId }),
    });
  }

  /** "Sign out everywhere else": ends every session of the actor's user but `keepSecret`'s. */
  revokeOthers(actor: Actor, meta: RequestMeta & { keepSecret?: string } = {}): Promise<number> {
    return this.deps.store.auth.revokeOtherSessions(actor, meta);
  }

  /** Ends every session of a user: oneself, or (admins) a user within reach. How many ended. */
  async revokeAllOf(actor: Actor, userId: string, meta: RequestMeta = {}): Promise<number> {
    if (userId !== actor.userId) requireRole(actor, 'admin');
    return this.deps.store.auth.revokeUserSessions(actor, userId, meta);
  }
}
