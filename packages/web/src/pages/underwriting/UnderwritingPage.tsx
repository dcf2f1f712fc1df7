import { CapabilityPlaceholder } from '../../components/CapabilityPlaceholder';

// Replaced by the underwriting capability.
export default function UnderwritingPage() {
  return (
    <CapabilityPlaceholder
      title="Underwriting"
      description="Price a shipment on a route: which factors raise the risk, by how much, and why."
      capabilities={['underwriting']}
      upcoming={[
        'A quote for a shipment: route, transshipment ports, mode, commodity, value and parties',
        'Every premium loading with its source data and weight',
        'Referral and decline where the law requires it (e.g. a confirmed sanctions hit)',
        'Accumulation of insured value by port and corridor',
      ]}
    />
  );
}
