import type { Kysely } from 'kysely';
import { isInstanceAdmin, isRole, type Actor, type Role } from '../actor';
import type { BusyCache } from '../busy-cache';
import type { Database } from '../database';
import { StoreError } from '../errors';
import { hashPassword, oneTimePassword } from '../secrets';
import { recordAudit } from './audit';
import { isUuid, toUser, type Page, type User } from './model';
import { checkName } from './organisations';
import { afterKeyset, cursorAt, decodeCursor, pageLimit, toPage } from './page';
import { inTransaction, isUniqueViolation } from './tx';

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;
export const MIN_PASSWORD_LENGTH = 12;
/** Users per page when a page is asked for without a size. */
const DEFAULT_PAGE = 100;

export function checkEmail(value: unknown): string {
  if (typeof value !== 'string' || !EMAIL.test(value.trim())) {
    throw new StoreError('INVALID_ARGUMENT', 'email is not a valid address', {
      details: { field: 'email' },
    });
  }
  return value.trim().toLowerCase();
}

export function checkPassword(value: unknown): string {
  if (typeof value !== 'string' || value.length < MIN_PASSWORD_LENGTH || value.length > 1024) {
    throw new StoreError(
      'INVALID_ARGUMENT',
      `password must be ${MIN_PASSWORD_LENGTH}–1024 characters`,
      { details: { field: 'password' } },
    );
  }
  return value;
}

function checkRole(value: unknown): Role {
  if (!isRole(value)) {
    throw new StoreError(
      'INVALID_ARGUMENT',
      'role must be admin, analyst, officer, viewer or partner',
      {
        details: { field: 'role' },
      },
    );
  }
  return value;
}

export interface NewUser {
  email: string;
  name: string;
  role: Role;
  password?: string;
  organisationId?: string;
}

/** A new user, checked and with its password hashed (`UsersRepository.prepare`). */
export interface PreparedUser {
  readonly email: string;
  readonly name: string;
  readonly role: Role;
  readonly organisationId: string;
  readonly passwordHash: string;
  /** The generated password, when none was given: to be shown once. */
  readonly oneTimePassword?: string;
}

/** Users are created in the actor's organisation; only the instance admin reaches the others. */
function assertReachable(actor: Actor, organisationId: string): void {
  if (organisationId !== actor.organisationId && !isInstanceAdmin(actor)) {
    throw new StoreError('NOT_FOUND', `organisation ${organisationId} not found`, {
      details: { field: 'organisationId' },
    });
  }
}

export interface UserChange {
  name?: string;
  role?: Role;
  disabled?: boolean;
}

export class UsersRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly cache: BusyCache,
  ) {}

  /**
   * The users of the actor's organisation; for the instance admin, of every organisation (or of
   * one). Oldest first, in keyset pages of `limit` (at most MAX_PAGE_LIMIT) after `cursor`;
   * without a limit or cursor, every user (the CLI's lookups by email; the API always pages).
   * Who may list users is the platform service's decision.
   */
  async list(
    actor: Actor,
    options: { organisationId?: string; limit?: number; cursor?: string } = {},
  ): Promise<Page<User>> {
    const paged = options.limit !== undefined || options.cursor !== undefined;
    const limit = paged ? pageLimit(options.limit, DEFAULT_PAGE) : undefined;
    let q = this.db
      .selectFrom('users')
      .selectAll()
      .select(cursorAt('created_at').as('cursor_at'))
      .orderBy('created_at')
      .orderBy('id');
    if (!isInstanceAdmin(actor)) q = q.where('organisation_id', '=', actor.organisationId);
    if (options.organisationId !== undefined) {
      if (!isUuid(options.organisationId)) return { items: [] };
      q = q.where('organisation_id', '=', options.organisationId);
    }
    if (options.cursor !== undefined)
      q = q.where(afterKeyset(decodeCursor(options.cursor), 'asc', 'created_at', 'id'));
    if (limit === undefined) return { items: (await q.execute()).map(toUser) };
    return toPage(await q.limit(limit + 1).execute(), limit, toUser);
  }

  /**
   * A user of the actor's organisation, or the actor themself (the instance admin: anyone);
   * NOT_FOUND otherwise, so existence does not leak. `forUpdate` locks the row until the
   * caller's transaction ends, so that what it read is what it changes.
   */
  async get(actor: Actor, id: string, options: { forUpdate?: boolean } = {}): Promise<User> {
    let q = this.db.selectFrom('users').selectAll().where('id', '=', id);
    if (options.forUpdate) q = q.forUpdate();
    const row = isUuid(id) ? await q.executeTakeFirst() : undefined;
    const visible =
      row !== undefined &&
      (row.id === actor.userId ||
        isInstanceAdmin(actor) ||
        row.organisation_id === actor.organisationId);
    if (!visible) throw new StoreError('NOT_FOUND', `user ${id} not found`);
    return toUser(row);
  }

  /**
   * Checks a new user and hashes their password, outside any transaction (scrypt takes about a
   * tenth of a second, which a transaction should not hold). Without a password, a one-time
   * password is generated; it is returned once and only its hash is stored.
   */
  async prepare(actor: Actor, input: NewUser): Promise<PreparedUser> {
    const email = checkEmail(input.email);
    const name = checkName(input.name, 'name');
    const role = checkRole(input.role);
    const organisationId = input.organisationId ?? actor.organisationId;
    const generated = input.password === undefined ? oneTimePassword() : undefined;
    const password = generated ?? checkPassword(input.password);
    assertReachable(actor, organisationId);
    const passwordHash = await hashPassword(password);
    return generated === undefined
      ? { email, name, role, organisationId, passwordHash }
      : { email, name, role, organisationId, passwordHash, oneTimePassword: generated };
  }

  /**
   * Stores a prepared user in the actor's organisation (the instance admin: in any), with its
   * audit event, in one transaction (the caller's, when there is one).
   */
  async insert(
    actor: Actor,
    prepared: PreparedUser,
    meta: { ip?: string | null } = {},
  ): Promise<User> {
    const { email, name, role, organisationId, passwordHash } = prepared;
    assertReachable(actor, organisationId);
    try {
      return await inTransaction(this.db, async (trx) => {
        const org = isUuid(organisationId)
          ? await trx
              .selectFrom('organisations')
              .select('id')
              .where('id', '=', organisationId)
              .executeTakeFirst()
          : undefined;
        if (!org) {
          throw new StoreError('NOT_FOUND', `organisation ${organisationId} not found`, {
            details: { field: 'organisationId' },
          });
        }
        const row = await trx
          .insertInto('users')
          .values({
            id: crypto.randomUUID(),
            organisation_id: organisationId,
            email,
            name,
            role,
            password_hash: passwordHash,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        await recordAudit(trx, {
          action: 'user.create',
          actor,
          organisationId,
          targetType: 'user',
          targetId: row.id,
          ip: meta.ip ?? null,
          details: { email, role },
        });
        return toUser(row);
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new StoreError('CONFLICT', `a user with email ${email} exists`, {
          details: { field: 'email' },
        });
      }
      throw error;
    }
  }

  /** `prepare` then `insert`: a user created in one call. */
  async create(
    actor: Actor,
    input: NewUser,
    meta: { ip?: string | null } = {},
  ): Promise<{ user: User; oneTimePassword?: string }> {
    const prepared = await this.prepare(actor, input);
    const user = await this.insert(actor, prepared, meta);
    return prepared.oneTimePassword === undefined
      ? { user }
      : { user, oneTimePassword: prepared.oneTimePassword };
  }

  /**
   * Changes a user of the actor's organisation (the instance admin: any user), with its audit
   * event. Disabling a user ends their sessions at once. Who may change whom is the platform
   * service's decision.
   */
  async update(
    actor: Actor,
    id: string,
    change: UserChange,
    meta: { ip?: string | null } = {},
  ): Promise<User> {
    const patch: { name?: string; role?: Role; disabled?: boolean } = {};
    if (change.name !== undefined) patch.name = checkName(change.name, 'name');
    if (change.role !== undefined) patch.role = checkRole(change.role);
    if (change.disabled !== undefined) {
      if (typeof change.disabled !== 'boolean') {
        throw new StoreError('INVALID_ARGUMENT', 'disabled must be true or false', {
          details: { field: 'disabled' },
        });
      }
      patch.disabled = change.disabled;
    }
    await this.get(actor, id); // NOT_FOUND outside the actor's reach
    const updated = await inTransaction(this.db, async (trx) => {
      let q = trx
        .updateTable('users')
        .set({ ...patch, updated_at: new Date() })
        .where('id', '=', id);
      if (!isInstanceAdmin(actor)) q = q.where('organisation_id', '=', actor.organisationId);
      const row = await q.returningAll().executeTakeFirst();
      if (!row) throw new StoreError('NOT_FOUND', `user ${id} not found`);
      this.cache.invalidate(id); // cached sessions carry the old role or enabled state
      // A disabled user is signed out everywhere at once (sign-in refuses them from now on).
      const ended =
        patch.disabled === true
          ? Number(
              (await trx.deleteFrom('sessions').where('user_id', '=', id).executeTakeFirst())
                .numDeletedRows,
            )
          : undefined;
      await recordAudit(trx, {
        action: 'user.update',
        actor,
        organisationId: row.organisation_id,
        targetType: 'user',
        targetId: id,
        ip: meta.ip ?? null,
        details: { ...patch, ...(ended === undefined ? {} : { sessionsEnded: ended }) },
      });
      return toUser(row);
    });
    // Again after commit: a request on another connection may have cached the old state meanwhile.
    this.cache.invalidate(id);
    return updated;
  }

  /**
   * Sets the password of a user within reach (see `get`). Returns the generated one-time
   * password when none is given. All of the user's sessions end.
   */
  async setPassword(
    actor: Actor,
    id: string,
    password?: string,
    meta: { ip?: string | null } = {},
  ): Promise<{ oneTimePassword?: string }> {
    const target = await this.get(actor, id);
    const generated = password === undefined ? oneTimePassword() : undefined;
    const hash = await hashPassword(generated ?? checkPassword(password));
    await inTransaction(this.db, async (trx) => {
      await trx
        .updateTable('users')
        .set({ password_hash: hash, updated_at: new Date() })
        .where('id', '=', target.id)
        .execute();
      const ended = await trx
        .deleteFrom('sessions')
        .where('user_id', '=', target.id)
        .executeTakeFirst();
      this.cache.invalidate(target.id);
      await recordAudit(trx, {
        action: 'user.password',
        actor,
        organisationId: target.organisationId,
        targetType: 'user',
        targetId: target.id,
        ip: meta.ip ?? null,
        details: { sessionsEnded: Number(ended.numDeletedRows) },
      });
    });
    this.cache.invalidate(target.id); // and any read meanwhile
    return generated === undefined ? {} : { oneTimePassword: generated };
  }
}
