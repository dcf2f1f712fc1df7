import { InterdictError } from '@interdict/core';

/**
 * Every way ledger input can be refused, one code each, so the HTTP edge, the CLI and tests can
 * tell a malformed note from a wrong key or a bad proof without parsing messages.
 */
export type LedgerErrorCode =
  // RFC 9162 §2.1 hashing and proofs
  | 'HASH_LENGTH'
  | 'INDEX_OUT_OF_RANGE'
  | 'SIZE_INVALID'
  | 'PROOF_TOO_LONG'
  | 'PROOF_TOO_SHORT'
  | 'PROOF_INVALID'
  | 'ROOT_MISMATCH'
  | 'MISSING_NODE'
  // C2SP signed-note / vkeys
  | 'NOTE_MALFORMED'
  | 'NOTE_TOO_MANY_SIGNATURES'
  | 'NOTE_NO_VERIFIED_SIGNATURE'
  | 'NOTE_BAD_SIGNATURE'
  | 'VKEY_MALFORMED'
  | 'KEY_ID_MISMATCH'
  | 'KEY_NAME_INVALID'
  // C2SP tlog-checkpoint / tlog-cosignature / tlog-policy / tlog-proof
  | 'CHECKPOINT_MALFORMED'
  | 'CHECKPOINT_ORIGIN_MISMATCH'
  | 'COSIGNATURE_MALFORMED'
  | 'POLICY_MALFORMED'
  | 'QUORUM_NOT_MET'
  | 'PROOF_BUNDLE_MALFORMED'
  // C2SP tlog-tiles
  | 'TILE_PATH_INVALID'
  | 'TILE_MALFORMED'
  | 'TILE_MISMATCH'
  | 'TILE_MISSING'
  | 'BUNDLE_MALFORMED'
  | 'ENTRY_TOO_LARGE'
  // envelopes
  | 'ENVELOPE_MALFORMED'
  | 'ENVELOPE_BAD_SIGNATURE'
  | 'BODY_HASH_MISMATCH'
  // sequencer and witness
  | 'SEQUENCER_CLOSED'
  // another replica holds this log's sequencer lock (appends go there)
  | 'LEDGER_NOT_SEQUENCER'
  | 'STORAGE_INCONSISTENT'
  | 'WITNESS_REQUEST_MALFORMED';

export class LedgerError extends InterdictError<LedgerErrorCode> {}

export function fail(
  code: LedgerErrorCode,
  message: string,
  details?: Record<string, unknown>,
): never {
  throw new LedgerError(code, message, details === undefined ? undefined : { details });
}
