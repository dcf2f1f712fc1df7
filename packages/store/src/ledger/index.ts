export {
  LedgerRepository,
  type LedgerEntry,
  type LedgerReadScope,
  type StagedEntryInput,
} from './repository';
export type { LedgerTables } from './tables';
export { ledgerLogStorage, folderLogStorage, ledgerPrefix } from './storage';
export {
  acquireSequencerLock,
  sequencerLockHolder,
  sequencerLockKey,
  type SequencerLock,
  type SequencerLockOptions,
} from './lock';
