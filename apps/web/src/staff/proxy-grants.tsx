import { useRef, useState } from 'react';
import { Button, CheckboxField, Dialog, RadioGroup, SelectField, TextAreaField, TextField } from '@kennebec/ui';
import { api, ApiError } from '../lib/api.ts';
import { useSubmit } from '../lib/forms.tsx';
import { useI18n, type Translate } from '../lib/i18n.tsx';
import { ExplainedError } from '../console/errors.tsx';
import { Badge, Loaded, useEnumText } from '../console/frame.tsx';
import { PagedList } from '../console/lists.tsx';
import { Outcome, useOutcome } from '../console/outcome.tsx';
import { useLoad } from '../console/use-load.ts';
import { AREAS, BASES, DOCUMENT_KIND, MINOR_BASES, type Basis, type Level, type Permissions, type ProxyDocument, type ProxyGrant } from './types.ts';

/**
 * A patient's proxies at the desk: who may act for them and on what basis, the document behind a
 * guardianship or power of attorney (downloadable), revoking with a reason; and the form that
 * grants access (also used to approve a person's request, with the basis they asked for).
 */
const MAX_DOCUMENT = 5 * 1024 * 1024;
const DOCUMENT_TYPES = ['application/pdf', 'image/jpeg', 'image/png'];

/** Refusals of a grant as staff need to read them. */
export function explainGrantError(t: Translate) {
  return (err: ApiError): string | null => {
    if (err.status === 422) return t('staff.grant.notInForce');
    if (err.status === 400 && err.forField('proxyEmail').length > 0) return t('staff.grant.noAccount');
    if (err.code === 'KB-PROXY-CONFLICT') return t('staff.grant.conflict');
    if (err.status === 413) return t('staff.grant.fileTooLarge');
    return null;
  };
}

/** Downloads a stored document: fetched as JSON (base64), saved under a plain file name. */
export function DocumentDownload({ documentId, label }: { documentId: string; label: string }) {
  const { t } = useI18n();
  const form = useSubmit();
  return (
    <>
      <Button
        variant="secondary"
        busy={form.busy}
        onClick={() =>
          form.run(async () => {
            const doc = await api.get<ProxyDocument & { contentBase64: string }>(`/api/proxy-documents/${encodeURIComponent(documentId)}`);
            const bytes = Uint8Array.from(atob(doc.contentBase64), (c) => c.charCodeAt(0));
            const url = URL.createObjectURL(new Blob([bytes], { type: doc.contentType }));
            const a = document.createElement('a');
            a.href = url;
            a.download = `${doc.kind}-${doc.id}.${doc.contentType === 'application/pdf' ? 'pdf' : doc.contentType === 'image/png' ? 'png' : 'jpg'}`;
            document.body.append(a);
            a.click();
            a.remove();
            window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
          })
        }
      >
        {label}
      </Button>
      {form.error ? <p className="ui-error" role="alert">{t('staff.grant.downloadFailed')}</p> : null}
    </>
  );
}

export function GrantList({ patientId }: { patientId: string }) {
  const { t, date } = useI18n();
  const basisText = useEnumText('staff.basis');
  const reasonText = useEnumText('staff.grant.inactive');
  const list = useLoad<{ grants: ProxyGrant[] }>(`/api/proxy-grants?patientId=${encodeURIComponent(patientId)}`);
  const [revoking, setRevoking] = useState<ProxyGrant | null>(null);
  const [reason, setReason] = useState('');
  const [missing, setMissing] = useState(false);
  const done = useOutcome();
  const form = useSubmit();

  const revoke = () =>
    form.run(async () => {
      if (!revoking) return;
      if (!reason.trim()) {
        setMissing(true);
        return;
      }
      await api.post(`/api/proxy-grants/${encodeURIComponent(revoking.id)}/revoke`, { reason: reason.trim() });
      done.show(t('staff.grant.revokedDone', { email: revoking.proxyEmail }));
      setRevoking(null);
      list.reload();
    });

  return (
    <div>
      <Outcome outcome={done} />
      <Loaded state={list}>
        {({ grants }) => (
          <PagedList
            items={grants}
            label={t('staff.grant.list')}
            empty={t('staff.grant.none')}
            keyOf={(g) => g.id}
            render={(g) => (
              <>
                <div className="row-head">
                  <span className="row-title">{g.proxyEmail}</span>
                  {g.status.active ? <Badge tone="ok">{t('staff.grant.active')}</Badge> : <Badge tone="flag">{reasonText(g.status.reason ?? 'revoked')}</Badge>}
                </div>
                <p className="row-meta">
                  <span>{basisText(g.basis)}</span>
                  <span>{t('staff.grant.since', { date: date(g.grantedAt) })}</span>
                  {g.reviewBy && !g.revokedAt && <span>{t('staff.grant.reviewBy', { date: date(g.reviewBy) })}</span>}
                  {g.revokedAt && <span>{t('staff.grant.revokedOn', { date: date(g.revokedAt), reason: g.revokeReason ?? '' })}</span>}
                </p>
                {!MINOR_BASES.includes(g.basis) && g.status.active && (
                  <p className="row-meta">
                    {AREAS.map((a) => (
                      <span key={a}>
                        {t(`proxies.area.${a}`)}: {t(`proxies.level.${g.status.permissions[a]}`)}
                      </span>
                    ))}
                  </p>
                )}
                <div className="actions">
                  {g.documentId && <DocumentDownload documentId={g.documentId} label={t('staff.grant.download', { email: g.proxyEmail })} />}
                  {!g.revokedAt && (
                    <Button variant="danger" aria-label={t('staff.grant.revokeNamed', { email: g.proxyEmail })} onClick={() => (form.setError(null), setMissing(false), setReason(''), setRevoking(g))}>
                      {t('staff.grant.revoke')}
                    </Button>
                  )}
                </div>
              </>
            )}
          />
        )}
      </Loaded>
      <Dialog
        open={revoking !== null}
        title={t('staff.grant.revokeTitle')}
        confirmLabel={t('staff.grant.revokeConfirm')}
        cancelLabel={t('common.cancel')}
        tone="danger"
        busy={form.busy}
        onConfirm={() => void revoke()}
        onCancel={() => setRevoking(null)}
      >
        {revoking && <p>{t('staff.grant.revokeBody', { email: revoking.proxyEmail })}</p>}
        <ExplainedError error={form.error} alertRef={form.alertRef} />
        <TextAreaField label={t('staff.field.reason')} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} required error={missing && !reason.trim() ? t('staff.field.reasonMissing') : undefined} />
      </Dialog>
    </div>
  );
}

function readBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''));
    r.onerror = () => reject(new ApiError(400, [{ code: null, diagnostics: 'unreadable file', expression: ['contentBase64'] }]));
    r.readAsDataURL(file);
  });
}

export interface GrantInput {
  basis: Basis;
  documentId?: string;
  inPersonConsent?: boolean;
  permissions?: Partial<Permissions>;
  reviewBy?: string;
}

/**
 * The fields of a grant. `basis` fixed: approving a request (the person chose it). The document
 * is uploaded first (once: a retry after a refused grant reuses it), then `submit` gets the rest.
 */
export function GrantForm({
  patientId,
  fixedBasis,
  withEmail,
  submitLabel,
  onSubmit,
}: {
  patientId: string;
  fixedBasis?: Basis;
  withEmail: boolean;
  submitLabel: string;
  onSubmit: (input: GrantInput, email: string) => Promise<void>;
}) {
  const { t } = useI18n();
  const basisText = useEnumText('staff.basis');
  const basisHint = useEnumText('staff.basisHint');
  const [email, setEmail] = useState('');
  const [basis, setBasis] = useState<Basis | ''>(fixedBasis ?? '');
  const [file, setFile] = useState<File | null>(null);
  const [consent, setConsent] = useState(false);
  const [levels, setLevels] = useState<Permissions>({ clinical: 'view', messaging: 'none', appointments: 'none', billing: 'none' });
  const [reviewBy, setReviewBy] = useState('');
  const [problems, setProblems] = useState<Record<string, string>>({});
  const uploaded = useRef<{ key: string; id: string } | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const form = useSubmit();
  const minor = basis !== '' && MINOR_BASES.includes(basis);
  const docKind = basis === '' ? undefined : DOCUMENT_KIND[basis];

  const submit = form.onSubmit(async () => {
    const p: Record<string, string> = {};
    if (withEmail && !/^[^\s@]+@[^\s@]+$/.test(email.trim())) p.email = t('staff.grant.emailMissing');
    if (!basis) p.basis = t('staff.grant.basisMissing');
    if (docKind && !file) p.file = t('staff.grant.fileMissing');
    if (docKind && file && !DOCUMENT_TYPES.includes(file.type)) p.file = t('staff.grant.fileType');
    if (docKind && file && file.size > MAX_DOCUMENT) p.file = t('staff.grant.fileTooLarge');
    if (basis === 'adult-consent' && !consent) p.consent = t('staff.grant.consentMissing');
    setProblems(p);
    if (Object.keys(p).length > 0 || !basis) return;
    const input: GrantInput = { basis };
    if (docKind && file) {
      const key = `${file.name}|${file.size}|${file.lastModified}|${docKind}`;
      if (uploaded.current?.key !== key) {
        const doc = await api.post<ProxyDocument>('/api/proxy-documents', { patientId, kind: docKind, contentType: file.type, contentBase64: await readBase64(file) });
        uploaded.current = { key, id: doc.id };
      }
      input.documentId = uploaded.current.id;
    }
    if (basis === 'adult-consent') input.inPersonConsent = true;
    if (!minor) {
      input.permissions = levels;
      if (reviewBy) input.reviewBy = new Date(`${reviewBy}T23:59:59`).toISOString();
    }
    await onSubmit(input, email.trim());
    setEmail('');
    setFile(null);
    setConsent(false);
    setReviewBy('');
    uploaded.current = null;
    if (fileInput.current) fileInput.current.value = '';
  });

  const levelOptions = (['none', 'view', 'act'] as Level[]).map((l) => ({ value: l, label: t(`proxies.level.${l}`) }));
  return (
    <form noValidate onSubmit={submit}>
      <ExplainedError error={form.error} alertRef={form.alertRef} explain={explainGrantError(t)} />
      {withEmail && (
        <TextField label={t('staff.grant.email')} hint={t('staff.grant.emailHint')} type="email" autoComplete="off" value={email} onChange={(e) => setEmail(e.target.value)} required error={problems.email} />
      )}
      {fixedBasis ? (
        <p>
          <strong>{t('staff.grant.basis')}:</strong> {basisText(fixedBasis)}
        </p>
      ) : (
        <RadioGroup
          legend={t('staff.grant.basis')}
          name={`basis-${patientId}`}
          value={basis}
          onChange={(v) => setBasis(v as Basis)}
          required
          error={problems.basis}
          options={BASES.map((b) => ({ value: b, label: basisText(b), hint: basisHint(b) }))}
        />
      )}
      {docKind && (
        <div className={`ui-field${problems.file ? ' ui-field-invalid' : ''}`}>
          <label htmlFor={`doc-${patientId}`}>{t(docKind === 'guardianship' ? 'staff.grant.fileGuardianship' : 'staff.grant.filePoa')}</label>
          <p className="ui-hint" id={`doc-${patientId}-hint`}>
            {t('staff.grant.fileHint')}
          </p>
          {problems.file && (
            <p className="ui-error" id={`doc-${patientId}-error`}>
              {problems.file}
            </p>
          )}
          <input
            ref={fileInput}
            id={`doc-${patientId}`}
            type="file"
            accept={DOCUMENT_TYPES.join(',')}
            aria-invalid={problems.file ? true : undefined}
            aria-describedby={problems.file ? `doc-${patientId}-error doc-${patientId}-hint` : `doc-${patientId}-hint`}
            onChange={(e) => setFile(e.target.files?.[0] ?? null)}
          />
        </div>
      )}
      {basis === 'adult-consent' && <CheckboxField label={t('staff.grant.consent')} checked={consent} onChange={(e) => setConsent(e.target.checked)} error={problems.consent} />}
      {basis !== '' && !minor && (
        <fieldset className="levels">
          <legend>{t('staff.grant.levels')}</legend>
          <div className="grid">
            {AREAS.map((a) => (
              <SelectField key={a} label={t(`proxies.area.${a}`)} value={levels[a]} onChange={(e) => setLevels({ ...levels, [a]: e.target.value as Level })} options={levelOptions} />
            ))}
          </div>
          <TextField label={t('staff.grant.reviewDate')} hint={t('staff.grant.reviewHint')} type="date" value={reviewBy} onChange={(e) => setReviewBy(e.target.value)} />
        </fieldset>
      )}
      {minor && <p className="ui-hint">{t('staff.grant.minorNote')}</p>}
      <Button type="submit" busy={form.busy}>
        {submitLabel}
      </Button>
    </form>
  );
}
