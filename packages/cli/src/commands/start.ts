import type { Command } from 'commander';
import { bootstrapInstance, createLogger, startServer } from '@interdict/server';
import { CliExit, ExitCode } from '../exit-codes';
import { openStoreFromEnv, storeLocationFromEnv } from '../store-from-env';
import { adminPasswordFromEnv, announceBootstrap } from './init';
import type { RegisterCommands } from './index';

export const DEFAULT_PORT = 8080;

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new CliExit(
      ExitCode.usage,
      `--port must be a whole number from 0 to 65535, not ${value}`,
    );
  }
  return port;
}

export const registerStart: RegisterCommands = (program: Command) => {
  program
    .command('start')
    .description(
      'start the API and the console (first start: create the admin, load the demo data)',
    )
    .option(
      '-p, --port <port>',
      'port to listen on (env PORT)',
      process.env.PORT ?? String(DEFAULT_PORT),
    )
    .option('-H, --host <host>', 'address to listen on (default: all interfaces)')
    .option('--no-demo-data', 'do not load the bundled demo data on first start')
    .addHelpText(
      'after',
      `
The store is the embedded PGlite in INTERDICT_DATA (default ./.interdict), or PostgreSQL when
DATABASE_URL is set. On an empty store, start creates the home organisation and its admin
(admin@interdict.local) with INTERDICT_ADMIN_PASSWORD, or prints a one-time password once, and
then loads datasets/ as ingest jobs in the background (see the jobs in the console).
Stop with Ctrl-C or SIGTERM: in-flight requests finish, a running demo job is rolled back.`,
    )
    .action(async (opts: { port: string; host?: string; demoData: boolean }) => {
      const port = parsePort(opts.port);
      const logger = createLogger();
      const store = await openStoreFromEnv({ logger });
      try {
        announceBootstrap(await bootstrapInstance(store, adminPasswordFromEnv()));
        const server = await startServer({
          port,
          store,
          logger,
          demoData: opts.demoData,
          ...(opts.host !== undefined ? { host: opts.host } : {}),
        });
        process.stderr.write(
          `Interdict is running at ${server.url} (store: ${store.engine} ${storeLocationFromEnv()}); stop with Ctrl-C\n`,
        );
      } catch (error) {
        await store.close().catch(() => undefined);
        if (error && typeof error === 'object' && 'code' in error && error.code === 'EADDRINUSE') {
          throw new CliExit(ExitCode.unavailable, `port ${port} is already in use: try --port`);
        }
        throw error;
      }
      // The server keeps the process alive; it exits on SIGTERM/SIGINT after draining.
    });
};
