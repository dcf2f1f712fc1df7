import type { Role } from '@interdict/store';

// Who may do what in screening (docs/access-control.md). The screening service checks these
// before any work; the store scopes decisions, parties and alerts to the actor's organisation.

/** Watchlists are reference data for the whole instance; partners see shared intelligence only. */
export const SCREENING_READER_ROLES: readonly Role[] = ['admin', 'analyst', 'officer', 'viewer'];
/** Who may confirm or dismiss a hit. */
export const SCREENING_DECIDER_ROLES: readonly Role[] = ['admin', 'analyst', 'officer'];
/**
 * Who may keep parties under watch, set their thresholds and acknowledge their alerts (within
 * their own organisation).
 */
export const SCREENING_MONITOR_ROLES: readonly Role[] = ['admin', 'analyst', 'officer'];
/** Who may read the organisation's monitored parties, alerts and thresholds (viewers read). */
export const SCREENING_MONITOR_READER_ROLES: readonly Role[] = [
  'admin',
  'analyst',
  'officer',
  'viewer',
];
/** Who may set the organisation's default alert threshold. */
export const SCREENING_MONITOR_SETTINGS_ROLES: readonly Role[] = ['admin'];
