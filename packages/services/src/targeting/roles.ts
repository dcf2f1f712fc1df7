import type { Role } from '@interdict/store';

// Who may do what in targeting (issue 6; checked by the targeting service before any work).

/** Who may see declarations, queues, models and rules (partners never see an agency's declarations). */
export const TARGETING_READER_ROLES: readonly Role[] = ['admin', 'analyst', 'officer', 'viewer'];
/** Who may score a day and record inspection results. */
export const TARGETING_INSPECTOR_ROLES: readonly Role[] = ['admin', 'analyst', 'officer'];
/** Who may train models and write rules. */
export const TARGETING_MANAGER_ROLES: readonly Role[] = ['admin', 'analyst'];
/**
 * Who may release a red-lane declaration without inspecting it (issue 12 §6, "a red-lane
 * declaration released by an officer"): the officers who carry out inspections, and admins.
 */
export const TARGETING_RELEASER_ROLES: readonly Role[] = ['admin', 'officer'];
