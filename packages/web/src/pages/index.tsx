// The console's page registry: one line per page, in navigation order. A capability adds its page
// in ./<capability>/ (a default-exported component that may route below its own path) and one
// line here; the shell, navigation and routing follow from this list.
import * as I from '@tabler/icons-react';
import { page, type PageDefinition } from './page';

export const pages: readonly PageDefinition[] = [
  page('', 'Overview', I.IconLayoutDashboard, () => import('./overview/OverviewPage')),
  page('screening', 'Screening', I.IconUserSearch, () => import('./screening/ScreeningPage')),
  page('targeting', 'Targeting', I.IconTarget, () => import('./targeting/TargetingPage')),
  page('intelligence', 'Intelligence', I.IconFileReport, () => import('./intelligence/IntelPage')),
  page('ledger', 'Ledger', I.IconShieldCheck, () => import('./ledger/LedgerPage')),
  page('analytics', 'Analytics', I.IconChartBar, () => import('./analytics/AnalyticsPage')),
  page(
    'underwriting',
    'Underwriting',
    I.IconUmbrella,
    () => import('./underwriting/UnderwritingPage'),
  ),
  page(
    'administration',
    'Administration',
    I.IconSettings,
    () => import('./administration/AdminPage'),
    { roles: ['admin'] },
  ),
];
