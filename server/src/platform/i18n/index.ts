import { messages, fieldNames, type MessageKey } from './messages.js';

type Catalog = Record<string, { zh: string; en: string }>;
const allMessages: Catalog = { ...messages };
const allFieldNames: Catalog = { ...fieldNames };

/**
 * Modules keep their own messages and field names next to their code and register them at
 * import time (e.g. `modules/organisation/messages.ts`). Keys must be prefixed by the module.
 */
export function registerMessages(catalog: Catalog, fields: Catalog = {}): void {
  Object.assign(allMessages, catalog);
  Object.assign(allFieldNames, fields);
}

export type Locale = 'zh-CN' | 'en-US';
export const LOCALES: Locale[] = ['zh-CN', 'en-US'];
export const DEFAULT_LOCALE: Locale = 'zh-CN';

export function isLocale(v: unknown): v is Locale {
  return v === 'zh-CN' || v === 'en-US';
}

/** Picks zh-CN or en-US from an Accept-Language header (q-values respected). */
export function localeFromHeader(header: string | undefined): Locale {
  if (!header) return DEFAULT_LOCALE;
  const ranked = header
    .split(',')
    .map((part) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { tag: tag.toLowerCase(), q: q ? Number(q.slice(2)) || 0 : 1 };
    })
    .sort((a, b) => b.q - a.q);
  for (const { tag } of ranked) {
    if (tag.startsWith('zh')) return 'zh-CN';
    if (tag.startsWith('en')) return 'en-US';
  }
  return DEFAULT_LOCALE;
}

/** Translates a message key, filling `{name}` placeholders. Unknown keys fall back to the key. */
export function t(locale: Locale, key: string, params: Record<string, unknown> = {}): string {
  const entry = allMessages[key];
  const template = entry ? (locale === 'en-US' ? entry.en : entry.zh) : key;
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const v = params[name];
    return v === undefined || v === null ? '' : String(v);
  });
}

/** The display name of a field path such as `contacts[3].phone` → 电话 / Phone. */
export function fieldLabel(locale: Locale, field: string): string {
  const leaf = field.split('.').pop()!.replace(/\[\d+\]$/, '');
  const entry = allFieldNames[leaf];
  return entry ? (locale === 'en-US' ? entry.en : entry.zh) : leaf;
}

export type { MessageKey };
