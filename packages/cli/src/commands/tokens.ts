import { Option, type Command } from 'commander';
import { MAX_TOKEN_DAYS, ROLES, type Role } from '@interdict/store';
import { CliExit, ExitCode } from '../exit-codes';
import { printJson, printLine, printTable } from '../output';
import { operatorActor, withServices } from '../store-from-env';
import type { RegisterCommands } from './index';

function parseDays(value: string): number {
  const days = Number(value);
  if (!Number.isInteger(days) || days < 1 || days > MAX_TOKEN_DAYS) {
    throw new CliExit(
      ExitCode.usage,
      `--expires-in-days must be a whole number from 1 to ${MAX_TOKEN_DAYS}`,
    );
  }
  return days;
}

export const registerTokens: RegisterCommands = (program: Command) => {
  const tokens = program
    .command('tokens')
    .description(
      "manage API tokens of the home organisation (for machines: 'Authorization: Bearer')",
    );

  tokens
    .command('list')
    .description('list tokens, newest first (secrets are never shown again)')
    .option('--json', 'print JSON instead of a table')
    .action(async (opts: { json?: boolean }) => {
      await withServices(async (services, store) => {
        const { items } = await services.platform.tokens.list(await operatorActor(store));
        if (opts.json) return printJson(items);
        const now = Date.now();
        printTable(
          ['ID', 'NAME', 'ROLE', 'STATUS', 'EXPIRES', 'LAST USED'],
          items.map((t) => [
            t.id,
            t.name,
            t.role,
            t.revokedAt ? 'revoked' : Date.parse(t.expiresAt) <= now ? 'expired' : 'active',
            t.expiresAt.slice(0, 10),
            t.lastUsedAt ?? '-',
          ]),
        );
      });
    });

  tokens
    .command('create')
    .description('create a token; its secret is printed once, on stdout')
    .argument('<name>', 'what the token is for, e.g. "nightly screening job"')
    .addOption(
      new Option('-r, --role <role>', 'role the token carries').choices(ROLES).default('viewer'),
    )
    .option('-d, --expires-in-days <days>', `lifetime in days (1-${MAX_TOKEN_DAYS})`, '90')
    .action(async (name: string, opts: { role: Role; expiresInDays: string }) => {
      const expiresInDays = parseDays(opts.expiresInDays);
      // Created and revoked through the platform service: both are committed to the ledger.
      await withServices(async (services, store) => {
        const { token, secret } = await services.platform.tokens.create(
          await operatorActor(store),
          {
            name,
            role: opts.role,
            expiresInDays,
          },
        );
        process.stderr.write(
          `created token ${token.id} (${token.role}, expires ${token.expiresAt.slice(0, 10)}); the secret is shown once:\n`,
        );
        printLine(secret);
      });
    });

  tokens
    .command('revoke')
    .description('revoke a token at once (idempotent)')
    .argument('<id>', 'token id (see tokens list)')
    .action(async (id: string) => {
      await withServices(async (services, store) => {
        const token = await services.platform.tokens.revoke(await operatorActor(store), id);
        printLine(`revoked ${token.id} (${token.name})`);
      });
    });
};
