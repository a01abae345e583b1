import { Card } from '@kennebec/ui';
import { useI18n } from '../lib/i18n.tsx';
import { Link } from '../lib/router.tsx';
import type { User } from '../lib/session.tsx';
import { PageTitle, type NavItem } from '../shell.tsx';
import { ConsoleFrame, hasRole, type ConsoleRoute } from '../console/frame.tsx';
import { FindPersonPage, PatientHistoryPage, PersonPage } from './link-history.tsx';
import { ReviewCacheProvider } from './match-record.tsx';
import { MessagesPage } from './messages.tsx';
import { ReviewPage, ReviewQueuePage } from './reviews.tsx';
import { ACT_ROLES, HIE_ROLES, ORG_ROLES } from '../console/roles.ts';
import { SourcesPage } from './sources.tsx';

/**
 * The HIE administration (/admin), loaded on demand, for HIE admins and privacy officers: data
 * sources and their feeds, failed messages to run again, the matching review queue, and each
 * Person's link history with undo. Page paths never take an API route's path (/admin/sources,
 * /admin/messages and /admin/mpi/… are JSON), so a reload or a shared link opens the page. Privacy officers see the index but change nothing; the
 * sources and the message log are for HIE admins.
 */
function HomePage({ user }: { user: User }) {
  const { t } = useI18n();
  const admin = hasRole(user, ACT_ROLES);
  const tasks = [
    ...(admin
      ? [
          { to: '/admin/data-sources', title: t('admin.sources.title'), body: t('admin.home.sources') },
          { to: '/admin/message-log', title: t('admin.messages.title'), body: t('admin.home.messages') },
        ]
      : []),
    { to: '/admin/reviews', title: t('admin.reviews.title'), body: t('admin.home.reviews') },
    { to: '/admin/persons', title: t('admin.find.title'), body: t('admin.home.persons') },
  ];
  return (
    <div>
      <PageTitle title={t('admin.name')}>{t('admin.name')}</PageTitle>
      <p>{t('admin.welcome', { name: user.name ?? user.email })}</p>
      {!admin && <p>{t('admin.home.readOnly')}</p>}
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
    </div>
  );
}

const ROUTES: ConsoleRoute[] = [
  { path: '/admin', render: (_p, user) => <HomePage user={user} /> },
  { path: '/admin/data-sources', roles: ACT_ROLES, render: () => <SourcesPage /> },
  { path: '/admin/message-log', roles: ACT_ROLES, render: () => <MessagesPage /> },
  { path: '/admin/reviews', render: () => <ReviewQueuePage /> },
  { path: '/admin/reviews/:id', render: (p, user) => <ReviewPage key={p.id} id={p.id ?? ''} user={user} /> },
  { path: '/admin/persons', render: () => <FindPersonPage /> },
  { path: '/admin/persons/:id', render: (p, user) => <PersonPage key={p.id} personId={p.id ?? ''} user={user} /> },
  { path: '/admin/patients/:id', render: (p, user) => <PatientHistoryPage key={p.id} patientId={p.id ?? ''} user={user} /> },
];

export default function AdminApp() {
  const { t } = useI18n();
  const nav = (user: User): NavItem[] => [
    { to: '/admin', label: t('admin.nav.home') },
    ...(hasRole(user, ACT_ROLES)
      ? [
          { to: '/admin/data-sources', label: t('admin.nav.sources') },
          { to: '/admin/message-log', label: t('admin.nav.messages') },
        ]
      : []),
    { to: '/admin/reviews', label: t('admin.nav.reviews'), prefix: true },
    { to: '/admin/persons', label: t('admin.nav.persons'), prefix: true },
  ];
  return (
    <ReviewCacheProvider>
      <ConsoleFrame appName={t('admin.name')} home="/admin" areaRoles={HIE_ROLES} routes={ROUTES} nav={nav} otherArea={{ to: '/staff', label: t('staff.name'), roles: ORG_ROLES }} />
    </ReviewCacheProvider>
  );
}
