import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
  type ReactNode,
} from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, api, onUnauthorised, setCsrfToken, type Session } from './api';

interface SessionContextValue {
  session: Session | null;
  /** True until the first /api/auth/me answer (so the sign-in form never flashes). */
  loading: boolean;
  /** Set when the server could not be asked at all (not for 401). */
  error: Error | null;
  signIn: (email: string, password: string) => Promise<Session>;
  signOut: () => Promise<void>;
  /** True when the server ended the session (expired, revoked, user disabled) while in use. */
  ended: boolean;
}

const SessionContext = createContext<SessionContextValue | null>(null);
const sessionKey = ['session'] as const;

async function probeSession(): Promise<Session | null> {
  try {
    return await api.auth.me();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const query = useQuery({
    queryKey: sessionKey,
    queryFn: probeSession,
    staleTime: Infinity,
    retry: 1,
  });
  const session = query.data ?? null;
  const [ended, setEnded] = useState(false);

  useEffect(() => {
    setCsrfToken(session?.csrfToken ?? null);
  }, [session]);

  // A 401 on any later request means the session ended (expired, signed out elsewhere, user
  // disabled): forget it and every cached answer, which belonged to that user.
  useEffect(
    () =>
      onUnauthorised(() => {
        if (queryClient.getQueryData(sessionKey)) setEnded(true);
        setCsrfToken(null);
        queryClient.setQueryData(sessionKey, null);
        queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== sessionKey[0] });
      }),
    [queryClient],
  );

  const signIn = useCallback(
    async (email: string, password: string) => {
      const next = await api.auth.signIn(email, password);
      setEnded(false);
      setCsrfToken(next.csrfToken);
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== sessionKey[0] });
      queryClient.setQueryData(sessionKey, next);
      return next;
    },
    [queryClient],
  );

  const signOut = useCallback(async () => {
    try {
      await api.auth.signOut();
    } finally {
      // Keep the session query itself (its observer would not see a replacement) and drop
      // every other cached answer, which belonged to the signed-out user.
      setCsrfToken(null);
      queryClient.setQueryData(sessionKey, null);
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== sessionKey[0] });
    }
  }, [queryClient]);

  const value = useMemo<SessionContextValue>(
    () => ({
      session,
      loading: query.isPending,
      error: query.error,
      signIn,
      signOut,
      ended,
    }),
    [session, query.isPending, query.error, signIn, signOut, ended],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession must be used inside <SessionProvider>');
  return value;
}

/** The signed-in session; only for components rendered inside the authenticated shell. */
export function useSignedIn(): Session {
  const { session } = useSession();
  if (!session) throw new Error('useSignedIn used outside the authenticated shell');
  return session;
}
