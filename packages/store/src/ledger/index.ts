export {
  LedgerRepository,
  LEDGER_READER_ROLES,
  LEDGER_WRITER_ROLES,
  type LedgerEntry,
} from './repository';
export { ledgerLogStorage, folderLogStorage, ledgerPrefix } from './storage';
export {
  acquireSequencerLock,
  sequencerLockHolder,
  sequencerLockKey,
  type SequencerLock,
  type SequencerLockOptions,
} from './lock';
