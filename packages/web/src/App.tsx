import type { ReactNode } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router';
import { Center } from '@mantine/core';
import { pages } from './pages';
import type { PageDefinition } from './pages/page';
import { useSession } from './session';
import { Shell } from './shell/Shell';
import { SignInPage } from './shell/SignInPage';
import { ErrorAlert, Loading } from './components/QueryState';
import { Empty } from './components/Empty';
import { PageHeader } from './components/PageHeader';

function RequireSession({ children }: { children: ReactNode }) {
  const { session, loading, error } = useSession();
  const location = useLocation();
  if (loading)
    return (
      <Center mih="100vh" component="main">
        <Loading label="Opening Interdict" />
      </Center>
    );
  if (error && !session)
    return (
      <Center mih="100vh" p="md" component="main">
        <ErrorAlert
          title="Interdict is not reachable"
          error={error}
          onRetry={() => window.location.reload()}
        />
      </Center>
    );
  if (!session) return <Navigate to="/sign-in" replace state={{ from: location.pathname }} />;
  return <>{children}</>;
}

function PageFrame({ definition }: { definition: PageDefinition }) {
  const { session } = useSession();
  if (definition.roles && session && !definition.roles.includes(session.user.role))
    return (
      <>
        <PageHeader title={definition.label} />
        <Empty title="Not available to your role">
          This page is for {definition.roles.join(' or ')} users. Ask an administrator if you need
          it.
        </Empty>
      </>
    );
  const Page = definition.component;
  return <Page />;
}

function NotFound() {
  return (
    <>
      <PageHeader title="Page not found" />
      <Empty title="There is no page at this address">Choose a page from the navigation.</Empty>
    </>
  );
}

export function App() {
  return (
    <Routes>
      <Route path="/sign-in" element={<SignInPage />} />
      <Route
        element={
          <RequireSession>
            <Shell />
          </RequireSession>
        }
      >
        {pages.map((p) =>
          p.path === '' ? (
            <Route key="index" index element={<PageFrame definition={p} />} />
          ) : (
            <Route key={p.path} path={`${p.path}/*`} element={<PageFrame definition={p} />} />
          ),
        )}
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}
