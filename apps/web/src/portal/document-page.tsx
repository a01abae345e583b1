import { Fragment, useEffect, useState } from 'react';
import { Alert, Loading } from '@kennebec/ui';
import { api } from '../lib/api.ts';
import { errorMessage } from '../lib/errors.ts';
import { conceptText, type RecordItem } from '../lib/fhir.ts';
import { useI18n } from '../lib/i18n.tsx';
import { Link } from '../lib/router.tsx';
import { PageTitle } from '../shell.tsx';
import { Narrative, type NarrativeLabels, type NarrativeNode } from './narrative.tsx';
import { usePeople } from './people.tsx';
import { orgName } from './record-ui.tsx';

/**
 * One document of the record (GET /api/portal/people/{id}/documents/{documentId}): a C-CDA
 * document's header (whom it is about, who wrote it for which organization, when) and each
 * section's title and narrative; plain text as written; anything else said to be unavailable.
 */
interface CcdaSection {
  title: string;
  code: string | null;
  narrative: NarrativeNode[];
  sections: CcdaSection[];
}

type Content =
  | {
      kind: 'ccda';
      title: string;
      type: string | null;
      date: string | null;
      patient: { name: string | null; birthDate: string | null; gender: string | null };
      authors: { name: string | null; organization: string | null; time: string | null }[];
      custodian: string | null;
      sections: CcdaSection[];
      body: { mediaType: string; text: string | null } | null;
    }
  | { kind: 'text'; text: string }
  | { kind: 'unavailable'; contentType: string | null };

interface DocumentAnswer {
  document: RecordItem;
  organizations: Record<string, string>;
  content: Content;
}

function Sections({ sections, level, labels, untitled }: { sections: CcdaSection[]; level: number; labels: NarrativeLabels; untitled: string }) {
  const H = `h${Math.min(level, 6)}` as 'h2';
  return (
    <>
      {sections.map((s, i) => (
        <section key={i} className="document-section">
          <H>{s.title || untitled}</H>
          <Narrative nodes={s.narrative} labels={labels} />
          {s.sections.length > 0 && <Sections sections={s.sections} level={level + 1} labels={labels} untitled={untitled} />}
        </section>
      ))}
    </>
  );
}

export function DocumentPage({ id }: { id: string }) {
  const { t, date } = useI18n();
  const { current, error: peopleError } = usePeople();
  const patientId = current?.patientId;
  const [state, setState] = useState<{ key: string; data?: DocumentAnswer; error?: unknown }>({ key: '' });
  const key = `${patientId ?? ''}:${id}`;
  useEffect(() => {
    if (!patientId) return;
    let live = true;
    api.get<DocumentAnswer>(`/api/portal/people/${encodeURIComponent(patientId)}/documents/${encodeURIComponent(id)}`).then(
      (data) => live && setState({ key, data }),
      (error: unknown) => live && setState({ key, error }),
    );
    return () => {
      live = false;
    };
  }, [patientId, id, key]);
  const data = state.key === key ? state.data : undefined;
  const error = peopleError ?? (state.key === key ? state.error : undefined);
  const labels: NarrativeLabels = { table: t('document.table'), image: (caption) => (caption ? t('document.imageNamed', { caption }) : t('document.image')) };
  const back = (
    <p>
      <Link to="/health/documents">{t('document.back')}</Link>
    </p>
  );

  if (error || !data) {
    return (
      <>
        <PageTitle title={t('document.title')}>{t('document.title')}</PageTitle>
        {error ? <Alert tone="error" title={errorMessage(error, t)} /> : <Loading label={t('common.loading')} />}
        {back}
      </>
    );
  }
  const ref = data.document.resource;
  const c = data.content;
  const title = (c.kind === 'ccda' && c.title) || conceptText(ref.type) || ref.description || t('documents.document');
  const source = orgName({ items: [], organizations: data.organizations }, data.document, t);
  return (
    <>
      <PageTitle title={title}>{title}</PageTitle>
      {c.kind === 'ccda' ? (
        <dl className="facts document-header">
          {c.type && c.type !== title && (
            <>
              <dt>{t('document.type')}</dt>
              <dd>{c.type}</dd>
            </>
          )}
          <dt>{t('document.patient')}</dt>
          <dd>{[c.patient.name ?? '—', c.patient.birthDate ? t('document.born', { date: date(c.patient.birthDate) }) : ''].filter(Boolean).join(', ')}</dd>
          {c.date && (
            <>
              <dt>{t('document.date')}</dt>
              <dd>{date(c.date, c.date.length > 10)}</dd>
            </>
          )}
          {c.authors.map((a, i) => (
            <Fragment key={i}>
              <dt>{t('document.author')}</dt>
              <dd>{[a.name, a.organization].filter(Boolean).join(', ') || '—'}</dd>
            </Fragment>
          ))}
          {c.custodian && (
            <>
              <dt>{t('document.custodian')}</dt>
              <dd>{c.custodian}</dd>
            </>
          )}
          <dt>{t('document.receivedFrom')}</dt>
          <dd>{source}</dd>
        </dl>
      ) : (
        <p className="row-source">{t('record.from', { org: source })}</p>
      )}
      {c.kind === 'ccda' && c.sections.length > 0 && <Sections sections={c.sections} level={2} labels={labels} untitled={t('document.untitled')} />}
      {c.kind === 'ccda' && c.body && (c.body.text !== null ? <pre className="document-text">{c.body.text}</pre> : <Alert tone="info" title={t('document.unavailable')} />)}
      {c.kind === 'text' && <pre className="document-text">{c.text}</pre>}
      {c.kind === 'unavailable' && <Alert tone="info" title={t('document.unavailable')} />}
      {back}
    </>
  );
}
