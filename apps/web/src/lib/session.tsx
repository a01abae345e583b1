import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { api, setCsrfToken, setUnauthorizedHandler } from './api.ts';
import { clearDrafts } from './drafts.ts';
import { navigate, safeLocalPath } from './router.tsx';

/**
 * Who is signed in (GET /api/session), kept for the whole app. When a request finds the session
 * ended (401) while someone is using a page, the app goes to sign-in and, once signed in again,
 * back to that page; forms keep their drafts (drafts.ts).
 */
export type Stage = 'full' | 'mfa-enrol' | 'mfa-verify';
export type StaffRole = 'front-desk' | 'nurse' | 'provider' | 'billing' | 'org-admin' | 'hie-privacy-officer' | 'hie-admin';

export interface User {
  id: string;
  kind: 'patient' | 'staff';
  email: string;
  name: string | null;
  emailVerified: boolean;
  mfa: { totp: boolean; recoveryCodesLeft: number };
  staff: { orgId: string | null; roles: StaffRole[] } | null;
}

export type SessionView =
  | {
      authenticated: true;
      stage: Stage;
      csrfToken: string;
      user: User;
      session: { id: string; authMethod: 'password' | 'oidc'; createdAt: string; expiresAt: string; idleExpiresAt: string };
    }
  | { authenticated: false; signInMethods: ('password' | 'oidc')[] };

interface SessionCtx {
  /** undefined while the first answer is on its way. */
  session: SessionView | undefined;
  /** The session changed (signed in, second factor done): take the new view. */
  update: (s: SessionView) => void;
  refresh: () => Promise<SessionView>;
  signOut: () => Promise<void>;
  /** Set once a page request found the session ended. */
  expired: boolean;
}

const Ctx = createContext<SessionCtx | null>(null);

const RETURN_KEY = 'kennebec.return';
const AUTH_PAGES = /^\/(sign-in|sign-up|verify-email|forgot-password|reset-password|set-password)(\/|$)/;

/**
 * Where to go after signing in, kept across tabs for a day: someone who starts at an invitation
 * link, creates an account and confirms their address from the email (a new tab) still comes
 * back to the invitation.
 */
export function rememberReturn(path: string): void {
  try {
    window.localStorage.setItem(RETURN_KEY, JSON.stringify({ path: safeLocalPath(path), until: Date.now() + 86_400_000 }));
  } catch {
    // Not remembered: the person lands on the home page instead.
  }
}

export function takeReturn(fromQuery: string | null): string {
  let saved: string | null = null;
  try {
    const raw = window.localStorage.getItem(RETURN_KEY);
    window.localStorage.removeItem(RETURN_KEY);
    const v = raw ? (JSON.parse(raw) as { path?: string; until?: number }) : null;
    if (v?.path && (v.until ?? 0) > Date.now()) saved = v.path;
  } catch {
    saved = null;
  }
  return safeLocalPath(fromQuery ?? saved);
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<SessionView | undefined>(undefined);
  const [expired, setExpired] = useState(false);
  const current = useRef<SessionView | undefined>(undefined);

  const update = useCallback((s: SessionView) => {
    current.current = s;
    setSession(s);
    setCsrfToken(s.authenticated ? s.csrfToken : null);
    if (s.authenticated && s.stage === 'full') setExpired(false);
  }, []);

  const refresh = useCallback(async () => {
    const s = await api.get<SessionView>('/api/session');
    update(s);
    return s;
  }, [update]);

  useEffect(() => {
    refresh().catch(() => update({ authenticated: false, signInMethods: ['password'] }));
    setUnauthorizedHandler(() => {
      if (!current.current?.authenticated) return;
      const here = window.location.pathname + window.location.search;
      setExpired(true);
      update({ authenticated: false, signInMethods: ['password'] });
      refresh().catch(() => undefined);
      const back = AUTH_PAGES.test(window.location.pathname) ? '/' : here;
      navigate(`${signInPath(back)}`, { replace: true });
    });
    return () => setUnauthorizedHandler(null);
  }, [refresh, update]);

  const signOut = useCallback(async () => {
    await api.del('/api/session').catch(() => undefined);
    clearDrafts();
    try {
      window.sessionStorage.clear();
    } catch {
      // Nothing kept.
    }
    setExpired(false);
    await refresh().catch(() => update({ authenticated: false, signInMethods: ['password'] }));
    navigate('/sign-in');
  }, [refresh, update]);

  const value = useMemo(() => ({ session, update, refresh, signOut, expired }), [session, update, refresh, signOut, expired]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function signInPath(returnTo: string): string {
  const back = safeLocalPath(returnTo);
  return back === '/' ? '/sign-in' : `/sign-in?returnTo=${encodeURIComponent(back)}`;
}

export function useSession(): SessionCtx {
  const v = useContext(Ctx);
  if (!v) throw new Error('useSession outside SessionProvider');
  return v;
}
