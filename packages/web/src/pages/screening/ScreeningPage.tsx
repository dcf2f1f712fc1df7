import { CapabilityPlaceholder } from '../../components/CapabilityPlaceholder';

// Replaced by the screening capability (issue "Screening").
export default function ScreeningPage() {
  return (
    <CapabilityPlaceholder
      title="Screening"
      description="Check shippers, consignees, vessels and people against sanctions and drug-kingpin lists."
      capabilities={['screening']}
      upcoming={[
        'A search box for one name, with ranked hits, scores and the reasons for each score',
        'Batch screening of a file of parties, with progress',
        'Entity pages with every alias, identifier and program (e.g. SDNTK)',
        'List versions and what each update added, changed or removed',
        'Confirming or dismissing a hit, recorded and committed to the ledger',
      ]}
    />
  );
}
