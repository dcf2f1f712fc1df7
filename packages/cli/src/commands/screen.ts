import { closeSync, createReadStream, existsSync, openSync, readSync, statSync } from 'node:fs';
import { open as openFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';
import type { Command } from 'commander';
import { describeError, readCsv } from '@interdict/core';
import { ScreeningWorkerPool, type PooledHit } from '@interdict/services';
import { DEFAULT_DATA_DIR } from '@interdict/store';
import {
  ScreeningIndex,
  parseFollowTheMoney,
  parseOfac,
  parseUnConsolidated,
  scoreNamePair,
  SCHEMAS,
  type Entity,
  type ParsedList,
  type Schema,
  type ScreeningHit,
  type ScreeningQuery,
  type TokenWeigher,
} from '@interdict/screening';
import { CliExit, ExitCode } from '../exit-codes';
import { printJson, printLine } from '../output';
import { createProgress } from '../progress';
import { operatorActor, withServices } from '../store-from-env';
import type { RegisterCommands } from './index';

/**
 * `interdict screen …`: screening against watchlists loaded from files (`--list kind:path`), or
 * from the lists in force in the store, else from the bundled `datasets/watchlists`. Batch
 * screening runs one worker thread per core (`ScreeningWorkerPool` of the screening service, also
 * behind the match API); each worker builds its own index from the entities (plain in-memory
 * data, cheaper to rebuild than to copy).
 */

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../../..');
const DEFAULT_LISTS = [
  `ofac:${path.join(repoRoot, 'datasets/watchlists/ofac-sdn-2024-05-03')}`,
  `un:${path.join(repoRoot, 'datasets/watchlists/un-consolidated-2026-02/UN_consolidated.xml.gz')}`,
];

export const FIXTURE_COLUMNS = [
  'full_name',
  'first_name',
  'middle_name',
  'last_name',
  'gender',
  'date_of_birth',
  'place_of_birth',
  'nationality',
] as const;
const RESULT_COLUMNS = ['top_score', 'top_entity_id', 'top_name', 'list', 'programs'] as const;

/** A file's bytes, gunzipped when it starts with the gzip magic (RFC 1952 §2.3.1). */
export async function* fileChunks(file: string): AsyncGenerator<Uint8Array> {
  const head = Buffer.alloc(2);
  const fd = openSync(file, 'r');
  let n: number;
  try {
    n = readSync(fd, head, 0, 2, 0);
  } finally {
    closeSync(fd);
  }
  const stream = createReadStream(file);
  if (n === 2 && head[0] === 0x1f && head[1] === 0x8b) {
    yield* stream.pipe(createGunzip()) as AsyncIterable<Uint8Array>;
  } else {
    yield* stream as AsyncIterable<Uint8Array>;
  }
}

function findFile(dir: string, base: string): string | undefined {
  for (const name of [base, `${base}.gz`]) {
    const p = path.join(dir, name);
    if (existsSync(p)) return p;
  }
  return undefined;
}

function needFile(file: string): string {
  if (!existsSync(file)) throw new CliExit(ExitCode.unavailable, `list file not found: ${file}`);
  return file;
}

/** Load one list from `kind:path` (kinds: ofac, un, ftm). */
export async function loadListSpec(spec: string): Promise<ParsedList> {
  const colon = spec.indexOf(':');
  const kind = colon > 0 ? spec.slice(0, colon) : '';
  const target = colon > 0 ? spec.slice(colon + 1) : '';
  if (!kind || !target) {
    throw new CliExit(
      ExitCode.usage,
      `--list expects kind:path (ofac:, un: or ftm:), got "${spec}"`,
    );
  }
  switch (kind) {
    case 'ofac': {
      needFile(target);
      if (statSync(target).isDirectory()) {
        const sdn = findFile(target, 'sdn.csv');
        if (!sdn) throw new CliExit(ExitCode.unavailable, `no sdn.csv in ${target}`);
        const alt = findFile(target, 'alt.csv');
        const add = findFile(target, 'add.csv');
        const comments = findFile(target, 'sdn_comments.csv');
        const dated = /(\d{4}-\d{2}-\d{2})/.exec(path.basename(target))?.[1];
        return parseOfac({
          sdn: fileChunks(sdn),
          ...(alt ? { alt: fileChunks(alt) } : {}),
          ...(add ? { add: fileChunks(add) } : {}),
          ...(comments ? { comments: fileChunks(comments) } : {}),
          ...(dated ? { published: dated } : {}),
        });
      }
      const dated = /(\d{4}-\d{2}-\d{2})/.exec(target)?.[1];
      return parseOfac({ sdn: fileChunks(target), ...(dated ? { published: dated } : {}) });
    }
    case 'un':
      return parseUnConsolidated(fileChunks(needFile(target)));
    case 'ftm':
      return parseFollowTheMoney(fileChunks(needFile(target)), {
        source: path.basename(target).replace(/\..*$/, ''),
      });
    default:
      throw new CliExit(ExitCode.usage, `unknown list kind "${kind}" (use ofac, un or ftm)`);
  }
}

/**
 * The list versions in force in the store (INTERDICT_DATA or DATABASE_URL), when it has any.
 * Undefined when there is no store yet, it holds no lists, or it is locked by a running server.
 */
async function storeLists(): Promise<ParsedList[] | undefined> {
  if (!process.env.DATABASE_URL && !existsSync(process.env.INTERDICT_DATA ?? DEFAULT_DATA_DIR)) {
    return undefined;
  }
  try {
    return await withServices(async (services, store) => {
      const lists = await services.screening.listsInForce(await operatorActor(store));
      return lists.length === 0 ? undefined : lists;
    });
  } catch (error) {
    process.stderr.write(`screening: lists not read from the store (${describeError(error)})\n`);
    return undefined;
  }
}

/** The lists named on the command line, else those in the store, else the bundled ones. */
export async function loadLists(specs: readonly string[]): Promise<ParsedList[]> {
  if (specs.length === 0) {
    const stored = await storeLists();
    if (stored) return stored;
  }
  const chosen = specs.length > 0 ? specs : DEFAULT_LISTS;
  if (specs.length === 0 && !chosen.every((s) => existsSync(s.slice(s.indexOf(':') + 1)))) {
    throw new CliExit(
      ExitCode.unavailable,
      'no lists: give --list ofac:DIR_OR_FILE --list un:FILE (the bundled datasets/ are missing)',
    );
  }
  const lists: ParsedList[] = [];
  for (const spec of chosen) lists.push(await loadListSpec(spec));
  return lists;
}

export function indexLists(lists: readonly ParsedList[]): ScreeningIndex {
  const entities: Entity[] = [];
  for (const l of lists) entities.push(...l.entities);
  return ScreeningIndex.build(entities);
}

/** A yente screening-fixture row as a query. */
export function fixtureQuery(fields: Readonly<Record<string, string>>): ScreeningQuery | undefined {
  const full =
    (fields.full_name ?? '').trim() ||
    [fields.first_name, fields.middle_name, fields.last_name]
      .map((x) => (x ?? '').trim())
      .filter(Boolean)
      .join(' ');
  if (!/[\p{L}\p{N}]/u.test(full)) return undefined;
  const gender = (fields.gender ?? '').trim().toLowerCase();
  const dob = (fields.date_of_birth ?? '').trim();
  const nationality = (fields.nationality ?? '').trim();
  return {
    name: full,
    schema: 'Person',
    ...(dob ? { birthDate: dob } : {}),
    ...(nationality ? { nationality } : {}),
    ...(gender === 'male' || gender === 'female' ? { gender } : {}),
  };
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) || /^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function csvLine(values: readonly string[]): string {
  return values.map(csvField).join(',') + '\n';
}

function resultColumns(hit: ScreeningHit | undefined): string[] {
  if (!hit) return ['0', '', '', '', ''];
  return [
    hit.score.toFixed(4),
    hit.entity.id,
    hit.explanation.matchedName,
    hit.entity.list,
    hit.entity.programs.join(';'),
  ];
}

function pooledColumns(hit: PooledHit | undefined): string[] {
  if (!hit) return resultColumns(undefined);
  return [hit.score.toFixed(4), hit.entityId, hit.matchedName, hit.list, hit.programs.join(';')];
}

interface BatchRow {
  readonly line: number;
  readonly fields: Readonly<Record<string, string>>;
}

function screenRows(
  index: ScreeningIndex,
  rows: readonly BatchRow[],
  threshold: number,
): string[][] {
  return rows.map((row) => {
    const query = fixtureQuery(row.fields);
    if (!query) return resultColumns(undefined);
    try {
      return resultColumns(index.search(query, { threshold, limit: 1 })[0]);
    } catch {
      return resultColumns(undefined);
    }
  });
}

/**
 * Screen rows over worker threads (the screening package's pool, shared with the server's match
 * API); results come back in input order. `onReady` fires once every worker has built its index.
 */
export async function screenInWorkers(
  rows: readonly BatchRow[],
  init: { readonly entities: readonly Entity[]; readonly threshold: number },
  threads: number,
  onProgress: (done: number) => void,
  onReady?: () => void,
): Promise<string[][]> {
  const pool = new ScreeningWorkerPool(Math.max(1, threads));
  try {
    const generation = await pool.generationFor('cli', () =>
      Promise.resolve({
        key: 'cli',
        listVersions: [],
        entitiesJson: JSON.stringify(init.entities),
      }),
    );
    onReady?.();
    const { hits } = await pool.search(
      rows.map((row) => fixtureQuery(row.fields) ?? null),
      { threshold: init.threshold, limit: 1 },
      { explain: false, onError: 'empty', chunkSize: 256, onProgress },
      generation,
    );
    return hits.map((h) => pooledColumns(h[0]));
  } finally {
    await pool.close();
  }
}

async function readRows(
  file: string,
  required: readonly string[],
): Promise<{ header: string[]; rows: BatchRow[] }> {
  if (!existsSync(file)) throw new CliExit(ExitCode.unavailable, `input file not found: ${file}`);
  const rows: BatchRow[] = [];
  for await (const row of readCsv(fileChunks(file), { requiredColumns: required })) {
    rows.push({ line: row.line, fields: row.fields });
  }
  const header = rows[0] ? Object.keys(rows[0].fields) : [...required];
  return { header, rows };
}

function parseThreshold(value: string): number {
  const t = Number(value);
  if (!Number.isFinite(t) || t < 0 || t > 1) {
    throw new CliExit(ExitCode.usage, '--threshold must be a number from 0 to 1');
  }
  return t;
}

function parseSchema(value: string | undefined): Schema | undefined {
  if (value === undefined) return undefined;
  const found = SCHEMAS.find((s) => s.toLowerCase() === value.toLowerCase());
  if (!found) throw new CliExit(ExitCode.usage, `--schema must be one of ${SCHEMAS.join(', ')}`);
  return found;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export const registerScreen: RegisterCommands = (program: Command) => {
  const screen = program
    .command('screen')
    .description('screen names against sanctions and narcotics-kingpin lists (OFAC SDN, UN)');

  screen
    .command('query')
    .description('screen one name; prints the hits with their explanations')
    .argument('<name>', 'the name to screen')
    .option('--dob <date>', 'date of birth (YYYY, YYYY-MM or YYYY-MM-DD)')
    .option('--country <country>', 'nationality or country (name or ISO code)')
    .option('--gender <gender>', 'male or female')
    .option('--schema <schema>', `one of ${SCHEMAS.join(', ')}`)
    .option('--id <value>', 'an identifier (IMO, passport, registration number)', collect, [])
    .option(
      '--list <kind:path>',
      'a list to load (repeatable): ofac:DIR_OR_FILE, un:FILE, ftm:FILE',
      collect,
      [],
    )
    .option('--threshold <score>', 'lowest score reported', '0.7')
    .option('--limit <n>', 'most hits reported', '10')
    .option('--json', 'print JSON with full explanations')
    .action(
      async (
        name: string,
        opts: {
          dob?: string;
          country?: string;
          gender?: string;
          schema?: string;
          id: string[];
          list: string[];
          threshold: string;
          limit: string;
          json?: boolean;
        },
      ) => {
        const lists = await loadLists(opts.list);
        const index = indexLists(lists);
        const schema = parseSchema(opts.schema);
        const gender = opts.gender?.toLowerCase();
        const query: ScreeningQuery = {
          name,
          ...(schema ? { schema } : {}),
          ...(opts.dob ? { birthDate: opts.dob } : {}),
          ...(opts.country ? { nationality: opts.country } : {}),
          ...(gender === 'male' || gender === 'female' ? { gender } : {}),
          ...(opts.id.length ? { identifiers: opts.id.map((value) => ({ value })) } : {}),
        };
        const hits = index.search(query, {
          threshold: parseThreshold(opts.threshold),
          limit: Math.max(1, Number(opts.limit) || 10),
        });
        const versions = lists.map((l) => l.version);
        if (opts.json) {
          printJson({ query, listVersions: versions, hits });
          return;
        }
        printLine(
          `lists: ${versions.map((v) => `${v.id} (${v.counts.entities} entities)`).join(', ')}`,
        );
        if (hits.length === 0) printLine('no hits');
        for (const hit of hits) {
          const e = hit.explanation;
          printLine(
            `${hit.score.toFixed(3)}  ${hit.entity.id}  ${hit.entity.schema}  ${e.matchedName}` +
              (e.matchedName !== hit.entity.names[0]?.full
                ? `  (alias of ${hit.entity.names[0]?.full})`
                : '') +
              `  [${hit.entity.programs.join(', ')}]`,
          );
          const aligned = e.name.aligned
            .map((a) => `${a.query}~${a.candidate} ${a.how} ${a.similarity}`)
            .join('; ');
          printLine(`       name ${e.nameScore.toFixed(3)}: ${aligned}`);
          if (e.name.unmatchedQuery.length || e.name.unmatchedCandidate.length) {
            printLine(
              `       unmatched: query [${e.name.unmatchedQuery.join(' ')}] listed [${e.name.unmatchedCandidate.join(' ')}]`,
            );
          }
          for (const a of e.adjustments)
            printLine(`       ${a.feature} ${a.delta > 0 ? '+' : ''}${a.delta}: ${a.detail}`);
        }
      },
    );

  screen
    .command('batch')
    .description(
      'screen a CSV of people (yente fixture columns); adds top_score, top_entity_id, top_name, list, programs',
    )
    .requiredOption(
      '--input <file>',
      'CSV with full_name,first_name,middle_name,last_name,gender,date_of_birth,place_of_birth,nationality',
    )
    .requiredOption('--output <file>', 'where to write the result CSV')
    .option(
      '--list <kind:path>',
      'a list to load (repeatable): ofac:DIR_OR_FILE, un:FILE, ftm:FILE',
      collect,
      [],
    )
    .option('--threshold <score>', 'lowest score reported as a hit', '0.7')
    .option('--threads <n>', 'worker threads (default: one per core)')
    .action(
      async (opts: {
        input: string;
        output: string;
        list: string[];
        threshold: string;
        threads?: string;
      }) => {
        const threshold = parseThreshold(opts.threshold);
        const { header, rows } = await readRows(opts.input, ['full_name']);
        // Load once here so a bad list fails before any worker starts.
        const lists = await loadLists(opts.list);
        const progress = createProgress('screening', rows.length);
        const threads = opts.threads
          ? Math.max(1, Number(opts.threads) || 1)
          : availableParallelism();
        let results: string[][];
        if (rows.length < 2_000 || threads === 1) {
          const index = indexLists(lists);
          results = [];
          for (let i = 0; i < rows.length; i += 500) {
            results.push(...screenRows(index, rows.slice(i, i + 500), threshold));
            progress.update(results.length);
          }
        } else {
          const entities = lists.flatMap((l) => l.entities);
          results = await screenInWorkers(rows, { entities, threshold }, threads, (d) =>
            progress.update(d),
          );
        }
        progress.stop();
        const out = await openFile(opts.output, 'w');
        try {
          let text = csvLine([...header, ...RESULT_COLUMNS]);
          rows.forEach((row, i) => {
            text += csvLine([
              ...header.map((h) => row.fields[h] ?? ''),
              ...(results[i] ?? resultColumns(undefined)),
            ]);
            if (text.length > 1 << 20) {
              void out.write(text);
              text = '';
            }
          });
          await out.write(text);
        } finally {
          await out.close();
        }
        const hits = results.filter((r) => r[1]).length;
        process.stderr.write(
          `${rows.length} rows screened against ${lists.map((l) => l.version.id).join(', ')}; ${hits} with a hit at ${threshold}\n`,
        );
      },
    );

  screen
    .command('pairs')
    .description(
      'score name pairs (name_bench format: case_group,schema,name1,name2,…); adds a score column in [0,1]',
    )
    .requiredOption('--input <file>', 'CSV with at least name1,name2 (and schema)')
    .requiredOption('--output <file>', 'where to write the scored CSV')
    .option(
      '--list <kind:path>',
      'lists whose name statistics weigh rare tokens (repeatable)',
      collect,
      [],
    )
    .option('--no-lists', 'weigh tokens without list statistics')
    .action(async (opts: { input: string; output: string; list: string[]; lists: boolean }) => {
      const { header, rows } = await readRows(opts.input, ['name1', 'name2']);
      let weigher: TokenWeigher | undefined;
      if (opts.lists) weigher = indexLists(await loadLists(opts.list)).weigher;
      const progress = createProgress('scoring', rows.length);
      const outHeader = header.includes('score') ? header : [...header, 'score'];
      let text = csvLine(outHeader);
      rows.forEach((row, i) => {
        let score: number;
        try {
          score = scoreNamePair(row.fields.name1 ?? '', row.fields.name2 ?? '', {
            ...(row.fields.schema ? { schema: row.fields.schema } : {}),
            ...(weigher ? { weigher } : {}),
          }).score;
        } catch {
          score = 0;
        }
        const fields: Record<string, string> = { ...row.fields, score: score.toFixed(4) };
        text += csvLine(outHeader.map((h) => fields[h] ?? ''));
        if (i % 100 === 0) progress.update(i + 1);
      });
      progress.update(rows.length);
      progress.stop();
      const out = await openFile(opts.output, 'w');
      try {
        await out.write(text);
      } finally {
        await out.close();
      }
    });
};

export { DEFAULT_LISTS, RESULT_COLUMNS };
export type { Schema };
