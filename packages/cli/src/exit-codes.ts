/**
 * Exit codes that scripts can rely on (documented in the README and `interdict --help`).
 * Loosely after BSD sysexits(3), kept few so they stay memorable.
 */
export const ExitCode = {
  ok: 0,
  /** A check ran and said no: a proof that does not verify, a screening hit with --fail-on-hit. */
  checkFailed: 1,
  /** Wrong flags or arguments. */
  usage: 2,
  /** An input file or value is malformed; nothing was stored. */
  badInput: 3,
  /** The database, a service or a file could not be reached. */
  unavailable: 4,
  /** Permission or authentication refused. */
  denied: 5,
  /** A bug: please report it. */
  internal: 70,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Raised by commands to end with a specific exit code and a one-line message. */
export class CliExit extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message);
  }
}
