export interface PaginationProps {
  page: number;
  pageCount: number;
  onPage: (page: number) => void;
  /** Texts: the navigation's name, the buttons, and "Page 2 of 5". */
  labels: { nav: string; previous: string; next: string; status: (page: number, count: number) => string };
}

/** The items of one page (pages count from 1). */
export function pageOf<T>(items: readonly T[], page: number, size: number): T[] {
  return items.slice((page - 1) * size, page * size);
}

export function Pagination({ page, pageCount, onPage, labels }: PaginationProps) {
  if (pageCount <= 1) return null;
  return (
    <nav className="ui-pagination" aria-label={labels.nav}>
      <button type="button" className="ui-button ui-button-secondary" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        {labels.previous}
      </button>
      <span aria-live="polite">{labels.status(page, pageCount)}</span>
      <button type="button" className="ui-button ui-button-secondary" disabled={page >= pageCount} onClick={() => onPage(page + 1)}>
        {labels.next}
      </button>
    </nav>
  );
}
