import { CapabilityPlaceholder } from '../../components/CapabilityPlaceholder';

// Replaced by the sharing capability (intelligence reports).
export default function IntelPage() {
  return (
    <CapabilityPlaceholder
      title="Intelligence"
      description="Publish and receive reports on routes, concealment methods, suspects and seizures."
      capabilities={['sharing', 'intelligence']}
      upcoming={[
        'Reports with their TLP marking and distribution, shown only to those entitled to them',
        'A live feed of new reports from partner organisations',
        'Entities (persons, companies, vessels) and places linked across reports',
        'STIX 2.1 export and import',
        'Proof that each report was committed to the ledger',
      ]}
    />
  );
}
