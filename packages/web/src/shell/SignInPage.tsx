import { useEffect, useState, type FormEvent } from 'react';
import {
  Alert,
  Button,
  Center,
  Group,
  Paper,
  PasswordInput,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { IconAlertCircle, IconShieldLock } from '@tabler/icons-react';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { ApiError, errorMessage } from '../api';
import { useSession } from '../session';

function signInError(error: unknown): string {
  if (error instanceof ApiError && error.status === 401)
    return 'The email or password is not right. Check both and try again.';
  return errorMessage(error);
}

export function SignInPage() {
  const { session, signIn, ended } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const from = (location.state as { from?: string } | null)?.from ?? '/';
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    document.title = 'Sign in · Interdict';
  }, []);

  if (session) return <Navigate to={from} replace />;

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(email.trim(), password);
      void navigate(from, { replace: true });
    } catch (caught) {
      setError(signInError(caught));
      setPassword('');
    } finally {
      setBusy(false);
    }
  }

  return (
    <Center component="main" mih="100vh" p="md" id="main">
      <Paper withBorder shadow="sm" p="xl" radius="md" w="100%" maw={400}>
        <form onSubmit={(e) => void submit(e)} aria-labelledby="sign-in-title">
          <Stack gap="md">
            <Group gap={8}>
              <IconShieldLock size={28} aria-hidden />
              <Title order={1} size="h3" id="sign-in-title">
                Sign in to Interdict
              </Title>
            </Group>
            <Text size="sm" c="dimmed">
              Use the email and password your administrator gave you.
            </Text>
            {ended && !error && (
              <Alert color="blue" variant="light" role="status" title="Your session has ended">
                Sign in again to continue where you were.
              </Alert>
            )}
            {error && (
              <Alert
                color="red"
                variant="light"
                icon={<IconAlertCircle aria-hidden />}
                role="alert"
                title="Sign-in failed"
              >
                {error}
              </Alert>
            )}
            <TextInput
              label="Email"
              type="email"
              name="email"
              autoComplete="username"
              required
              autoFocus
              value={email}
              onChange={(e) => setEmail(e.currentTarget.value)}
            />
            <PasswordInput
              label="Password"
              name="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
              visibilityToggleButtonProps={{ 'aria-label': 'Show or hide the password' }}
            />
            <Button type="submit" loading={busy} fullWidth>
              Sign in
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
