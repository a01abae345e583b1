import { useState } from 'react';
import { Button, Card, Dialog, TextAreaField, TextField } from '@kennebec/ui';
import { api } from '../lib/api.ts';
import { useSubmit } from '../lib/forms.tsx';
import { useI18n } from '../lib/i18n.tsx';
import { Link, navigate } from '../lib/router.tsx';
import type { User } from '../lib/session.tsx';
import { PageTitle } from '../shell.tsx';
import { ExplainedError } from '../console/errors.tsx';
import { Badge, hasRole, Loaded, useEnumText } from '../console/frame.tsx';
import { PagedList } from '../console/lists.tsx';
import { Outcome, useOutcome } from '../console/outcome.tsx';
import { useLoad } from '../console/use-load.ts';
import { ACT_ROLES } from '../console/roles.ts';
import type { HistoryEntry, MpiChange, PatientHistory, PersonDetail } from './types.ts';

/**
 * A record's or a Person's link history: every change that moved a record between Persons,
 * newest first, with who decided, when and why. An HIE admin can undo a change (itself a change,
 * which can be undone in turn), giving a reason; the index refuses what cannot be undone.
 */
interface Change {
  changeId: string;
  first: HistoryEntry;
  moves: HistoryEntry[];
}

function groupChanges(history: HistoryEntry[]): Change[] {
  const byId = new Map<string, Change>();
  for (const h of history) {
    const c = byId.get(h.changeId);
    if (c) c.moves.push(h);
    else byId.set(h.changeId, { changeId: h.changeId, first: h, moves: [h] });
  }
  return [...byId.values()];
}

/** What the index itself refuses to undo (a new record's own Person, a source's merge, a re-evaluation that moved nothing). */
function undoable(c: Change): boolean {
  const h = c.first;
  if (h.undoneBy || h.action === 'new' || h.action === 'a40') return false;
  return !c.moves.every((m) => m.fromPersonId === m.toPersonId);
}

const personLink = (id: string) => <Link to={`/admin/persons/${encodeURIComponent(id)}`}>{id}</Link>;

function HistoryList({ history, mayAct, onChanged }: { history: HistoryEntry[]; mayAct: boolean; onChanged: () => void }) {
  const { t, date } = useI18n();
  const actionText = useEnumText('admin.history.action');
  const [undoing, setUndoing] = useState<Change | null>(null);
  const [reason, setReason] = useState('');
  const [missing, setMissing] = useState(false);
  const done = useOutcome();
  const form = useSubmit();
  const changes = groupChanges(history);
  const explain = (e: { code: string | null; status: number }) =>
    e.code === 'KB-MPI-CONFLICT' ? t('admin.history.conflict') : e.code === 'KB-MPI-NOT-UNDOABLE' || e.status === 422 ? t('admin.history.notUndoable') : null;
  return (
    <>
      <Outcome outcome={done} />
      <PagedList
        items={changes}
        label={t('admin.history.list')}
        empty={t('admin.history.none')}
        keyOf={(c) => c.changeId}
        render={(c) => {
          const what = t('admin.history.changeNamed', { action: actionText(c.first.action), date: date(c.first.at, true) });
          return (
            <>
              <div className="row-head">
                <span className="row-title">{actionText(c.first.action)}</span>
                {c.first.undoneBy && <Badge tone="flag">{t('admin.history.undoneBy', { id: c.first.undoneBy })}</Badge>}
                {c.first.undoes && <Badge>{t('admin.history.undoes', { id: c.first.undoes })}</Badge>}
              </div>
              <p className="row-meta">
                <span>{date(c.first.at, true)}</span>
                <span>{t('admin.history.by', { actor: c.first.actor })}</span>
                <span>{t('admin.history.change', { id: c.changeId })}</span>
                {c.first.score !== null && <span>{t('admin.review.score', { score: c.first.score.toFixed(2) })}</span>}
              </p>
              {c.first.reason && (
                <p className="break">
                  <strong>{t('admin.reason.label')}:</strong> {c.first.reason}
                </p>
              )}
              <ul className="moves">
                {c.moves.map((m) => (
                  <li key={m.id}>
                    {t('admin.history.record')} <Link to={`/admin/patients/${encodeURIComponent(m.patientId)}`}>{m.patientId}</Link>: {m.fromPersonId ? personLink(m.fromPersonId) : t('admin.history.nowhere')} → {personLink(m.toPersonId)}
                  </li>
                ))}
              </ul>
              {mayAct && undoable(c) && (
                <div className="actions">
                  <Button variant="danger" aria-label={t('admin.history.undoNamed', { what })} onClick={() => (form.setError(null), setMissing(false), setReason(''), setUndoing(c))}>
                    {t('admin.history.undo')}
                  </Button>
                </div>
              )}
            </>
          );
        }}
      />
      <Dialog
        open={undoing !== null}
        title={t('admin.history.undoTitle')}
        confirmLabel={t('admin.history.undoConfirm')}
        cancelLabel={t('common.cancel')}
        tone="danger"
        busy={form.busy}
        onCancel={() => setUndoing(null)}
        onConfirm={() =>
          void form.run(async () => {
            if (!undoing) return;
            if (reason.trim().length < 3) {
              setMissing(true);
              return;
            }
            const change = await api.post<MpiChange>(`/admin/mpi/changes/${encodeURIComponent(undoing.changeId)}/undo`, { reason: reason.trim() });
            setUndoing(null);
            done.show(t('admin.history.undone', { id: change.changeId }));
            onChanged();
          })
        }
      >
        {undoing && <p>{t('admin.history.undoBody', { action: actionText(undoing.first.action), n: undoing.moves.length })}</p>}
        <ExplainedError error={form.error} alertRef={form.alertRef} explain={explain} />
        <TextAreaField label={t('admin.reason.label')} hint={t('admin.reason.hint')} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={1000} required error={missing && reason.trim().length < 3 ? t('admin.reason.missing', { n: 3 }) : undefined} />
      </Dialog>
    </>
  );
}

/** /admin/patients/:patientId */
export function PatientHistoryPage({ patientId, user }: { patientId: string; user: User }) {
  const { t } = useI18n();
  const history = useLoad<PatientHistory>(`/admin/mpi/patients/${encodeURIComponent(patientId)}/history`);
  return (
    <div>
      <PageTitle title={t('admin.history.patientTitle')}>{t('admin.history.patientTitle')}</PageTitle>
      <Loaded state={history}>
        {(h) => (
          <>
            <dl className="facts">
              <dt>{t('admin.history.record')}</dt>
              <dd className="mono">{h.patientId}</dd>
              <dt>{t('admin.history.currentPerson')}</dt>
              <dd>{h.personId ? personLink(h.personId) : '—'}</dd>
            </dl>
            <Card title={t('admin.history.list')} id="history">
              <HistoryList history={h.history} mayAct={hasRole(user, ACT_ROLES)} onChanged={history.reload} />
            </Card>
          </>
        )}
      </Loaded>
    </div>
  );
}

/** /admin/persons/:personId */
export function PersonPage({ personId, user }: { personId: string; user: User }) {
  const { t } = useI18n();
  const decisionText = useEnumText('admin.person.decision');
  const detail = useLoad<PersonDetail>(`/admin/mpi/persons/${encodeURIComponent(personId)}`);
  return (
    <div>
      <PageTitle title={t('admin.person.title')}>{t('admin.person.title')}</PageTitle>
      <Loaded state={detail}>
        {(d) => (
          <>
            <dl className="facts">
              <dt>{t('admin.person.id')}</dt>
              <dd className="mono">{d.person.id}</dd>
              <dt>{t('admin.person.state')}</dt>
              <dd>{d.person.active ? t('admin.person.active') : d.person.replacedBy ? <>{t('admin.person.replacedBy')} {personLink(d.person.replacedBy)}</> : t('admin.person.inactive')}</dd>
            </dl>
            <Card title={t('admin.person.records')} id="records">
              <PagedList
                items={d.patients}
                label={t('admin.person.records')}
                empty={t('admin.person.noRecords')}
                keyOf={(p) => p.patientId}
                render={(p) => (
                  <>
                    <div className="row-head">
                      <Link className="row-title" to={`/admin/patients/${encodeURIComponent(p.patientId)}`}>
                        {t('admin.person.recordNamed', { id: p.patientId })}
                      </Link>
                      <Badge>{decisionText(p.decision)}</Badge>
                    </div>
                    <p className="row-meta">
                      {p.sourceOrg && <span>{t('admin.person.source', { org: p.sourceOrg })}</span>}
                      {p.score !== null && <span>{t('admin.review.score', { score: p.score.toFixed(2) })}</span>}
                    </p>
                  </>
                )}
              />
            </Card>
            <Card title={t('admin.history.list')} id="history">
              <HistoryList history={d.history} mayAct={hasRole(user, ACT_ROLES)} onChanged={detail.reload} />
            </Card>
          </>
        )}
      </Loaded>
    </div>
  );
}

/** /admin/persons: open a Person, or a record's history, by its id. */
export function FindPersonPage() {
  const { t } = useI18n();
  const [personId, setPersonId] = useState('');
  const [patientId, setPatientId] = useState('');
  const [missing, setMissing] = useState<'person' | 'patient' | null>(null);
  return (
    <div className="narrow">
      <PageTitle title={t('admin.find.title')}>{t('admin.find.title')}</PageTitle>
      <p>{t('admin.find.intro')}</p>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (!personId.trim()) return setMissing('person');
          navigate(`/admin/persons/${encodeURIComponent(personId.trim())}`);
        }}
      >
        <TextField label={t('admin.find.person')} value={personId} onChange={(e) => setPersonId(e.target.value)} autoComplete="off" spellCheck={false} error={missing === 'person' ? t('admin.find.missing') : undefined} />
        <Button type="submit">{t('admin.find.openPerson')}</Button>
      </form>
      <form
        noValidate
        className="spaced"
        onSubmit={(e) => {
          e.preventDefault();
          if (!patientId.trim()) return setMissing('patient');
          navigate(`/admin/patients/${encodeURIComponent(patientId.trim())}`);
        }}
      >
        <TextField label={t('admin.find.patient')} hint={t('admin.find.patientHint')} value={patientId} onChange={(e) => setPatientId(e.target.value)} autoComplete="off" spellCheck={false} error={missing === 'patient' ? t('admin.find.missing') : undefined} />
        <Button type="submit">{t('admin.find.openPatient')}</Button>
      </form>
    </div>
  );
}
