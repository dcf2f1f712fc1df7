import { readFileSync } from 'node:fs';
import { verifierFromVkey, type WitnessEndpoint } from '@interdict/ledger';
import { nodeEd25519 } from '@interdict/ledger/node';

/** Ledger settings (see the README's INTERDICT_LEDGER_* variables). */
export interface LedgerSettings {
  /** Checkpoint origin and log key name, a schema-less URL (`INTERDICT_LEDGER_ORIGIN`). */
  origin: string;
  /** Base64 32-byte Ed25519 seed (`INTERDICT_LEDGER_KEY`); else a 0600 file in the data folder. */
  key?: string;
  /** A C2SP tlog-policy (text) whose quorum must cosign before a checkpoint is published. */
  policy?: string;
  /** During a key rotation: the other log key (base64 seed), which also signs every checkpoint. */
  previousKey?: string;
  /** Folder for the key file when no key is given (default: the store's data folder). */
  keyDir?: string;
  /** Logs this instance witnesses: vkeys of their keys (`INTERDICT_LEDGER_WITNESS_LOGS`). */
  witnessLogs: string[];
  /** Witnesses this log asks for cosignatures (`INTERDICT_LEDGER_WITNESSES`, `vkey@url` pairs). */
  witnesses: WitnessEndpoint[];
  checkpointIntervalMs: number;
  /** PostgreSQL replicas: how often one without the sequencer lock tries again (ms). */
  sequencerRetryMs?: number;
  /**
   * How often the sequencer looks for entries other replicas staged, and a replica without the
   * sequencer polls for its entries' indices (ms). Entries staged in this process are drained
   * at once.
   */
  outboxPollMs: number;
  /** How long a decision waits for its ledger entry to be sequenced before answering (ms). */
  ackTimeoutMs: number;
}

export function ledgerSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): LedgerSettings {
  // INTERDICT_LEDGER_POLICY names a tlog-policy file (read once, at start).
  const policyFile = env.INTERDICT_LEDGER_POLICY;
  const list = (v: string | undefined) => (v ?? '').split(/[\s,]+/).filter((x) => x.length > 0);
  return {
    origin: env.INTERDICT_LEDGER_ORIGIN ?? 'interdict.local/ledger',
    ...(env.INTERDICT_LEDGER_KEY ? { key: env.INTERDICT_LEDGER_KEY } : {}),
    ...(env.INTERDICT_LEDGER_PREVIOUS_KEY
      ? { previousKey: env.INTERDICT_LEDGER_PREVIOUS_KEY }
      : {}),
    ...(policyFile ? { policy: readFileSync(policyFile, 'utf8') } : {}),
    witnessLogs: list(env.INTERDICT_LEDGER_WITNESS_LOGS),
    witnesses: list(env.INTERDICT_LEDGER_WITNESSES).map((pair) => {
      const at = pair.lastIndexOf('@');
      const url = pair.slice(at + 1).replace(/\/+$/, '');
      return {
        verifier: verifierFromVkey(pair.slice(0, at), nodeEd25519),
        submit: async (body: string) => {
          const res = await fetch(`${url}/add-checkpoint`, {
            signal: AbortSignal.timeout(10_000),
            method: 'POST',
            body,
            headers: { 'content-type': 'text/plain' },
          });
          return { status: res.status, body: await res.text() };
        },
      };
    }),
    checkpointIntervalMs: Number(env.INTERDICT_LEDGER_CHECKPOINT_MS ?? 1000),
    outboxPollMs: Number(env.INTERDICT_LEDGER_OUTBOX_POLL_MS ?? 200),
    ackTimeoutMs: Number(env.INTERDICT_LEDGER_ACK_TIMEOUT_MS ?? 30_000),
  };
}
