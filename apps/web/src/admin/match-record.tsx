import { createContext, useCallback, useContext, useMemo, useRef, type ReactNode } from 'react';
import { useI18n } from '../lib/i18n.tsx';
import { Link } from '../lib/router.tsx';
import { useEnumText } from '../console/frame.tsx';
import type { Evidence, MatchRecord, ReviewItem } from './types.ts';

/**
 * How the index compares two records: both side by side, field by field, and the evidence the
 * matcher weighed (agreement level and weight per field, never the values). The review items
 * seen in the queue are kept in memory so that a pair's page opens without asking again.
 */
interface ReviewCache {
  remember: (items: ReviewItem[]) => void;
  get: (id: string) => ReviewItem | undefined;
}

const Ctx = createContext<ReviewCache | null>(null);

export function ReviewCacheProvider({ children }: { children: ReactNode }) {
  const map = useRef(new Map<string, ReviewItem>());
  const remember = useCallback((items: ReviewItem[]) => {
    for (const i of items) map.current.set(i.id, i);
  }, []);
  const get = useCallback((id: string) => map.current.get(id), []);
  const value = useMemo(() => ({ remember, get }), [remember, get]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useReviewCache(): ReviewCache {
  const v = useContext(Ctx);
  if (!v) throw new Error('useReviewCache outside ReviewCacheProvider');
  return v;
}

export function recordName(r: MatchRecord | null | undefined): string {
  const n = r?.names[0];
  if (!n) return '';
  const given = n.given.join(' ');
  return [n.family && given ? `${n.family}, ${given}` : (n.family ?? given), ...n.suffix].filter(Boolean).join(' ');
}

function lines(values: ReactNode[]): ReactNode {
  if (values.length === 0) return '—';
  return values.map((v, i) => (
    <span key={i} className="cell-line">
      {v}
    </span>
  ));
}

/** The two records in one table: a row per kind of fact, a column per record. */
export function CompareTable({ a, b, captionId }: { a: MatchRecord | null | undefined; b: MatchRecord | null | undefined; captionId: string }) {
  const { t, date } = useI18n();
  const sex = useEnumText('admin.sex');
  const fact = (r: MatchRecord | null | undefined, f: (r: MatchRecord) => ReactNode[]): ReactNode => (r ? lines(f(r)) : t('admin.review.recordGone'));
  const rows: { label: string; f: (r: MatchRecord) => ReactNode[] }[] = [
    { label: t('admin.compare.names'), f: (r) => r.names.map((n) => [n.family && n.given.length ? `${n.family}, ${n.given.join(' ')}` : (n.family ?? n.given.join(' ')), ...n.suffix].filter(Boolean).join(' ')) },
    { label: t('admin.compare.birthDate'), f: (r) => (r.birthDate ? [date(r.birthDate)] : []) },
    { label: t('admin.compare.sex'), f: (r) => (r.gender ? [sex(r.gender)] : []) },
    { label: t('admin.compare.addresses'), f: (r) => r.addresses.map((ad) => [...ad.line, [ad.city, ad.state, ad.postalCode].filter(Boolean).join(' ')].filter(Boolean).join(', ')) },
    { label: t('admin.compare.phones'), f: (r) => r.phones },
    { label: t('admin.compare.identifiers'), f: (r) => r.identifiers.map((i) => `${i.value}${i.system ? ` (${i.system})` : ''}`) },
    { label: t('admin.compare.source'), f: (r) => [r.sourceName ?? r.sourceOrg ?? t('admin.message.noSource')] },
    { label: t('admin.compare.person'), f: (r) => (r.personId ? [<Link key="p" className="mono" to={`/admin/persons/${encodeURIComponent(r.personId)}`}>{r.personId}</Link>] : []) },
  ];
  return (
    <div className="table-wrap" role="region" aria-labelledby={captionId} tabIndex={0}>
      <table className="data compare">
        <caption id={captionId}>{t('admin.compare.caption')}</caption>
        <thead>
          <tr>
            <td />
            <th scope="col">{t('admin.compare.recordA')}</th>
            <th scope="col">{t('admin.compare.recordB')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.label}>
              <th scope="row">{row.label}</th>
              <td>{fact(a, row.f)}</td>
              <td>{fact(b, row.f)}</td>
            </tr>
          ))}
          {(a?.deleted || b?.deleted) && (
            <tr>
              <th scope="row">{t('admin.compare.deleted')}</th>
              <td>{a?.deleted ? t('admin.compare.deletedYes') : ''}</td>
              <td>{b?.deleted ? t('admin.compare.deletedYes') : ''}</td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

/** The matcher's evidence: per field, how the two agreed and what weight that added. */
export function EvidenceTable({ evidence, score, captionId }: { evidence: Evidence[]; score: number; captionId: string }) {
  const { t } = useI18n();
  const field = useEnumText('admin.field');
  const level = useEnumText('admin.level');
  const detail = useEnumText('admin.detail');
  const fmt = (n: number) => `${n > 0 ? '+' : n < 0 ? '−' : ''}${Math.abs(n).toFixed(2)}`;
  return (
    <div className="table-wrap" role="region" aria-labelledby={captionId} tabIndex={0}>
      <table className="data">
        <caption id={captionId}>{t('admin.evidence.caption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('admin.evidence.field')}</th>
            <th scope="col">{t('admin.evidence.level')}</th>
            <th scope="col" className="num">
              {t('admin.evidence.weight')}
            </th>
          </tr>
        </thead>
        <tbody>
          {evidence.map((e) => (
            <tr key={e.field}>
              <th scope="row">{field(e.field)}</th>
              <td className={e.level === 'disagree' ? 'differs' : undefined}>
                {level(e.level)}
                {e.detail ? ` (${detail(e.detail)})` : ''}
              </td>
              <td className="num">{fmt(e.weight)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" colSpan={2}>
              {t('admin.evidence.total')}
            </th>
            <td className="num">
              <strong>{fmt(score)}</strong>
            </td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}
