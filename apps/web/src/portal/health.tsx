import { Alert, Card, LineChart, type ChartSeries } from '@kennebec/ui';
import {
  clinicalStatus,
  conceptKey,
  conceptText,
  effectiveTime,
  flagOf,
  isActiveMedication,
  medicationName,
  newestFirst,
  observationValue,
  rangeText,
  timeOf,
  type RecordItem,
  type Res,
} from '../lib/fhir.ts';
import { useI18n } from '../lib/i18n.tsx';
import { Link } from '../lib/router.tsx';
import { PageTitle } from '../shell.tsx';
import { FlagBadge, orgName, Rows, WithSection, type Row } from './record-ui.tsx';
import { usePeople, type SectionData } from './people.tsx';
import type { MessageKey } from '../i18n/en.ts';

/** My Health: every section of the record, each item with the organization that sent it. */
export const HEALTH_SECTIONS: { path: string; key: MessageKey }[] = [
  { path: '/health/results', key: 'health.results' },
  { path: '/health/vitals', key: 'health.vitals' },
  { path: '/health/medications', key: 'health.medications' },
  { path: '/health/allergies', key: 'health.allergies' },
  { path: '/health/problems', key: 'health.problems' },
  { path: '/health/immunizations', key: 'health.immunizations' },
  { path: '/health/visits', key: 'health.visits' },
  { path: '/health/documents', key: 'health.documents' },
];

export function HealthNav() {
  const { t } = useI18n();
  return (
    <nav aria-label={t('health.nav')} className="sub-nav">
      <ul>
        {HEALTH_SECTIONS.map((s) => (
          <li key={s.path}>
            <Link to={s.path}>{t(s.key)}</Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function HealthIndexPage() {
  const { t } = useI18n();
  const { current } = usePeople();
  return (
    <>
      <PageTitle title={t('nav.health')}>{t('nav.health')}</PageTitle>
      <p>{t('health.intro')}</p>
      <HealthNav />
      {current && (
        <p>
          {/* The server answers with the file (Content-Disposition: attachment). */}
          <a href={`/api/portal/people/${encodeURIComponent(current.patientId)}/export`} download>
            {t('health.download')}
          </a>{' '}
          <span className="ui-hint">{t('health.downloadHint')}</span>
        </p>
      )}
    </>
  );
}

function HealthPage({ titleKey, children }: { titleKey: MessageKey; children: React.ReactNode }) {
  const { t } = useI18n();
  return (
    <div className="with-sub-nav">
      <HealthNav />
      <div>
        <PageTitle title={t(titleKey)}>{t(titleKey)}</PageTitle>
        {children}
      </div>
    </div>
  );
}

const observations = (data: SectionData) => newestFirst(data.items.filter((i) => i.resourceType === 'Observation'));

export function ResultsPage() {
  const { t, date, number } = useI18n();
  return (
    <HealthPage titleKey="health.results">
      <WithSection section="labs">
        {(data) => {
          const rows: Row[] = observations(data).map((i) => ({
            key: i.id,
            title: <Link to={`/health/results/${encodeURIComponent(i.id)}`}>{conceptText(i.resource.code) || t('record.unnamed')}</Link>,
            badge: <FlagBadge flag={flagOf(i.resource)} />,
            details: [observationValue(i.resource, number), date(effectiveTime(i.resource))],
            source: orgName(data, i, t('record.unknownOrg')),
          }));
          const reports = newestFirst(data.items.filter((i) => i.resourceType === 'DiagnosticReport'));
          return (
            <>
              <Rows rows={rows} empty={t('results.none')} label={t('health.results')} />
              {reports.length > 0 && (
                <Card title={t('results.reports')} id="reports">
                  <Rows
                    label={t('results.reports')}
                    empty=""
                    rows={reports.map((i) => ({
                      key: i.id,
                      title: conceptText(i.resource.code) || t('record.unnamed'),
                      details: [date(effectiveTime(i.resource)), i.resource.conclusion ?? ''],
                      source: orgName(data, i, t('record.unknownOrg')),
                    }))}
                  />
                </Card>
              )}
            </>
          );
        }}
      </WithSection>
    </HealthPage>
  );
}

/** Series of one test's numeric values over time, one series per organization that sent them. */
function trendOf(data: SectionData, items: RecordItem[], unknownOrg: string, note: (i: RecordItem) => string): ChartSeries[] {
  const bySource = new Map<string, ChartSeries>();
  for (const i of items) {
    const v = i.resource.valueQuantity?.value;
    if (typeof v !== 'number' || timeOf(i.resource) === 0) continue;
    const name = orgName(data, i, unknownOrg);
    const s = bySource.get(name) ?? { name, points: [] };
    s.points.push({ x: timeOf(i.resource), y: v, flagged: flagOf(i.resource) !== null, note: note(i) });
    bySource.set(name, s);
  }
  return [...bySource.values()];
}

export function ResultDetailPage({ id }: { id: string }) {
  const { t, date, number } = useI18n();
  return (
    <HealthPage titleKey="results.detail">
      <WithSection section="labs">
        {(data) => {
          const item = data.items.find((i) => i.resourceType === 'Observation' && i.id === id);
          if (!item) return <Alert tone="error" title={t('error.notFound')} />;
          const o = item.resource;
          const name = conceptText(o.code) || t('record.unnamed');
          const same = observations(data).filter((i) => conceptKey(i.resource.code) === conceptKey(o.code));
          const series = trendOf(data, same, t('record.unknownOrg'), (i) => (flagOf(i.resource) ? t('flag.outside') : ''));
          const points = series.reduce((n, s) => n + s.points.length, 0);
          const range = (o.referenceRange as Res[] | undefined)?.[0];
          const unit = o.valueQuantity?.unit ?? o.valueQuantity?.code;
          return (
            <>
              <h2>{name}</h2>
              <dl className="facts">
                <dt>{t('results.value')}</dt>
                <dd>
                  {observationValue(o, number) || '—'} <FlagBadge flag={flagOf(o)} />
                </dd>
                <dt>{t('results.range')}</dt>
                <dd>{rangeText(o, number) || t('results.noRange')}</dd>
                <dt>{t('results.date')}</dt>
                <dd>{date(effectiveTime(o), true)}</dd>
                <dt>{t('results.source')}</dt>
                <dd>{orgName(data, item, t('record.unknownOrg'))}</dd>
                {o.status && (
                  <>
                    <dt>{t('results.status')}</dt>
                    <dd>{o.status}</dd>
                  </>
                )}
              </dl>
              {points >= 2 && (
                <Card title={t('results.trend', { name })} id="trend">
                  <LineChart
                    title={t('results.trend', { name })}
                    summary={t('results.trendSummary', { count: points, name, orgs: series.map((s) => s.name).join(', ') })}
                    series={series}
                    unit={unit}
                    range={
                      range && (range.low?.value !== undefined || range.high?.value !== undefined)
                        ? { low: range.low?.value, high: range.high?.value, label: t('results.rangeBand', { range: rangeText(o, number) }) }
                        : undefined
                    }
                    formatX={(ms) => date(ms)}
                    formatY={number}
                    table={{ toggle: t('chart.showTable'), date: t('results.date'), value: t('results.value'), series: t('results.source'), note: t('chart.note') }}
                  />
                </Card>
              )}
              <p>
                <Link to="/health/results">{t('results.back')}</Link>
              </p>
            </>
          );
        }}
      </WithSection>
    </HealthPage>
  );
}

export function VitalsPage() {
  const { t, date, number } = useI18n();
  return (
    <HealthPage titleKey="health.vitals">
      <WithSection section="vitals">
        {(data) => {
          const groups = new Map<string, RecordItem[]>();
          for (const i of observations(data)) {
            const k = conceptKey(i.resource.code);
            groups.set(k, [...(groups.get(k) ?? []), i]);
          }
          if (groups.size === 0) return <p className="empty">{t('vitals.none')}</p>;
          return [...groups.entries()].map(([k, items], gi) => {
            const latest = items[0];
            if (!latest) return null;
            const name = conceptText(latest.resource.code) || t('record.unnamed');
            // Blood pressure and other panels: one series per component.
            const components = new Map<string, ChartSeries>();
            for (const i of items) {
              for (const c of (i.resource.component as Res[] | undefined) ?? []) {
                const v = c.valueQuantity?.value;
                if (typeof v !== 'number') continue;
                const cname = conceptText(c.code);
                const s = components.get(cname) ?? { name: cname, points: [] };
                s.points.push({ x: timeOf(i.resource), y: v, note: orgName(data, i, t('record.unknownOrg')) });
                components.set(cname, s);
              }
            }
            const series = components.size > 0 ? [...components.values()] : trendOf(data, items, t('record.unknownOrg'), (i) => orgName(data, i, t('record.unknownOrg')));
            const points = series.reduce((n, s) => n + s.points.length, 0);
            return (
              <Card key={k} title={name} id={`vital-${gi}`}>
                <p>
                  {t('vitals.latest', { value: observationValue(latest.resource, number), date: date(effectiveTime(latest.resource)) })} ·{' '}
                  {t('record.from', { org: orgName(data, latest, t('record.unknownOrg')) })}
                </p>
                {points >= 2 && (
                  <LineChart
                    title={t('vitals.chart', { name })}
                    summary={t('results.trendSummary', { count: points, name, orgs: '' })}
                    series={series}
                    unit={latest.resource.valueQuantity?.unit ?? (latest.resource.component as Res[] | undefined)?.[0]?.valueQuantity?.unit}
                    formatX={(ms) => date(ms)}
                    formatY={number}
                    table={{ toggle: t('chart.showTable'), date: t('results.date'), value: t('results.value'), series: t('vitals.measure'), note: t('results.source') }}
                  />
                )}
              </Card>
            );
          });
        }}
      </WithSection>
    </HealthPage>
  );
}

export function MedicationsPage() {
  const { t, date } = useI18n();
  return (
    <HealthPage titleKey="health.medications">
      <WithSection section="medications">
        {(data) => (
          <Rows
            label={t('health.medications')}
            empty={t('meds.none')}
            rows={newestFirst(data.items).map((i) => ({
              key: `${i.resourceType}/${i.id}`,
              title: medicationName(i.resource) || t('record.unnamed'),
              badge: isActiveMedication(i.resource) ? <span className="badge badge-ok">{t('meds.active')}</span> : <span className="badge">{i.resource.status}</span>,
              details: [(i.resource.dosageInstruction ?? i.resource.dosage)?.[0]?.text ?? '', date(effectiveTime(i.resource))],
              source: orgName(data, i, t('record.unknownOrg')),
            }))}
          />
        )}
      </WithSection>
    </HealthPage>
  );
}

export function AllergiesPage() {
  const { t } = useI18n();
  return (
    <HealthPage titleKey="health.allergies">
      <WithSection section="allergies">
        {(data) => (
          <Rows
            label={t('health.allergies')}
            empty={t('allergies.none')}
            rows={newestFirst(data.items).map((i) => allergyRow(data, i, t('record.unknownOrg'), t('record.unnamed')))}
          />
        )}
      </WithSection>
    </HealthPage>
  );
}

export function allergyRow(data: SectionData, i: RecordItem, unknownOrg: string, unnamed: string): Row {
  const r = i.resource;
  const reactions = ((r.reaction as Res[] | undefined) ?? []).flatMap((x) => ((x.manifestation as Res[] | undefined) ?? []).map((m) => conceptText(m))).filter(Boolean);
  return {
    key: i.id,
    title: conceptText(r.code) || unnamed,
    badge: r.criticality === 'high' ? <span className="badge badge-critical">{r.criticality}</span> : undefined,
    details: [reactions.join(', '), clinicalStatus(r)],
    source: orgName(data, i, unknownOrg),
  };
}

export function ProblemsPage() {
  const { t, date } = useI18n();
  return (
    <HealthPage titleKey="health.problems">
      <WithSection section="problems">
        {(data) => (
          <Rows
            label={t('health.problems')}
            empty={t('problems.none')}
            rows={newestFirst(data.items).map((i) => ({
              key: i.id,
              title: conceptText(i.resource.code) || t('record.unnamed'),
              badge: clinicalStatus(i.resource) ? <span className="badge">{clinicalStatus(i.resource)}</span> : undefined,
              details: [i.resource.onsetDateTime ? t('problems.since', { date: date(i.resource.onsetDateTime) }) : ''],
              source: orgName(data, i, t('record.unknownOrg')),
            }))}
          />
        )}
      </WithSection>
    </HealthPage>
  );
}

export function ImmunizationsPage() {
  const { t, date } = useI18n();
  return (
    <HealthPage titleKey="health.immunizations">
      <WithSection section="immunizations">
        {(data) => (
          <Rows
            label={t('health.immunizations')}
            empty={t('immunizations.none')}
            rows={newestFirst(data.items).map((i) => ({
              key: i.id,
              title: conceptText(i.resource.vaccineCode) || t('record.unnamed'),
              details: [date(i.resource.occurrenceDateTime ?? i.resource.occurrenceString), i.resource.status === 'completed' ? '' : i.resource.status],
              source: orgName(data, i, t('record.unknownOrg')),
            }))}
          />
        )}
      </WithSection>
    </HealthPage>
  );
}

export function visitRow(data: SectionData, i: RecordItem, t: (k: MessageKey) => string, date: (v: string) => string): Row {
  const r = i.resource;
  const type = conceptText((r.type as Res[] | undefined)?.[0]) || r.class?.display || r.class?.code || t('visits.visit');
  const reason = conceptText((r.reasonCode as Res[] | undefined)?.[0]);
  return { key: i.id, title: type, details: [date(r.period?.start ?? ''), reason], source: orgName(data, i, t('record.unknownOrg')) };
}

export function VisitsPage() {
  const { t, date } = useI18n();
  return (
    <HealthPage titleKey="health.visits">
      <WithSection section="visits">
        {(data) => <Rows label={t('health.visits')} empty={t('visits.none')} rows={newestFirst(data.items).map((i) => visitRow(data, i, t, (v) => date(v)))} />}
      </WithSection>
    </HealthPage>
  );
}

export function DocumentsPage() {
  const { t, date } = useI18n();
  return (
    <HealthPage titleKey="health.documents">
      <WithSection section="documents">
        {(data) => (
          <Rows
            label={t('health.documents')}
            empty={t('documents.none')}
            rows={newestFirst(data.items).map((i) => ({
              key: i.id,
              title: conceptText(i.resource.type) || i.resource.description || t('documents.document'),
              details: [date(i.resource.date ?? effectiveTime(i.resource)), i.resource.description && conceptText(i.resource.type) ? i.resource.description : '', (i.resource.content as Res[] | undefined)?.[0]?.attachment?.title ?? ''],
              source: orgName(data, i, t('record.unknownOrg')),
            }))}
          />
        )}
      </WithSection>
    </HealthPage>
  );
}
