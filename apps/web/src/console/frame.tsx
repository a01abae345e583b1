import type { ReactNode } from 'react';
import { Alert, Button, Loading } from '@kennebec/ui';
import type { MessageKey } from '../i18n/en.ts';
import { errorMessage } from '../lib/errors.ts';
import { useI18n } from '../lib/i18n.tsx';
import { Link, matchPath, navigate, useLocation } from '../lib/router.tsx';
import { signInPath, useSession, type StaffRole, type User } from '../lib/session.tsx';
import { PageTitle, Shell, type NavItem } from '../shell.tsx';
import type { Load } from './use-load.ts';
import './console.css';

/**
 * The frame shared by the staff console and the HIE administration: staff sign in on the shared
 * sign-in page; a staff session without its second factor goes to set up the authenticator app
 * (the portal's own page) or to enter a code, then comes back. Only staff with one of the
 * area's roles see its pages; anyone else is told where to go instead.
 */
export interface ConsoleRoute {
  path: string;
  render: (params: Record<string, string>, user: User) => ReactNode;
  /** Roles that may open the page (any of them); omitted: every role of the area. */
  roles?: readonly StaffRole[];
}

export function hasRole(user: User, roles: readonly StaffRole[]): boolean {
  return (user.staff?.roles ?? []).some((r) => roles.includes(r));
}

function Redirect({ to }: { to: string }) {
  const { t } = useI18n();
  // After the render, so the router's state never changes mid-render.
  queueMicrotask(() => navigate(to, { replace: true }));
  return <Loading label={t('common.loading')} />;
}

function Refused({ title, body, link }: { title: string; body: string; link?: { to: string; label: string } }) {
  return (
    <>
      <PageTitle title={title}>{title}</PageTitle>
      <Alert tone="info" title={body}>
        {link && (
          <p>
            <Link to={link.to}>{link.label}</Link>
          </p>
        )}
      </Alert>
    </>
  );
}

export function ConsoleFrame({
  appName,
  home,
  areaRoles,
  routes,
  nav,
  otherArea,
}: {
  appName: string;
  home: string;
  /** Staff roles that belong in this area. */
  areaRoles: readonly StaffRole[];
  routes: ConsoleRoute[];
  nav: (user: User) => NavItem[];
  /** Where staff of the other area belong, for the message they get here. */
  otherArea: { to: string; label: string; roles: readonly StaffRole[] };
}) {
  const { t } = useI18n();
  const { session, signOut } = useSession();
  const { path, href } = useLocation();
  const found = routes.map((r) => ({ r, params: matchPath(r.path, path) })).find((x) => x.params !== null);
  const user = session?.authenticated && session.stage === 'full' ? session.user : null;
  const inArea = user?.kind === 'staff' && hasRole(user, areaRoles);

  let content: ReactNode;
  if (session === undefined) content = <Loading label={t('common.loading')} />;
  else if (!session.authenticated || session.stage === 'mfa-verify') content = <Redirect to={signInPath(href)} />;
  else if (session.stage === 'mfa-enrol') content = <Redirect to={`/mfa-setup?returnTo=${encodeURIComponent(href)}`} />;
  else if (session.user.kind !== 'staff') content = <Refused title={t('console.staffOnly')} body={t('console.staffOnlyBody')} link={{ to: '/', label: t('console.toPortal') }} />;
  // Staff who land on the other area's front page (signing in goes to /staff) are taken to their own.
  else if (!inArea && path === home && session.user.staff && hasRole(session.user, otherArea.roles)) content = <Redirect to={otherArea.to} />;
  else if (!inArea) content = <Refused title={t('console.otherArea')} body={t('console.otherAreaBody')} link={otherArea} />;
  else if (!found?.params) content = <Refused title={t('notFound.title')} body={t('notFound.body')} link={{ to: home, label: appName }} />;
  else if (found.r.roles && !hasRole(session.user, found.r.roles)) content = <Refused title={t('console.notYourRole')} body={t('console.notYourRoleBody')} link={{ to: home, label: appName }} />;
  else content = found.r.render(found.params, session.user);

  const tools = session?.authenticated ? (
    <>
      {user && <span className="signed-in-as">{user.name ?? user.email}</span>}
      <Button variant="secondary" onClick={() => void signOut()}>
        {t('nav.signOut')}
      </Button>
    </>
  ) : null;
  return (
    <Shell appName={appName} homeHref={home} nav={inArea && user ? nav(user) : []} tools={tools}>
      {content}
    </Shell>
  );
}

/** Shows a load's error or a loading line until its data is there. */
export function Loaded<T>({ state, children }: { state: Load<T>; children: (data: T) => ReactNode }) {
  const { t } = useI18n();
  if (state.error) return <Alert tone="error" title={errorMessage(state.error, t)} />;
  if (state.data === undefined) return <Loading label={t('common.loading')} />;
  return <>{children(state.data)}</>;
}

/** A status shown as a word in a badge, never by colour alone. */
export function Badge({ tone, children }: { tone?: 'ok' | 'flag' | 'critical'; children: ReactNode }) {
  return <span className={`badge${tone ? ` badge-${tone}` : ''}`}>{children}</span>;
}

/** Translates a value of a closed set through keys `${prefix}.${value}`, falling back to the value. */
export function useEnumText(prefix: string): (value: string) => string {
  const { t } = useI18n();
  return (value) => {
    const key = `${prefix}.${value}` as MessageKey;
    const text = t(key);
    return text === key ? value : text;
  };
}
