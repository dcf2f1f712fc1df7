import type { Actor, ApiToken, Role, Store, User } from '@interdict/store';
import type { LedgerRecord } from '../ledger/service';

// The platform's decisions of consequence on the ledger (issue 12 §6: "users' roles changed,
// tokens created or revoked"). An insider who quietly grants themself or an accomplice a role,
// or mints a token and revokes it after use, leaves an audit row their own administrator can
// rewrite; these records are committed in the same transaction as the change and cannot be.
// Bodies name the change (who, what, before and after) and never a secret: a token's secret and
// a user's password are not in them, not even hashed.

/** A user created, their role changed, or disabled or re-enabled. */
export const USER_RECORD_TYPE = 'platform.user';
/** An API token created or revoked. */
export const TOKEN_RECORD_TYPE = 'platform.token';

/** Who made a decision: the user (and their email), or the token they acted through. */
export interface DecisionMaker {
  readonly userId: string | null;
  readonly email: string | null;
  readonly tokenId: string | null;
  readonly organisationId: string;
  readonly role: Role;
}

/**
 * The actor as the record names them, read in the decision's transaction. The CLI's operator
 * has no user (`userId` and `email` null): the record then says the instance's operator acted.
 */
export async function decisionMaker(tx: Store, actor: Actor): Promise<DecisionMaker> {
  const email = actor.userId === null ? null : (await tx.users.get(actor, actor.userId)).email;
  return {
    userId: actor.userId,
    email,
    tokenId: actor.tokenId ?? null,
    organisationId: actor.organisationId,
    role: actor.role,
  };
}

function userFacts(user: User) {
  return { id: user.id, email: user.email, organisationId: user.organisationId };
}

/** A user created, with the role they were given. */
export function userCreatedRecord(by: DecisionMaker, user: User): LedgerRecord {
  return {
    type: USER_RECORD_TYPE,
    body: {
      action: 'created',
      by,
      user: { ...userFacts(user), name: user.name, role: user.role, disabled: user.disabled },
    },
    subject: { type: USER_RECORD_TYPE, id: user.id },
  };
}

/**
 * A user's role changed, or the user disabled or re-enabled (one record for one change, naming
 * each part that changed), or undefined when neither changed (a rename is not a decision of
 * consequence).
 */
export function userChangedRecord(
  by: DecisionMaker,
  before: User,
  after: User,
): LedgerRecord | undefined {
  const changed: ('role' | 'disabled')[] = [];
  if (before.role !== after.role) changed.push('role');
  if (before.disabled !== after.disabled) changed.push('disabled');
  if (changed.length === 0) return undefined;
  return {
    type: USER_RECORD_TYPE,
    body: {
      action: 'changed',
      changed,
      by,
      user: userFacts(after),
      before: { role: before.role, disabled: before.disabled },
      after: { role: after.role, disabled: after.disabled },
    },
    subject: { type: USER_RECORD_TYPE, id: after.id },
  };
}

function tokenFacts(token: ApiToken) {
  return {
    id: token.id,
    name: token.name,
    role: token.role,
    organisationId: token.organisationId,
    /** The user who owns it (null: the instance's operator). */
    ownerId: token.userId,
    expiresAt: token.expiresAt,
  };
}

/** An API token created: its id, name, role, owner and expiry (never its secret). */
export function tokenCreatedRecord(by: DecisionMaker, token: ApiToken): LedgerRecord {
  return {
    type: TOKEN_RECORD_TYPE,
    body: { action: 'created', by, token: tokenFacts(token) },
    subject: { type: TOKEN_RECORD_TYPE, id: token.id },
  };
}

/** An API token revoked (only a revocation that changed something is a decision). */
export function tokenRevokedRecord(
  by: DecisionMaker,
  before: ApiToken,
  after: ApiToken,
): LedgerRecord {
  return {
    type: TOKEN_RECORD_TYPE,
    body: {
      action: 'revoked',
      by,
      token: tokenFacts(after),
      before: { revokedAt: before.revokedAt },
      after: { revokedAt: after.revokedAt },
    },
    subject: { type: TOKEN_RECORD_TYPE, id: after.id },
  };
}
