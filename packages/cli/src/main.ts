import { Command, CommanderError } from 'commander';
import { isInterdictError, describeError, printable } from '@interdict/core';
import { exitCodeFor as exitCodeForCode } from '@interdict/services';
import { commandRegistrars } from './commands/index';
import { CliExit, ExitCode } from './exit-codes';

/**
 * Map an error to the exit code scripts rely on (see exit-codes.ts and the README): usage 2,
 * malformed input or a value naming nothing 3, store or file unreachable 4, refused 5; the codes
 * of the product's own errors come from the one error table (ERROR_TABLE in packages/services).
 */
export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof CliExit) return error.exitCode;
  if (error instanceof CommanderError) return ExitCode.usage;
  // The one table of error codes, shared with the server's HTTP statuses (packages/services).
  if (isInterdictError(error)) return exitCodeForCode(error.code);
  if (error && typeof error === 'object' && 'code' in error) {
    const code = String(error.code);
    if (
      /^(ENOENT|EACCES|EISDIR|ECONNREFUSED|ECONNRESET|ENOTFOUND|ETIMEDOUT|EADDRINUSE)$/.test(code)
    )
      return ExitCode.unavailable;
  }
  return ExitCode.internal;
}

// One line, with any control character a message may quote from an input file escaped, so an
// error cannot drive the terminal it is printed on (core's printable).
const oneLine = (text: string) => printable(text.trim().replace(/\s*\n\s*/g, ' '));

export function buildProgram(): Command {
  const program = new Command('interdict')
    .description('Interdict: verifiable intelligence sharing, screening, targeting and analytics')
    .version('0.1.0')
    .configureOutput({
      // Usage errors on one line, like every other error the CLI prints.
      outputError: (message, write) =>
        write(`interdict: ${oneLine(message.replace(/^error: /, ''))} (see --help)\n`),
    })
    .exitOverride();
  for (const register of commandRegistrars) register(program);
  return program;
}

export async function runCli(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return ExitCode.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through exitOverride with exit code 0; usage errors are printed by commander.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    const code = exitCodeFor(error);
    process.stderr.write(`interdict: ${oneLine(describeError(error))}\n`);
    if (code === ExitCode.internal && process.env.INTERDICT_DEBUG && error instanceof Error) {
      process.stderr.write(`${error.stack ?? ''}\n`);
    }
    return code;
  }
}

// Run when executed as the `interdict` binary (bin/interdict.js imports this module).
if (process.argv[1] && /interdict(\.js)?$/.test(process.argv[1])) {
  // `interdict … | head` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  const code = await runCli(process.argv.slice(2));
  // Long-running commands (start) never return here; everything else exits with its code.
  process.exitCode = code;
}
