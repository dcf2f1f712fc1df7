import type { Kysely } from 'kysely';
import { isInstanceAdmin, type Actor, type Role } from '../actor';
import { authCacheMs, type BusyCache } from '../busy-cache';
import type { Database } from '../database';
import { StoreError } from '../errors';
import {
  burnPasswordCheck,
  hashPassword,
  csrfTokenFor,
  randomSecret,
  sha256Hex,
  verifyPassword,
} from '../secrets';
import { recordAudit } from './audit';
import {
  iso,
  isUuid,
  toOrganisation,
  toUser,
  type Organisation,
  type Page,
  type User,
} from './model';
import { afterKeyset, cursorAt, decodeCursor, pageLimit, toPage } from './page';
import { inTransaction } from './tx';
import { checkPassword } from './users';

/** Absolute session lifetime; a new sign-in is needed after it. */
export const SESSION_LIFETIME_MS = 12 * 60 * 60 * 1000;
/** last_seen_at is refreshed at most this often, so reads do not turn into writes. */
const TOUCH_INTERVAL_MS = 60 * 1000;

/** The organisation columns selected beside a user row (aliases `org_*`). */
const ORG_COLUMNS = [
  'organisations.name as org_name',
  'organisations.kind as org_kind',
  'organisations.is_home as org_is_home',
  'organisations.created_at as org_created_at',
] as const;

function joinedOrganisation(row: {
  organisation_id: string;
  org_name: string;
  org_kind: string;
  org_is_home: boolean;
  org_created_at: Date;
}): Organisation {
  return toOrganisation({
    id: row.organisation_id,
    name: row.org_name,
    kind: row.org_kind,
    is_home: row.org_is_home,
    created_at: row.org_created_at,
  });
}

export interface SignedIn {
  /** The cookie value: random 32 bytes, base64url. Only its SHA-256 is stored. */
  sessionSecret: string;
  csrfToken: string;
  expiresAt: Date;
  user: User;
  organisation: Organisation;
}

export interface ResolvedSession {
  actor: Actor;
  user: User;
  organisation: Organisation;
  csrfToken: string;
}

export interface RequestMeta {
  ip?: string | null;
  userAgent?: string | null;
}

/** A session as its user (or their admin) sees it: never the secret, nor its hash. */
export interface SessionInfo {
  id: string;
  userId: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  /** As recorded at sign-in (the proxy's X-Forwarded-For only when the server trusts it). */
  ip: string | null;
  userAgent: string | null;
  /** The session the request came with. */
  current: boolean;
}

/** Stands in for a missing id in a comparison that must then match nothing. */
const NIL_UUID = '00000000-0000-0000-0000-000000000000';

export class AuthRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly cache: BusyCache,
  ) {}

  /**
   * Password sign-in. Every attempt, success or failure, leaves an audit event; a failure says
   * only "wrong email or password" whatever the reason, and costs the same scrypt work.
   */
  async signIn(email: string, password: string, meta: RequestMeta = {}): Promise<SignedIn> {
    const normalised = typeof email === 'string' ? email.trim().toLowerCase() : '';
    const row = await this.db
      .selectFrom('users')
      .innerJoin('organisations', 'organisations.id', 'users.organisation_id')
      .selectAll('users')
      .select(ORG_COLUMNS)
      .where('users.email', '=', normalised)
      .executeTakeFirst();
    let ok = false;
    if (row?.password_hash) ok = await verifyPassword(password, row.password_hash);
    else await burnPasswordCheck(password);
    if (!row || !ok || row.disabled) {
      const reason = !row ? 'unknown_email' : !ok ? 'wrong_password' : 'disabled';
      await recordAudit(this.db, {
        action: 'auth.sign_in',
        outcome: 'failure',
        organisationId: row?.organisation_id ?? null,
        targetType: 'user',
        ...(row ? { targetId: row.id } : {}),
        ip: meta.ip ?? null,
        details: { email: normalised.slice(0, 320), reason },
      });
      throw new StoreError('UNAUTHENTICATED', 'wrong email or password');
    }
    const sessionSecret = randomSecret(32);
    const expiresAt = new Date(Date.now() + SESSION_LIFETIME_MS);
    await inTransaction(this.db, async (trx) => {
      await trx
        .insertInto('sessions')
        .values({
          id: crypto.randomUUID(),
          id_hash: sha256Hex(sessionSecret),
          user_id: row.id,
          expires_at: expiresAt,
          ip: meta.ip ?? null,
          user_agent: meta.userAgent?.slice(0, 500) ?? null,
        })
        .execute();
      await recordAudit(trx, {
        action: 'auth.sign_in',
        organisationId: row.organisation_id,
        actor: { userId: row.id, organisationId: row.organisation_id, role: row.role as Role },
        targetType: 'user',
        targetId: row.id,
        ip: meta.ip ?? null,
      });
    });
    const user = toUser(row);
    const organisation = joinedOrganisation(row);
    const csrfToken = csrfTokenFor(sessionSecret);
    // Remembered for BusyCache: the console's next requests may arrive while an ingest job runs.
    const resolved: ResolvedSession = {
      actor: {
        userId: user.id,
        organisationId: user.organisationId,
        role: user.role,
        home: organisation.home,
      },
      user,
      organisation,
      csrfToken,
    };
    this.cache.set(`session:${sha256Hex(sessionSecret)}`, resolved, [user.id], expiresAt.getTime());
    return { sessionSecret, csrfToken, expiresAt, user, organisation };
  }

  /** The session behind a cookie value, or undefined when unknown, expired or its user disabled. */
  async resolveSession(sessionSecret: string): Promise<ResolvedSession | undefined> {
    if (typeof sessionSecret !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(sessionSecret))
      return undefined;
    const idHash = sha256Hex(sessionSecret);
    const cached = this.cache.fresh<ResolvedSession>(`session:${idHash}`, authCacheMs());
    if (cached) return cached;
    const epoch = this.cache.epoch;
    const row = await this.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .innerJoin('organisations', 'organisations.id', 'users.organisation_id')
      .selectAll('users')
      .select([
        'sessions.expires_at as session_expires_at',
        'sessions.last_seen_at as session_last_seen_at',
      ])
      .select(ORG_COLUMNS)
      .where('sessions.id_hash', '=', idHash)
      .executeTakeFirst();
    if (!row || row.disabled) return undefined;
    const now = Date.now();
    if (new Date(row.session_expires_at).getTime() <= now) return undefined;
    if (now - new Date(row.session_last_seen_at).getTime() > TOUCH_INTERVAL_MS) {
      await this.db
        .updateTable('sessions')
        .set({ last_seen_at: new Date(now) })
        .where('id_hash', '=', idHash)
        .execute();
    }
    const user = toUser(row);
    const resolved: ResolvedSession = {
      actor: {
        userId: user.id,
        organisationId: user.organisationId,
        role: user.role,
        home: row.org_is_home,
      },
      user,
      organisation: joinedOrganisation(row),
      csrfToken: csrfTokenFor(sessionSecret),
    };
    this.cache.set(
      `session:${idHash}`,
      resolved,
      [user.id],
      new Date(row.session_expires_at).getTime(),
      epoch,
    );
    return resolved;
  }

  /**
   * A signed-in user changes their own password (e.g. replaces a one-time password). The current
   * password must be given; every other session of the user ends, the one asking stays.
   */
  async changePassword(
    sessionSecret: string,
    currentPassword: string,
    newPassword: string,
    meta: RequestMeta = {},
  ): Promise<void> {
    const session = await this.resolveSession(sessionSecret);
    if (!session) throw new StoreError('UNAUTHENTICATED', 'sign in first');
    const row = await this.db
      .selectFrom('users')
      .select('password_hash')
      .where('id', '=', session.user.id)
      .executeTakeFirstOrThrow();
    const ok =
      row.password_hash !== null && (await verifyPassword(currentPassword, row.password_hash));
    if (!ok) {
      await recordAudit(this.db, {
        action: 'user.password',
        outcome: 'failure',
        actor: session.actor,
        targetType: 'user',
        targetId: session.user.id,
        ip: meta.ip ?? null,
        details: { reason: 'wrong_password' },
      });
      throw new StoreError('FORBIDDEN', 'the current password is wrong', {
        details: { field: 'currentPassword' },
      });
    }
    const hash = await hashPassword(checkPassword(newPassword));
    const keep = sha256Hex(sessionSecret);
    await inTransaction(this.db, async (trx) => {
      await trx
        .updateTable('users')
        .set({ password_hash: hash, updated_at: new Date() })
        .where('id', '=', session.user.id)
        .execute();
      await trx
        .deleteFrom('sessions')
        .where('user_id', '=', session.user.id)
        .where('id_hash', '<>', keep)
        .execute();
      await recordAudit(trx, {
        action: 'user.password',
        actor: session.actor,
        targetType: 'user',
        targetId: session.user.id,
        ip: meta.ip ?? null,
      });
    });
    this.cache.invalidate(session.user.id);
  }

  /** Ends the session (idempotent) and records it. */
  async signOut(sessionSecret: string, meta: RequestMeta = {}): Promise<void> {
    const resolved = await this.resolveSession(sessionSecret);
    this.cache.delete(`session:${sha256Hex(sessionSecret)}`);
    await inTransaction(this.db, async (trx) => {
      await trx.deleteFrom('sessions').where('id_hash', '=', sha256Hex(sessionSecret)).execute();
      if (resolved) {
        await recordAudit(trx, {
          action: 'auth.sign_out',
          actor: resolved.actor,
          targetType: 'user',
          targetId: resolved.user.id,
          ip: meta.ip ?? null,
        });
      }
    });
    this.cache.delete(`session:${sha256Hex(sessionSecret)}`); // and any read meanwhile
  }

  /**
   * The user whose sessions `actor` asks about, if within reach: themself, a user of their
   * organisation, or (the instance admin) anyone; NOT_FOUND otherwise, so existence does not
   * leak. Whether the actor may ask about someone else is the platform service's decision.
   */
  private async sessionOwner(
    actor: Actor,
    userId: string,
  ): Promise<{ id: string; organisationId: string }> {
    let q = this.db
      .selectFrom('users')
      .select(['id', 'organisation_id'])
      .where('id', '=', isUuid(userId) ? userId : NIL_UUID);
    if (userId !== actor.userId && !isInstanceAdmin(actor))
      q = q.where('organisation_id', '=', actor.organisationId);
    const row = await q.executeTakeFirst();
    if (!row) throw new StoreError('NOT_FOUND', `user ${userId} not found`);
    return { id: row.id, organisationId: row.organisation_id };
  }

  /**
   * Live (unexpired) sessions of `userId` (default: the actor's own), newest first, in keyset
   * pages. `currentSecret` is the cookie of the asking request, to flag that session.
   */
  async listSessions(
    actor: Actor,
    options: { userId?: string; currentSecret?: string; limit?: number; cursor?: string } = {},
  ): Promise<Page<SessionInfo>> {
    const userId = options.userId ?? actor.userId;
    if (userId === null) return { items: [] }; // the system actor and its tokens have no sessions
    const owner = await this.sessionOwner(actor, userId);
    const limit = pageLimit(options.limit, 50);
    const currentHash = options.currentSecret ? sha256Hex(options.currentSecret) : undefined;
    let q = this.db
      .selectFrom('sessions')
      .select([
        'id',
        'id_hash',
        'user_id',
        'created_at',
        'last_seen_at',
        'expires_at',
        'ip',
        'user_agent',
      ])
      .select(cursorAt('created_at').as('cursor_at'))
      .where('user_id', '=', owner.id)
      .where('expires_at', '>', new Date())
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit + 1);
    if (options.cursor !== undefined)
      q = q.where(afterKeyset(decodeCursor(options.cursor), 'desc', 'created_at', 'id'));
    return toPage(await q.execute(), limit, (r) => ({
      id: r.id,
      userId: r.user_id,
      createdAt: iso(r.created_at),
      lastSeenAt: iso(r.last_seen_at),
      expiresAt: iso(r.expires_at),
      ip: r.ip,
      userAgent: r.user_agent,
      current: r.id_hash === currentHash,
    }));
  }

  /**
   * Ends one session of a user of the actor's organisation (the instance admin: anyone's), or
   * only one of `ownerId`'s (null matches none) when given; NOT_FOUND otherwise. Says whether
   * it was `currentSecret`'s.
   */
  async revokeSession(
    actor: Actor,
    sessionId: string,
    meta: RequestMeta & { currentSecret?: string; ownerId?: string | null } = {},
  ): Promise<{ userId: string; current: boolean }> {
    if (!isUuid(sessionId)) throw new StoreError('NOT_FOUND', `session ${sessionId} not found`);
    const ended = await inTransaction(this.db, async (trx) => {
      let q = trx
        .selectFrom('sessions')
        .innerJoin('users', 'users.id', 'sessions.user_id')
        .select(['sessions.id_hash', 'sessions.user_id', 'users.organisation_id'])
        .where('sessions.id', '=', sessionId);
      if (!isInstanceAdmin(actor)) q = q.where('users.organisation_id', '=', actor.organisationId);
      if (meta.ownerId !== undefined)
        q = q.where('sessions.user_id', '=', meta.ownerId ?? NIL_UUID);
      const row = await q.executeTakeFirst();
      if (!row) throw new StoreError('NOT_FOUND', `session ${sessionId} not found`);
      await trx.deleteFrom('sessions').where('id', '=', sessionId).execute();
      await recordAudit(trx, {
        action: 'session.revoke',
        actor,
        organisationId: row.organisation_id,
        targetType: 'user',
        targetId: row.user_id,
        ip: meta.ip ?? null,
        details: { sessionId },
      });
      return row;
    });
    this.cache.delete(`session:${ended.id_hash}`);
    return {
      userId: ended.user_id,
      current: meta.currentSecret !== undefined && ended.id_hash === sha256Hex(meta.currentSecret),
    };
  }

  /**
   * "Sign out everywhere else": ends every session of the actor's user but `keepSecret`'s (a
   * request with an API token keeps none). Returns how many ended.
   */
  async revokeOtherSessions(
    actor: Actor,
    meta: RequestMeta & { keepSecret?: string } = {},
  ): Promise<number> {
    if (actor.userId === null) return 0;
    const userId = actor.userId;
    return this.endSessions(actor, userId, actor.organisationId, 'session.revoke_others', {
      ...meta,
      keepHash: meta.keepSecret ? sha256Hex(meta.keepSecret) : undefined,
    });
  }

  /**
   * Ends every session of a user within reach (see `sessionOwner`), e.g. when an account may
   * be compromised. Returns how many ended.
   */
  async revokeUserSessions(actor: Actor, userId: string, meta: RequestMeta = {}): Promise<number> {
    const owner = await this.sessionOwner(actor, userId);
    return this.endSessions(actor, owner.id, owner.organisationId, 'session.revoke_all', meta);
  }

  private async endSessions(
    actor: Actor,
    userId: string,
    organisationId: string,
    action: string,
    meta: RequestMeta & { keepHash?: string | undefined },
  ): Promise<number> {
    const ended = await inTransaction(this.db, async (trx) => {
      let q = trx.deleteFrom('sessions').where('user_id', '=', userId);
      if (meta.keepHash !== undefined) q = q.where('id_hash', '<>', meta.keepHash);
      const rows = await q.returning('id_hash').execute();
      await recordAudit(trx, {
        action,
        actor,
        organisationId,
        targetType: 'user',
        targetId: userId,
        ip: meta.ip ?? null,
        details: { sessionsEnded: rows.length },
      });
      return rows;
    });
    for (const { id_hash } of ended) this.cache.delete(`session:${id_hash}`);
    return ended.length;
  }

  /** Drops expired sessions; returns how many. */
  async purgeExpiredSessions(): Promise<number> {
    const result = await this.db
      .deleteFrom('sessions')
      .where('expires_at', '<=', new Date())
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
