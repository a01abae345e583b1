import { useCallback, useState, type ReactNode } from 'react';
import { Pagination, pageOf } from '@kennebec/ui';
import { useI18n } from '../lib/i18n.tsx';

/**
 * Long lists, a page at a time: `PagedList` pages a list the server sent whole; `useCursor` and
 * `CursorPager` walk a list the server pages itself (each answer names the next page's cursor).
 */
export function PagedList<T>({ items, size = 20, label, empty, render, keyOf }: { items: readonly T[]; size?: number; label: string; empty: string; render: (item: T) => ReactNode; keyOf: (item: T) => string }) {
  const { t } = useI18n();
  const [page, setPage] = useState(1);
  if (items.length === 0) return <p className="empty">{empty}</p>;
  const count = Math.ceil(items.length / size);
  const current = Math.min(page, count);
  return (
    <>
      <ul className="rows" aria-label={label}>
        {pageOf(items, current, size).map((item) => (
          <li key={keyOf(item)}>{render(item)}</li>
        ))}
      </ul>
      <Pagination
        page={current}
        pageCount={count}
        onPage={setPage}
        labels={{ nav: t('pager.nav', { what: label }), previous: t('pager.previous'), next: t('pager.next'), status: (p, c) => t('pager.status', { page: p, count: c }) }}
      />
    </>
  );
}

/** The cursors of the pages seen so far: the first page has none. */
export function useCursor() {
  const [stack, setStack] = useState<string[]>([]);
  const cursor = stack[stack.length - 1];
  const next = useCallback((c: string) => setStack((s) => [...s, c]), []);
  const previous = useCallback(() => setStack((s) => s.slice(0, -1)), []);
  const reset = useCallback(() => setStack([]), []);
  return { cursor, page: stack.length + 1, next, previous, reset };
}

export function CursorPager({ label, page, nextCursor, onNext, onPrevious }: { label: string; page: number; nextCursor: string | null; onNext: (c: string) => void; onPrevious: () => void }) {
  const { t } = useI18n();
  if (page === 1 && !nextCursor) return null;
  return (
    <nav className="ui-pagination" aria-label={t('pager.nav', { what: label })}>
      <button type="button" className="ui-button ui-button-secondary" disabled={page <= 1} onClick={onPrevious}>
        {t('pager.previous')}
      </button>
      <span aria-live="polite">{t('console.pageN', { page })}</span>
      <button type="button" className="ui-button ui-button-secondary" disabled={!nextCursor} onClick={() => nextCursor && onNext(nextCursor)}>
        {t('pager.next')}
      </button>
    </nav>
  );
}
