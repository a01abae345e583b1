import type { ReactNode } from 'react';
import { Alert, Button, Loading } from '@kennebec/ui';
import { useI18n } from '../lib/i18n.tsx';
import { Link, matchPath, navigate, useLocation } from '../lib/router.tsx';
import { signInPath, useSession } from '../lib/session.tsx';
import { PageTitle, Shell } from '../shell.tsx';
import { PasswordPage, PeoplePage, ProfilePage, ProxiesPage, SecurityPage, SessionsPage } from './account.tsx';
import { ForgotPasswordPage, ResetPasswordPage, SignInPage, SignUpPage, VerifyEmailPage } from './auth-pages.tsx';
import {
  AllergiesPage,
  DocumentsPage,
  HealthIndexPage,
  ImmunizationsPage,
  MedicationsPage,
  ProblemsPage,
  ResultDetailPage,
  ResultsPage,
  VisitsPage,
  VitalsPage,
} from './health.tsx';
import { HomePage } from './home.tsx';
import { EnrollPage, ProxyInvitationPage } from './invitations.tsx';
import { MfaSetupPage } from './mfa.tsx';
import { PeopleProvider } from './people.tsx';
import { PersonSwitcher } from './person-switcher.tsx';

/**
 * The patient portal. Pages marked `open` work without signing in (sign-in, sign-up, the pages
 * emailed links open, invitations); the others need a full session and otherwise go to sign-in,
 * coming back afterwards.
 */
interface Route {
  path: string;
  open?: boolean;
  render: (p: Record<string, string>) => ReactNode;
}

const ROUTES: Route[] = [
  { path: '/sign-in', open: true, render: () => <SignInPage /> },
  { path: '/sign-up', open: true, render: () => <SignUpPage /> },
  { path: '/verify-email', open: true, render: () => <VerifyEmailPage /> },
  { path: '/forgot-password', open: true, render: () => <ForgotPasswordPage /> },
  { path: '/reset-password', open: true, render: () => <ResetPasswordPage /> },
  { path: '/set-password', open: true, render: () => <ResetPasswordPage staff /> },
  { path: '/enroll', open: true, render: () => <EnrollPage /> },
  { path: '/proxy-invitation', open: true, render: () => <ProxyInvitationPage /> },
  { path: '/mfa-setup', render: () => <MfaSetupPage /> },
  { path: '/', render: () => <HomePage /> },
  { path: '/health', render: () => <HealthIndexPage /> },
  { path: '/health/results', render: () => <ResultsPage /> },
  { path: '/health/results/:id', render: (p) => <ResultDetailPage id={p.id ?? ''} /> },
  { path: '/health/vitals', render: () => <VitalsPage /> },
  { path: '/health/medications', render: () => <MedicationsPage /> },
  { path: '/health/allergies', render: () => <AllergiesPage /> },
  { path: '/health/problems', render: () => <ProblemsPage /> },
  { path: '/health/immunizations', render: () => <ImmunizationsPage /> },
  { path: '/health/visits', render: () => <VisitsPage /> },
  { path: '/health/documents', render: () => <DocumentsPage /> },
  { path: '/account', render: () => <ProfilePage /> },
  { path: '/account/password', render: () => <PasswordPage /> },
  { path: '/account/security', render: () => <SecurityPage /> },
  { path: '/account/sessions', render: () => <SessionsPage /> },
  { path: '/account/proxies', render: () => <ProxiesPage /> },
  { path: '/account/people', render: () => <PeoplePage /> },
];

function NotFound() {
  const { t } = useI18n();
  return (
    <>
      <PageTitle title={t('notFound.title')}>{t('notFound.title')}</PageTitle>
      <p>{t('notFound.body')}</p>
      <p>
        <Link to="/">{t('notFound.home')}</Link>
      </p>
    </>
  );
}

function Redirect({ to }: { to: string }) {
  const { t } = useI18n();
  // After the render, so that the router's state is never changed mid-render.
  queueMicrotask(() => navigate(to, { replace: true }));
  return <Loading label={t('common.loading')} />;
}

export function PortalApp() {
  const { t } = useI18n();
  const { session, signOut } = useSession();
  const { path, href } = useLocation();
  const found = ROUTES.map((r) => ({ r, params: matchPath(r.path, path) })).find((x) => x.params !== null);
  const full = session?.authenticated && session.stage === 'full';
  const patient = full && session.user.kind === 'patient';

  let content: ReactNode;
  if (!found?.params) content = <NotFound />;
  else if (session === undefined) content = <Loading label={t('common.loading')} />;
  else if (found.r.open || (session.authenticated && found.r.path === '/mfa-setup')) content = found.r.render(found.params);
  else if (!session.authenticated || session.stage === 'mfa-verify') content = <Redirect to={signInPath(href)} />;
  else if (session.stage === 'mfa-enrol') content = <Redirect to={`/mfa-setup?returnTo=${encodeURIComponent(href)}`} />;
  else if (!patient && !path.startsWith('/account')) {
    content = (
      <>
        <PageTitle title={t('staffInPortal.title')}>{t('staffInPortal.title')}</PageTitle>
        <Alert tone="info" title={t('staffInPortal.body')}>
          <p>
            <Link to="/staff">{t('staffInPortal.link')}</Link>
          </p>
        </Alert>
      </>
    );
  } else content = found.r.render(found.params);

  const nav = full
    ? [
        { to: '/', label: t('nav.home') },
        { to: '/health', label: t('nav.health'), prefix: true },
        { to: '/account', label: t('nav.account'), prefix: true },
      ]
    : [];
  const tools = full ? (
    <Button variant="secondary" onClick={() => void signOut()}>
      {t('nav.signOut')}
    </Button>
  ) : session && !session.authenticated && path !== '/sign-in' ? (
    <Link className="ui-button ui-button-secondary" to={signInPath(path === '/' ? '/' : href)}>
      {t('signIn.submit')}
    </Link>
  ) : null;

  const shell = (
    <Shell appName={t('portal.name')} homeHref="/" nav={nav} tools={tools} banner={patient ? <PersonSwitcher /> : undefined}>
      {content}
    </Shell>
  );
  return patient ? <PeopleProvider key={session.user.id}>{shell}</PeopleProvider> : shell;
}
