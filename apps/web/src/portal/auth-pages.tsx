import { useState } from 'react';
import { Alert, Button, TextField } from '@kennebec/ui';
import { api } from '../lib/api.ts';
import { useDraft } from '../lib/drafts.ts';
import { ErrorAlert, useSubmit } from '../lib/forms.tsx';
import { useI18n } from '../lib/i18n.tsx';
import { Link, navigate, useLocation } from '../lib/router.tsx';
import { takeReturn, useSession, type SessionView } from '../lib/session.tsx';
import { PageTitle } from '../shell.tsx';

/**
 * Signing in (password, then the authenticator code when the account has one), signing up, and
 * the pages the account emails link to: confirm the address, choose a new password.
 */
export function SignInPage() {
  const { t } = useI18n();
  const { session, update, expired } = useSession();
  const { query } = useLocation();
  const [email, setEmail] = useDraft('sign-in-email');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [useRecovery, setUseRecovery] = useState(false);
  const form = useSubmit();
  const returnTo = query.get('returnTo');

  const done = (s: SessionView) => {
    update(s);
    if (!s.authenticated) return;
    if (s.stage === 'mfa-enrol') navigate(`/mfa-setup${returnTo ? `?returnTo=${encodeURIComponent(returnTo)}` : ''}`, { replace: true });
    else if (s.stage === 'full') navigate(takeReturn(returnTo ?? (s.user.kind === 'staff' ? '/staff' : null)), { replace: true });
  };

  const mfaStep = session?.authenticated && session.stage === 'mfa-verify';
  const oidc = session && !session.authenticated && session.signInMethods.includes('oidc');

  if (mfaStep) {
    return (
      <div className="narrow">
        <PageTitle title={t('signIn.codeTitle')}>{t('signIn.codeTitle')}</PageTitle>
        <ErrorAlert error={form.error} alertRef={form.alertRef} />
        <form
          noValidate
          onSubmit={form.onSubmit(async () => {
            const body = useRecovery ? { recoveryCode: code.trim() } : { code: code.replace(/\s/g, '') };
            done(await api.post<SessionView>('/api/session/mfa', body));
          })}
        >
          {useRecovery ? (
            <TextField label={t('signIn.recoveryCode')} hint={t('signIn.recoveryHint')} value={code} onChange={(e) => setCode(e.target.value)} autoComplete="off" required />
          ) : (
            <TextField label={t('signIn.code')} hint={t('signIn.codeHint')} value={code} onChange={(e) => setCode(e.target.value)} inputMode="numeric" autoComplete="one-time-code" required />
          )}
          <div className="actions">
            <Button type="submit" busy={form.busy}>
              {t('signIn.verify')}
            </Button>
            <Button variant="link" onClick={() => (setUseRecovery(!useRecovery), setCode(''))}>
              {useRecovery ? t('signIn.useApp') : t('signIn.useRecovery')}
            </Button>
          </div>
        </form>
      </div>
    );
  }

  return (
    <div className="narrow">
      <PageTitle title={t('signIn.title')}>{t('signIn.title')}</PageTitle>
      {expired && <Alert tone="info" title={t('signIn.expired')} />}
      <ErrorAlert error={form.error} alertRef={form.alertRef} />
      <form
        noValidate
        onSubmit={form.onSubmit(async () => {
          done(await api.post<SessionView>('/api/session', { email: email.trim(), password }, { quiet401: true }));
          setPassword('');
        })}
      >
        <TextField label={t('field.email')} type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} required />
        <TextField label={t('field.password')} type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        <div className="actions">
          <Button type="submit" busy={form.busy}>
            {t('signIn.submit')}
          </Button>
          <Link to="/forgot-password">{t('signIn.forgot')}</Link>
        </div>
      </form>
      {oidc && (
        <p>
          <a className="ui-button ui-button-secondary" href={`/api/auth/oidc/start?returnTo=${encodeURIComponent(returnTo ?? '/')}`}>
            {t('signIn.oidc')}
          </a>
        </p>
      )}
      <p>
        {t('signIn.noAccount')} <Link to={`/sign-up${returnTo ? `?returnTo=${encodeURIComponent(returnTo)}` : ''}`}>{t('signIn.createAccount')}</Link>
      </p>
    </div>
  );
}

function PasswordHint() {
  const { t } = useI18n();
  return <>{t('password.hint')}</>;
}

export function SignUpPage() {
  const { t } = useI18n();
  const [name, setName] = useDraft('sign-up-name');
  const [email, setEmail] = useDraft('sign-up-email');
  const [password, setPassword] = useState('');
  const [sent, setSent] = useState(false);
  const form = useSubmit();
  if (sent) {
    return (
      <div className="narrow">
        <PageTitle title={t('signUp.checkTitle')}>{t('signUp.checkTitle')}</PageTitle>
        <Alert tone="success" title={t('signUp.checkBody', { email })} />
        <p>
          <Link to="/sign-in">{t('signUp.toSignIn')}</Link>
        </p>
      </div>
    );
  }
  return (
    <div className="narrow">
      <PageTitle title={t('signUp.title')}>{t('signUp.title')}</PageTitle>
      <p>{t('signUp.intro')}</p>
      <ErrorAlert error={form.error} alertRef={form.alertRef} />
      <form
        noValidate
        onSubmit={form.onSubmit(async () => {
          await api.post('/api/accounts', { email: email.trim(), password, ...(name.trim() ? { name: name.trim() } : {}) });
          setPassword('');
          setSent(true);
        })}
      >
        <TextField label={t('field.name')} autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} />
        <TextField label={t('field.email')} type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} required />
        <TextField label={t('field.newPassword')} hint={<PasswordHint />} type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        <Button type="submit" busy={form.busy}>
          {t('signUp.submit')}
        </Button>
      </form>
      <p>
        {t('signUp.haveAccount')} <Link to="/sign-in">{t('signIn.submit')}</Link>
      </p>
    </div>
  );
}

/** The page of the emailed link: confirming takes a click, so mail scanners that open links do not use it up. */
export function VerifyEmailPage() {
  const { t } = useI18n();
  const { query } = useLocation();
  const token = query.get('token') ?? '';
  const [done, setDone] = useState(false);
  const form = useSubmit();
  return (
    <div className="narrow">
      <PageTitle title={t('verify.title')}>{t('verify.title')}</PageTitle>
      <ErrorAlert error={form.error} alertRef={form.alertRef} />
      {done ? (
        <>
          <Alert tone="success" title={t('verify.done')} />
          <p>
            <Link className="ui-button ui-button-primary" to="/sign-in">
              {t('signIn.submit')}
            </Link>
          </p>
        </>
      ) : (
        <form
          onSubmit={form.onSubmit(async () => {
            await api.post('/api/accounts/verify-email', { token });
            setDone(true);
          })}
        >
          <p>{t('verify.intro')}</p>
          <Button type="submit" busy={form.busy} disabled={!token}>
            {t('verify.submit')}
          </Button>
        </form>
      )}
    </div>
  );
}

export function ForgotPasswordPage() {
  const { t } = useI18n();
  const [email, setEmail] = useDraft('forgot-email');
  const [sent, setSent] = useState(false);
  const form = useSubmit();
  return (
    <div className="narrow">
      <PageTitle title={t('forgot.title')}>{t('forgot.title')}</PageTitle>
      <ErrorAlert error={form.error} alertRef={form.alertRef} />
      {sent ? (
        <Alert tone="success" title={t('forgot.sent')} />
      ) : (
        <form
          noValidate
          onSubmit={form.onSubmit(async () => {
            await api.post('/api/password/forgot', { email: email.trim() });
            setSent(true);
          })}
        >
          <p>{t('forgot.intro')}</p>
          <TextField label={t('field.email')} type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} required />
          <Button type="submit" busy={form.busy}>
            {t('forgot.submit')}
          </Button>
        </form>
      )}
      <p>
        <Link to="/sign-in">{t('forgot.back')}</Link>
      </p>
    </div>
  );
}

/** /reset-password (forgotten password) and /set-password (a new staff account): the same API. */
export function ResetPasswordPage({ staff = false }: { staff?: boolean }) {
  const { t } = useI18n();
  const { query } = useLocation();
  const token = query.get('token') ?? '';
  const [password, setPassword] = useState('');
  const [done, setDone] = useState(false);
  const form = useSubmit();
  const title = staff ? t('reset.staffTitle') : t('reset.title');
  return (
    <div className="narrow">
      <PageTitle title={title}>{title}</PageTitle>
      <ErrorAlert error={form.error} alertRef={form.alertRef} />
      {done ? (
        <>
          <Alert tone="success" title={t('reset.done')} />
          <p>
            <Link className="ui-button ui-button-primary" to={staff ? '/sign-in?returnTo=%2Fstaff' : '/sign-in'}>
              {t('signIn.submit')}
            </Link>
          </p>
        </>
      ) : (
        <form
          noValidate
          onSubmit={form.onSubmit(async () => {
            await api.post('/api/password/reset', { token, password });
            setPassword('');
            setDone(true);
          })}
        >
          <TextField label={t('field.newPassword')} hint={<PasswordHint />} type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
          <Button type="submit" busy={form.busy} disabled={!token}>
            {t('reset.submit')}
          </Button>
        </form>
      )}
    </div>
  );
}

