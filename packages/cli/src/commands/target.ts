import {
  closeSync,
  createReadStream,
  openSync,
  readFileSync,
  readSync,
  writeFileSync,
} from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { Command } from 'commander';
import { readCsv } from '@interdict/core';
import {
  TargetingWorkers,
  targetingWorkerSettingsFromEnv,
  watchlistRaiser,
} from '@interdict/services';
import { indexScreener } from '@interdict/services';
import {
  CRITICAL_SOURCE,
  STANDARD_PERCENTS,
  TargetingModel,
  TargetingError,
  collectLaneRaises,
  labelFor,
  parseColumnMapping,
  parseCriticalPolicy,
  parseDeclarations,
  parseRules,
  planInspectionDay,
  precisionRecallAt,
  type ColumnMapping,
  type CriticalPolicy,
  type Declaration,
  type Lane,
  type LaneRaise,
  type SelectionOptions,
  type TargetingRule,
} from '@interdict/targeting';
import { CliExit, ExitCode } from '../exit-codes';
import { printLine, printTable } from '../output';
import { createProgress, type Progress } from '../progress';
import type { RegisterCommands } from './index';
import { indexLists, loadListSpec } from './screen';

/**
 * `interdict target …`: train a targeting model on labelled declarations, score a day's
 * declarations into lanes with reasons, and evaluate Precision@n% / Recall@n% (issue 6).
 *
 * These commands work on files, not on the store: they make the day's plan with the same pure
 * function as the targeting service (planInspectionDay) and run on the same worker threads
 * (TargetingWorkers from packages/services), which each command starts and stops itself. Opening
 * the store would tie a file's scoring to the instance (on the embedded store, refused while the
 * server holds it) for nothing it reads.
 */

async function* chunks(file: string): AsyncGenerator<Uint8Array> {
  const head = Buffer.alloc(2);
  const fd = openSync(file, 'r');
  let n: number;
  try {
    n = readSync(fd, head, 0, 2, 0);
  } finally {
    closeSync(fd);
  }
  const stream = createReadStream(file);
  // gzip magic (RFC 1952 §2.3.1)
  if (n === 2 && head[0] === 0x1f && head[1] === 0x8b)
    yield* stream.pipe(createGunzip()) as AsyncIterable<Uint8Array>;
  else yield* stream as AsyncIterable<Uint8Array>;
}

interface ReadOptions {
  mapping?: string;
  onBadRow: string;
}

async function readDeclarations(
  files: readonly string[],
  options: ReadOptions,
): Promise<Declaration[]> {
  if (options.onBadRow !== 'skip' && options.onBadRow !== 'refuse')
    throw new CliExit(ExitCode.usage, '--on-bad-row must be skip or refuse');
  const mapping: ColumnMapping | undefined = options.mapping
    ? parseColumnMapping(readFileSync(options.mapping, 'utf8'))
    : undefined;
  const all: Declaration[] = [];
  for (const file of files) {
    const progress = createProgress(`reading ${file}`);
    const parsed = await parseDeclarations(readCsv(chunks(file), { relaxColumnCount: true }), {
      ...(mapping ? { mapping } : {}),
      onBadRow: options.onBadRow,
      onProgress: (n) => progress.update(n),
    });
    progress.update(parsed.rowsRead, parsed.rowsRead);
    progress.stop();
    for (const p of parsed.problems.slice(0, 20))
      process.stderr.write(`${file}:${p.line}: ${p.field}: ${p.reason} (skipped)\n`);
    if (parsed.problems.length > 20)
      process.stderr.write(`${file}: … and ${parsed.problems.length - 20} more bad rows skipped\n`);
    all.push(...parsed.declarations);
  }
  return all;
}

function loadModel(file: string): TargetingModel {
  return TargetingModel.parse(readFileSync(file, 'utf8'));
}

function csvCell(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function parseCapacity(text: string): SelectionOptions['capacity'] {
  const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(text.trim());
  if (!m)
    throw new CliExit(
      ExitCode.usage,
      `--capacity must be a percentage (5%) or a count (120): ${text}`,
    );
  return m[2] === '%' ? { percent: Number(m[1]) } : { count: Number(m[1]) };
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/**
 * Watchlist lane raises for `target score --list …`: the lists are loaded as `screen batch`
 * loads them, indexed once, and every distinct party name of the file is screened against them.
 * Without --list, or when the file carries no party names, nothing is raised.
 */
async function watchlistRaisesFor(
  declarations: readonly Declaration[],
  specs: readonly string[],
  policy: { threshold: string; lane: string },
): Promise<LaneRaise[][] | undefined> {
  if (specs.length === 0) return undefined;
  const threshold = Number(policy.threshold);
  const lane = policy.lane as Lane;
  const lists = [];
  for (const spec of specs) lists.push(await loadListSpec(spec));
  const versions = lists.map((l) => l.version.id);
  try {
    const raiser = watchlistRaiser(indexScreener(indexLists(lists), versions), {
      policy: { threshold, lane },
    });
    return await collectLaneRaises(declarations, [raiser]);
  } catch (error) {
    if (error instanceof TargetingError) throw new CliExit(ExitCode.usage, error.message);
    throw error;
  }
}

/**
 * The Critical band's policy from `--critical-top-percent` / `--critical-lane`, with the API's
 * defaults and checks (parseCriticalPolicy: DEFAULT_CRITICAL_POLICY, top percent in (0, 100], a
 * lane). Given without `--critical-model` they would silently do nothing, so they are refused.
 */
function criticalPolicyFor(opts: {
  criticalModel?: string;
  criticalTopPercent?: string;
  criticalLane?: string;
}): CriticalPolicy | undefined {
  if (!opts.criticalModel) {
    if (opts.criticalTopPercent !== undefined || opts.criticalLane !== undefined)
      throw new CliExit(
        ExitCode.usage,
        '--critical-top-percent and --critical-lane need --critical-model',
      );
    return undefined;
  }
  try {
    return parseCriticalPolicy({
      ...(opts.criticalTopPercent !== undefined
        ? { topPercent: Number(opts.criticalTopPercent.trim() || NaN) }
        : {}),
      ...(opts.criticalLane !== undefined ? { lane: opts.criticalLane as Lane } : {}),
    });
  } catch (error) {
    if (error instanceof TargetingError) throw new CliExit(ExitCode.usage, error.message);
    throw error;
  }
}

/** A model file of the objective its flag asks for, or one readable line (exit 3). */
function loadModelOf(file: string, objective: 'fraud' | 'critical', flag: string): TargetingModel {
  const model = loadModel(file);
  if (model.objective !== objective)
    throw new CliExit(
      ExitCode.badInput,
      `${flag} ${file} is a ${model.objective} model; it must be a ${objective} model (target train --objective ${objective})`,
    );
  return model;
}

const fixed = (x: number): string => x.toFixed(3);

export const registerTarget: RegisterCommands = (program: Command) => {
  const target = program
    .command('target')
    .description('targeting: rank declarations for inspection within capacity, with reasons');

  target
    .command('train')
    .description('train a model on labelled declarations (KCS schema or a column mapping)')
    .requiredOption('--input <file>', 'labelled declarations CSV (repeatable)', collect)
    .requiredOption('--model <file>', 'where to write the model (JSON)')
    .option('--objective <objective>', 'fraud or critical', 'fraud')
    .option('--mapping <file>', 'column mapping JSON for other schemas')
    .option('--on-bad-row <mode>', 'skip (report and go on) or refuse', 'skip')
    .option('--no-group-key', 'leave out the (HS, departure, origin, tax rate, tax type) group key')
    .option('--seed <n>', 'random seed', '1')
    .action(
      async (opts: {
        input: string[];
        model: string;
        objective: string;
        mapping?: string;
        onBadRow: string;
        groupKey: boolean;
        seed: string;
      }) => {
        if (opts.objective !== 'fraud' && opts.objective !== 'critical')
          throw new CliExit(ExitCode.usage, '--objective must be fraud or critical');
        const declarations = await readDeclarations(opts.input, opts);
        const seed = Number(opts.seed);
        let progress = createProgress('features');
        let stage = 'features';
        // Bagged members on INTERDICT_TRAIN_WORKERS threads (default: every core).
        const workers = new TargetingWorkers(targetingWorkerSettingsFromEnv());
        let model: TargetingModel;
        try {
          model = await workers.train(declarations, {
            objective: opts.objective,
            features: { groupKey: opts.groupKey, seed },
            gbdt: { seed },
            onProgress: (s, done, total) => {
              if (s !== stage) {
                progress.stop();
                progress = createProgress(s, total);
                stage = s;
              }
              progress.update(done, total);
            },
          });
        } finally {
          await workers.close();
        }
        progress.stop();
        writeFileSync(opts.model, model.serialize());
        const t = model.training;
        printLine(
          `trained a ${t.objective} model on ${t.rows} declarations (${t.positives} positive, ${t.firstDate} to ${t.lastDate}): ` +
            `${t.bestRound} trees (early-stopped on ${t.earlyStoppingRows} declarations from ${t.earlyStoppingFrom ?? '-'}), ` +
            `${model.names.length} features; wrote ${opts.model}` +
            (t.holdoutMetrics[2]
              ? `; on the early-stopping slice (it chose the trees, so optimistic) P@5% ${fixed(t.holdoutMetrics[2].precision)}, R@5% ${fixed(t.holdoutMetrics[2].recall)}`
              : ''),
        );
      },
    );

  target
    .command('score')
    .description('score declarations: Declaration ID,score,lane,reasons')
    .requiredOption('--model <file>', 'model JSON from `target train`')
    .requiredOption('--input <file>', 'declarations CSV')
    .requiredOption('--output <file>', 'scores CSV to write')
    .option('--mapping <file>', 'column mapping JSON for other schemas')
    .option('--on-bad-row <mode>', 'skip (report and go on) or refuse', 'skip')
    .option('--capacity <n>', 'inspection capacity: a percentage (5%) or a count', '5%')
    .option('--random-share <x>', 'share of the capacity drawn at random', '0.1')
    .option('--rules <file>', 'officer rules JSON (a list of rules)')
    .option('--seed <n>', 'seed for the random picks', '1')
    .option(
      '--list <kind:path>',
      'watchlist to screen party names against (ofac:DIR_OR_FILE, un:FILE, ftm:FILE; repeatable)',
      collect,
    )
    .option('--watchlist-threshold <x>', 'match score at which a party hit raises the lane', '0.85')
    .option('--watchlist-lane <lane>', 'lane a watchlist hit raises to', 'red')
    .option(
      '--critical-model <file>',
      'a Critical Fraud model (target train --objective critical) whose top band is raised; adds a critical_score column',
    )
    .option(
      '--critical-top-percent <p>',
      "share of the file's declarations, by critical probability, raised (default 1)",
    )
    .option('--critical-lane <lane>', 'lane the critical band is raised to (default red)')
    .option(
      '--online',
      'let later-dated declarations see earlier ones in the file (and their results)',
    )
    .action(
      async (opts: {
        model: string;
        input: string;
        output: string;
        mapping?: string;
        onBadRow: string;
        capacity: string;
        randomShare: string;
        rules?: string;
        seed: string;
        list?: string[];
        watchlistThreshold: string;
        watchlistLane: string;
        criticalModel?: string;
        criticalTopPercent?: string;
        criticalLane?: string;
        online?: boolean;
      }) => {
        // Everything that can refuse the command is checked before the file is read, and the
        // output is written only at the end: a refused command writes nothing.
        const criticalPolicy = criticalPolicyFor(opts);
        const model = opts.criticalModel
          ? loadModelOf(opts.model, 'fraud', '--model')
          : loadModel(opts.model);
        const criticalModel = opts.criticalModel
          ? loadModelOf(opts.criticalModel, 'critical', '--critical-model')
          : undefined;
        // The scoring threads (INTERDICT_SCORE_WORKERS) start now, while the file is read, and
        // stop once the scores are in, whatever happens.
        const workers = new TargetingWorkers(targetingWorkerSettingsFromEnv());
        let scored: Awaited<ReturnType<TargetingWorkers['scoreDeclarations']>>;
        let criticalScores: Float64Array | undefined;
        let raises: LaneRaise[][] | undefined;
        let rules: TargetingRule[];
        let declarations: Declaration[];
        try {
          workers.scorePool();
          declarations = await readDeclarations([opts.input], opts);
          raises = await watchlistRaisesFor(declarations, opts.list ?? [], {
            threshold: opts.watchlistThreshold,
            lane: opts.watchlistLane,
          });
          rules = opts.rules ? parseRules(JSON.parse(readFileSync(opts.rules, 'utf8'))) : [];
          // A large file's trees are scored on every core while its features are built, to the
          // same scores bit for bit (score-pool.ts).
          const scoreOptions = opts.online ? { online: { labels: true } } : {};
          scored = await workers.scoreDeclarations(model, declarations, scoreOptions);
          // The Critical model scores the same declarations the same way (its own history built
          // from the file, online or not), as the targeting service scores a day with both.
          if (criticalModel)
            criticalScores = (
              await workers.scoreDeclarations(criticalModel, declarations, scoreOptions)
            ).scores;
        } finally {
          await workers.close();
        }
        const { matrix, scores } = scored;
        // The whole file is one day for the capacity (as without a Critical model), so the band
        // is the file's top share, trimmed to the red budget exactly as the store trims a day's:
        // both make the day's plan with planInspectionDay (day-plan.ts). A bad --random-share is
        // refused there (exit 3). The progress bar starts once the selection is made, when the
        // reasons (the slow part) are gathered, so a refused plan shows none.
        let progress: Progress | undefined;
        const plan = planInspectionDay({
          declarations,
          scores,
          capacity: parseCapacity(opts.capacity),
          randomShare: Number(opts.randomShare),
          seed: Number(opts.seed),
          rules,
          raises,
          critical:
            criticalScores && criticalPolicy
              ? { scores: criticalScores, policy: criticalPolicy }
              : undefined,
          // Exact TreeSHAP reasons for every declaration not released outright.
          modelReasons: (i) => model.reasons(matrix, i).map((r) => r.text),
          onProgress: (done, total) => {
            progress ??= createProgress('explaining', total);
            progress.update(done);
          },
        });
        progress?.stop();
        const picked = plan.declarations;
        // The default format stays exactly as it was; critical_score is appended only when a
        // Critical model scored the file.
        const lines = [
          criticalScores
            ? 'Declaration ID,score,lane,reasons,critical_score'
            : 'Declaration ID,score,lane,reasons',
        ];
        for (const p of picked) {
          const cells = [csvCell(p.id), p.score.toFixed(6), p.lane, csvCell(p.reasons.join('; '))];
          if (p.criticalScore !== null) cells.push(p.criticalScore.toFixed(6));
          lines.push(cells.join(','));
        }
        writeFileSync(opts.output, lines.join('\n') + '\n');
        const { lanes, criticalRaised } = plan;
        const raised = picked.filter((p) =>
          p.raises.some((r) => r.source !== CRITICAL_SOURCE),
        ).length;
        printLine(
          `scored ${picked.length} declarations with a ${model.objective} model: red ${lanes.red}, yellow ${lanes.yellow}, blue ${lanes.blue}, green ${lanes.green}` +
            (raises ? `; ${raised} raised by watchlist hits` : '') +
            (criticalModel
              ? `; ${criticalRaised} raised to ${criticalPolicy?.lane} by the Critical model's top ${criticalPolicy?.topPercent} %`
              : '') +
            `; wrote ${opts.output}`,
        );
      },
    );

  target
    .command('evaluate')
    .description('Precision@n% and Recall@n% (n = 1, 2, 5, 10) for Fraud and Critical Fraud')
    .requiredOption('--model <file>', 'model JSON (ranks for both labels unless --critical-model)')
    .option(
      '--critical-model <file>',
      'a Critical Fraud model to rank for the Critical Fraud figures',
    )
    .requiredOption('--input <file>', 'labelled declarations CSV')
    .option('--mapping <file>', 'column mapping JSON for other schemas')
    .option('--on-bad-row <mode>', 'skip (report and go on) or refuse', 'skip')
    .action(
      async (opts: {
        model: string;
        criticalModel?: string;
        input: string;
        mapping?: string;
        onBadRow: string;
      }) => {
        const model = loadModel(opts.model);
        const criticalModel = opts.criticalModel ? loadModel(opts.criticalModel) : model;
        const declarations = (await readDeclarations([opts.input], opts)).filter(
          (d) => d.fraud !== null,
        );
        if (declarations.length === 0)
          throw new CliExit(ExitCode.badInput, 'no labelled declarations to evaluate on');
        const rows: string[][] = [];
        for (const [label, m] of [
          ['fraud', model],
          ['critical', criticalModel],
        ] as const) {
          const scores = m.score(declarations);
          const labels = declarations.map((d) => labelFor(d, label) ?? 0);
          const res = precisionRecallAt(scores, labels, STANDARD_PERCENTS);
          const positives = labels.filter((l) => l === 1).length;
          rows.push([
            label === 'fraud' ? 'Fraud' : 'Critical Fraud',
            `${m.objective} model`,
            String(positives),
            ...res.map((r) => fixed(r.precision)),
            ...res.map((r) => fixed(r.recall)),
          ]);
        }
        printLine(`${declarations.length} labelled declarations`);
        printTable(
          [
            'label',
            'ranked by',
            'positives',
            ...STANDARD_PERCENTS.map((n) => `P@${n}%`),
            ...STANDARD_PERCENTS.map((n) => `R@${n}%`),
          ],
          rows,
        );
      },
    );
};
