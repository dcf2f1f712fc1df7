import { Command, CommanderError } from 'commander';
import { isInterdictError, describeError } from '@interdict/core';
import { commandRegistrars } from './commands/index';
import { CliExit, ExitCode } from './exit-codes';

/** Map a domain error code to an exit code: malformed input is 3, anything unreachable 4. */
function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof CliExit) return error.exitCode;
  if (error instanceof CommanderError) return ExitCode.usage;
  if (isInterdictError(error)) {
    const code = error.code;
    if (/NOT_FOUND|UNAVAILABLE|CONNECT/.test(code)) return ExitCode.unavailable;
    if (/DENIED|FORBIDDEN|UNAUTHORI[SZ]ED/.test(code)) return ExitCode.denied;
    if (/VERIFY|MISMATCH_ROOT|INVALID_PROOF|INVALID_SIGNATURE/.test(code))
      return ExitCode.checkFailed;
    return ExitCode.badInput;
  }
  if (error && typeof error === 'object' && 'code' in error) {
    const code = String(error.code);
    if (code === 'ENOENT' || code === 'EACCES' || code === 'ECONNREFUSED')
      return ExitCode.unavailable;
  }
  return ExitCode.internal;
}

export function buildProgram(): Command {
  const program = new Command('interdict')
    .description('Interdict: verifiable intelligence sharing, screening, targeting and analytics')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
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
    process.stderr.write(`interdict: ${describeError(error)}\n`);
    if (code === ExitCode.internal && process.env.INTERDICT_DEBUG && error instanceof Error) {
      process.stderr.write(`${error.stack ?? ''}\n`);
    }
    return code;
  }
}

// Run when executed as the `interdict` binary (bin/interdict.js imports this module).
if (process.argv[1] && /interdict(\.js)?$/.test(process.argv[1])) {
  const code = await runCli(process.argv.slice(2));
  // Long-running commands (start) never return here; everything else exits with its code.
  process.exitCode = code;
}
