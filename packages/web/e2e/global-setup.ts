import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

// Browser tests use Debian's chromium, never a downloaded browser. Install it when absent
// (these machines run as root and reach Debian's package mirror).
export default function setup(): void {
  if (existsSync('/usr/bin/chromium')) return;
  execFileSync(
    'bash',
    ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium'],
    {
      stdio: 'inherit',
    },
  );
  if (!existsSync('/usr/bin/chromium'))
    throw new Error('chromium could not be installed at /usr/bin/chromium');
}
