// For the CLI's tests only: runs the CLI in process and captures what it writes.
import { vi } from 'vitest';
import { runCli } from './main';

/** Runs `interdict <args…>` in process: its exit code and everything written to stdout and stderr. */
export async function runCaptured(
  args: readonly string[],
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    const code = await runCli(args);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}
