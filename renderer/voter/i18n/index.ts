// The voter's page's own i18next instance (en, ru, be; default from the browser, the choice kept
// in localStorage under the app's key). It is not the desktop app's instance: the page loads
// none of the app's screens. Chain refusals reuse the election module's translated sentences.
import i18next from 'i18next';
import { useTranslation } from 'react-i18next';
import { electionStrings } from '../../src/modules/election/i18n/index.js';
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

const table = <T extends { reject: object }>(own: T, election: { reject: object }) => ({
  ...own,
  reject: { ...election.reject, ...own.reject },
});

export const voterI18n = i18next.createInstance();
void voterI18n.init({
  resources: {
    en: { translation: table(en, electionStrings.en) },
    ru: { translation: table(ru, electionStrings.ru) },
    be: { translation: table(be, electionStrings.be) },
  },
  lng: initialLanguage(),
  fallbackLng: 'en',
  interpolation: { escapeValue: false },
  returnNull: false,
  initAsync: false,
});

const apply = (language: string) => {
  document.documentElement.lang = language;
  document.title = voterI18n.t('app.title');
};
apply(voterI18n.language);
voterI18n.on('languageChanged', apply);

export function setLanguage(language: Language): void {
  try {
    localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // private mode: the choice lasts for this page only
  }
  void voterI18n.changeLanguage(language);
}

export function currentLanguage(): Language {
  return isLanguage(voterI18n.language) ? voterI18n.language : 'en';
}

type Leaves<T, Prefix extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${Prefix}${K}` : Leaves<T[K], `${Prefix}${K}.`>;
}[keyof T & string];
/** Every key of the page's table, e.g. `credential.roll.onRoll`. */
export type VoterKey = Leaves<typeof en>;
export type VoterT = (key: VoterKey, options?: Record<string, unknown>) => string;

/** The page's translator; re-renders on a language change. */
export function useT(): { t: VoterT; language: Language } {
  const { t } = useTranslation(undefined, { i18n: voterI18n });
  return { t: t as unknown as VoterT, language: currentLanguage() };
}

/** A translated sentence for a dynamic key (a reject or error code), or undefined when the table has none. */
export function translateCode(t: VoterT, prefix: string, code: string | undefined): string | undefined {
  if (!code) return undefined;
  const key = `${prefix}.${code}`;
  return voterI18n.exists(key) ? t(key as VoterKey) : undefined;
}
