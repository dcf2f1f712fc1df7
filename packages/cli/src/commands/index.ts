import type { Command } from 'commander';

/**
 * Each capability adds its commands in its own file under `commands/` and one line here, so that
 * work on different capabilities never edits the same lines.
 */
export type RegisterCommands = (program: Command) => void;

export const commandRegistrars: RegisterCommands[] = [];
