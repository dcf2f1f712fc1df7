import { Option, type Command } from 'commander';
import type { Services } from '@interdict/services';
import { ROLES, StoreError, type Actor, type Role, type User } from '@interdict/store';
import { printJson, printLine, printTable, readStdinSecret } from '../output';
import { operatorActor, withServices } from '../store-from-env';
import type { RegisterCommands } from './index';

// The CLI acts as the instance's operator through the platform service, as the API's admins do:
// a user created, a role changed, a user disabled or re-enabled is committed to the ledger
// whichever edge made the change.

/** A user by id or (case-insensitive) email, within what the CLI's operator actor sees. */
async function findUser(services: Services, actor: Actor, ref: string): Promise<User> {
  const { items } = await services.platform.users.list(actor);
  const wanted = ref.toLowerCase();
  const user = items.find((u) => u.id === ref || u.email.toLowerCase() === wanted);
  if (!user) throw new StoreError('NOT_FOUND', `no user ${ref}`, { details: { field: 'user' } });
  return user;
}

const roleOption = () =>
  new Option('-r, --role <role>', 'role of the user').choices(ROLES).makeOptionMandatory();

function printOneTimePassword(email: string, password: string | undefined): void {
  if (password === undefined) return;
  printLine(`one-time password for ${email}: ${password}`);
  process.stderr.write('  (shown once; only its hash is stored)\n');
}

export const registerUsers: RegisterCommands = (program: Command) => {
  const users = program
    .command('users')
    .description('manage the users of this instance (as its operator)')
    .addHelpText(
      'after',
      '\nUsers are named by email or id. Passwords are never taken on the command line: either a\none-time password is generated and printed once, or give one on stdin with --password-stdin.',
    );

  users
    .command('list')
    .description('list every user')
    .option('--json', 'print JSON instead of a table')
    .action(async (opts: { json?: boolean }) => {
      await withServices(async (services, store) => {
        const actor = await operatorActor(store);
        const [{ items }, orgs] = await Promise.all([
          services.platform.users.list(actor),
          services.platform.organisations.list(actor),
        ]);
        if (opts.json) return printJson(items);
        const orgName = new Map(orgs.items.map((o) => [o.id, o.name]));
        printTable(
          ['EMAIL', 'NAME', 'ROLE', 'ORGANISATION', 'STATUS', 'ID'],
          items.map((u) => [
            u.email,
            u.name,
            u.role,
            orgName.get(u.organisationId) ?? u.organisationId,
            u.disabled ? 'disabled' : 'active',
            u.id,
          ]),
        );
      });
    });

  users
    .command('add')
    .description('add a user; prints a one-time password unless --password-stdin is given')
    .argument('<email>', 'email address, used to sign in')
    .requiredOption('-n, --name <name>', 'display name')
    .addOption(roleOption())
    .option('-o, --organisation <id>', 'organisation id (default: the home organisation)')
    .option('--password-stdin', 'read the password from stdin instead of generating one')
    .action(
      async (
        email: string,
        opts: { name: string; role: Role; organisation?: string; passwordStdin?: boolean },
      ) => {
        const password = opts.passwordStdin ? await readStdinSecret() : undefined;
        await withServices(async (services, store) => {
          const actor = await operatorActor(store);
          const { user, oneTimePassword } = await services.platform.users.create(actor, {
            email,
            name: opts.name,
            role: opts.role,
            ...(password !== undefined ? { password } : {}),
            ...(opts.organisation !== undefined ? { organisationId: opts.organisation } : {}),
          });
          printLine(`added ${user.email} (${user.role}) id ${user.id}`);
          printOneTimePassword(user.email, oneTimePassword);
        });
      },
    );

  users
    .command('set-role')
    .description("change a user's role")
    .argument('<user>', 'email or id')
    .argument('<role>', `one of ${ROLES.join(', ')}`)
    .action(async (ref: string, role: string) => {
      if (!(ROLES as readonly string[]).includes(role)) {
        throw new StoreError('INVALID_ARGUMENT', `role must be one of ${ROLES.join(', ')}`);
      }
      await withServices(async (services, store) => {
        const actor = await operatorActor(store);
        const user = await findUser(services, actor, ref);
        const updated = await services.platform.users.update(actor, user.id, {
          role: role as Role,
        });
        printLine(`${updated.email} is now ${updated.role}`);
      });
    });

  for (const [name, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    users
      .command(name)
      .description(
        disabled ? 'disable a user and end their sessions' : 'enable a disabled user again',
      )
      .argument('<user>', 'email or id')
      .action(async (ref: string) => {
        await withServices(async (services, store) => {
          const actor = await operatorActor(store);
          const user = await findUser(services, actor, ref);
          const updated = await services.platform.users.update(actor, user.id, { disabled });
          printLine(`${updated.email} is ${updated.disabled ? 'disabled' : 'enabled'}`);
        });
      });
  }

  users
    .command('reset-password')
    .description("set a new password and end the user's sessions; prints a one-time password")
    .argument('<user>', 'email or id')
    .option('--password-stdin', 'read the new password from stdin instead of generating one')
    .action(async (ref: string, opts: { passwordStdin?: boolean }) => {
      const password = opts.passwordStdin ? await readStdinSecret() : undefined;
      await withServices(async (services, store) => {
        const actor = await operatorActor(store);
        const user = await findUser(services, actor, ref);
        const { oneTimePassword } = await services.platform.users.setPassword(
          actor,
          user.id,
          password,
        );
        printLine(`password of ${user.email} reset`);
        printOneTimePassword(user.email, oneTimePassword);
      });
    });
};
