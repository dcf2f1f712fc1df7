import { CapabilityPlaceholder } from '../../components/CapabilityPlaceholder';

// Replaced by the ledger capability (issue "Ledger"); it verifies proofs in the browser with the
// verifier from @interdict/ledger.
export default function LedgerPage() {
  return (
    <CapabilityPlaceholder
      title="Ledger"
      description="A verifiable record of everything shared: what, by whom and when, never altered."
      capabilities={['ledger']}
      upcoming={[
        'The log size and its latest signed checkpoint, with signatures and witness cosignatures',
        'The log verifier key to give partners',
        'Recent entries you may see, each with its inclusion proof',
        '"Verified against key …" checked here in the browser, trusting only verifier keys',
        'Downloadable offline proof bundles (C2SP tlog-proof)',
      ]}
    />
  );
}
