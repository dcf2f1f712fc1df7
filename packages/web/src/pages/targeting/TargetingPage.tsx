import { CapabilityPlaceholder } from '../../components/CapabilityPlaceholder';

// Replaced by the targeting capability (issue "Targeting").
export default function TargetingPage() {
  return (
    <CapabilityPlaceholder
      title="Targeting"
      description="Which declarations to inspect today within capacity, and why."
      capabilities={['targeting']}
      upcoming={[
        "Today's queue of declarations with red, yellow, blue and green lanes and their reasons",
        "A declaration's page with the contribution of each feature to its score",
        'Recording an inspection result, which feeds the next training',
        'The rules editor: officer-written rules with validity dates and explanations',
        'Model versions with their Precision@n% and Recall@n%',
      ]}
    />
  );
}
