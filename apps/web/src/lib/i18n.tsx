import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { en, type MessageKey } from '../i18n/en.ts';
import { es } from '../i18n/es.ts';

/**
 * English and Spanish. The choice is remembered in localStorage; the first visit follows the
 * browser's language. The document's `lang` follows the choice, so screen readers pronounce
 * the page right. Messages take `{name}` placeholders.
 */
export type Lang = 'en' | 'es';
export const LANGS: { code: Lang; name: string }[] = [
  { code: 'en', name: 'English' },
  { code: 'es', name: 'Español' },
];
const DICTS: Record<Lang, Record<MessageKey, string>> = { en, es };
const STORAGE_KEY = 'kennebec.lang';

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

export function translate(lang: Lang, key: MessageKey, vars?: Record<string, string | number>): string {
  const text = DICTS[lang][key] ?? en[key] ?? key;
  return vars ? text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m)) : text;
}

function initialLang(): Lang {
  try {
    const saved = window.localStorage.getItem(STORAGE_KEY);
    if (saved === 'en' || saved === 'es') return saved;
  } catch {
    // Storage may be off; fall through to the browser's language.
  }
  return navigator.language?.toLowerCase().startsWith('es') ? 'es' : 'en';
}

interface I18n {
  lang: Lang;
  setLang: (l: Lang) => void;
  t: Translate;
  /** Dates and numbers in the chosen language. */
  date: (iso: string | number | Date | undefined | null, withTime?: boolean) => string;
  number: (n: number) => string;
}

const Ctx = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  const setLang = useCallback((l: Lang) => {
    setLangState(l);
    try {
      window.localStorage.setItem(STORAGE_KEY, l);
    } catch {
      // Not remembered, still switched.
    }
  }, []);
  const value = useMemo<I18n>(() => {
    const locale = lang === 'es' ? 'es-US' : 'en-US';
    const dateFmt = new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });
    const timeFmt = new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });
    const numFmt = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
    return {
      lang,
      setLang,
      t: (key, vars) => translate(lang, key, vars),
      date: (v, withTime = false) => {
        if (v === undefined || v === null || v === '') return '';
        // A FHIR date without a time is a calendar day: show it as that day, whatever the time zone.
        const d = typeof v === 'string' && /^\d{4}(-\d{2})?(-\d{2})?$/.test(v) ? new Date(`${v.padEnd(10, '-01').slice(0, 10)}T00:00:00Z`) : new Date(v);
        if (Number.isNaN(d.getTime())) return String(v);
        return withTime ? timeFmt.format(d) : dateFmt.format(d);
      },
      number: (n) => numFmt.format(n),
    };
  }, [lang, setLang]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(Ctx);
  if (!v) throw new Error('useI18n outside I18nProvider');
  return v;
}
