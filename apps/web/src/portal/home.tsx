import { Alert, Card, Loading } from '@kennebec/ui';
import { errorMessage } from '../lib/errors.ts';
import { conceptText, effectiveTime, flagOf, isActiveMedication, medicationName, newestFirst, observationValue } from '../lib/fhir.ts';
import { useI18n } from '../lib/i18n.tsx';
import { Link } from '../lib/router.tsx';
import { useSession } from '../lib/session.tsx';
import { PageTitle } from '../shell.tsx';
import { allergyRow, visitRow } from './health.tsx';
import { usePeople, useSection, type Section, type SectionData } from './people.tsx';
import { usePersonLabel } from './person-switcher.tsx';
import { FlagBadge, orgName, type Row } from './record-ui.tsx';

/** Home: the newest results, active medications, allergies and recent visits, each with its source. */
function Summary({ section, title, id, more, rows, empty }: { section: Section; title: string; id: string; more: string; rows: (d: SectionData) => Row[]; empty: string }) {
  const { t } = useI18n();
  const { data, error } = useSection(section);
  return (
    <Card title={title} id={id}>
      {error ? (
        <Alert tone="error" title={errorMessage(error, t)} />
      ) : !data ? (
        <Loading label={t('common.loading')} />
      ) : rows(data).length === 0 ? (
        <p className="empty">{empty}</p>
      ) : (
        <ul className="rows" aria-label={title}>
          {rows(data).map((r) => (
            <li key={r.key}>
              <div className="row-head">
                <span className="row-title">{r.title}</span>
                {r.badge}
              </div>
              <p className="row-meta">
                {r.details.filter(Boolean).map((d, i) => (
                  <span key={i}>{d}</span>
                ))}
                <span className="row-source">{t('record.from', { org: r.source })}</span>
              </p>
            </li>
          ))}
        </ul>
      )}
      <p>
        <Link to={more}>{t('home.seeAll', { what: title.toLowerCase() })}</Link>
      </p>
    </Card>
  );
}

export function HomePage() {
  const { t, date, number } = useI18n();
  const { session } = useSession();
  const { people, current, error } = usePeople();
  const label = usePersonLabel();
  const unknown = t('record.unknownOrg');
  const name = session?.authenticated ? (session.user.name ?? session.user.email) : '';
  return (
    <>
      <PageTitle title={t('home.title')}>{t('home.welcome', { name })}</PageTitle>
      {error ? (
        <Alert tone="error" title={errorMessage(error, t)} />
      ) : !people ? (
        <Loading label={t('common.loading')} />
      ) : !current ? (
        <Alert tone="info" title={t('home.noRecordTitle')}>
          <p>{t('home.noRecordBody')}</p>
        </Alert>
      ) : (
        <>
          <p className="lead">{t('home.viewing', { who: label(current) })}</p>
          <div className="grid">
            <Summary
              section="labs"
              id="home-results"
              title={t('home.results')}
              more="/health/results"
              empty={t('results.none')}
              rows={(d) =>
                newestFirst(d.items.filter((i) => i.resourceType === 'Observation'))
                  .slice(0, 5)
                  .map((i) => ({
                    key: i.id,
                    title: <Link to={`/health/results/${encodeURIComponent(i.id)}`}>{conceptText(i.resource.code) || t('record.unnamed')}</Link>,
                    badge: <FlagBadge flag={flagOf(i.resource)} />,
                    details: [observationValue(i.resource, number), date(effectiveTime(i.resource))],
                    source: orgName(d, i, unknown),
                  }))
              }
            />
            <Summary
              section="medications"
              id="home-meds"
              title={t('home.medications')}
              more="/health/medications"
              empty={t('meds.noneActive')}
              rows={(d) =>
                newestFirst(d.items.filter((i) => isActiveMedication(i.resource)))
                  .slice(0, 8)
                  .map((i) => ({ key: `${i.resourceType}/${i.id}`, title: medicationName(i.resource) || t('record.unnamed'), details: [(i.resource.dosageInstruction ?? i.resource.dosage)?.[0]?.text ?? ''], source: orgName(d, i, unknown) }))
              }
            />
            <Summary section="allergies" id="home-allergies" title={t('health.allergies')} more="/health/allergies" empty={t('allergies.none')} rows={(d) => newestFirst(d.items).slice(0, 8).map((i) => allergyRow(d, i, unknown, t('record.unnamed')))} />
            <Summary section="visits" id="home-visits" title={t('home.visits')} more="/health/visits" empty={t('visits.none')} rows={(d) => newestFirst(d.items).slice(0, 3).map((i) => visitRow(d, i, t, (v) => date(v)))} />
          </div>
        </>
      )}
    </>
  );
}
