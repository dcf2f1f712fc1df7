import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

// Browser tests use Debian's chromium, never a downloaded browser. Install it when absent
// (these machines run as root and reach Debian's package mirror). Then build the console, so the
// tests always run against the current code rather than a stale dist/.
export default function setup(): void {
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
  execFileSync(process.execPath, [resolve(web, '../../node_modules/vite/bin/vite.js'), 'build'], {
    cwd: web,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
