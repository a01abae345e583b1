import { useState } from 'react';
import { Button, Dialog, SelectField } from '@kennebec/ui';
import { api } from '../lib/api.ts';
import { useSubmit } from '../lib/forms.tsx';
import { useI18n } from '../lib/i18n.tsx';
import { Link } from '../lib/router.tsx';
import { PageTitle } from '../shell.tsx';
import { ExplainedError } from '../console/errors.tsx';
import { Badge, Loaded, useEnumText } from '../console/frame.tsx';
import { PagedList } from '../console/lists.tsx';
import { Outcome, useOutcome } from '../console/outcome.tsx';
import { useLoad } from '../console/use-load.ts';
import { patientName, usePatientMemory } from './patient-memory.tsx';
import { INVITATION_STATUSES, type Invitation, type InvitationStatus } from './types.ts';

/**
 * Invitations of my organization with their status; resend (a new link and code, the old ones
 * stop working) and revoke, each confirmed in a dialog first.
 */
const TONE: Record<InvitationStatus, 'ok' | 'flag' | 'critical' | undefined> = { pending: undefined, accepted: 'ok', expired: 'flag', revoked: undefined, locked: 'critical' };
const OPEN: InvitationStatus[] = ['pending', 'expired', 'locked'];

type Action = { kind: 'resend' | 'revoke'; invitation: Invitation };

export function InvitationList({ patientId, onChanged }: { patientId?: string; onChanged?: () => void }) {
  const { t, date } = useI18n();
  const memory = usePatientMemory();
  const statusText = useEnumText('staff.invitation.status');
  const [status, setStatus] = useState<'' | InvitationStatus>('');
  const q = new URLSearchParams({ ...(status ? { status } : {}), ...(patientId ? { patientId } : {}) }).toString();
  const list = useLoad<{ invitations: Invitation[] }>(`/api/enrollment/invitations${q ? `?${q}` : ''}`);
  const [action, setAction] = useState<Action | null>(null);
  const done = useOutcome();
  const form = useSubmit();

  const confirm = () =>
    form.run(async () => {
      if (!action) return;
      const { kind, invitation } = action;
      await api.post<Invitation>(`/api/enrollment/invitations/${encodeURIComponent(invitation.id)}/${kind}`);
      setAction(null);
      done.show(kind === 'resend' ? t('staff.invitation.resent', { email: invitation.email }) : t('staff.invitation.revoked', { email: invitation.email }));
      list.reload();
      onChanged?.();
    });

  const label = patientId ? t('staff.invitation.ofPatient') : t('staff.invitations.title');
  return (
    <div>
      {!patientId && (
        <SelectField
          label={t('staff.invitation.filter')}
          value={status}
          onChange={(e) => setStatus(e.target.value as '' | InvitationStatus)}
          options={[{ value: '', label: t('staff.invitation.all') }, ...INVITATION_STATUSES.map((s) => ({ value: s, label: statusText(s) }))]}
        />
      )}
      <Outcome outcome={done} />
      {!action && <ExplainedError error={form.error} alertRef={form.alertRef} />}
      <Loaded state={list}>
        {({ invitations }) => (
          <PagedList
            items={invitations}
            label={label}
            empty={t('staff.invitation.none')}
            keyOf={(i) => i.id}
            render={(i) => {
              const who = memory.get(i.patientId);
              return (
                <>
                  <div className="row-head">
                    <span className="row-title">{i.email}</span>
                    <Badge tone={TONE[i.status]}>{statusText(i.status)}</Badge>
                  </div>
                  <p className="row-meta">
                    {!patientId && who && (
                      <Link to={`/staff/patients/${encodeURIComponent(i.patientId)}`}>{patientName(who)}</Link>
                    )}
                    <span>{t(i.sentCount > 1 ? 'staff.invitation.sentTimes' : 'staff.invitation.sent', { date: date(i.sentAt, true), n: i.sentCount })}</span>
                    {i.status === 'accepted' && i.acceptedAt ? (
                      <span>{t('staff.invitation.acceptedOn', { date: date(i.acceptedAt, true) })}</span>
                    ) : i.status === 'revoked' && i.revokedAt ? (
                      <span>{t('staff.invitation.revokedOn', { date: date(i.revokedAt, true) })}</span>
                    ) : (
                      <span>{t(i.status === 'expired' ? 'staff.invitation.expiredOn' : 'staff.invitation.expiresOn', { date: date(i.expiresAt, true) })}</span>
                    )}
                    {i.failedAttempts > 0 && <span>{t('staff.invitation.failed', { n: i.failedAttempts })}</span>}
                  </p>
                  {OPEN.includes(i.status) && (
                    <div className="actions">
                      <Button variant="secondary" aria-label={t('staff.invitation.resendTo', { email: i.email })} onClick={() => (form.setError(null), setAction({ kind: 'resend', invitation: i }))}>
                        {t('staff.invitation.resend')}
                      </Button>
                      <Button variant="danger" aria-label={t('staff.invitation.revokeTo', { email: i.email })} onClick={() => (form.setError(null), setAction({ kind: 'revoke', invitation: i }))}>
                        {t('staff.invitation.revoke')}
                      </Button>
                    </div>
                  )}
                </>
              );
            }}
          />
        )}
      </Loaded>
      <Dialog
        open={action !== null}
        title={action?.kind === 'revoke' ? t('staff.invitation.revokeTitle') : t('staff.invitation.resendTitle')}
        confirmLabel={action?.kind === 'revoke' ? t('staff.invitation.revokeConfirm') : t('staff.invitation.resendConfirm')}
        cancelLabel={t('common.cancel')}
        tone={action?.kind === 'revoke' ? 'danger' : 'default'}
        busy={form.busy}
        onConfirm={() => void confirm()}
        onCancel={() => setAction(null)}
      >
        {action && <p>{action.kind === 'revoke' ? t('staff.invitation.revokeBody', { email: action.invitation.email }) : t('staff.invitation.resendBody', { email: action.invitation.email })}</p>}
        {action && <ExplainedError error={form.error} alertRef={form.alertRef} />}
      </Dialog>
    </div>
  );
}

/** /staff/invitations */
export function InvitationsPage() {
  const { t } = useI18n();
  return (
    <div>
      <PageTitle title={t('staff.invitations.title')}>{t('staff.invitations.title')}</PageTitle>
      <p>
        {t('staff.invitations.intro')} <Link to="/staff/enroll">{t('staff.invitations.toFind')}</Link>
      </p>
      <InvitationList />
    </div>
  );
}
