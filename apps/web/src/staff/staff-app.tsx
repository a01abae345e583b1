import { Alert } from '@kennebec/ui';
import { useI18n } from '../lib/i18n.tsx';
import { Link } from '../lib/router.tsx';
import { signInPath, useSession } from '../lib/session.tsx';
import { PageTitle, Shell } from '../shell.tsx';

/**
 * The staff console (/staff), loaded on demand. Staff sign in on the shared sign-in page and
 * must have an authenticator app; the console's pages build on this frame.
 */
export default function StaffApp() {
  const { t } = useI18n();
  const { session, signOut } = useSession();
  const staff = session?.authenticated && session.stage === 'full' && session.user.kind === 'staff';
  return (
    <Shell
      appName={t('staff.name')}
      homeHref="/staff"
      nav={[]}
      tools={
        session?.authenticated ? (
          <button type="button" className="ui-button ui-button-secondary" onClick={() => void signOut()}>
            {t('nav.signOut')}
          </button>
        ) : null
      }
    >
      <PageTitle title={t('staff.name')}>{t('staff.name')}</PageTitle>
      {staff ? (
        <p>{t('staff.welcome', { name: session.user.name ?? session.user.email })}</p>
      ) : (
        <Alert tone="info" title={t('staff.signInFirst')}>
          <p>
            <Link to={signInPath('/staff')}>{t('signIn.submit')}</Link>
          </p>
        </Alert>
      )}
    </Shell>
  );
}
