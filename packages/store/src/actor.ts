export const ROLES = ['admin', 'analyst', 'officer', 'viewer', 'partner'] as const;
export type Role = (typeof ROLES)[number];

export const ORGANISATION_KINDS = ['agency', 'hub', 'insurer'] as const;
export type OrganisationKind = (typeof ORGANISATION_KINDS)[number];

/**
 * Who is asking. Repository methods take one and scope their SQL to its organisation, so no
 * edge or service can reach another organisation's rows; which role may do what is checked by
 * the services (packages/services), before any work is done.
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
