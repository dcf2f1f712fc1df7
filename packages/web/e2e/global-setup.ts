import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The console built from the current code for this run (see setup below). */
    consoleDir: string;
  }
}

// Browser tests use Debian's chromium, never a downloaded browser. Install it when absent
// (these machines run as root and reach Debian's package mirror). Then build the console from
// the current code into a folder of this run's own, so the tests never see a stale dist/ nor one
// that another build replaces while they run.
export default function setup(project: TestProject): () => void {
  if (!existsSync('/usr/bin/chromium')) {
    execFileSync(
      'bash',
      [
        '-c',
        'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium',
      ],
      { stdio: 'inherit' },
    );
    if (!existsSync('/usr/bin/chromium'))
      throw new Error('chromium could not be installed at /usr/bin/chromium');
  }
  const web = resolve(import.meta.dirname, '..');
  const consoleDir = mkdtempSync(join(tmpdir(), 'interdict-console-'));
  execFileSync(
    process.execPath,
    [
      resolve(web, '../../node_modules/vite/bin/vite.js'),
      'build',
      '--outDir',
      consoleDir,
      '--emptyOutDir',
      '--logLevel',
      'warn',
    ],
    { cwd: web, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  project.provide('consoleDir', consoleDir);
  return () => rmSync(consoleDir, { recursive: true, force: true });
}
