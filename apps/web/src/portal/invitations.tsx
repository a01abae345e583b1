import { useEffect, useState } from 'react';
import { Alert, Button, Loading, TextField } from '@kennebec/ui';
import { api } from '../lib/api.ts';
import { errorMessage } from '../lib/errors.ts';
import { ErrorAlert, fieldError, useSubmit } from '../lib/forms.tsx';
import { useI18n } from '../lib/i18n.tsx';
import { Link, useLocation } from '../lib/router.tsx';
import { rememberReturn, signInPath, useSession } from '../lib/session.tsx';
import { PageTitle } from '../shell.tsx';
import { clearRecordCache } from './people.tsx';

/**
 * Accepting an invitation: /enroll (an organization links the person's record to their account,
 * after the code from the email and a question only they can answer) and /proxy-invitation
 * (someone lets this account act for them). Both need an account: the page offers to create one
 * or sign in, and comes back here afterwards.
 */
function NeedAccount({ here, intro }: { here: string; intro: string }) {
  const { t } = useI18n();
  useEffect(() => rememberReturn(here), [here]);
  return (
    <>
      <p>{intro}</p>
      <div className="actions">
        <Link className="ui-button ui-button-primary" to={`/sign-up?returnTo=${encodeURIComponent(here)}`}>
          {t('signIn.createAccount')}
        </Link>
        <Link className="ui-button ui-button-secondary" to={signInPath(here)}>
          {t('invite.haveAccount')}
        </Link>
      </div>
    </>
  );
}

interface InvitationInfo {
  organization: { name: string };
  identityCheck: 'birth-date' | 'ssn-last4';
  expiresAt: string;
}

export function EnrollPage() {
  const { t, date } = useI18n();
  const { session } = useSession();
  const { query, href } = useLocation();
  const token = query.get('token') ?? '';
  const [info, setInfo] = useState<InvitationInfo | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [code, setCode] = useState('');
  const [birthDate, setBirthDate] = useState('');
  const [ssn, setSsn] = useState('');
  const [linked, setLinked] = useState<string | null>(null);
  const form = useSubmit();

  useEffect(() => {
    if (!token) return;
    api.get<InvitationInfo>(`/api/enrollment/invitation?token=${encodeURIComponent(token)}`).then(setInfo, setLoadError);
  }, [token]);

  const title = t('enroll.title');
  if (!token) {
    return (
      <div className="narrow">
        <PageTitle title={title}>{title}</PageTitle>
        <Alert tone="error" title={t('error.invitationInvalid')} />
      </div>
    );
  }
  if (loadError) {
    return (
      <div className="narrow">
        <PageTitle title={title}>{title}</PageTitle>
        <Alert tone="error" title={errorMessage(loadError, t)} />
      </div>
    );
  }
  if (!info || !session) return <Loading label={t('common.loading')} />;

  if (linked) {
    return (
      <div className="narrow">
        <PageTitle title={title}>{title}</PageTitle>
        <Alert tone="success" title={t('enroll.done', { org: linked })} />
        <p>
          <Link className="ui-button ui-button-primary" to="/">
            {t('enroll.toHome')}
          </Link>
        </p>
      </div>
    );
  }

  const signedIn = session.authenticated && session.stage === 'full';
  return (
    <div className="narrow">
      <PageTitle title={title}>{t('enroll.heading', { org: info.organization.name })}</PageTitle>
      <p>{t('enroll.intro', { org: info.organization.name, date: date(info.expiresAt) })}</p>
      {!signedIn ? (
        <NeedAccount here={href} intro={t('enroll.needAccount')} />
      ) : (
        <>
          {session.authenticated && !session.user.mfa.totp && (
            <Alert tone="info" title={t('enroll.mfaTitle')}>
              <p>
                {t('enroll.mfaBody')} <Link to={`/mfa-setup?returnTo=${encodeURIComponent(href)}`}>{t('enroll.mfaLink')}</Link>
              </p>
            </Alert>
          )}
          <ErrorAlert error={form.error} alertRef={form.alertRef} />
          <form
            noValidate
            onSubmit={form.onSubmit(async () => {
              const answer = info.identityCheck === 'ssn-last4' ? { ssnLast4: ssn.trim() } : { birthDate };
              const res = await api.post<{ organization: { name: string } }>('/api/enrollment/accept', { token, code: code.trim().toUpperCase(), ...answer });
              clearRecordCache();
              setLinked(res.organization.name);
            })}
          >
            <TextField
              label={t('enroll.code')}
              hint={t('enroll.codeHint')}
              value={code}
              onChange={(e) => setCode(e.target.value)}
              autoComplete="off"
              autoCapitalize="characters"
              required
              error={fieldError(form.error, 'code', t('enroll.codeWrong'))}
            />
            {info.identityCheck === 'ssn-last4' ? (
              <TextField
                label={t('enroll.ssn')}
                hint={t('enroll.ssnHint')}
                value={ssn}
                onChange={(e) => setSsn(e.target.value)}
                inputMode="numeric"
                maxLength={4}
                autoComplete="off"
                required
                error={fieldError(form.error, 'ssnLast4', t('enroll.ssnWrong'))}
              />
            ) : (
              <TextField
                label={t('field.birthDate')}
                type="date"
                value={birthDate}
                onChange={(e) => setBirthDate(e.target.value)}
                autoComplete="bday"
                required
                error={fieldError(form.error, 'birthDate', t('enroll.birthDateWrong'))}
              />
            )}
            <Button type="submit" busy={form.busy}>
              {t('enroll.submit')}
            </Button>
          </form>
        </>
      )}
    </div>
  );
}

export function ProxyInvitationPage() {
  const { t } = useI18n();
  const { session } = useSession();
  const { query, href } = useLocation();
  const token = query.get('token') ?? '';
  const [code, setCode] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const form = useSubmit();
  const title = t('proxyInvite.title');
  if (!session) return <Loading label={t('common.loading')} />;
  const signedIn = session.authenticated && session.stage === 'full';
  return (
    <div className="narrow">
      <PageTitle title={title}>{title}</PageTitle>
      {done !== null ? (
        <>
          <Alert tone="success" title={t('proxyInvite.done', { name: done })} />
          <p>
            <Link className="ui-button ui-button-primary" to="/">
              {t('enroll.toHome')}
            </Link>
          </p>
        </>
      ) : !signedIn ? (
        <NeedAccount here={href} intro={t('proxyInvite.needAccount')} />
      ) : (
        <>
          <p>{t('proxyInvite.intro')}</p>
          <ErrorAlert error={form.error} alertRef={form.alertRef} />
          <form
            noValidate
            onSubmit={form.onSubmit(async () => {
              const grant = await api.post<{ name: string | null }>('/api/proxy-invitations/accept', { token, code: code.trim() });
              clearRecordCache();
              setDone(grant.name ?? '');
            })}
          >
            <TextField label={t('proxyInvite.code')} hint={t('proxyInvite.codeHint')} value={code} onChange={(e) => setCode(e.target.value)} autoComplete="off" required />
            <Button type="submit" busy={form.busy} disabled={!token}>
              {t('proxyInvite.submit')}
            </Button>
          </form>
        </>
      )}
    </div>
  );
}
