import { Alert } from '@kennebec/ui';
import { useI18n } from '../lib/i18n.tsx';
import { Link } from '../lib/router.tsx';
import { signInPath, useSession } from '../lib/session.tsx';
import { PageTitle, Shell } from '../shell.tsx';

/**
 * The HIE administration (/admin), loaded on demand. Staff sign in on the shared sign-in page and
 * must have an authenticator app; the administration pages build on this frame.
 */
export default function AdminApp() {
  const { t } = useI18n();
  const { session, signOut } = useSession();
  const staff = session?.authenticated && session.stage === 'full' && session.user.kind === 'staff';
  return (
    <Shell
      appName={t('admin.name')}
      homeHref="/admin"
      nav={[]}
      tools={
        session?.authenticated ? (
          <button type="button" className="ui-button ui-button-secondary" onClick={() => void signOut()}>
            {t('nav.signOut')}
          </button>
        ) : null
      }
    >
      <PageTitle title={t('admin.name')}>{t('admin.name')}</PageTitle>
      {staff ? (
        <p>{t('admin.welcome', { name: session.user.name ?? session.user.email })}</p>
      ) : (
        <Alert tone="info" title={t('admin.signInFirst')}>
          <p>
            <Link to={signInPath('/admin')}>{t('signIn.submit')}</Link>
          </p>
        </Alert>
      )}
    </Shell>
  );
}
