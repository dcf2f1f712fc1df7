import { StoreError } from './errors';

export const ROLES = ['admin', 'analyst', 'officer', 'viewer', 'partner'] as const;
export type Role = (typeof ROLES)[number];

export const ORGANISATION_KINDS = ['agency', 'hub', 'insurer'] as const;
export type OrganisationKind = (typeof ORGANISATION_KINDS)[number];

/**
 * Who is asking. Every repository method takes one and scopes its SQL by it, so authorisation
 * holds no matter which edge (HTTP, CLI, a capability's job) calls the store.
 * `userId` is null for the system actor (the CLI acting as the instance's operator).
 */
export interface Actor {
  readonly userId: string | null;
  readonly organisationId: string;
  readonly role: Role;
  readonly tokenId?: string;
  /** True when `organisationId` is the instance's home organisation (set by the store). */
  readonly home?: boolean;
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function isOrganisationKind(value: unknown): value is OrganisationKind {
  return typeof value === 'string' && (ORGANISATION_KINDS as readonly string[]).includes(value);
}

/** Refuses unless the actor has one of `roles`. */
export function assertRole(actor: Actor, ...roles: Role[]): void {
  if (!roles.includes(actor.role)) {
    throw new StoreError('FORBIDDEN', `role ${actor.role} may not do this`, {
      details: { role: actor.role, allowed: roles },
    });
  }
}

/** An admin of the home organisation: the instance's operator, who may act across organisations. */
export function isInstanceAdmin(actor: Actor): boolean {
  return actor.role === 'admin' && actor.home === true;
}

/**
 * Roles a token created by `actor` may carry: never more than the creator's own (no escalation
 * through tokens). Partner is a separate lane: partners only mint partner tokens.
 */
export function grantableRoles(role: Role): Role[] {
  switch (role) {
    case 'admin':
      return ['admin', 'analyst', 'officer', 'viewer', 'partner'];
    case 'analyst':
      return ['analyst', 'viewer'];
    case 'officer':
      return ['officer', 'viewer'];
    case 'viewer':
      return ['viewer'];
    case 'partner':
      return ['partner'];
  }
}
