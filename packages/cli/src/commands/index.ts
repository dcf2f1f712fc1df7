import type { Command } from 'commander';
import { registerInit } from './init';
import { registerStart } from './start';
import { registerIngest } from './ingest';
import { registerTokens } from './tokens';
import { registerUsers } from './users';
import { registerScreen } from './screen';
import { registerLedger } from './ledger';
import { registerTarget } from './target';

/**
 * Each capability adds its commands in its own file under `commands/` and one line here, so that
 * work on different capabilities never edits the same lines.
 */
export type RegisterCommands = (program: Command) => void;

export const commandRegistrars: RegisterCommands[] = [
  registerStart,
  registerInit,
  registerIngest,
  registerUsers,
  registerTokens,
  registerScreen,
  registerTarget,
  registerLedger,
];
