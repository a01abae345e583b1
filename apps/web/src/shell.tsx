import { useEffect, useRef, type ReactNode } from 'react';
import { LANGS, useI18n } from './lib/i18n.tsx';
import { Link, useLocation } from './lib/router.tsx';

/**
 * The frame of every page: a skip link, the banner with the site's name, main navigation and
 * the language switch, the main region, and the footer. On each navigation the new page's
 * heading takes the focus, so keyboard and screen reader users start at the new content.
 */
export interface NavItem {
  to: string;
  label: string;
  /** Also current for paths under it (/health/results under /health). */
  prefix?: boolean;
}

let navigated = false;

export function Shell({ appName, homeHref, nav, tools, banner, children }: { appName: string; homeHref: string; nav: NavItem[]; tools?: ReactNode; banner?: ReactNode; children: ReactNode }) {
  const { t, lang, setLang } = useI18n();
  const { path } = useLocation();
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    navigated = true;
  }, [path]);
  const other = LANGS.find((l) => l.code !== lang) ?? LANGS[0];
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        {t('shell.skip')}
      </a>
      <header className="app-header">
        <div className="app-header-row">
          <Link to={homeHref} className="app-name">
            <img src="/favicon.svg" alt="" width="28" height="28" />
            <span>{appName}</span>
          </Link>
          <div className="app-tools">
            {other && (
              <button type="button" className="ui-button ui-button-secondary lang-switch" lang={other.code} onClick={() => setLang(other.code)}>
                {other.name}
              </button>
            )}
            {tools}
          </div>
        </div>
        {nav.length > 0 && (
          <nav aria-label={t('shell.mainNav')} className="app-nav">
            <ul>
              {nav.map((n) => {
                const current = n.prefix ? path === n.to || path.startsWith(`${n.to}/`) : path === n.to;
                return (
                  <li key={n.to}>
                    <Link to={n.to} aria-current={current ? 'page' : undefined}>
                      {n.label}
                    </Link>
                  </li>
                );
              })}
            </ul>
          </nav>
        )}
        {banner}
      </header>
      <main id="main" tabIndex={-1} className="app-main">
        {children}
      </main>
      <footer className="app-footer">
        <p>{t('shell.footer')}</p>
      </footer>
    </div>
  );
}

/** A page's heading and the document title; the heading takes the focus after a navigation. */
export function PageTitle({ children, title }: { children: ReactNode; title: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} – Kennebec`;
    if (navigated) ref.current?.focus();
  }, [title]);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children}
    </h1>
  );
}
