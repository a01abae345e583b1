import { Card } from '@kennebec/ui';
import { useI18n } from '../lib/i18n.tsx';
import { Link } from '../lib/router.tsx';
import type { User } from '../lib/session.tsx';
import { PageTitle, type NavItem } from '../shell.tsx';
import { ConsoleFrame, hasRole, type ConsoleRoute } from '../console/frame.tsx';
import { FindPatientPage } from './find-patient.tsx';
import { InvitationsPage } from './invitations.tsx';
import { MailboxPage, useDevMailbox } from './mailbox.tsx';
import { PatientMemoryProvider } from './patient-memory.tsx';
import { PatientPage } from './patient-page.tsx';
import { ApproveRequestPage, ProxyRequestsPage } from './proxy-requests.tsx';
import { ENROLL_ROLES, HIE_ROLES, ORG_ROLES, PROXY_ROLES } from '../console/roles.ts';
import { SettingsPage } from './settings.tsx';

/**
 * The staff console (/staff), loaded on demand: an organization's staff enroll patients
 * (find the record, check the photo ID, email the invitation), follow invitations up, and
 * handle proxy access. Staff sign in on the shared sign-in page with a password and their
 * authenticator app.
 */
function HomePage({ user }: { user: User }) {
  const { t } = useI18n();
  const tasks = [
    ...(hasRole(user, ENROLL_ROLES)
      ? [
          { to: '/staff/enroll', title: t('staff.find.title'), body: t('staff.home.enroll') },
          { to: '/staff/invitations', title: t('staff.invitations.title'), body: t('staff.home.invitations') },
        ]
      : []),
    ...(hasRole(user, PROXY_ROLES) ? [{ to: '/staff/proxy-requests', title: t('staff.request.title'), body: t('staff.home.requests') }] : []),
    ...(hasRole(user, ENROLL_ROLES) ? [{ to: '/staff/settings', title: t('staff.settings.title'), body: t('staff.home.settings') }] : []),
  ];
  return (
    <div>
      <PageTitle title={t('staff.name')}>{t('staff.name')}</PageTitle>
      <p>{t('staff.welcome', { name: user.name ?? user.email })}</p>
      {tasks.length === 0 ? (
        <p>{t('staff.home.nothing')}</p>
      ) : (
        <div className="grid">
          {tasks.map((task) => (
            <Card key={task.to} title={task.title}>
              <p>{task.body}</p>
              <p>
                <Link to={task.to}>{t('staff.home.open', { what: task.title })}</Link>
              </p>
            </Card>
          ))}
        </div>
      )}
    </div>
  );
}

const ROUTES: ConsoleRoute[] = [
  { path: '/staff', render: (_p, user) => <HomePage user={user} /> },
  { path: '/staff/enroll', roles: [...ENROLL_ROLES, ...PROXY_ROLES], render: () => <FindPatientPage /> },
  { path: '/staff/patients/:id', roles: [...ENROLL_ROLES, ...PROXY_ROLES], render: (p, user) => <PatientPage key={p.id} id={p.id ?? ''} user={user} /> },
  { path: '/staff/invitations', roles: ENROLL_ROLES, render: () => <InvitationsPage /> },
  { path: '/staff/proxy-requests', roles: PROXY_ROLES, render: () => <ProxyRequestsPage /> },
  { path: '/staff/proxy-requests/:id', roles: PROXY_ROLES, render: (p) => <ApproveRequestPage key={p.id} id={p.id ?? ''} /> },
  { path: '/staff/settings', roles: ENROLL_ROLES, render: (_p, user) => <SettingsPage user={user} /> },
  { path: '/staff/mailbox', render: () => <MailboxPage /> },
];

export default function StaffApp() {
  const { t } = useI18n();
  const mailbox = useDevMailbox();
  const nav = (user: User): NavItem[] => [
    { to: '/staff', label: t('staff.nav.home') },
    ...(hasRole(user, [...ENROLL_ROLES, ...PROXY_ROLES]) ? [{ to: '/staff/enroll', label: t('staff.nav.find') }] : []),
    ...(hasRole(user, ENROLL_ROLES) ? [{ to: '/staff/invitations', label: t('staff.nav.invitations') }] : []),
    ...(hasRole(user, PROXY_ROLES) ? [{ to: '/staff/proxy-requests', label: t('staff.nav.requests'), prefix: true }] : []),
    ...(hasRole(user, ENROLL_ROLES) ? [{ to: '/staff/settings', label: t('staff.nav.settings') }] : []),
    ...(mailbox ? [{ to: '/staff/mailbox', label: t('staff.nav.mailbox') }] : []),
  ];
  return (
    <PatientMemoryProvider>
      <ConsoleFrame appName={t('staff.name')} home="/staff" areaRoles={ORG_ROLES} routes={ROUTES} nav={nav} otherArea={{ to: '/admin', label: t('admin.name'), roles: HIE_ROLES }} />
    </PatientMemoryProvider>
  );
}
