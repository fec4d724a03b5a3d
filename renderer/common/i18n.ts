// One i18next setup for the three pages (the desktop app, the voter's page, the verification
// page): each its own instance and table, in English, Russian and Belarusian; the first language
// from the choice kept in localStorage (one key for all three), else the browser's, else English.
// The document's lang and title follow the language.
import i18next, { type i18n as I18n, type Resource } from 'i18next';
import { useTranslation } from 'react-i18next';

export const LANGUAGES = [
  { code: 'en', label: 'English' },
  { code: 'ru', label: 'Русский' },
  { code: 'be', label: 'Беларуская' },
] as const;
export type Language = (typeof LANGUAGES)[number]['code'];
const STORAGE_KEY = 'notary.language';

export const isLanguage = (value: string | null | undefined): value is Language =>
  LANGUAGES.some((language) => language.code === value);

function storedLanguage(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

function initialLanguage(): Language {
  const stored = storedLanguage();
  if (isLanguage(stored)) return stored;
  for (const wanted of navigator.languages ?? [navigator.language]) {
    const code = wanted.slice(0, 2).toLowerCase();
    if (isLanguage(code)) return code;
  }
  return 'en';
}

/** Every key of a table, e.g. `result.reasons.OTHER_CHAIN`. */
export type Leaves<T, Prefix extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${Prefix}${K}` : Leaves<T[K], `${Prefix}${K}.`>;
}[keyof T & string];

/**
 * The keys the shared pieces (ui.tsx, PageHeader.tsx) read, from the instance the page provides
 * (I18nextProvider): each page's table has them under `app` (the desktop app's lacks only `skip`
 * and `nav`, which only the public pages' header reads).
 */
export type CommonKey = 'app.loading' | 'app.copy' | 'app.copied' | 'app.language' | 'app.skip' | 'app.nav';

/** The provided instance's translator, for the shared pieces. */
export function useCommonT(): (key: CommonKey) => string {
  const { t } = useTranslation();
  return t as unknown as (key: CommonKey) => string;
}

/** A translator typed by the page's keys. */
export type PageT<Key extends string> = (key: Key, options?: Record<string, unknown>) => string;

/**
 * A page's i18next instance over its tables, ready at once (`initAsync: false`); `prepare` adds
 * plugins before it starts. Titles the document with the table's `app.title`. `Key`: the keys
 * its `useT` and `translateCode` take.
 */
export function createPageI18n<Key extends string = string>(
  tables: Record<Language, object>,
  prepare: (instance: I18n) => I18n = (instance) => instance,
) {
  const instance = prepare(i18next.createInstance());
  const resources: Resource = {};
  for (const { code } of LANGUAGES) resources[code] = { translation: tables[code] as Resource[string]['translation'] };
  void instance.init({
    resources,
    lng: initialLanguage(),
    fallbackLng: 'en',
    interpolation: { escapeValue: false },
    returnNull: false,
    initAsync: false,
  });

  const apply = (language: string) => {
    document.documentElement.lang = language;
    document.title = instance.t('app.title');
  };
  apply(instance.language);
  instance.on('languageChanged', apply);

  const currentLanguage = (): Language => (isLanguage(instance.language) ? instance.language : 'en');

  return {
    i18n: instance,
    currentLanguage,
    setLanguage(language: Language): void {
      try {
        localStorage.setItem(STORAGE_KEY, language);
      } catch {
        // private mode: the choice lasts for this page only
      }
      void instance.changeLanguage(language);
    },
    /** The page's translator; re-renders on a language change. */
    useT(): { t: PageT<Key>; language: Language } {
      const { t } = useTranslation(undefined, { i18n: instance });
      return { t: t as unknown as PageT<Key>, language: currentLanguage() };
    },
    /** A translated sentence for a dynamic key (an error or reject code), or undefined when the table has none. */
    translateCode(
      t: PageT<Key>,
      prefix: string,
      code: string | undefined,
      options?: Record<string, unknown>,
    ): string | undefined {
      if (!code) return undefined;
      const key = `${prefix}.${code}` as Key;
      return instance.exists(key) ? t(key, options) : undefined;
    },
  };
}
