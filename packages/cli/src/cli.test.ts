import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { Command } from 'commander';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { listIngestKinds, openStore, type Store } from '@interdict/store';
import { ExitCode } from './exit-codes';
import { buildProgram, runCli } from './main';

// These tests run the real `interdict` binary, as a script or an operator would, each against
// its own temporary data folder (the embedded PGlite), never the developer's `.interdict`.
const here = path.dirname(fileURLToPath(import.meta.url));
const bin = path.resolve(here, '../bin/interdict.js');
const datasets = path.resolve(here, '../../../datasets');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function interdict(
  args: readonly string[],
  env: Record<string, string | undefined> = {},
  stdin?: string,
): Promise<Run> {
  return new Promise((resolve) => {
    const childEnv: Record<string, string | undefined> = { ...process.env, ...env };
    delete childEnv.DATABASE_URL; // always the embedded default here
    delete childEnv.CI; // the CLI behaves the same; keep its output plain
    const child = execFile(
      process.execPath,
      [bin, ...args],
      { env: childEnv, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end(stdin ?? '');
  });
}

const stderrLines = (r: Run) => r.stderr.split('\n').filter((l) => l.trim() !== '');

/** Every command path of the program, e.g. ['users', 'add'], capabilities' commands included. */
function commandPaths(cmd: Command, prefix: string[] = []): string[][] {
  return cmd.commands
    .filter((c) => c.name() !== 'help')
    .flatMap((c) => [[...prefix, c.name()], ...commandPaths(c, [...prefix, c.name()])]);
}

async function inParallel<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>) {
  const out: R[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i] as T);
      }
    }),
  );
  return out;
}

// Generous timeouts: each run starts Node and, for store commands, PGlite; on a loaded machine a
// run can take seconds. These are limits against hangs, not performance assertions.
describe('interdict binary: help and usage', { timeout: 300_000 }, () => {
  it('answers --help with exit 0 for the program and every top-level command (binary)', async () => {
    const paths = [
      [],
      ...buildProgram()
        .commands.filter((c) => c.name() !== 'help')
        .map((c) => [c.name()]),
    ];
    expect(paths.length).toBeGreaterThan(4);
    const runs = await inParallel(paths, 2, (p) => interdict([...p, '--help']));
    runs.forEach((r, i) => {
      const name = ['interdict', ...(paths[i] ?? [])].join(' ');
      expect(r.code, name).toBe(ExitCode.ok);
      expect(r.stdout, name).toMatch(/^Usage: interdict/);
    });
  });

  it('answers --help with exit 0 for every subcommand (in process, same program)', async () => {
    const paths = commandPaths(buildProgram()).filter((p) => p.length > 1);
    expect(paths.length).toBeGreaterThan(8);
    for (const p of paths) {
      const out: string[] = [];
      const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
        out.push(String(chunk));
        return true;
      });
      let code: number;
      try {
        code = await runCli([...p, '--help']);
      } finally {
        spy.mockRestore();
      }
      expect(code, p.join(' ')).toBe(ExitCode.ok);
      expect(out.join(''), p.join(' ')).toMatch(new RegExp(`^Usage: interdict ${p.join(' ')}`));
    }
  });

  it('ends a usage error with exit 2 and one line on stderr', async () => {
    for (const args of [['no-such-command'], ['users', 'add'], ['ingest'], ['tokens', 'create']]) {
      const r = await interdict(args);
      expect(r.code, args.join(' ')).toBe(ExitCode.usage);
      expect(stderrLines(r), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toMatch(/^interdict: /);
    }
  });

  it('refuses an unknown ingest kind as a usage error', async () => {
    const r = await interdict(['ingest', 'no-such-kind', 'x.csv']);
    expect(r.code).toBe(ExitCode.usage);
    expect(r.stderr).toMatch(/unknown ingest kind no-such-kind/);
  });
});

describe(
  'interdict binary: store commands on a temporary data folder',
  { timeout: 300_000 },
  () => {
    let dir: string;
    let env: Record<string, string>;
    const adminPassword = 'a long enough admin password';

    /** Opens the folder in-process between runs (PGlite allows one process at a time). */
    async function withDataFolder<T>(fn: (store: Store) => Promise<T>): Promise<T> {
      const store = await openStore({ dataDir: env.INTERDICT_DATA });
      try {
        return await fn(store);
      } finally {
        await store.close();
      }
    }

    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'interdict-cli-'));
      env = { INTERDICT_DATA: path.join(dir, 'data'), INTERDICT_ADMIN_PASSWORD: adminPassword };
    });

    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('says to initialise first, with exit 4, before init', async () => {
      const r = await interdict(['users', 'list'], env);
      expect(r.code).toBe(ExitCode.unavailable);
      expect(stderrLines(r)).toHaveLength(1);
      expect(r.stderr).toMatch(/interdict init/);
    });

    it('init creates the admin with INTERDICT_ADMIN_PASSWORD and is idempotent', async () => {
      const first = await interdict(['init'], env);
      expect(first.code).toBe(ExitCode.ok);
      expect(first.stdout + first.stderr).not.toContain(adminPassword);
      const again = await interdict(['init'], env);
      expect(again.code).toBe(ExitCode.ok);
      expect(again.stdout).toMatch(/already initialised/);
    });

    it('users: add, list, set-role, disable, enable, reset-password round trip', async () => {
      const add = await interdict(
        ['users', 'add', 'Ana@Example.org', '--name', 'Ana Analyst', '--role', 'analyst'],
        env,
      );
      expect(add.code, add.stderr).toBe(ExitCode.ok);
      const otp = /one-time password for ana@example\.org: (\S+)/.exec(add.stdout)?.[1];
      expect(otp).toBeDefined();

      const listed = await interdict(['users', 'list', '--json'], env);
      expect(listed.code).toBe(ExitCode.ok);
      const users = JSON.parse(listed.stdout) as {
        email: string;
        role: string;
        disabled: boolean;
      }[];
      expect(users.map((u) => u.email).sort()).toEqual([
        'admin@interdict.local',
        'ana@example.org',
      ]);

      expect((await interdict(['users', 'set-role', 'ana@example.org', 'officer'], env)).code).toBe(
        ExitCode.ok,
      );
      expect((await interdict(['users', 'disable', 'ana@example.org'], env)).code).toBe(
        ExitCode.ok,
      );
      const afterDisable = JSON.parse(
        (await interdict(['users', 'list', '--json'], env)).stdout,
      ) as {
        email: string;
        role: string;
        disabled: boolean;
      }[];
      expect(afterDisable.find((u) => u.email === 'ana@example.org')).toMatchObject({
        role: 'officer',
        disabled: true,
      });
      expect((await interdict(['users', 'enable', 'ana@example.org'], env)).code).toBe(ExitCode.ok);

      // A chosen password on stdin: the user can then sign in with it, and not with the old one.
      const chosen = 'ana chose this passphrase';
      const reset = await interdict(
        ['users', 'reset-password', 'ana@example.org', '--password-stdin'],
        env,
        `${chosen}\n`,
      );
      expect(reset.code, reset.stderr).toBe(ExitCode.ok);
      expect(reset.stdout).not.toContain(chosen);
      await withDataFolder(async (store) => {
        await expect(store.auth.signIn('ana@example.org', chosen, {})).resolves.toBeDefined();
        await expect(store.auth.signIn('ana@example.org', otp ?? '', {})).rejects.toThrow();
      });
    });

    it('users: an unknown user or role is refused with one line and a non-zero exit', async () => {
      const unknown = await interdict(['users', 'set-role', 'nobody@example.org', 'viewer'], env);
      expect(unknown.code).toBe(ExitCode.badInput);
      expect(stderrLines(unknown)).toHaveLength(1);
      const badRole = await interdict(
        ['users', 'add', 'x@example.org', '--name', 'X', '--role', 'overlord'],
        env,
      );
      expect(badRole.code).toBe(ExitCode.usage);
      expect(stderrLines(badRole)).toHaveLength(1);
    });

    it('tokens: create prints the secret once, list shows it, revoke makes it useless', async () => {
      const created = await interdict(
        ['tokens', 'create', 'nightly job', '--role', 'analyst', '--expires-in-days', '7'],
        env,
      );
      expect(created.code, created.stderr).toBe(ExitCode.ok);
      const secret = created.stdout.trim();
      expect(secret).toMatch(/^idt_\S+$/);

      const listed = JSON.parse((await interdict(['tokens', 'list', '--json'], env)).stdout) as {
        id: string;
        name: string;
        role: string;
        revokedAt: string | null;
      }[];
      const token = listed.find((t) => t.name === 'nightly job');
      expect(token).toMatchObject({ role: 'analyst', revokedAt: null });
      expect(JSON.stringify(listed)).not.toContain(secret);
      await withDataFolder(async (store) => {
        expect((await store.tokens.authenticate(secret))?.actor.role).toBe('analyst');
      });

      const revoked = await interdict(['tokens', 'revoke', token?.id ?? ''], env);
      expect(revoked.code, revoked.stderr).toBe(ExitCode.ok);
      await withDataFolder(async (store) => {
        expect(await store.tokens.authenticate(secret)).toBeUndefined();
      });
      const bad = await interdict(['tokens', 'create', 'x', '--expires-in-days', 'soon'], env);
      expect(bad.code).toBe(ExitCode.usage);
    });

    it('refuses a data folder held by a running process, and takes over a stale hold', async () => {
      const pidFile = path.join(env.INTERDICT_DATA ?? '', 'interdict.lock');
      // This test process is alive: to the CLI it looks like a running `interdict start`.
      await writeFile(pidFile, String(process.pid));
      const held = await interdict(['users', 'list'], env);
      expect(held.code).toBe(ExitCode.unavailable);
      expect(stderrLines(held)).toHaveLength(1);
      expect(held.stderr).toMatch(new RegExp(`in use by process ${process.pid}`));
      // A pid no process has (above Linux's pid_max of 2^22): left behind by a killed process.
      await writeFile(pidFile, String(2 ** 22 + 1));
      const stale = await interdict(['users', 'list'], env);
      expect(stale.code, stale.stderr).toBe(ExitCode.ok);
      await expect(readFile(pidFile)).rejects.toThrow(/ENOENT/);
    });

    it('ingest --list names the registered kinds', async () => {
      const r = await interdict(['ingest', '--list', '--json'], env);
      expect(r.code).toBe(ExitCode.ok);
      const kinds = (JSON.parse(r.stdout) as { kind: string }[]).map((k) => k.kind);
      expect(kinds).toEqual(listIngestKinds().map((k) => k.kind));
    });

    it('ingest: a malformed file fails with one line and a non-zero exit, and nothing stored changes', async () => {
      // Any registered kind will do; the bundle's smallest file of that kind gives a valid start.
      const manifest = JSON.parse(await readFile(path.join(datasets, 'manifest.json'), 'utf8')) as {
        files: { file: string; kind: string; rows: number; load: boolean }[];
      };
      const registered = new Set(listIngestKinds().map((k) => k.kind));
      const entry = manifest.files
        .filter((f) => f.load && registered.has(f.kind) && f.file.endsWith('.csv.gz'))
        .sort((a, b) => a.rows - b.rows)[0];
      expect(entry, 'no CSV ingest kind is registered').toBeDefined();
      if (!entry) return;
      const good = path.join(datasets, entry.file);
      const ok = await interdict(['ingest', entry.kind, good], env);
      expect(ok.code, ok.stderr).toBe(ExitCode.ok);

      // The same data with one line that has a stray quote and too many fields in the middle.
      const lines = gunzipSync(await readFile(good))
        .toString('latin1')
        .split('\n');
      lines.splice(
        Math.min(5, lines.length - 1),
        0,
        'broken,"line with a "stray quote,,,,,,,,,,,,,,,',
      );
      const bad = path.join(dir, 'malformed.csv');
      await writeFile(bad, Buffer.from(lines.join('\n'), 'latin1'));

      const snapshot = () =>
        withDataFolder(async (store) => {
          const tables = await sql<{ name: string }>`
          select table_name as name from information_schema.tables
          where table_schema = current_schema() and table_type = 'BASE TABLE'
            and table_name not in ('ingest_jobs', 'audit_events', 'kysely_migration', 'kysely_migration_lock')
          order by table_name`.execute(store.db);
          const counts: Record<string, unknown> = {};
          for (const { name } of tables.rows) {
            const r = await sql<{
              n: number;
              h: string | null;
            }>`select count(*)::int as n, md5(string_agg(t::text, '|' order by t::text)) as h from ${sql.table(name)} t`.execute(
              store.db,
            );
            counts[name] = r.rows[0];
          }
          return counts;
        });
      const before = await snapshot();
      const r = await interdict(['ingest', entry.kind, bad], env);
      expect(r.code).toBe(ExitCode.badInput);
      const errors = stderrLines(r).filter((l) => l.startsWith('interdict: '));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(/malformed\.csv/);
      expect(await snapshot()).toEqual(before);
    });

    it('ingest: a missing file is exit 4 with one line', async () => {
      const kind = listIngestKinds()[0]?.kind ?? 'bts-ports';
      const r = await interdict(['ingest', kind, path.join(dir, 'does-not-exist.csv')], env);
      expect(r.code).toBe(ExitCode.unavailable);
      expect(stderrLines(r)).toHaveLength(1);
    });
  },
);
