import type { Kysely } from 'kysely';
import { assertRole, isInstanceAdmin, isRole, type Actor, type Role } from '../actor';
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
   * Admins list their organisation's users; the instance admin lists all (or one organisation's).
   * Oldest first, in keyset pages of `limit` (at most MAX_PAGE_LIMIT) after `cursor`; without a
   * limit or cursor, every user (the CLI's lookups by email; the API always pages).
   */
  async list(
    actor: Actor,
    options: { organisationId?: string; limit?: number; cursor?: string } = {},
  ): Promise<Page<User>> {
    assertRole(actor, 'admin');
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

  /** A user may read themself; admins read their organisation's users; NOT_FOUND otherwise. */
  async get(actor: Actor, id: string): Promise<User> {
    const row = isUuid(id)
      ? await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst()
      : undefined;
    const visible =
      row !== undefined &&
      (row.id === actor.userId ||
        isInstanceAdmin(actor) ||
        (actor.role === 'admin' && row.organisation_id === actor.organisationId));
    if (!visible) throw new StoreError('NOT_FOUND', `user ${id} not found`);
    return toUser(row);
  }

  /**
   * Admins create users in their own organisation; the instance admin in any. Without a
   * password, a one-time password is generated and returned once (only its hash is stored).
   */
  async create(
    actor: Actor,
    input: NewUser,
    meta: { ip?: string | null } = {},
  ): Promise<{ user: User; oneTimePassword?: string }> {
    assertRole(actor, 'admin');
    const email = checkEmail(input.email);
    const name = checkName(input.name, 'name');
    const role = checkRole(input.role);
    const organisationId = input.organisationId ?? actor.organisationId;
    const generated = input.password === undefined ? oneTimePassword() : undefined;
    const password = generated ?? checkPassword(input.password);
    if (organisationId !== actor.organisationId && !isInstanceAdmin(actor)) {
      throw new StoreError('NOT_FOUND', `organisation ${organisationId} not found`, {
        details: { field: 'organisationId' },
      });
    }
    const passwordHash = await hashPassword(password);
    try {
      const user = await inTransaction(this.db, async (trx) => {
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
      return generated === undefined ? { user } : { user, oneTimePassword: generated };
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new StoreError('CONFLICT', `a user with email ${email} exists`, {
          details: { field: 'email' },
        });
      }
      throw error;
    }
  }

  /**
   * Admins change users of their organisation (the instance admin any user). Nobody changes
   * their own role or disables themself, so an instance cannot lose its last admin by accident.
   * Disabling a user ends their sessions at once.
   */
  async update(
    actor: Actor,
    id: string,
    change: UserChange,
    meta: { ip?: string | null } = {},
  ): Promise<User> {
    assertRole(actor, 'admin');
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
    if (id === actor.userId && (patch.role !== undefined || patch.disabled === true)) {
      throw new StoreError('FORBIDDEN', 'you cannot change your own role or disable yourself');
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
   * Set a password: a user for themself, an admin for users within reach. Returns the
   * generated one-time password when none is given. All of the user's sessions end.
   */
  async setPassword(
    actor: Actor,
    id: string,
    password?: string,
    meta: { ip?: string | null } = {},
  ): Promise<{ oneTimePassword?: string }> {
    if (id !== actor.userId) assertRole(actor, 'admin');
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
