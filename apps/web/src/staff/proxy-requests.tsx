import { useState } from 'react';
import { Alert, Button, Card, Dialog } from '@kennebec/ui';
import { api } from '../lib/api.ts';
import { useSubmit } from '../lib/forms.tsx';
import { useI18n } from '../lib/i18n.tsx';
import { Link } from '../lib/router.tsx';
import { PageTitle } from '../shell.tsx';
import { ExplainedError } from '../console/errors.tsx';
import { Badge, Loaded, useEnumText } from '../console/frame.tsx';
import { PagedList } from '../console/lists.tsx';
import { Outcome, useFocusWhen, useOutcome } from '../console/outcome.tsx';
import { useLoad } from '../console/use-load.ts';
import { FindPatientForm, PatientResults } from './find-patient.tsx';
import { patientName } from './patient-memory.tsx';
import { DocumentDownload, GrantForm } from './proxy-grants.tsx';
import type { PatientSummary, ProxyGrant, ProxyRequest } from './types.ts';

/**
 * People ask online to act for someone (a child, a parent in their care). Staff find the record
 * the request is about, check the document or consent a dependent adult's basis needs, and
 * approve; or decline it.
 */
function RequestFacts({ r }: { r: ProxyRequest }) {
  const { t, date } = useI18n();
  const basisText = useEnumText('staff.basis');
  return (
    <>
      <div className="row-head">
        <span className="row-title">{r.subjectName}</span>
        <Badge>{basisText(r.basis)}</Badge>
      </div>
      <p className="row-meta">
        <span>{t('staff.patient.bornOn', { date: date(r.subjectBirthDate) })}</span>
        <span>{t('staff.request.by', { email: r.requesterEmail })}</span>
        <span>{t('staff.request.on', { date: date(r.createdAt, true) })}</span>
      </p>
      {r.note && (
        <blockquote className="note">
          <span className="visually-hidden">{t('staff.request.note')}: </span>
          {r.note}
        </blockquote>
      )}
    </>
  );
}

/** /staff/proxy-requests */
export function ProxyRequestsPage() {
  const { t } = useI18n();
  const list = useLoad<{ requests: ProxyRequest[] }>('/api/proxy-requests');
  const [declining, setDeclining] = useState<ProxyRequest | null>(null);
  const done = useOutcome();
  const form = useSubmit();
  return (
    <div>
      <PageTitle title={t('staff.request.title')}>{t('staff.request.title')}</PageTitle>
      <p>{t('staff.request.intro')}</p>
      <Outcome outcome={done} />
      <Loaded state={list}>
        {({ requests }) => (
          <PagedList
            items={requests}
            label={t('staff.request.title')}
            empty={t('staff.request.none')}
            keyOf={(r) => r.id}
            render={(r) => (
              <>
                <RequestFacts r={r} />
                <div className="actions">
                  <Link className="ui-button ui-button-primary" to={`/staff/proxy-requests/${encodeURIComponent(r.id)}`} aria-label={t('staff.request.reviewNamed', { name: r.subjectName, email: r.requesterEmail })}>
                    {t('staff.request.review')}
                  </Link>
                  <Button variant="danger" aria-label={t('staff.request.declineNamed', { name: r.subjectName, email: r.requesterEmail })} onClick={() => (form.setError(null), setDeclining(r))}>
                    {t('staff.request.decline')}
                  </Button>
                </div>
              </>
            )}
          />
        )}
      </Loaded>
      <Dialog
        open={declining !== null}
        title={t('staff.request.declineTitle')}
        confirmLabel={t('staff.request.declineConfirm')}
        cancelLabel={t('common.cancel')}
        tone="danger"
        busy={form.busy}
        onCancel={() => setDeclining(null)}
        onConfirm={() =>
          void form.run(async () => {
            if (!declining) return;
            await api.post(`/api/proxy-requests/${encodeURIComponent(declining.id)}/decline`);
            done.show(t('staff.request.declined', { email: declining.requesterEmail }));
            setDeclining(null);
            list.reload();
          })
        }
      >
        {declining && <p>{t('staff.request.declineBody', { email: declining.requesterEmail, name: declining.subjectName })}</p>}
        <ExplainedError error={form.error} alertRef={form.alertRef} />
      </Dialog>
    </div>
  );
}

/** /staff/proxy-requests/:id: find the record, then approve with what the basis needs. */
export function ApproveRequestPage({ id }: { id: string }) {
  const { t } = useI18n();
  const list = useLoad<{ requests: ProxyRequest[] }>('/api/proxy-requests');
  const [found, setFound] = useState<PatientSummary[] | null>(null);
  const [chosen, setChosen] = useState<PatientSummary | null>(null);
  const [grant, setGrant] = useState<ProxyGrant | null>(null);
  const doneRef = useFocusWhen<HTMLDivElement>(grant);
  return (
    <div>
      <p>
        <Link to="/staff/proxy-requests">{t('staff.request.back')}</Link>
      </p>
      <PageTitle title={t('staff.request.approveTitle')}>{t('staff.request.approveTitle')}</PageTitle>
      <Loaded state={list}>
        {({ requests }) => {
          const r = requests.find((x) => x.id === id);
          if (grant) {
            return (
              <div ref={doneRef} tabIndex={-1} className="error-summary">
                <Alert tone="success" title={t('staff.request.approved', { email: grant.proxyEmail })}>
                  <div className="actions">
                    <Link to={`/staff/patients/${encodeURIComponent(grant.patientId)}`}>{t('staff.request.toPatient')}</Link>
                    {grant.documentId && <DocumentDownload documentId={grant.documentId} label={t('staff.grant.download', { email: grant.proxyEmail })} />}
                  </div>
                </Alert>
              </div>
            );
          }
          if (!r) return <Alert tone="info" title={t('staff.request.gone')} />;
          const family = r.subjectName.trim().split(/\s+/).pop() ?? '';
          return (
            <>
              <Card title={t('staff.request.what')} id="request">
                <RequestFacts r={r} />
              </Card>
              <Card title={t('staff.request.step1')} id="find">
                {chosen ? (
                  <>
                    <p>{t('staff.request.chosen', { name: patientName(chosen), mrn: chosen.mrn ?? '—' })}</p>
                    <Button variant="secondary" onClick={() => setChosen(null)}>
                      {t('staff.request.chooseAnother')}
                    </Button>
                  </>
                ) : (
                  <>
                    <FindPatientForm initial={{ family, birthDate: r.subjectBirthDate }} onFound={setFound} />
                    {found && <PatientResults patients={found} pick={{ label: (p) => t('staff.request.choose', { name: patientName(p) }), onPick: setChosen }} />}
                  </>
                )}
              </Card>
              {chosen && (
                <Card title={t('staff.request.step2')} id="approve">
                  <GrantForm
                    patientId={chosen.id}
                    fixedBasis={r.basis}
                    withEmail={false}
                    submitLabel={t('staff.request.approve')}
                    onSubmit={async (input) => {
                      const { basis: _basis, ...options } = input;
                      setGrant(await api.post<ProxyGrant>(`/api/proxy-requests/${encodeURIComponent(r.id)}/approve`, { ...options, patientId: chosen.id }));
                    }}
                  />
                </Card>
              )}
            </>
          );
        }}
      </Loaded>
    </div>
  );
}
