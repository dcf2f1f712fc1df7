import { hashPassword, oneTimePassword } from './secrets';
import { recordAudit } from './repositories/audit';
import { checkEmail, checkPassword } from './repositories/users';
import type { Store } from './store';

export interface BootstrapOptions {
  organisationName?: string;
  adminEmail?: string;
  /** Taken as the admin's password; when absent a one-time password is generated and returned. */
  adminPassword?: string;
}

export interface BootstrapResult {
  created: boolean;
  email: string;
  /** Only when created here without `adminPassword`: shown once, stored hashed. */
  password?: string;
}

export const DEFAULT_ADMIN_EMAIL = 'admin@interdict.local';

/**
 * On an empty database: the home organisation (kind `hub`) and its first admin, in one
 * transaction. Otherwise nothing changes and `created` is false.
 */
export async function bootstrapStore(
  store: Store,
  options: BootstrapOptions = {},
): Promise<BootstrapResult> {
  const email = checkEmail(options.adminEmail ?? DEFAULT_ADMIN_EMAIL);
  const existing = await store.organisations.home();
  if (existing) return { created: false, email };
  const generated = options.adminPassword === undefined ? oneTimePassword() : undefined;
  const passwordHash = await hashPassword(generated ?? checkPassword(options.adminPassword));
  return store.db.transaction().execute(async (trx) => {
    // Re-check inside the transaction; the unique index on is_home settles any race.
    const again = await trx
      .selectFrom('organisations')
      .select('id')
      .where('is_home', '=', true)
      .executeTakeFirst();
    if (again) return { created: false, email };
    const orgId = crypto.randomUUID();
    const userId = crypto.randomUUID();
    await trx
      .insertInto('organisations')
      .values({
        id: orgId,
        name: options.organisationName ?? 'Home organisation',
        kind: 'hub',
        is_home: true,
      })
      .execute();
    await trx
      .insertInto('users')
      .values({
        id: userId,
        organisation_id: orgId,
        email,
        name: 'Administrator',
        role: 'admin',
        password_hash: passwordHash,
      })
      .execute();
    await recordAudit(trx, {
      action: 'instance.bootstrap',
      organisationId: orgId,
      targetType: 'user',
      targetId: userId,
      details: { email },
    });
    return generated === undefined
      ? { created: true, email }
      : { created: true, email, password: generated };
  });
}
