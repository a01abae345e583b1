import { lazy, Suspense } from 'react';
import { Loading } from '@kennebec/ui';
import { I18nProvider, useI18n } from './lib/i18n.tsx';
import { useLocation } from './lib/router.tsx';
import { SessionProvider } from './lib/session.tsx';
import { PortalApp } from './portal/portal-app.tsx';

/**
 * One app, three areas: the patient portal at /, the staff console at /staff and HIE
 * administration at /admin. The portal is in the first download; the other two are loaded
 * only when someone opens them.
 */
const StaffApp = lazy(() => import('./staff/staff-app.tsx'));
const AdminApp = lazy(() => import('./admin/admin-app.tsx'));

function Areas() {
  const { path } = useLocation();
  const { t } = useI18n();
  const under = (p: string) => path === p || path.startsWith(`${p}/`);
  if (under('/staff') || under('/admin')) {
    return <Suspense fallback={<Loading label={t('common.loading')} />}>{under('/staff') ? <StaffApp /> : <AdminApp />}</Suspense>;
  }
  return <PortalApp />;
}

export function App() {
  return (
    <I18nProvider>
      <SessionProvider>
        <Areas />
      </SessionProvider>
    </I18nProvider>
  );
}
