import { createHmac } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fromBase64, toBase64 } from '@interdict/core';
import { cosigner, ed25519Signer, LedgerError, randomSeed } from '@interdict/ledger';
import { nodeEd25519 } from '@interdict/ledger/node';
import type { Store } from '@interdict/store';
import type { LedgerSettings } from './settings';

/**
 * The log key: from the settings (`INTERDICT_LEDGER_KEY`), else a file `ledger.key` (mode 0600)
 * created on first start in the data folder, else (an in-memory store) a fresh key for this
 * process. Never in the database.
 */
export async function loadLogSeed(store: Store, o: LedgerSettings): Promise<Uint8Array> {
  if (o.key) {
    const seed = fromBase64(o.key.trim());
    if (seed.length !== 32)
      throw new LedgerError('VKEY_MALFORMED', 'INTERDICT_LEDGER_KEY must be 32 bytes of base64');
    return seed;
  }
  const dir =
    o.keyDir ??
    store.dataDir ??
    (store.engine === 'postgres' ? (process.env.INTERDICT_DATA ?? '.interdict') : undefined);
  if (dir === undefined) return randomSeed();
  const file = path.join(dir, 'ledger.key');
  try {
    return fromBase64((await readFile(file, 'utf8')).trim());
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  await mkdir(dir, { recursive: true });
  const seed = randomSeed();
  // 'wx' fails if another process created it meanwhile; then use theirs.
  try {
    await writeFile(file, `${toBase64(seed)}\n`, { mode: 0o600, flag: 'wx' });
    await chmod(file, 0o600);
    return seed;
  } catch {
    return fromBase64((await readFile(file, 'utf8')).trim());
  }
}

/** Per-purpose keys derived from the log seed (HMAC-SHA256, domain-separated). */
export function deriveKey(seed: Uint8Array, purpose: string): Uint8Array {
  return new Uint8Array(
    createHmac('sha256', seed).update(`interdict ledger ${purpose}\n`).digest(),
  );
}

/** The log and witness vkeys an instance with this origin and key will use (for configuring peers). */
export async function ledgerVkeys(
  origin: string,
  key: string,
): Promise<{ vkey: string; witnessVkey: string }> {
  const seed = fromBase64(key);
  const log = await ed25519Signer(origin, seed, nodeEd25519);
  const w = await cosigner(`${origin}/witness`, deriveKey(seed, 'witness key'), nodeEd25519);
  return { vkey: log.vkey, witnessVkey: w.vkey };
}
