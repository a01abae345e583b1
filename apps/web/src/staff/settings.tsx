import { useState } from 'react';
import { Alert, Button, RadioGroup } from '@kennebec/ui';
import { api } from '../lib/api.ts';
import { useSubmit } from '../lib/forms.tsx';
import { useI18n } from '../lib/i18n.tsx';
import type { User } from '../lib/session.tsx';
import { PageTitle } from '../shell.tsx';
import { ExplainedError } from '../console/errors.tsx';
import { hasRole, Loaded } from '../console/frame.tsx';
import { useLoad } from '../console/use-load.ts';
import { ADMIN_ROLES } from '../console/roles.ts';
import type { IdentityCheck } from './types.ts';

/**
 * /staff/settings: what a person answers, besides the emailed code, when they accept an
 * invitation. Org admins change it; other staff see it.
 */
function SettingsForm({ current, editable }: { current: IdentityCheck; editable: boolean }) {
  const { t } = useI18n();
  const [value, setValue] = useState<IdentityCheck>(current);
  const [saved, setSaved] = useState(false);
  const form = useSubmit();
  const options = [
    { value: 'birth-date', label: t('staff.settings.birthDate'), hint: t('staff.settings.birthDateHint') },
    { value: 'ssn-last4', label: t('staff.settings.ssn'), hint: t('staff.settings.ssnHint') },
  ];
  if (!editable) {
    return (
      <>
        <p>
          <strong>{t('staff.settings.question')}:</strong> {options.find((o) => o.value === current)?.label}
        </p>
        <p className="ui-hint">{t('staff.settings.adminOnly')}</p>
      </>
    );
  }
  return (
    <form
      noValidate
      onSubmit={form.onSubmit(async () => {
        setSaved(false);
        await api.put('/api/enrollment/settings', { identityCheck: value });
        setSaved(true);
      })}
    >
      <ExplainedError error={form.error} alertRef={form.alertRef} />
      {saved && <Alert tone="success" title={t('staff.settings.saved')} />}
      <RadioGroup legend={t('staff.settings.question')} name="identity-check" value={value} onChange={(v) => (setValue(v as IdentityCheck), setSaved(false))} options={options} />
      <Button type="submit" busy={form.busy}>
        {t('staff.settings.save')}
      </Button>
    </form>
  );
}

export function SettingsPage({ user }: { user: User }) {
  const { t } = useI18n();
  const settings = useLoad<{ identityCheck: IdentityCheck }>('/api/enrollment/settings');
  return (
    <div className="narrow">
      <PageTitle title={t('staff.settings.title')}>{t('staff.settings.title')}</PageTitle>
      <p>{t('staff.settings.intro')}</p>
      <Loaded state={settings}>{(s) => <SettingsForm current={s.identityCheck} editable={hasRole(user, ADMIN_ROLES)} />}</Loaded>
    </div>
  );
}
