import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { fromBase64, toBase64 } from '@interdict/core';
import {
  LedgerError,
  openCheckpoint,
  parsePolicy,
  parseProofBundle,
  verifierFromVkey,
  verifyCheckpointWithPolicy,
  verifyConsistency,
  verifyInclusion,
  verifyProofBundle,
  verifyTiles,
  type Checkpoint,
  type TileReader,
  type Verifier,
} from '@interdict/ledger';
import { nodeEd25519 } from '@interdict/ledger/node';
import { CliExit, ExitCode } from '../exit-codes';
import { printLine } from '../output';
import type { RegisterCommands } from './index';

/**
 * `interdict ledger verify-*`: offline verification that trusts nothing but verifier keys (and a
 * tlog-policy when given). Exit 0 when valid; otherwise a one-line reason and exit 1 (the check
 * failed) or 3 (the input is malformed).
 */

const collect = (v: string, all: string[]) => [...all, v];

const MALFORMED = /MALFORMED|INVALID|HASH_LENGTH|SIZE_INVALID|TOO_MANY|TOO_LONG_INPUT/;

async function check<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof LedgerError) {
      const exit =
        MALFORMED.test(e.code) && !/PROOF_TOO/.test(e.code)
          ? ExitCode.badInput
          : ExitCode.checkFailed;
      throw new CliExit(exit, `${what} failed: ${e.code}: ${e.message}`);
    }
    throw e;
  }
}

function keys(vkeys: string[]): Verifier[] {
  return vkeys.map((v) => verifierFromVkey(v, nodeEd25519));
}

function b64list(text: string | undefined): Uint8Array[] {
  if (!text) return [];
  return text
    .split(',')
    .filter((s) => s.length > 0)
    .map((s) => {
      try {
        return fromBase64(s.trim());
      } catch {
        throw new CliExit(ExitCode.badInput, `proof hash ${s} is not base64`);
      }
    });
}

function intArg(name: string, v: string): number {
  if (!/^(0|[1-9][0-9]*)$/.test(v) || !Number.isSafeInteger(Number(v))) {
    throw new CliExit(ExitCode.usage, `--${name} must be a non-negative integer`);
  }
  return Number(v);
}

async function trustedCheckpoint(
  file: string,
  vkeys: string[],
  policyFile?: string,
): Promise<{ checkpoint: Checkpoint; by: string }> {
  const note = await readFile(file);
  if (policyFile) {
    const policy = parsePolicy(await readFile(policyFile, 'utf8'), nodeEd25519);
    const v = await verifyCheckpointWithPolicy(note, policy);
    return {
      checkpoint: v.checkpoint,
      by: `policy ${path.basename(policyFile)} (witnesses: ${v.witnesses.join(', ') || 'none needed'})`,
    };
  }
  if (vkeys.length === 0)
    throw new CliExit(ExitCode.usage, 'give at least one --vkey (or --policy)');
  const { checkpoint, note: opened } = await openCheckpoint(note, keys(vkeys));
  return { checkpoint, by: opened.verified.map((s) => s.verifier.name).join(', ') };
}

function describe(cp: Checkpoint): string {
  return `${cp.origin} size ${cp.size} root ${toBase64(cp.root)}`;
}

export const registerLedger: RegisterCommands = (program: Command) => {
  const ledger = program
    .command('ledger')
    .description('Verify ledger checkpoints, proofs and tiles (C2SP formats, RFC 9162 proofs)');

  ledger
    .command('verify-checkpoint')
    .description('Check a signed checkpoint against verifier keys or a tlog-policy')
    .requiredOption('--checkpoint <file>', 'checkpoint note file')
    .option('--vkey <vkey>', 'trusted log verifier key (repeatable)', collect, [])
    .option('--policy <file>', 'C2SP tlog-policy file (logs, witnesses, quorum)')
    .action(async (o: { checkpoint: string; vkey: string[]; policy?: string }) => {
      const { checkpoint, by } = await check('checkpoint verification', () =>
        trustedCheckpoint(o.checkpoint, o.vkey, o.policy),
      );
      printLine(`valid: ${describe(checkpoint)}, signed by ${by}`);
    });

  ledger
    .command('verify-inclusion')
    .description(
      'Check that a leaf is in the tree of a signed checkpoint (or check a tlog-proof bundle)',
    )
    .option('--checkpoint <file>', 'checkpoint note file')
    .option('--bundle <file>', 'C2SP tlog-proof file instead of --checkpoint/--index/--proof')
    .option('--vkey <vkey>', 'trusted log verifier key (repeatable)', collect, [])
    .option('--policy <file>', 'C2SP tlog-policy file')
    .requiredOption('--leaf-hash <base64>', 'RFC 6962 leaf hash, SHA-256(0x00 || entry)')
    .option('--index <n>', 'leaf index')
    .option('--proof <base64,...>', 'inclusion proof hashes, comma-separated', '')
    .action(
      async (o: {
        checkpoint?: string;
        bundle?: string;
        vkey: string[];
        policy?: string;
        leafHash: string;
        index?: string;
        proof: string;
      }) => {
        const leaf = b64list(o.leafHash)[0] ?? new Uint8Array(0);
        if (o.bundle) {
          const text = await readFile(o.bundle, 'utf8');
          const trust = o.policy
            ? parsePolicy(await readFile(o.policy, 'utf8'), nodeEd25519)
            : keys(o.vkey);
          const cp = await check('inclusion verification', () =>
            verifyProofBundle(text, leaf, trust),
          );
          printLine(`valid: leaf ${parseProofBundle(text).index} is in ${describe(cp)}`);
          return;
        }
        if (!o.checkpoint || o.index === undefined)
          throw new CliExit(ExitCode.usage, 'give --checkpoint and --index (or --bundle)');
        const index = intArg('index', o.index);
        const { checkpoint } = await check('checkpoint verification', () =>
          trustedCheckpoint(o.checkpoint as string, o.vkey, o.policy),
        );
        await check('inclusion verification', () =>
          Promise.resolve(
            verifyInclusion(leaf, index, checkpoint.size, b64list(o.proof), checkpoint.root),
          ),
        );
        printLine(`valid: leaf ${index} is in ${describe(checkpoint)}`);
      },
    );

  ledger
    .command('verify-consistency')
    .description('Check that a newer signed checkpoint extends an older one (append-only)')
    .requiredOption('--old <file>', 'older checkpoint note file')
    .requiredOption('--new <file>', 'newer checkpoint note file')
    .option('--vkey <vkey>', 'trusted log verifier key (repeatable)', collect, [])
    .option('--policy <file>', 'C2SP tlog-policy file')
    .option('--proof <base64,...>', 'consistency proof hashes, comma-separated', '')
    .action(
      async (o: { old: string; new: string; vkey: string[]; policy?: string; proof: string }) => {
        const a = await check('old checkpoint verification', () =>
          trustedCheckpoint(o.old, o.vkey, o.policy),
        );
        const b = await check('new checkpoint verification', () =>
          trustedCheckpoint(o.new, o.vkey, o.policy),
        );
        if (a.checkpoint.origin !== b.checkpoint.origin)
          throw new CliExit(ExitCode.checkFailed, 'the checkpoints are for different logs');
        await check('consistency verification', () =>
          Promise.resolve(
            verifyConsistency(
              a.checkpoint.size,
              b.checkpoint.size,
              b64list(o.proof),
              a.checkpoint.root,
              b.checkpoint.root,
            ),
          ),
        );
        printLine(`valid: ${describe(b.checkpoint)} extends size ${a.checkpoint.size}`);
      },
    );

  ledger
    .command('verify-tiles')
    .description(
      'Recompute the tree from C2SP tlog-tiles (and entry bundles) and check it against the signed checkpoint',
    )
    .option('--dir <dir>', 'folder holding checkpoint and tile/')
    .option('--url <url>', 'log prefix URL, e.g. https://host/ledger/<origin>/')
    .option('--vkey <vkey>', 'trusted log verifier key (repeatable)', collect, [])
    .option('--policy <file>', 'C2SP tlog-policy file')
    .option('--no-entries', 'skip entry bundles (hash tiles only)')
    .action(
      async (o: {
        dir?: string;
        url?: string;
        vkey: string[];
        policy?: string;
        entries: boolean;
      }) => {
        if (!o.dir === !o.url)
          throw new CliExit(ExitCode.usage, 'give exactly one of --dir or --url');
        let read: TileReader;
        if (o.dir) {
          const dir = o.dir;
          read = (p) =>
            readFile(path.join(dir, p)).then(
              (b) => new Uint8Array(b),
              () => undefined,
            );
        } else {
          const base = (o.url as string).replace(/\/*$/, '/');
          read = async (p) => {
            const res = await fetch(base + p);
            if (res.status === 404) return undefined;
            if (!res.ok)
              throw new CliExit(ExitCode.unavailable, `GET ${base + p} answered ${res.status}`);
            return new Uint8Array(await res.arrayBuffer());
          };
        }
        const note = await read('checkpoint');
        if (!note) throw new CliExit(ExitCode.badInput, 'no checkpoint found');
        const tmp = { note };
        const { checkpoint, by } = await check('checkpoint verification', async () => {
          if (o.policy) {
            const v = await verifyCheckpointWithPolicy(
              tmp.note,
              parsePolicy(await readFile(o.policy, 'utf8'), nodeEd25519),
            );
            return {
              checkpoint: v.checkpoint,
              by: `policy (witnesses: ${v.witnesses.join(', ') || 'none needed'})`,
            };
          }
          if (o.vkey.length === 0)
            throw new CliExit(ExitCode.usage, 'give at least one --vkey (or --policy)');
          const r = await openCheckpoint(tmp.note, keys(o.vkey));
          return {
            checkpoint: r.checkpoint,
            by: r.note.verified.map((s) => s.verifier.name).join(', '),
          };
        });
        const v = await check('tile verification', () =>
          verifyTiles(read, checkpoint, { entries: o.entries }),
        );
        printLine(
          `valid: ${describe(checkpoint)}, signed by ${by}; ${v.tiles} tiles${o.entries ? `, ${v.entries} entries` : ''} recomputed`,
        );
      },
    );
};
