import { useState, type ReactNode } from 'react';
import { Alert, Card, Loading, Pagination, pageOf } from '@kennebec/ui';
import { errorMessage } from '../lib/errors.ts';
import type { Flag, RecordItem } from '../lib/fhir.ts';
import { useI18n } from '../lib/i18n.tsx';
import type { MessageKey } from '../i18n/en.ts';
import { usePeople, useSection, type Section, type SectionData } from './people.tsx';

/** Shared pieces of the record pages: loading and error states, rows, flags, paging, sources. */
export const PAGE_SIZE = 20;

export function orgName(data: SectionData, item: RecordItem, unknown: string): string {
  return (item.sourceOrg && data.organizations[item.sourceOrg]) || unknown;
}

export function FlagBadge({ flag }: { flag: Flag }) {
  const { t } = useI18n();
  if (!flag) return null;
  const key: Record<NonNullable<Flag>, MessageKey> = {
    high: 'flag.high',
    low: 'flag.low',
    'critical-high': 'flag.criticalHigh',
    'critical-low': 'flag.criticalLow',
    abnormal: 'flag.abnormal',
  };
  return <span className={`badge badge-${flag.startsWith('critical') ? 'critical' : 'flag'}`}>{t(key[flag])}</span>;
}

/** Waits for a section, then renders it; a failure is said in plain words. */
export function WithSection({ section, children }: { section: Section; children: (data: SectionData) => ReactNode }) {
  const { t } = useI18n();
  const { current, people, error: peopleError } = usePeople();
  const { data, error } = useSection(section);
  if (peopleError || error) return <Alert tone="error" title={errorMessage(peopleError ?? error, t)} />;
  if (people && !current) return <Alert tone="info" title={t('record.noRecord')} />;
  if (!data) return <Loading label={t('common.loading')} />;
  return <>{children(data)}</>;
}

export interface Row {
  key: string;
  title: ReactNode;
  badge?: ReactNode;
  details: (string | ReactNode)[];
  source: string;
}

/** A list of rows, 20 to a page. */
export function Rows({ rows, empty, label }: { rows: Row[]; empty: string; label: string }) {
  const { t } = useI18n();
  const [page, setPage] = useState(1);
  if (rows.length === 0) return <p className="empty">{empty}</p>;
  const count = Math.ceil(rows.length / PAGE_SIZE);
  const shown = pageOf(rows, Math.min(page, count), PAGE_SIZE);
  return (
    <>
      <ul className="rows" aria-label={label}>
        {shown.map((r) => (
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
      <Pagination
        page={Math.min(page, count)}
        pageCount={count}
        onPage={(p) => {
          setPage(p);
        }}
        labels={{ nav: t('pager.nav', { what: label }), previous: t('pager.previous'), next: t('pager.next'), status: (p, c) => t('pager.status', { page: p, count: c }) }}
      />
    </>
  );
}

export function SectionCard({ title, id, children }: { title: string; id: string; children: ReactNode }) {
  return (
    <Card title={title} id={id}>
      {children}
    </Card>
  );
}
