import { useState } from 'react';
import { Alert, Button, Card, RadioGroup, TextField } from '@kennebec/ui';
import { api } from '../lib/api.ts';
import { useSubmit } from '../lib/forms.tsx';
import { useI18n } from '../lib/i18n.tsx';
import { Link } from '../lib/router.tsx';
import type { User } from '../lib/session.tsx';
import { PageTitle } from '../shell.tsx';
import { ExplainedError } from '../console/errors.tsx';
import { Outcome, useFocusWhen, useOutcome } from '../console/outcome.tsx';
import { hasRole, useEnumText } from '../console/frame.tsx';
import { InvitationList } from './invitations.tsx';
import { patientName, usePatientMemory } from './patient-memory.tsx';
import { GrantForm, GrantList } from './proxy-grants.tsx';
import { ENROLL_ROLES, PROXY_ROLES } from '../console/roles.ts';
import { ID_TYPES, type IdCheck, type IdType, type Invitation, type PatientSummary } from './types.ts';

/**
 * One patient at the desk: enrolling them (the photo ID check, then the emailed invitation),
 * their invitations, and their proxies. The page names the patient from this tab's search; after
 * a reload it shows the record without a name and offers to search again.
 */
function IdCheckStep({ patientId, check, onChecked }: { patientId: string; check: IdCheck | null; onChecked: (c: IdCheck) => void }) {
  const { t, date } = useI18n();
  const idText = useEnumText('staff.idType');
  const [idType, setIdType] = useState<IdType | ''>('');
  const [missing, setMissing] = useState(false);
  const form = useSubmit();
  if (check) {
    return <Alert tone="success" title={t('staff.enroll.checked', { type: idText(check.idType), date: date(check.checkedAt, true) })} />;
  }
  return (
    <form
      noValidate
      onSubmit={form.onSubmit(async () => {
        if (!idType) {
          setMissing(true);
          return;
        }
        onChecked(await api.post<IdCheck>(`/api/enrollment/patients/${encodeURIComponent(patientId)}/id-checks`, { idType }));
      })}
    >
      <ExplainedError error={form.error} alertRef={form.alertRef} />
      <RadioGroup
        legend={t('staff.enroll.idType')}
        hint={t('staff.enroll.idHint')}
        name="id-type"
        value={idType}
        onChange={(v) => (setIdType(v as IdType), setMissing(false))}
        required
        error={missing ? t('staff.enroll.idMissing') : undefined}
        options={ID_TYPES.map((v) => ({ value: v, label: idText(v) }))}
      />
      <Button type="submit" busy={form.busy}>
        {t('staff.enroll.recordCheck')}
      </Button>
    </form>
  );
}

function InviteStep({ patientId, check, onSent }: { patientId: string; check: IdCheck | null; onSent: (i: Invitation) => void }) {
  const { t, date } = useI18n();
  const [email, setEmail] = useState('');
  const [missing, setMissing] = useState(false);
  const [sent, setSent] = useState<Invitation | null>(null);
  const sentRef = useFocusWhen<HTMLDivElement>(sent);
  const form = useSubmit();
  if (sent) {
    return (
      <div ref={sentRef} tabIndex={-1} className="error-summary">
        <Alert tone="success" title={t('staff.enroll.sent', { email: sent.email })}>
          <p>{t('staff.enroll.sentBody', { date: date(sent.expiresAt) })}</p>
        </Alert>
      </div>
    );
  }
  return (
    <form
      noValidate
      onSubmit={form.onSubmit(async () => {
        if (!/^[^\s@]+@[^\s@]+$/.test(email.trim())) {
          setMissing(true);
          return;
        }
        if (!check) return;
        const inv = await api.post<Invitation>('/api/enrollment/invitations', { patientId, email: email.trim(), idCheckId: check.id });
        setSent(inv);
        onSent(inv);
      })}
    >
      <ExplainedError error={form.error} alertRef={form.alertRef} explain={(e) => (e.code === 'KB-INVITATION-PENDING' ? t('staff.enroll.pending') : null)} />
      {!check && <p className="ui-hint">{t('staff.enroll.checkFirst')}</p>}
      <TextField
        label={t('staff.enroll.email')}
        hint={t('staff.enroll.emailHint')}
        type="email"
        autoComplete="off"
        value={email}
        onChange={(e) => (setEmail(e.target.value), setMissing(false))}
        required
        error={missing ? t('staff.enroll.emailMissing') : undefined}
      />
      <Button type="submit" busy={form.busy} disabled={!check}>
        {t('staff.enroll.send')}
      </Button>
    </form>
  );
}

export function PatientPage({ id, user }: { id: string; user: User }) {
  const { t, date } = useI18n();
  const memory = usePatientMemory();
  const patient: PatientSummary | undefined = memory.get(id);
  const [check, setCheck] = useState<IdCheck | null>(null);
  const [version, setVersion] = useState(0);
  const granted = useOutcome();
  const enroll = hasRole(user, ENROLL_ROLES);
  const proxies = hasRole(user, PROXY_ROLES);
  const title = patient ? patientName(patient) || t('staff.patient.unnamed') : t('staff.patient.title');

  return (
    <div>
      <p>
        <Link to="/staff/enroll">{t('staff.patient.back')}</Link>
      </p>
      <PageTitle title={title}>{title}</PageTitle>
      {patient ? (
        <dl className="facts">
          <dt>{t('staff.field.mrn')}</dt>
          <dd>{patient.mrn ?? '—'}</dd>
          <dt>{t('field.birthDate')}</dt>
          <dd>{patient.birthDate ? date(patient.birthDate) : '—'}</dd>
          <dt>{t('staff.patient.portal')}</dt>
          <dd>{patient.enrolled ? t('staff.patient.enrolled') : t('staff.patient.notEnrolled')}</dd>
        </dl>
      ) : (
        <Alert tone="info" title={t('staff.patient.forgotten')}>
          <p>
            <Link to="/staff/enroll">{t('staff.patient.searchAgain')}</Link>
          </p>
        </Alert>
      )}
      {enroll && (
        <Card title={t('staff.enroll.title')} id="enroll">
          {patient?.enrolled ? (
            <p>{t('staff.enroll.already')}</p>
          ) : (
            <>
              <h3>{t('staff.enroll.step1')}</h3>
              <IdCheckStep patientId={id} check={check} onChecked={setCheck} />
              <h3>{t('staff.enroll.step2')}</h3>
              <InviteStep patientId={id} check={check} onSent={() => setVersion((v) => v + 1)} />
            </>
          )}
        </Card>
      )}
      {enroll && (
        <Card title={t('staff.invitation.ofPatient')} id="invitations">
          <InvitationList key={version} patientId={id} />
        </Card>
      )}
      {proxies && (
        <Card title={t('staff.grant.title')} id="proxies">
          <GrantList key={version} patientId={id} />
          <h3>{t('staff.grant.add')}</h3>
          <Outcome outcome={granted} />
          <GrantForm
            patientId={id}
            withEmail
            submitLabel={t('staff.grant.submit')}
            onSubmit={async (input, email) => {
              await api.post('/api/proxy-grants', { ...input, proxyEmail: email, patientId: id });
              granted.show(t('staff.grant.granted', { email }));
              setVersion((v) => v + 1);
            }}
          />
        </Card>
      )}
    </div>
  );
}
