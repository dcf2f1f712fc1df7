import { Suspense, useEffect, useRef, useState } from 'react';
import {
  ActionIcon,
  AppShell,
  Burger,
  Group,
  Menu,
  NavLink,
  ScrollArea,
  Text,
  Tooltip,
  UnstyledButton,
  useComputedColorScheme,
  useMantineColorScheme,
} from '@mantine/core';
import { useDisclosure, useMediaQuery } from '@mantine/hooks';
import { IconDevices, IconLogout, IconMoon, IconShieldLock, IconSun } from '@tabler/icons-react';
import { Link, Outlet, useLocation, useNavigate } from 'react-router';
import { pages } from '../pages';
import { pageHref } from '../pages/page';
import { useSignedIn, useSession } from '../session';
import { Loading } from '../components/QueryState';
import { SessionsDialog } from '../pages/administration/SessionsPanel';
import { ErrorBoundary } from './ErrorBoundary';
import classes from './Shell.module.css';

function isActive(pathname: string, path: string): boolean {
  if (path === '') return pathname === '/';
  return pathname === `/${path}` || pathname.startsWith(`/${path}/`);
}

function ColorSchemeToggle() {
  const { setColorScheme } = useMantineColorScheme();
  const computed = useComputedColorScheme('light', { getInitialValueInEffect: false });
  const next = computed === 'dark' ? 'light' : 'dark';
  return (
    <Tooltip label={`Use ${next} theme`}>
      <ActionIcon
        variant="default"
        size="lg"
        aria-label={`Use ${next} theme`}
        onClick={() => setColorScheme(next)}
      >
        {computed === 'dark' ? (
          <IconSun size={18} aria-hidden />
        ) : (
          <IconMoon size={18} aria-hidden />
        )}
      </ActionIcon>
    </Tooltip>
  );
}

function UserMenu() {
  const { user, organisation } = useSignedIn();
  const { signOut } = useSession();
  const navigate = useNavigate();
  const [sessionsOpen, setSessionsOpen] = useState(false);
  return (
    <>
      <SessionsDialog opened={sessionsOpen} onClose={() => setSessionsOpen(false)} />
      <Menu position="bottom-end" width={240}>
        <Menu.Target>
          <UnstyledButton className={classes.user}>
            <Text size="sm" fw={600} lh={1.2} truncate="end">
              {user.name || user.email}
            </Text>
            <Text size="xs" c="dimmed" lh={1.2} truncate="end">
              {user.role} · {organisation.name}
            </Text>
          </UnstyledButton>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Label>{user.email}</Menu.Label>
          <Menu.Item
            leftSection={<IconDevices size={16} aria-hidden />}
            onClick={() => setSessionsOpen(true)}
          >
            Your sessions
          </Menu.Item>
          <Menu.Item
            leftSection={<IconLogout size={16} aria-hidden />}
            onClick={() => {
              void signOut().finally(() => navigate('/sign-in', { replace: true }));
            }}
          >
            Sign out
          </Menu.Item>
        </Menu.Dropdown>
      </Menu>
    </>
  );
}

export function Shell() {
  const { user } = useSignedIn();
  const [opened, { toggle, close }] = useDisclosure(false);
  const location = useLocation();
  const mainRef = useRef<HTMLElement>(null);
  const shownPath = useRef(location.pathname);
  // Below the md breakpoint the navbar slides over the page; while closed it is inert, so Tab
  // never lands on links that are off screen.
  const small = useMediaQuery('(max-width: 61.99em)') ?? false;
  const visible = pages.filter((p) => !p.roles || p.roles.includes(user.role));

  // After an in-app navigation, move focus to the new page's content so keyboard and screen
  // reader users start there (WCAG 2.4.3 focus order), and close the navbar on small screens.
  useEffect(() => {
    if (shownPath.current === location.pathname) return;
    shownPath.current = location.pathname;
    close();
    mainRef.current?.focus({ preventScroll: true });
    window.scrollTo({ top: 0 });
  }, [location.pathname, close]);

  return (
    <>
      <a href="#main" className={classes.skip}>
        Skip to main content
      </a>
      <AppShell
        header={{ height: 56 }}
        navbar={{ width: 232, breakpoint: 'md', collapsed: { mobile: !opened } }}
        padding="lg"
      >
        <AppShell.Header>
          <Group h="100%" px="md" justify="space-between" wrap="nowrap">
            <Group gap="sm" wrap="nowrap">
              <Burger
                opened={opened}
                onClick={toggle}
                hiddenFrom="md"
                size="sm"
                aria-label={opened ? 'Close navigation' : 'Open navigation'}
                aria-expanded={opened}
                aria-controls="primary-navigation"
              />
              <Link to="/" className={classes.brand}>
                <IconShieldLock size={24} aria-hidden />
                <Text component="span" fw={700} size="lg">
                  Interdict
                </Text>
              </Link>
            </Group>
            <Group gap="sm" wrap="nowrap">
              <ColorSchemeToggle />
              <UserMenu />
            </Group>
          </Group>
        </AppShell.Header>
        <AppShell.Navbar
          p="xs"
          id="primary-navigation"
          aria-label="Primary"
          inert={small && !opened}
          className={classes.navbar}
        >
          <AppShell.Section grow component={ScrollArea}>
            {visible.map((p) => (
              <NavLink
                key={p.path}
                component={Link}
                to={pageHref(p)}
                label={p.label}
                leftSection={<p.icon size={18} stroke={1.6} aria-hidden />}
                active={isActive(location.pathname, p.path)}
                aria-current={isActive(location.pathname, p.path) ? 'page' : undefined}
                className={classes.navLink}
              />
            ))}
          </AppShell.Section>
          <AppShell.Section>
            <Text size="xs" c="dimmed" px="sm" py="xs">
              Interdict · open source, Apache-2.0
            </Text>
          </AppShell.Section>
        </AppShell.Navbar>
        <AppShell.Main id="main" ref={mainRef} tabIndex={-1} className={classes.main}>
          <ErrorBoundary resetKey={location.pathname}>
            <Suspense fallback={<Loading label="Loading page" />}>
              <Outlet />
            </Suspense>
          </ErrorBoundary>
        </AppShell.Main>
      </AppShell>
    </>
  );
}
