import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { getIngestKind, listIngestKinds, startIngestJob, type Store } from '@interdict/store';
import { CliExit, ExitCode } from '../exit-codes';
import { printJson, printLine, printTable } from '../output';
import { createProgress } from '../progress';
import { operatorActor, withStore } from '../store-from-env';
import type { RegisterCommands } from './index';

function kindsHelp(): string {
  const kinds = listIngestKinds();
  if (kinds.length === 0) return '\nNo ingest kinds are registered in this build.';
  return `\nKinds:\n${kinds.map((k) => `  ${k.kind.padEnd(18)} ${k.fileHint}`).join('\n')}`;
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

async function ingestOne(store: Store, kind: string, file: string): Promise<void> {
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
  const { job, finished } = await startIngestJob(store, actor, {
    kind,
    sourceName: name,
    input: counting(createReadStream(file) as AsyncIterable<Buffer>, (n) => {
      bytes = n;
    }),
  });
  // The bar follows the bytes read; the kind's own count (records) is in the final line.
  const timer = setInterval(() => bar.update(bytes), 200);
  let result;
  try {
    result = await finished;
  } finally {
    clearInterval(timer);
    bar.update(bytes);
    bar.stop();
  }
  if (result.status !== 'succeeded') {
    throw new CliExit(
      ExitCode.badInput,
      `${file}: ${result.error ?? 'ingest failed'} (job ${job.id}; nothing was stored)`,
    );
  }
  printLine(
    `${file}: ${kind} job ${result.id} succeeded, ${result.done} done; ${JSON.stringify(result.summary)}`,
  );
}

export const registerIngest: RegisterCommands = (program: Command) => {
  program
    .command('ingest')
    .description('load data files into the store, one job per file, with a progress bar')
    .argument('[kind]', 'what the files are (see --list)')
    .argument('[files...]', 'files to load, plain or gzip-compressed')
    .option('-l, --list', 'list the ingest kinds this build knows and exit')
    .option('--json', 'with --list: print JSON')
    .addHelpText('after', () => kindsHelp())
    .action(
      async (
        kind: string | undefined,
        files: string[],
        opts: { list?: boolean; json?: boolean },
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
        if (!getIngestKind(kind)) {
          const known = listIngestKinds().map((k) => k.kind);
          throw new CliExit(
            ExitCode.usage,
            `unknown ingest kind ${kind}${known.length ? ` (known: ${known.join(', ')})` : ''}`,
          );
        }
        await withStore(async (store) => {
          // One job per file, in the order given; the first failure stops the rest.
          for (const file of files) await ingestOne(store, kind, file);
        });
      },
    );
};
