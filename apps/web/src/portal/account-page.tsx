import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { Alert, Loading } from '@kennebec/ui';
import { api } from '../lib/api.ts';
import { errorMessage } from '../lib/errors.ts';
import { useI18n } from '../lib/i18n.tsx';
import { Link } from '../lib/router.tsx';
import type { MessageKey } from '../i18n/en.ts';
import { PageTitle } from '../shell.tsx';

/** The frame of the Account pages (their navigation), and how they load what they show. */
const ACCOUNT_PAGES: { path: string; key: MessageKey }[] = [
  { path: '/account', key: 'account.profile' },
  { path: '/account/password', key: 'account.password' },
  { path: '/account/security', key: 'account.security' },
  { path: '/account/passkeys', key: 'account.passkeys' },
  { path: '/account/sessions', key: 'account.sessions' },
  { path: '/account/proxies', key: 'account.proxies' },
  { path: '/account/people', key: 'account.people' },
];

export function AccountPage({ titleKey, children }: { titleKey: MessageKey; children: ReactNode }) {
  const { t } = useI18n();
  return (
    <div className="with-sub-nav">
      <nav aria-label={t('account.nav')} className="sub-nav">
        <ul>
          {ACCOUNT_PAGES.map((p) => (
            <li key={p.path}>
              <Link to={p.path}>{t(p.key)}</Link>
            </li>
          ))}
        </ul>
      </nav>
      <div>
        <PageTitle title={t(titleKey)}>{t(titleKey)}</PageTitle>
        {children}
      </div>
    </div>
  );
}

/** Loads JSON once (and again on reload()). */
export function useLoad<T>(path: string): { data: T | undefined; error: unknown; reload: () => void } {
  const [state, setState] = useState<{ data?: T; error?: unknown }>({});
  const [n, setN] = useState(0);
  useEffect(() => {
    let live = true;
    api.get<T>(path).then(
      (data) => live && setState({ data }),
      (error: unknown) => live && setState({ error }),
    );
    return () => {
      live = false;
    };
  }, [path, n]);
  return { data: state.data, error: state.error, reload: useCallback(() => setN((x) => x + 1), []) };
}

export function Loaded<T>({ state, children }: { state: { data: T | undefined; error: unknown }; children: (d: T) => ReactNode }) {
  const { t } = useI18n();
  if (state.error) return <Alert tone="error" title={errorMessage(state.error, t)} />;
  if (state.data === undefined) return <Loading label={t('common.loading')} />;
  return <>{children(state.data)}</>;
}
