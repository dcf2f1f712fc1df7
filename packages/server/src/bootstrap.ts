import { bootstrapStore, type BootstrapResult, type Store } from '@interdict/store';

/**
 * First start: on an empty database, the home organisation (kind `hub`) and its admin. The
 * password is `adminPassword` (e.g. from INTERDICT_ADMIN_PASSWORD) or a generated one-time
 * password returned here to be printed once. Later starts change nothing (`created: false`).
 */
export function bootstrapInstance(
  store: Store,
  options: { adminEmail?: string; adminPassword?: string; organisationName?: string } = {},
): Promise<BootstrapResult> {
  return bootstrapStore(store, options);
}
