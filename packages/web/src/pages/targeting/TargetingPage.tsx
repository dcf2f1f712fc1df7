// The targeting page: its tabs (queue, rules, models) and a declaration's page, each view in its
// own file.
import { Tabs } from '@mantine/core';
import { Route, Routes, useLocation, useNavigate } from 'react-router';
import { PageHeader } from '../../components/PageHeader';
import { DeclarationView } from './DeclarationView';
import { ModelsView } from './ModelsView';
import { QueueView } from './QueueView';
import { RulesView } from './RulesView';

const TABS = [
  // Mantine's Tabs refuse an empty value; the queue lives at /targeting itself.
  { value: 'queue', label: 'Queue' },
  { value: 'rules', label: 'Rules' },
  { value: 'models', label: 'Models' },
];

export default function TargetingPage() {
  const location = useLocation();
  const navigate = useNavigate();
  const sub = location.pathname.replace(/^\/targeting\/?/, '').split('/')[0] ?? '';
  const tab = TABS.some((t) => t.value === sub) ? sub : 'queue';
  return (
    <>
      <PageHeader
        title="Targeting"
        description="Which declarations to inspect today within capacity, and why: lanes from the model's scores, officers' rules, watchlist hits on the parties and a random share."
      />
      {sub !== 'declaration' && (
        <Tabs
          value={tab}
          onChange={(v) => void navigate(`/targeting${v && v !== 'queue' ? `/${v}` : ''}`)}
          mb="md"
        >
          <Tabs.List>
            {TABS.map((t) => (
              <Tabs.Tab key={t.value} value={t.value}>
                {t.label}
              </Tabs.Tab>
            ))}
          </Tabs.List>
        </Tabs>
      )}
      <Routes>
        <Route index element={<QueueView />} />
        <Route path="declaration/:id" element={<DeclarationView />} />
        <Route path="rules" element={<RulesView />} />
        <Route path="models" element={<ModelsView />} />
        <Route path="*" element={<QueueView />} />
      </Routes>
    </>
  );
}
