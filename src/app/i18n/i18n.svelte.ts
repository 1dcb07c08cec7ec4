/**
 * The i18n layer: every UI string goes through a message table defined next to the component that
 * shows it (`defineMessages`), with English and 简体中文 side by side; the type makes a missing
 * translation a compile error. The current language is one rune, so switching it re-renders every
 * string that was read through a table.
 */
export const LANGS = ['en', 'zh-CN'] as const;
export type Lang = (typeof LANGS)[number];

export const LANG_NAMES: Record<Lang, string> = { en: 'English', 'zh-CN': '简体中文' };

export const locale = $state<{ lang: Lang }>({ lang: initialLang() });

function initialLang(): Lang {
  if (typeof navigator !== 'undefined' && navigator.language?.toLowerCase().startsWith('zh')) return 'zh-CN';
  return 'en';
}

export function setLang(lang: Lang): void {
  locale.lang = lang;
  if (typeof document !== 'undefined') document.documentElement.lang = lang;
}

export type Params = Record<string, string | number>;

/** Replaces `{name}` placeholders; an unknown placeholder stays visible rather than vanishing. */
export function format(template: string, params?: Params): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

export type Messages<K extends string> = (key: K, params?: Params) => string;

export function defineMessages<T extends Record<string, string>>(
  en: T,
  zh: { [K in keyof T]: string },
): Messages<Extract<keyof T, string>> & { tables: Record<Lang, Record<string, string>> } {
  const tables: Record<Lang, Record<string, string>> = { en, 'zh-CN': zh };
  const t = (key: Extract<keyof T, string>, params?: Params) =>
    format(tables[locale.lang][key] ?? key, params);
  return Object.assign(t, { tables });
}

/** The colon after a label: full-width in Chinese (“状态：”), “: ” in English. */
export function colon(): string {
  return locale.lang === 'zh-CN' ? '：' : ': ';
}
