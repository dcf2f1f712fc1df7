import { Tabs } from '@mantine/core';
import {
  IconBuilding,
  IconDatabaseImport,
  IconHistory,
  IconKey,
  IconUsers,
} from '@tabler/icons-react';
import { Navigate, Route, Routes, useLocation, useNavigate } from 'react-router';
import { PageHeader } from '../../components/PageHeader';
import { OrganisationsPanel } from './OrganisationsPanel';
import { UsersPanel } from './UsersPanel';
import { TokensPanel } from './TokensPanel';
import { JobsPanel } from './JobsPanel';
import { AuditPanel } from './AuditPanel';

const sections = [
  { path: 'users', label: 'Users', icon: IconUsers, element: <UsersPanel /> },
  {
    path: 'organisations',
    label: 'Organisations',
    icon: IconBuilding,
    element: <OrganisationsPanel />,
  },
  { path: 'tokens', label: 'API tokens', icon: IconKey, element: <TokensPanel /> },
  { path: 'jobs', label: 'Ingest jobs', icon: IconDatabaseImport, element: <JobsPanel /> },
  { path: 'audit', label: 'Audit log', icon: IconHistory, element: <AuditPanel /> },
] as const;

export default function AdminPage() {
  const location = useLocation();
  const navigate = useNavigate();
  const current = location.pathname.split('/')[2] ?? 'users';
  return (
    <>
      <PageHeader
        title="Administration"
        description="Organisations, users, API tokens, data loading and the audit log."
      />
      <Tabs
        value={current}
        onChange={(value) => value && void navigate(`/administration/${value}`)}
        keepMounted={false}
        mb="lg"
      >
        <Tabs.List aria-label="Administration sections">
          {sections.map((s) => (
            <Tabs.Tab key={s.path} value={s.path} leftSection={<s.icon size={16} aria-hidden />}>
              {s.label}
            </Tabs.Tab>
          ))}
        </Tabs.List>
      </Tabs>
      <Routes>
        <Route index element={<Navigate to="users" replace />} />
        {sections.map((s) => (
          <Route key={s.path} path={s.path} element={s.element} />
        ))}
        <Route path="*" element={<Navigate to="users" replace />} />
      </Routes>
    </>
  );
}
