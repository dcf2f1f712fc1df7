import { CapabilityPlaceholder } from '../../components/CapabilityPlaceholder';

// Replaced by the analytics capability (issue "Analytics").
export default function AnalyticsPage() {
  return (
    <CapabilityPlaceholder
      title="Analytics"
      description="Drug seizures against traffic, by drug, place and month."
      capabilities={['analytics']}
      upcoming={[
        'Monthly seizure series by drug, region and field office, with year-over-year change',
        'Seizures per unit of traffic at each border region and port',
        'Unusual months flagged against a seasonal baseline, and short-term forecasts',
        'An offline map of ports, border crossings and countries shaded by a chosen measure',
        'CSV export and a shareable link for every view; each figure links to its source rows',
      ]}
    />
  );
}
