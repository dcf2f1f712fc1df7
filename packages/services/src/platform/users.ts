import type { Actor, NewUser, Organisation, Page, User, UserChange } from '@interdict/store';
import { requireRole } from '../access';
import { ServiceError } from '../errors';
import type { PlatformDeps, RequestMeta } from './deps';
import { decisionMaker, userChangedRecord, userCreatedRecord } from './records';

/**
 * Users of the instance (docs/access-control.md): admins manage their organisation's users, the
 * instance admin everyone's. Creating a user and changing a role or the disabled flag are
 * decisions of consequence, committed to the ledger with the change (issue 12 §6).
 */
export class UsersService {
  constructor(private readonly deps: PlatformDeps) {}

  /** Admins list their organisation's users; the instance admin all (or one organisation's). */
  async list(
    actor: Actor,
    options: { organisationId?: string; limit?: number; cursor?: string } = {},
  ): Promise<Page<User>> {
    requireRole(actor, 'admin');
    return this.deps.store.users.list(actor, options);
  }

  /**
   * A user may read themself; admins read their organisation's users. Anyone else gets
   * NOT_FOUND, as for a user that does not exist, so that existence does not leak.
   */
  async get(actor: Actor, id: string): Promise<User> {
    if (id !== actor.userId && actor.role !== 'admin')
      throw new ServiceError('NOT_FOUND', `user ${id} not found`);
    return this.deps.store.users.get(actor, id);
  }

  /**
   * The user and organisation behind an actor, for `GET /api/auth/me` with an API token: the
   * token's owner with the token's role, or (a token of the instance's operator, who has no
   * user) the token itself standing in for one.
   */
  async describe(actor: Actor): Promise<{ user: User; organisation: Organisation }> {
    const { store } = this.deps;
    const organisation = await store.organisations.get(actor, actor.organisationId);
    const user: User = actor.userId
      ? { ...(await store.users.get(actor, actor.userId)), role: actor.role }
      : {
          id: actor.tokenId ?? '',
          email: '',
          name: 'API token',
          role: actor.role,
          organisationId: actor.organisationId,
          disabled: false,
          createdAt: organisation.createdAt,
        };
    return { user, organisation };
  }

  /**
   * Admins create users in their own organisation; the instance admin in any. Without a
   * password, a one-time password is generated and returned once. The new user and the role
   * they were given are committed to the ledger with the row.
   */
  async create(
    actor: Actor,
    input: NewUser,
    meta: RequestMeta = {},
  ): Promise<{ user: User; oneTimePassword?: string }> {
    requireRole(actor, 'admin');
    // Checked and hashed before the transaction: scrypt should not hold it.
    const prepared = await this.deps.store.users.prepare(actor, input);
    const { value: user } = await this.deps.ledger.commit(actor, async (tx, record) => {
      const created = await tx.users.insert(actor, prepared, meta);
      await record(userCreatedRecord(await decisionMaker(tx, actor), created));
      return created;
    });
    return prepared.oneTimePassword === undefined
      ? { user }
      : { user, oneTimePassword: prepared.oneTimePassword };
  }

  /**
   * Admins change users of their organisation (the instance admin any user). Nobody changes
   * their own role or disables themself, so that an instance cannot lose its last admin by
   * accident and nobody can hide a change of their own role. A change of role or of the
   * disabled flag is committed to the ledger with its before and after; disabling a user ends
   * their sessions at once.
   */
  async update(
    actor: Actor,
    id: string,
    change: UserChange,
    meta: RequestMeta = {},
  ): Promise<User> {
    requireRole(actor, 'admin');
    if (id === actor.userId && (change.role !== undefined || change.disabled === true)) {
      throw new ServiceError('FORBIDDEN', 'you cannot change your own role or disable yourself');
    }
    const { store, ledger } = this.deps;
    const { value: after } = await ledger.commit(actor, async (tx, record) => {
      // Locked, so that the "before" on the ledger is what this change replaced.
      const before = await tx.users.get(actor, id, { forUpdate: true });
      const updated = await tx.users.update(actor, id, change, meta);
      const decision = userChangedRecord(await decisionMaker(tx, actor), before, updated);
      if (decision) await record(decision);
      return updated;
    });
    // After the commit: a request on another connection may have remembered the old role or
    // enabled state while the transaction ran (store/busy-cache.ts).
    store.cache.invalidate(id);
    return after;
  }

  /**
   * Sets a password: a user their own, an admin a user within reach. Returns the generated
   * one-time password when none is given. All of the user's sessions end.
   */
  async setPassword(
    actor: Actor,
    id: string,
    password?: string,
    meta: RequestMeta = {},
  ): Promise<{ oneTimePassword?: string }> {
    if (id !== actor.userId) requireRole(actor, 'admin');
    return this.deps.store.users.setPassword(actor, id, password, meta);
  }
}
