// `npm run bench -- startup [runs]` — how long `interdict start` takes
// to answer 200 on /readyz on the embedded default (PGlite) with the demo data already loaded, and
// how long the first start takes to load the demo data.
//
// It spawns the real CLI on a temporary data folder, as an operator would:
//  1. first start: time to the first 200 from /readyz (migrations, bootstrap), then time until
//     every demo ingest job has finished (read from the server's log: "demo data: finished"),
//     with each job's time; then SIGTERM;
//  2. `runs` restarts (default 5) of each way to run the CLI, alternating so that the machine's
//     load hits both alike: `bundle` (packages/cli/dist/interdict.js, built by `npm ci`) and
//     `tsx` (the TypeScript sources through tsx's loader, INTERDICT_NO_BUNDLE=1): time from spawn
//     to the first 200 from /readyz, then SIGTERM; median, min and max of each.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const runs = Number(process.argv[2] ?? 5);
const bin = path.join(root, 'packages/cli/bin/interdict.js');
const bundle = path.join(root, 'packages/cli/dist/interdict.js');

interface Variant {
  name: string;
  script: string;
  env: Record<string, string>;
}
const variants: Variant[] = [
  ...(existsSync(bundle) ? [{ name: 'bundle', script: bundle, env: {} }] : []),
  { name: 'tsx', script: bin, env: { INTERDICT_NO_BUNDLE: '1' } },
];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

interface LogLine {
  msg?: string;
  ms?: number;
  kind?: string;
  status?: string;
  done?: number;
  time?: number;
}

interface Started {
  child: ChildProcess;
  port: number;
  /** Resolves with the log line whose msg matches, as soon as it is printed. */
  waitForLog(pattern: RegExp, timeoutMs: number): Promise<LogLine>;
  logs: LogLine[];
}

async function start(dataDir: string, variant: Variant): Promise<Started> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    INTERDICT_DATA: dataDir,
    INTERDICT_ADMIN_PASSWORD: 'bench admin password',
    ...variant.env,
  };
  delete env.DATABASE_URL;
  const child = spawn(process.execPath, [variant.script, 'start', '--port', String(port)], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  const waiters: { pattern: RegExp; resolve: (l: LogLine) => void }[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    let parsed: LogLine;
    try {
      parsed = JSON.parse(line) as LogLine;
    } catch {
      return;
    }
    logs.push(parsed);
    for (const w of [...waiters]) {
      if (w.pattern.test(parsed.msg ?? '')) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(parsed);
      }
    }
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.once('exit', (code) => {
    if (code !== 0 && code !== null) console.error(`interdict start exited ${code}: ${stderr}`);
  });
  return {
    child,
    port,
    logs,
    waitForLog(pattern, timeoutMs) {
      const seen = logs.find((l) => pattern.test(l.msg ?? ''));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no log line ${pattern} within ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiters.push({
          pattern,
          resolve: (l) => {
            clearTimeout(timer);
            resolve(l);
          },
        });
      });
    },
  };
}

/** Polls /readyz every 10 ms; resolves with the elapsed ms at the first 200. */
async function untilReady(port: number, t0: number, child: ChildProcess): Promise<number> {
  for (;;) {
    if (child.exitCode !== null) throw new Error('interdict start exited before it was ready');
    try {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (res.status === 200) return performance.now() - t0;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

const dir = await mkdtemp(path.join(tmpdir(), 'interdict-bench-startup-'));
const dataDir = path.join(dir, 'data');
try {
  const defaultVariant = variants[0] as Variant;
  console.log(`data folder: ${dataDir}; first start with ${defaultVariant.name}`);

  // 1. First start on an empty folder: ready, then the demo data.
  const t0 = performance.now();
  const first = await start(dataDir, defaultVariant);
  const firstReady = await untilReady(first.port, t0, first.child);
  const finished = await first.waitForLog(/^demo data: (finished|nothing to load)/, 30 * 60_000);
  const firstLoad = performance.now() - t0;
  console.log(`first start: /readyz 200 after ${fmt(firstReady)}`);
  const skipped = first.logs.find((l) => /^demo data: skipping/.test(l.msg ?? ''));
  if (skipped) console.log(`  ${skipped.msg}`);
  for (const l of first.logs.filter((x) => / (loaded|failed)$/.test(x.msg ?? ''))) {
    console.log(
      `  ${(l.kind ?? '').padEnd(16)} ${String(l.done ?? '').padStart(7)} rows  ${fmt(l.ms ?? 0).padStart(8)}  ${l.status}`,
    );
  }
  console.log(`first start: ${finished.msg ?? ''}; all demo jobs done after ${fmt(firstLoad)}`);
  await stop(first.child);

  // 2. Restarts with the demo data loaded, the variants alternating.
  const times = new Map<string, number[]>(variants.map((v) => [v.name, []]));
  for (let i = 0; i < runs; i++) {
    for (const variant of variants) {
      const t = performance.now();
      const s = await start(dataDir, variant);
      times.get(variant.name)?.push(await untilReady(s.port, t, s.child));
      await s.waitForLog(/^demo data: /, 60_000).catch(() => undefined);
      await stop(s.child);
    }
  }
  for (const [name, list] of times) {
    const sorted = [...list].sort((a, b) => a - b);
    const median =
      sorted.length % 2
        ? (sorted[(sorted.length - 1) / 2] ?? 0)
        : ((sorted[sorted.length / 2 - 1] ?? 0) + (sorted[sorted.length / 2] ?? 0)) / 2;
    console.log(
      `restart to /readyz 200 (demo data loaded), ${name}, ${runs} runs: median ${fmt(median)}, min ${fmt(sorted[0] ?? 0)}, max ${fmt(sorted.at(-1) ?? 0)}`,
    );
    console.log(`  runs: ${list.map(fmt).join(', ')}`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
