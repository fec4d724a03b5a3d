// The verification page's own i18next instance (en, ru, be; default from the browser, the choice
// kept in localStorage under the same key as the voter's page). Not the desktop app's instance.
import i18next from 'i18next';
import { useTranslation } from 'react-i18next';
import { be } from './be.js';
import { en } from './en.js';
import { ru } from './ru.js';

export const LANGUAGES = [
  { code: 'en', label: 'English' },
  { code: 'ru', label: 'Русский' },
  { code: 'be', label: 'Беларуская' },
] as const;
export type Language = (typeof LANGUAGES)[number]['code'];
const STORAGE_KEY = 'notary.language';

const isLanguage = (value: string | null | undefined): value is Language =>
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

export const verifyI18n = i18next.createInstance();
void verifyI18n.init({
  resources: { en: { translation: en }, ru: { translation: ru }, be: { translation: be } },
  lng: initialLanguage(),
  fallbackLng: 'en',
  interpolation: { escapeValue: false },
  returnNull: false,
  initAsync: false,
});

const apply = (language: string) => {
  document.documentElement.lang = language;
  document.title = verifyI18n.t('app.title');
};
apply(verifyI18n.language);
verifyI18n.on('languageChanged', apply);

export function setLanguage(language: Language): void {
  try {
    localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // private mode: the choice lasts for this page only
  }
  void verifyI18n.changeLanguage(language);
}

export function currentLanguage(): Language {
  return isLanguage(verifyI18n.language) ? verifyI18n.language : 'en';
}

type Leaves<T, Prefix extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${Prefix}${K}` : Leaves<T[K], `${Prefix}${K}.`>;
}[keyof T & string];
/** Every key of the page's table, e.g. `result.reasons.OTHER_CHAIN`. */
export type VerifyKey = Leaves<typeof en>;
export type VerifyT = (key: VerifyKey, options?: Record<string, unknown>) => string;

/** The page's translator; re-renders on a language change. */
export function useT(): { t: VerifyT; language: Language } {
  const { t } = useTranslation(undefined, { i18n: verifyI18n });
  return { t: t as unknown as VerifyT, language: currentLanguage() };
}

/** A translated sentence for a dynamic key (an error code), or undefined when the table has none. */
export function translateCode(
  t: VerifyT,
  prefix: string,
  code: string | undefined,
  options?: Record<string, unknown>,
): string | undefined {
  if (!code) return undefined;
  const key = `${prefix}.${code}`;
  return verifyI18n.exists(key) ? t(key as VerifyKey, options) : undefined;
}
