import type { Command } from 'commander';
import type { BootstrapResult } from '@interdict/store';
import { withServices, storeLocationFromEnv } from '../store-from-env';
import type { RegisterCommands } from './index';

/**
 * Tells the operator how to sign in after the first start. The generated password is shown
 * here once and never again (only its hash is stored), so it is framed to stand out in the logs.
 */
export function announceBootstrap(result: BootstrapResult): void {
  if (!result.created) return;
  if (result.password === undefined) {
    process.stderr.write(
      `\nCreated the home organisation and its admin ${result.email} with the password from INTERDICT_ADMIN_PASSWORD.\n\n`,
    );
    return;
  }
  const lines = [
    'First start: created the home organisation and its administrator.',
    `  email:    ${result.email}`,
    `  password: ${result.password}`,
    'This one-time password is shown only now. Sign in and change it, or reset it later with',
    `  interdict users reset-password ${result.email}`,
  ];
  const width = Math.max(...lines.map((l) => l.length));
  const rule = '='.repeat(width);
  process.stderr.write(`\n${rule}\n${lines.join('\n')}\n${rule}\n\n`);
}

/** The admin password to use on first start, if the operator chose one. */
export function adminPasswordFromEnv(): { adminPassword?: string } {
  const p = process.env.INTERDICT_ADMIN_PASSWORD;
  return p ? { adminPassword: p } : {};
}

export const registerInit: RegisterCommands = (program: Command) => {
  program
    .command('init')
    .description(
      'create the store (data folder or database schema) and the first admin, then exit; `start` does this too',
    )
    .action(async () => {
      await withServices(async (services) => {
        const result = await services.platform.bootstrap(adminPasswordFromEnv());
        announceBootstrap(result);
        process.stdout.write(
          result.created
            ? `initialised ${storeLocationFromEnv()}\n`
            : `${storeLocationFromEnv()} is already initialised (admin ${result.email})\n`,
        );
      });
    });
};
