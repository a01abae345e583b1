import { useState } from 'react';
import { Button, RadioGroup, TextField } from '@kennebec/ui';
import { api } from '../lib/api.ts';
import { ErrorAlert, fieldError, useSubmit } from '../lib/forms.tsx';
import { useI18n } from '../lib/i18n.tsx';
import { Link } from '../lib/router.tsx';
import { PageTitle } from '../shell.tsx';
import { Badge } from '../console/frame.tsx';
import { patientName, usePatientMemory } from './patient-memory.tsx';
import type { PatientSummary } from './types.ts';

/**
 * Finding a patient of my organization, by medical record number or by family name and date of
 * birth (the given name narrows it). The server answers at most 20 records with minimal
 * demographics; each opens the patient's page (ID check, invitation, proxies).
 */
export function FindPatientForm({ onFound, initial }: { onFound?: (patients: PatientSummary[]) => void; initial?: { family: string; birthDate: string } }) {
  const { t } = useI18n();
  const memory = usePatientMemory();
  const [by, setBy] = useState<'mrn' | 'name'>(initial ? 'name' : 'mrn');
  const [mrn, setMrn] = useState('');
  const [family, setFamily] = useState(initial?.family ?? '');
  const [given, setGiven] = useState('');
  const [birthDate, setBirthDate] = useState(initial?.birthDate ?? '');
  const [missing, setMissing] = useState<string[]>([]);
  const form = useSubmit();

  const submit = form.onSubmit(async () => {
    const need = by === 'mrn' ? (mrn.trim() ? [] : ['mrn']) : [...(family.trim() ? [] : ['family']), ...(birthDate ? [] : ['birthDate'])];
    setMissing(need);
    if (need.length > 0) return;
    const q = new URLSearchParams(by === 'mrn' ? { mrn: mrn.trim() } : { family: family.trim(), birthDate, ...(given.trim() ? { given: given.trim() } : {}) });
    const { patients } = await api.get<{ patients: PatientSummary[] }>(`/api/enrollment/patients?${q.toString()}`);
    memory.remember(patients);
    if (onFound) onFound(patients);
    else memory.setLastResults(patients);
  });
  const err = (field: string, text: string) => (missing.includes(field) ? text : fieldError(form.error, field, text));

  return (
    <form noValidate onSubmit={submit} className="search-form">
      <ErrorAlert error={form.error} alertRef={form.alertRef} />
      <RadioGroup
        legend={t('staff.find.by')}
        name="find-by"
        value={by}
        onChange={(v) => (setBy(v === 'name' ? 'name' : 'mrn'), setMissing([]))}
        options={[
          { value: 'mrn', label: t('staff.find.byMrn') },
          { value: 'name', label: t('staff.find.byName') },
        ]}
      />
      {by === 'mrn' ? (
        <TextField label={t('staff.field.mrn')} value={mrn} onChange={(e) => setMrn(e.target.value)} autoComplete="off" spellCheck={false} required error={err('mrn', t('staff.find.mrnMissing'))} />
      ) : (
        <div className="grid">
          <TextField label={t('staff.field.family')} value={family} onChange={(e) => setFamily(e.target.value)} autoComplete="off" required error={err('family', t('staff.find.familyMissing'))} />
          <TextField label={t('staff.field.given')} hint={t('staff.find.givenHint')} value={given} onChange={(e) => setGiven(e.target.value)} autoComplete="off" />
          <TextField label={t('field.birthDate')} type="date" value={birthDate} onChange={(e) => setBirthDate(e.target.value)} required error={err('birthDate', t('staff.find.birthDateMissing'))} />
        </div>
      )}
      <Button type="submit" busy={form.busy}>
        {t('staff.find.submit')}
      </Button>
    </form>
  );
}

export function PatientResults({ patients, pick }: { patients: PatientSummary[]; pick?: { label: (p: PatientSummary) => string; onPick: (p: PatientSummary) => void } }) {
  const { t, date } = useI18n();
  return (
    <section aria-labelledby="results-title" className="results">
      <h2 id="results-title">{t('staff.find.results')}</h2>
      <p role="status">{patients.length === 0 ? t('staff.find.none') : t('staff.find.count', { n: patients.length })}</p>
      {patients.length > 0 && (
        <ul className="rows" aria-label={t('staff.find.results')}>
          {patients.map((p) => (
            <li key={p.id}>
              <div className="row-head">
                {pick ? (
                  <span className="row-title">{patientName(p) || t('staff.patient.unnamed')}</span>
                ) : (
                  <Link className="row-title" to={`/staff/patients/${encodeURIComponent(p.id)}`}>
                    {patientName(p) || t('staff.patient.unnamed')}
                  </Link>
                )}
                {p.enrolled ? <Badge tone="ok">{t('staff.patient.enrolled')}</Badge> : <Badge>{t('staff.patient.notEnrolled')}</Badge>}
              </div>
              <p className="row-meta">
                <span>{t('staff.patient.mrnIs', { mrn: p.mrn ?? '—' })}</span>
                <span>{t('staff.patient.bornOn', { date: p.birthDate ? date(p.birthDate) : '—' })}</span>
              </p>
              {pick && (
                <Button variant="secondary" onClick={() => pick.onPick(p)}>
                  {pick.label(p)}
                </Button>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** /staff/enroll: find the patient to enroll or to manage proxies for. */
export function FindPatientPage() {
  const { t } = useI18n();
  const memory = usePatientMemory();
  return (
    <div>
      <PageTitle title={t('staff.find.title')}>{t('staff.find.title')}</PageTitle>
      <p>{t('staff.find.intro')}</p>
      <FindPatientForm />
      {memory.lastResults && <PatientResults patients={memory.lastResults} />}
    </div>
  );
}
