import { useState } from 'react';
import { Alert, Button, TextField } from '@kennebec/ui';
import { api } from '../lib/api.ts';
import { ErrorAlert, useSubmit } from '../lib/forms.tsx';
import { useI18n } from '../lib/i18n.tsx';
import { navigate, safeLocalPath, useLocation } from '../lib/router.tsx';
import { useSession } from '../lib/session.tsx';
import { PageTitle } from '../shell.tsx';

/**
 * Setting up an authenticator app without a QR code: the secret is shown as text to type in
 * (grouped in fours), with the setup link for apps that take one; a first code confirms it, and
 * the recovery codes are shown once.
 */
export function TotpSetup({ onDone }: { onDone: () => void }) {
  const { t } = useI18n();
  const { refresh } = useSession();
  const [enrolment, setEnrolment] = useState<{ secret: string; otpauthUri: string } | null>(null);
  const [code, setCode] = useState('');
  const [recovery, setRecovery] = useState<string[] | null>(null);
  const form = useSubmit();

  if (recovery) {
    return (
      <div>
        <Alert tone="success" title={t('mfa.enabled')} />
        <h2>{t('mfa.recoveryTitle')}</h2>
        <p>{t('mfa.recoveryIntro')}</p>
        <ul className="codes" aria-label={t('mfa.recoveryTitle')}>
          {recovery.map((c) => (
            <li key={c}>
              <code>{c}</code>
            </li>
          ))}
        </ul>
        <Button onClick={onDone}>{t('mfa.saved')}</Button>
      </div>
    );
  }
  if (!enrolment) {
    return (
      <div>
        <ErrorAlert error={form.error} alertRef={form.alertRef} />
        <p>{t('mfa.intro')}</p>
        <Button busy={form.busy} onClick={() => form.run(async () => setEnrolment(await api.post('/api/mfa/totp/enrol')))}>
          {t('mfa.start')}
        </Button>
      </div>
    );
  }
  const grouped = enrolment.secret.match(/.{1,4}/g)?.join(' ') ?? enrolment.secret;
  return (
    <div>
      <ErrorAlert error={form.error} alertRef={form.alertRef} />
      <ol className="steps">
        <li>{t('mfa.step1')}</li>
        <li>
          {t('mfa.step2')}
          <p className="secret">
            <span className="visually-hidden">{t('mfa.secretLabel')} </span>
            <code data-secret={enrolment.secret} aria-label={`${t('mfa.secretLabel')} ${grouped}`}>
              {grouped}
            </code>
          </p>
          <details>
            <summary>{t('mfa.uriToggle')}</summary>
            <p className="break">
              <code>{enrolment.otpauthUri}</code>
            </p>
          </details>
        </li>
        <li>{t('mfa.step3')}</li>
      </ol>
      <form
        noValidate
        onSubmit={form.onSubmit(async () => {
          const res = await api.post<{ recoveryCodes: string[] }>('/api/mfa/totp/confirm', { code: code.replace(/\s/g, '') });
          setCode('');
          setRecovery(res.recoveryCodes);
          await refresh();
        })}
      >
        <TextField label={t('signIn.code')} hint={t('signIn.codeHint')} value={code} onChange={(e) => setCode(e.target.value)} inputMode="numeric" autoComplete="one-time-code" required />
        <Button type="submit" busy={form.busy}>
          {t('mfa.confirm')}
        </Button>
      </form>
    </div>
  );
}

/** /mfa-setup: required for staff before anything else, offered to patients. */
export function MfaSetupPage() {
  const { t } = useI18n();
  const { query } = useLocation();
  const back = safeLocalPath(query.get('returnTo'));
  return (
    <div className="narrow">
      <PageTitle title={t('mfa.title')}>{t('mfa.title')}</PageTitle>
      <TotpSetup onDone={() => navigate(back, { replace: true })} />
    </div>
  );
}
