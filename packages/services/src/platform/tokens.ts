import {
  grantableRoles,
  isRole,
  type Actor,
  type ApiToken,
  type AuthenticatedToken,
  type Page,
  type Role,
} from '@interdict/store';
import { ServiceError } from '../errors';
import type { PlatformDeps, RequestMeta } from './deps';
import { decisionMaker, tokenCreatedRecord, tokenRevokedRecord } from './records';

/**
 * Whose tokens an actor reaches: an admin, every token of their organisation; anyone else only
 * the tokens they created (a token of the instance's operator has no user, so none).
 */
function ownerFilter(actor: Actor): { userId?: string | null } {
  return actor.role === 'admin' ? {} : { userId: actor.userId };
}

/**
 * API tokens for machines (`Authorization: Bearer idt_…`). Creating and revoking one are
 * decisions of consequence, committed to the ledger with the change (issue 12 §6): a token
 * minted for a night and revoked in the morning still leaves its trace.
 */
export class TokensService {
  constructor(private readonly deps: PlatformDeps) {}

  /** Admins see their organisation's tokens; everyone else the tokens they created. */
  async list(
    actor: Actor,
    options: { limit?: number; cursor?: string } = {},
  ): Promise<Page<ApiToken>> {
    const owner = ownerFilter(actor);
    if (owner.userId === null) return { items: [] };
    return this.deps.store.tokens.list(actor, { ...options, ...owner });
  }

  /**
   * Mints a token; the secret is returned once. A token never carries more than its creator's
   * role (grantableRoles), and a token cannot mint tokens: a leaked token must not be able to
   * outlive its revocation.
   */
  async create(
    actor: Actor,
    input: { name: string; role?: Role; expiresInDays: number },
    meta: RequestMeta = {},
  ): Promise<{ token: ApiToken; secret: string }> {
    if (actor.tokenId !== undefined) {
      throw new ServiceError('FORBIDDEN', 'API tokens cannot create tokens; sign in instead');
    }
    const role: unknown = input.role ?? actor.role;
    // An unknown role is bad input, which the store names; a known one beyond the creator's is
    // refused here, before anything is written.
    if (isRole(role) && !grantableRoles(actor.role).includes(role)) {
      throw new ServiceError('FORBIDDEN', `a ${actor.role} cannot create a ${role} token`, {
        details: { field: 'role' },
      });
    }
    const { value } = await this.deps.ledger.commit(actor, async (tx, record) => {
      const created = await tx.tokens.create(actor, input, meta);
      await record(tokenCreatedRecord(await decisionMaker(tx, actor), created.token));
      return created;
    });
    return value;
  }

  /**
   * Revokes a token (idempotent): admins any token of their organisation, others their own;
   * NOT_FOUND otherwise. A revocation that changes something is committed to the ledger.
   */
  async revoke(actor: Actor, id: string, meta: RequestMeta = {}): Promise<ApiToken> {
    const owner = ownerFilter(actor);
    const { store, ledger } = this.deps;
    const { value } = await ledger.commit(actor, async (tx, record) => {
      const before = await tx.tokens.get(actor, id, { ...owner, forUpdate: true });
      const after = await tx.tokens.revoke(actor, id, { ...meta, ...owner });
      if (before.revokedAt === null)
        await record(tokenRevokedRecord(await decisionMaker(tx, actor), before, after));
      return after;
    });
    // After the commit: on PostgreSQL a request on another connection may have read the token
    // (not yet revoked) meanwhile; it must not be answered from memory after this returns.
    store.cache.invalidate(id);
    return value;
  }

  /** The actor behind a bearer secret, or undefined when unknown, revoked, expired or orphaned. */
  authenticate(secret: string): Promise<AuthenticatedToken | undefined> {
    return this.deps.store.tokens.authenticate(secret);
  }
}
