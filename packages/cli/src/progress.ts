import cliProgress from 'cli-progress';

export interface Progress {
  /** Set the absolute amount done (and optionally a new total). */
  update(done: number, total?: number): void;
  stop(): void;
}

/**
 * A progress bar on stderr when it is a terminal; otherwise (CI, pipes) a plain line every few
 * seconds, so logs stay readable and stdout stays clean for data.
 */
export function createProgress(label: string, total = 0): Progress {
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream: process.stderr,
        format: `${label} [{bar}] {percentage}% | {value}/{total} | {duration_formatted}`,
        hideCursor: true,
        clearOnComplete: false,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0);
    return {
      update(done, newTotal) {
        if (newTotal !== undefined) bar.setTotal(newTotal);
        bar.update(done);
      },
      stop() {
        bar.stop();
      },
    };
  }
  let last = 0;
  let current = 0;
  let max = total;
  const started = Date.now();
  return {
    update(done, newTotal) {
      current = done;
      if (newTotal !== undefined) max = newTotal;
      const now = Date.now();
      if (now - last >= 2000) {
        last = now;
        process.stderr.write(`${label}: ${done}${max ? `/${max}` : ''}\n`);
      }
    },
    stop() {
      process.stderr.write(
        `${label}: ${current}${max ? `/${max}` : ''} done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
      );
    },
  };
}
