import type { Kysely } from 'kysely';
import { isRole, type Actor, type Role } from '../actor';
import { authCacheMs, type BusyCache } from '../busy-cache';
import type { Database } from '../database';
import { StoreError } from '../errors';
import { API_TOKEN_PREFIX, randomSecret, sha256Hex } from '../secrets';
import { recordAudit } from './audit';
import { isUuid, toApiToken, type ApiToken, type Page } from './model';
import { checkName } from './organisations';
import { afterKeyset, cursorAt, decodeCursor, pageLimit, toPage } from './page';
import { inTransaction } from './tx';

export const MAX_TOKEN_DAYS = 366;
/** last_used_at is refreshed at most this often. */
const TOUCH_INTERVAL_MS = 60 * 1000;
/** Stands in for a missing user id in a comparison that must then match nothing. */
const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/**
 * Narrows a token query to the tokens one user created (`userId`; null matches none, as the
 * system actor creates tokens with no user behind them). Without it, the organisation's tokens.
 */
export interface TokenOwnerFilter {
  userId?: string | null;
}

export interface AuthenticatedToken {
  actor: Actor;
  token: ApiToken;
}

export class TokensRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly cache: BusyCache,
  ) {}

  /**
   * The tokens of the actor's organisation (or only those `userId` created). Newest first, in
   * keyset pages of `limit` (at most MAX_PAGE_LIMIT) after `cursor`; without a limit or cursor,
   * every token (the CLI; the API always pages).
   */
  async list(
    actor: Actor,
    options: TokenOwnerFilter & { limit?: number; cursor?: string } = {},
  ): Promise<Page<ApiToken>> {
    const paged = options.limit !== undefined || options.cursor !== undefined;
    const limit = paged ? pageLimit(options.limit, 100) : undefined;
    let q = this.db
      .selectFrom('api_tokens')
      .selectAll()
      .select(cursorAt('created_at').as('cursor_at'))
      .where('organisation_id', '=', actor.organisationId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc');
    if (options.userId !== undefined) q = q.where('user_id', '=', options.userId ?? NIL_UUID);
    if (options.cursor !== undefined)
      q = q.where(afterKeyset(decodeCursor(options.cursor), 'desc', 'created_at', 'id'));
    if (limit === undefined) return { items: (await q.execute()).map(toApiToken) };
    return toPage(await q.limit(limit + 1).execute(), limit, toApiToken);
  }

  /**
   * One token of the actor's organisation (or only one `userId` created); NOT_FOUND otherwise.
   * `forUpdate` locks the row until the caller's transaction ends.
   */
  async get(
    actor: Actor,
    id: string,
    options: TokenOwnerFilter & { forUpdate?: boolean } = {},
  ): Promise<ApiToken> {
    if (!isUuid(id)) throw new StoreError('NOT_FOUND', `token ${id} not found`);
    let q = this.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('id', '=', id)
      .where('organisation_id', '=', actor.organisationId);
    if (options.userId !== undefined) q = q.where('user_id', '=', options.userId ?? NIL_UUID);
    if (options.forUpdate) q = q.forUpdate();
    const row = await q.executeTakeFirst();
    if (!row) throw new StoreError('NOT_FOUND', `token ${id} not found`);
    return toApiToken(row);
  }

  /**
   * Mints a token for machines in the actor's organisation, owned by the actor's user. The secret
   * (`idt_` + 32 random bytes) is returned once and only its SHA-256 is stored. Which roles a
   * creator may grant is the platform service's decision.
   */
  async create(
    actor: Actor,
    input: { name: string; role?: Role; expiresInDays: number },
    meta: { ip?: string | null } = {},
  ): Promise<{ token: ApiToken; secret: string }> {
    const name = checkName(input.name, 'name');
    const role = input.role ?? actor.role;
    if (!isRole(role)) {
      throw new StoreError(
        'INVALID_ARGUMENT',
        'role must be admin, analyst, officer, viewer or partner',
        {
          details: { field: 'role' },
        },
      );
    }
    const days = input.expiresInDays;
    if (!Number.isInteger(days) || days < 1 || days > MAX_TOKEN_DAYS) {
      throw new StoreError(
        'INVALID_ARGUMENT',
        `expiresInDays must be a whole number 1–${MAX_TOKEN_DAYS}`,
        {
          details: { field: 'expiresInDays' },
        },
      );
    }
    const secret = API_TOKEN_PREFIX + randomSecret(32);
    const row = await inTransaction(this.db, async (trx) => {
      const inserted = await trx
        .insertInto('api_tokens')
        .values({
          id: crypto.randomUUID(),
          organisation_id: actor.organisationId,
          user_id: actor.userId,
          name,
          role,
          secret_hash: sha256Hex(secret),
          expires_at: new Date(Date.now() + days * 86_400_000),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordAudit(trx, {
        action: 'token.create',
        actor,
        targetType: 'api_token',
        targetId: inserted.id,
        ip: meta.ip ?? null,
        details: { name, role, expiresInDays: days },
      });
      return inserted;
    });
    return { token: toApiToken(row), secret };
  }

  /**
   * Revokes a token of the actor's organisation (or only one `userId` created); idempotent, and
   * audited only when it changes something.
   */
  async revoke(
    actor: Actor,
    id: string,
    meta: TokenOwnerFilter & { ip?: string | null } = {},
  ): Promise<ApiToken> {
    if (!isUuid(id)) throw new StoreError('NOT_FOUND', `token ${id} not found`);
    const revoked = await inTransaction(this.db, async (trx) => {
      let q = trx
        .selectFrom('api_tokens')
        .selectAll()
        .where('id', '=', id)
        .where('organisation_id', '=', actor.organisationId);
      if (meta.userId !== undefined) q = q.where('user_id', '=', meta.userId ?? NIL_UUID);
      const row = await q.executeTakeFirst();
      if (!row) throw new StoreError('NOT_FOUND', `token ${id} not found`);
      this.cache.invalidate(id);
      if (row.revoked_at !== null) return toApiToken(row);
      const updated = await trx
        .updateTable('api_tokens')
        .set({ revoked_at: new Date() })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordAudit(trx, {
        action: 'token.revoke',
        actor,
        targetType: 'api_token',
        targetId: id,
        ip: meta.ip ?? null,
      });
      return toApiToken(updated);
    });
    // Again after commit: on PostgreSQL a request on another connection may have read the token
    // (not yet revoked) meanwhile; it must not be answered from memory after this returns.
    this.cache.invalidate(id);
    return revoked;
  }

  /** The actor behind a bearer secret, or undefined when unknown, revoked, expired or orphaned. */
  async authenticate(secret: string): Promise<AuthenticatedToken | undefined> {
    if (typeof secret !== 'string' || !secret.startsWith(API_TOKEN_PREFIX) || secret.length > 100) {
      return undefined;
    }
    const cacheKey = `token:${sha256Hex(secret)}`;
    const cached = this.cache.fresh<AuthenticatedToken>(cacheKey, authCacheMs());
    if (cached) return cached;
    const epoch = this.cache.epoch;
    const row = await this.db
      .selectFrom('api_tokens')
      .innerJoin('organisations', 'organisations.id', 'api_tokens.organisation_id')
      .leftJoin('users', 'users.id', 'api_tokens.user_id')
      .selectAll('api_tokens')
      .select(['organisations.is_home as org_is_home', 'users.disabled as user_disabled'])
      .where('api_tokens.secret_hash', '=', sha256Hex(secret))
      .executeTakeFirst();
    if (!row || row.revoked_at !== null || row.user_disabled === true) return undefined;
    const now = Date.now();
    if (new Date(row.expires_at).getTime() <= now) return undefined;
    if (
      row.last_used_at === null ||
      now - new Date(row.last_used_at).getTime() > TOUCH_INTERVAL_MS
    ) {
      await this.db
        .updateTable('api_tokens')
        .set({ last_used_at: new Date(now) })
        .where('id', '=', row.id)
        .execute();
    }
    const token = toApiToken(row);
    const authenticated: AuthenticatedToken = {
      token,
      actor: {
        userId: row.user_id,
        organisationId: row.organisation_id,
        role: token.role,
        tokenId: row.id,
        home: row.org_is_home,
      },
    };
    this.cache.set(
      cacheKey,
      authenticated,
      [row.id, ...(row.user_id ? [row.user_id] : [])],
      new Date(row.expires_at).getTime(),
      epoch,
    );
    return authenticated;
  }
}
