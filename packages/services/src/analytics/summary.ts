import type { AnalyticsRepository } from '@interdict/store';
import type { SummaryItem } from '../services';

/** The home page's name for each dataset's count. */
const LABELS: Readonly<Record<string, string>> = {
  'bts-crossings': 'Border-crossing rows (BTS)',
  'bts-ports': 'Land ports (BTS)',
  'cbp-seizures': 'Drug-seizure rows (CBP)',
  'unodc-seizures': 'Drug-seizure rows (UNODC)',
  'wpi-ports': 'Seaports (World Port Index)',
  unlocode: 'Locations (UN/LOCODE)',
};

/** One line per dataset: its rows in force (CBP: the effective ones) and when it last changed. */
export async function analyticsSummary(repo: AnalyticsRepository): Promise<SummaryItem[]> {
  return (await repo.counts()).map((x) => ({
    capability: 'analytics',
    label: LABELS[x.kind] ?? x.kind,
    count: x.rows,
    updatedAt: x.updatedAt?.toISOString() ?? null,
  }));
}
