import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
// The ES modules: antd/locale/* are CommonJS re-exports that bring the lib/ build and its interop.
import zh_CN from 'antd/es/locale/zh_CN';
import type { Locale as AntdLocale } from 'antd/es/locale';
import { zhCN, type MessageKey, type Messages } from './zh-CN';
import { isApiError, setApiLocale } from '../api/client';
import type { Locale } from '../api/types';

export type { MessageKey } from './zh-CN';
export const LOCALES: Locale[] = ['zh-CN', 'en-US'];

/**
 * One catalog per language (issue #10, item 19): zh-CN, the default, is part of the first load;
 * English (its messages and antd's en_US) is a chunk of its own, fetched only when the user's
 * language is en-US (`loadLocale`), so a Chinese user never downloads it. dayjs has English built in.
 */
interface Catalog {
  messages: Messages;
  antd: AntdLocale;
}
const catalogs: Partial<Record<Locale, Catalog>> = { 'zh-CN': { messages: zhCN, antd: zh_CN } };
const loaders: Record<Locale, () => Promise<Catalog>> = {
  'zh-CN': async () => ({ messages: zhCN, antd: zh_CN }),
  'en-US': async () => {
    const [{ enUS }, antd] = await Promise.all([import('./en-US'), import('antd/es/locale/en_US')]);
    return { messages: enUS, antd: antd.default };
  },
};
const pending = new Map<Locale, Promise<void>>();

/** Whether `locale`'s catalog is here (t() in that language answers from it). */
export function isLocaleLoaded(locale: Locale): boolean {
  return catalogs[locale] !== undefined;
}

/** Fetches `locale`'s catalog once; concurrent callers share the request, a failed one may be retried. */
export function loadLocale(locale: Locale): Promise<void> {
  if (catalogs[locale]) return Promise.resolve();
  let p = pending.get(locale);
  if (!p) {
    p = loaders[locale]().then(
      (c) => {
        catalogs[locale] = c;
        pending.delete(locale);
      },
      (err: unknown) => {
        pending.delete(locale);
        throw err;
      },
    );
    pending.set(locale, p);
  }
  return p;
}

const dayjsLocales: Record<Locale, string> = { 'zh-CN': 'zh-cn', 'en-US': 'en' };

export const DATE_FORMATS: Record<Locale, { date: string; dateTime: string; dateTimeSec: string }> = {
  'zh-CN': { date: 'YYYY年M月D日', dateTime: 'YYYY年M月D日 HH:mm', dateTimeSec: 'YYYY年M月D日 HH:mm:ss' },
  'en-US': { date: 'MMM D, YYYY', dateTime: 'MMM D, YYYY HH:mm', dateTimeSec: 'MMM D, YYYY HH:mm:ss' },
};

const STORAGE_KEY = 'yw_locale';

export function normalizeLocale(v: string | null | undefined): Locale | null {
  if (!v) return null;
  const s = v.toLowerCase();
  if (s.startsWith('zh')) return 'zh-CN';
  if (s.startsWith('en')) return 'en-US';
  return null;
}

/** Before login: saved choice, else the browser's language, else zh-CN. */
export function initialLocale(): Locale {
  try {
    const saved = normalizeLocale(localStorage.getItem(STORAGE_KEY));
    if (saved) return saved;
  } catch {
    /* storage unavailable */
  }
  const nav = typeof navigator !== 'undefined' ? navigator.languages ?? [navigator.language] : [];
  for (const l of nav) {
    const n = normalizeLocale(l);
    if (n) return n;
  }
  return 'zh-CN';
}

export type Vars = Record<string, string | number | null | undefined>;

/** Synchronous: a language whose catalog is not loaded yet answers in Chinese (the provider switches only once it is). */
export function translate(locale: Locale, key: MessageKey, vars?: Vars): string {
  const s = catalogs[locale]?.messages[key] ?? zhCN[key] ?? key;
  if (!vars) return s;
  return s.replace(/\{(\w+)\}/g, (m, k: string) => (vars[k] === undefined || vars[k] === null ? m : String(vars[k])));
}

function applyLocale(locale: Locale) {
  dayjs.locale(dayjsLocales[locale]);
  setApiLocale(locale);
  document.documentElement.lang = locale;
  try {
    localStorage.setItem(STORAGE_KEY, locale);
  } catch {
    /* ignore */
  }
}

export interface I18n {
  locale: Locale;
  setLocale: (l: Locale) => void;
  t: (key: MessageKey, vars?: Vars) => string;
  antdLocale: AntdLocale;
  formats: (typeof DATE_FORMATS)[Locale];
  /** `2026年3月5日 14:30` / `Mar 5, 2026 14:30` */
  fmtDateTime: (v: string | number | Date | dayjs.Dayjs | null | undefined, seconds?: boolean) => string;
  /** `2026年3月5日` / `Mar 5, 2026` */
  fmtDate: (v: string | number | Date | dayjs.Dayjs | null | undefined) => string;
  fmtNumber: (n: number) => string;
  /** Human text for any error, in the user's language. */
  errorText: (e: unknown) => string;
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  // The locale shown: always one whose catalog is loaded. `wanted` is the latest choice, which a
  // slower earlier load must not override (English chosen, then Chinese before English arrived).
  const wanted = useRef<Locale>(initialLocale());
  const [locale, setLocaleState] = useState<Locale>(() => {
    if (!isLocaleLoaded(wanted.current)) return 'zh-CN';
    applyLocale(wanted.current);
    return wanted.current;
  });
  // An English user's first paint waits for the English chunk rather than flashing Chinese.
  const [ready, setReady] = useState(() => isLocaleLoaded(wanted.current));

  useEffect(() => {
    if (ready) applyLocale(locale);
  }, [locale, ready]);

  const setLocale = useCallback((l: Locale) => {
    wanted.current = l;
    const show = () => {
      if (wanted.current !== l) return;
      applyLocale(l);
      setLocaleState(l);
      setReady(true);
    };
    if (isLocaleLoaded(l)) return show();
    loadLocale(l).then(show, (err: unknown) => {
      // The chunk could not be fetched (offline, a deployment replaced it): stay in the language shown.
      console.warn(`could not load the ${l} catalog`, err);
      if (wanted.current === l) setReady(true);
    });
  }, []);

  useEffect(() => {
    if (!ready) setLocale(wanted.current);
    // once, on mount: later choices come through setLocale
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const value = useMemo<I18n>(() => {
    const t = (key: MessageKey, vars?: Vars) => translate(locale, key, vars);
    const formats = DATE_FORMATS[locale];
    const fmt = (v: string | number | Date | dayjs.Dayjs | null | undefined, f: string) => {
      if (v === null || v === undefined || v === '') return '';
      const d = dayjs(v);
      return d.isValid() ? d.locale(dayjsLocales[locale]).format(f) : String(v);
    };
    const nf = new Intl.NumberFormat(locale);
    const errorText = (e: unknown): string => {
      if (isApiError(e)) {
        if (e.status === 0) return t('error.network');
        if (e.status >= 500) return t('error.500');
        if (e.detail) return e.detail;
        // Our server's problems carry a `code` and a title already in the user's language.
        if (e.code && e.problem.title) return e.problem.title;
        if (e.status === 429) return e.retryAfter ? t('error.429.seconds', { seconds: e.retryAfter }) : t('error.429');
        const key = `error.${e.status}` as MessageKey;
        if (key in zhCN) return t(key);
        return e.title || t('error.unknown', { message: String(e.status) });
      }
      if (e instanceof Error) return t('error.unknown', { message: e.message });
      return t('error.unknown', { message: String(e) });
    };
    return {
      locale,
      setLocale,
      t,
      antdLocale: (catalogs[locale] ?? catalogs['zh-CN']!).antd,
      formats,
      fmtDateTime: (v, seconds) => fmt(v, seconds ? formats.dateTimeSec : formats.dateTime),
      fmtDate: (v) => fmt(v, formats.date),
      fmtNumber: (n) => nf.format(n),
      errorText,
    };
  }, [locale, setLocale]);

  return <I18nContext.Provider value={value}>{ready ? children : null}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const ctx = useContext(I18nContext);
  if (!ctx) throw new Error('useI18n outside I18nProvider');
  return ctx;
}

export function useT() {
  return useI18n().t;
}
