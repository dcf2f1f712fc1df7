import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { isInterdictError } from '@interdict/core';
import type { Services } from '@interdict/services';
import {
  getIngestKind,
  ingestFlagName,
  listIngestKinds,
  type IngestKind,
  type Job,
  type Store,
} from '@interdict/store';
import { CliExit, ExitCode } from '../exit-codes';
import { printJson, printLine, printTable } from '../output';
import { createProgress } from '../progress';
import { operatorActor, withServices } from '../store-from-env';
import type { RegisterCommands } from './index';

/** Flags of the command itself, which a kind's attachment or option cannot take over. */
const OWN_FLAGS = new Set(['list', 'json', 'help']);

/**
 * Every attachment and option some registered kind declares, by name, with the kinds that take
 * it: each becomes one flag of `interdict ingest` (`mapping` → `--mapping <file>`,
 * `onBadRow` → `--on-bad-row <value>`), so a kind that declares a new one needs no CLI change.
 */
function kindFlags(): {
  name: string;
  kinds: string[];
  description: string;
  values?: string[];
  default?: string;
}[] {
  const byName = new Map<string, ReturnType<typeof kindFlags>[number]>();
  for (const k of listIngestKinds()) {
    const entries = [
      ...(k.attachments ?? []).map((a) => ({ name: a.name, description: a.description })),
      ...(k.options ?? []).map((o) => ({
        name: o.name,
        description: o.description,
        values: o.values,
        default: o.default,
      })),
    ];
    for (const entry of entries) {
      if (OWN_FLAGS.has(ingestFlagName(entry.name))) continue;
      const known = byName.get(entry.name);
      if (known) known.kinds.push(k.kind);
      else byName.set(entry.name, { ...entry, kinds: [k.kind] });
    }
  }
  return [...byName.values()];
}

function kindsHelp(): string {
  const kinds = listIngestKinds();
  if (kinds.length === 0) return '\nNo ingest kinds are registered in this build.';
  const lines = kinds.map((k) => {
    const flags = [
      ...(k.attachments ?? []).map((a) => `--${ingestFlagName(a.name)} <file>`),
      ...(k.options ?? []).map(
        (o) => `--${ingestFlagName(o.name)} ${o.values.join('|')} (default ${o.default})`,
      ),
    ];
    return `  ${k.kind.padEnd(18)} ${k.fileHint}${flags.length ? `\n  ${''.padEnd(18)} takes ${flags.join(', ')}` : ''}`;
  });
  return `\nKinds:\n${lines.join('\n')}`;
}

/** Counts the bytes read from the file, so the bar always has a total (the file's size). */
async function* counting(
  input: AsyncIterable<Buffer>,
  onBytes: (n: number) => void,
): AsyncGenerator<Uint8Array> {
  let n = 0;
  for await (const chunk of input) {
    n += chunk.length;
    onBytes(n);
    yield chunk;
  }
}

interface JobChoices {
  /** Attachment texts by name, and the file each came from (for messages). */
  attachments: Record<string, string>;
  attachmentFiles: Record<string, string>;
  options: Record<string, string>;
}

/**
 * Turns the flags given into the kind's attachments and options, before the store is opened:
 * a flag the kind does not take or a value it does not list is a usage error, an attachment file
 * that cannot be read is exit 4, and a bad attachment (e.g. a malformed mapping) is exit 3, each
 * one line naming the file, and nothing is stored.
 */
async function jobChoices(kind: IngestKind, given: Record<string, unknown>): Promise<JobChoices> {
  const takes = [
    ...(kind.attachments ?? []).map((a) => a.name),
    ...(kind.options ?? []).map((o) => o.name),
  ];
  const choices: JobChoices = { attachments: {}, attachmentFiles: {}, options: {} };
  for (const flag of kindFlags()) {
    // Every such flag takes one argument, so commander gives a string or nothing.
    const value = given[flag.name];
    if (typeof value !== 'string') continue;
    if (!takes.includes(flag.name)) {
      throw new CliExit(
        ExitCode.usage,
        `ingest kind ${kind.kind} takes no --${ingestFlagName(flag.name)}${takes.length ? ` (it takes: ${takes.map((t) => `--${ingestFlagName(t)}`).join(', ')})` : ''}`,
      );
    }
    const option = kind.options?.find((o) => o.name === flag.name);
    if (option) {
      if (!option.values.includes(value)) {
        throw new CliExit(
          ExitCode.usage,
          `--${ingestFlagName(option.name)} must be one of ${option.values.join(', ')} (got "${value}")`,
        );
      }
      choices.options[option.name] = value;
      continue;
    }
    const file = value;
    try {
      choices.attachments[flag.name] = await readFile(file, 'utf8');
    } catch {
      throw new CliExit(
        ExitCode.unavailable,
        `cannot read the ${flag.name} file ${file}: no such file or not readable`,
      );
    }
    choices.attachmentFiles[flag.name] = file;
  }
  try {
    kind.checkAttachments?.(choices.attachments);
  } catch (error) {
    throw namingAttachment(error, choices);
  }
  return choices;
}

/** An error about an attachment (its details name it as `file` or `field`), as one line naming the file. */
function namingAttachment(error: unknown, choices: JobChoices): unknown {
  if (!isInterdictError(error)) return error;
  const details = (error.details ?? {}) as { file?: unknown; field?: unknown };
  const name = [details.file, details.field].find(
    (n): n is string => typeof n === 'string' && n in choices.attachmentFiles,
  );
  return name
    ? new CliExit(ExitCode.badInput, `${choices.attachmentFiles[name]}: ${error.message}`)
    : error;
}

interface SkippedProblem {
  line?: unknown;
  field?: unknown;
  reason?: unknown;
}

/**
 * Prints the records a job left out (the `skipped` convention of `IngestKind.run`) to stderr, one
 * line each as `file:line: field: reason`, then a count; returns the summary without the list.
 */
function reportSkipped(file: string, summary: unknown): unknown {
  if (!summary || typeof summary !== 'object' || !('skipped' in summary)) return summary;
  const { skipped, ...rest } = summary as { skipped: unknown } & Record<string, unknown>;
  const listed = Array.isArray(skipped) ? (skipped as SkippedProblem[]) : [];
  for (const p of listed) {
    const field = typeof p.field === 'string' && p.field ? ` ${p.field}:` : '';
    process.stderr.write(`${file}:${String(p.line)}:${field} ${String(p.reason)} (skipped)\n`);
  }
  const rows = typeof rest.skippedRows === 'number' ? rest.skippedRows : listed.length;
  const more = typeof rest.skippedNotListed === 'number' ? rest.skippedNotListed : 0;
  if (rows > 0 || more > 0) {
    process.stderr.write(
      `${file}: skipped ${rows} row(s) with missing or malformed fields${more > 0 ? `; ${more} more problem(s) not listed` : ''}\n`,
    );
  }
  return rest;
}

/**
 * One file, one job, through the ingest service (`services.ingest.run`): what the job puts in
 * force (a list version, a dataset release) is committed to the ledger with the data, as when the
 * API or the demo loader runs it.
 */
async function ingestOne(
  services: Services,
  store: Store,
  kind: string,
  file: string,
  choices: JobChoices,
): Promise<void> {
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new CliExit(ExitCode.badInput, `${file} is not a file`);
    size = info.size;
  } catch (error) {
    if (error instanceof CliExit) throw error;
    throw new CliExit(ExitCode.unavailable, `cannot read ${file}: no such file or not readable`);
  }
  const actor = await operatorActor(store);
  const name = path.basename(file);
  const bar = createProgress(`${kind} ${name}`, size);
  let bytes = 0;
  const run = services.ingest.run(actor, {
    kind,
    sourceName: name,
    input: counting(createReadStream(file) as AsyncIterable<Buffer>, (n) => {
      bytes = n;
    }),
    ...(Object.keys(choices.attachments).length ? { attachments: choices.attachments } : {}),
    ...(Object.keys(choices.options).length ? { options: choices.options } : {}),
  });
  // The bar follows the bytes read; the kind's own count (records) is in the final line.
  const timer = setInterval(() => bar.update(bytes), 200);
  let result: Job;
  try {
    result = (await run).job;
  } catch (error) {
    throw namingAttachment(error, choices);
  } finally {
    clearInterval(timer);
    bar.update(bytes);
    bar.stop();
  }
  if (result.status !== 'succeeded') {
    throw new CliExit(
      ExitCode.badInput,
      `${file}: ${result.error ?? 'ingest failed'} (job ${result.id}; nothing was stored)`,
    );
  }
  const summary = reportSkipped(file, result.summary);
  printLine(
    `${file}: ${kind} job ${result.id} succeeded, ${result.done} done; ${JSON.stringify(summary)}`,
  );
}

export const registerIngest: RegisterCommands = (program: Command) => {
  const command = program
    .command('ingest')
    .description('load data files into the store, one job per file, with a progress bar')
    .argument('[kind]', 'what the files are (see --list)')
    .argument('[files...]', 'files to load, plain or gzip-compressed')
    .option('-l, --list', 'list the ingest kinds this build knows and exit')
    .option('--json', 'with --list: print JSON');
  for (const flag of kindFlags()) {
    const only = `(${flag.kinds.join(', ')} only)`;
    command.option(
      `--${ingestFlagName(flag.name)} ${flag.values ? '<value>' : '<file>'}`,
      flag.values
        ? `${only} ${flag.description} [${flag.values.join('|')}; default ${flag.default}]`
        : `${only} ${flag.description}`,
    );
  }
  command
    .addHelpText('after', () => kindsHelp())
    .action(
      async (
        kind: string | undefined,
        files: string[],
        opts: { list?: boolean; json?: boolean } & Record<string, unknown>,
      ) => {
        if (opts.list) {
          const kinds = listIngestKinds();
          if (opts.json) return printJson(kinds);
          printTable(
            ['KIND', 'FILE', 'DESCRIPTION'],
            kinds.map((k) => [k.kind, k.fileHint, k.description]),
          );
          return;
        }
        if (kind === undefined || files.length === 0) {
          throw new CliExit(
            ExitCode.usage,
            'usage: interdict ingest <kind> <file...>  (or --list)',
          );
        }
        const registered = getIngestKind(kind);
        if (!registered) {
          const known = listIngestKinds().map((k) => k.kind);
          throw new CliExit(
            ExitCode.usage,
            `unknown ingest kind ${kind}${known.length ? ` (known: ${known.join(', ')})` : ''}`,
          );
        }
        // Read and check the attachments once, before the store is opened or any file is loaded.
        const choices = await jobChoices(registered, opts);
        await withServices(async (services, store) => {
          // One job per file, in the order given; the first failure stops the rest.
          for (const file of files) await ingestOne(services, store, kind, file, choices);
        });
      },
    );
};
