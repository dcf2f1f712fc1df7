import type { Actor, Role } from '@interdict/store';
import { ServiceError } from './errors';

// Role checks live in the services (issue 12 §2): the store scopes its queries to the actor's
// organisation, the services decide who may do what, before any work is done.

/** Refuses unless the actor has one of `roles`. Returns the actor for chaining. */
export function requireRole(actor: Actor, ...roles: readonly Role[]): Actor {
  if (!roles.includes(actor.role)) {
    throw new ServiceError('FORBIDDEN', `role ${actor.role} may not do this`, {
      details: { role: actor.role, allowed: roles },
    });
  }
  return actor;
}

/** An admin of the home organisation: the instance's operator, who may act across organisations. */
export function isInstanceAdmin(actor: Actor): boolean {
  return actor.role === 'admin' && actor.home === true;
}
