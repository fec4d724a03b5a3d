// i18next with English, Russian and Belarusian; the choice is kept in localStorage.
import i18next, { type TFunction } from 'i18next';
import { initReactI18next } from 'react-i18next';
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

function isLanguage(value: string | null | undefined): value is Language {
  return LANGUAGES.some((language) => language.code === value);
}

function initialLanguage(): Language {
  const stored = localStorage.getItem(STORAGE_KEY);
  if (isLanguage(stored)) return stored;
  const browser = navigator.language.slice(0, 2).toLowerCase();
  return isLanguage(browser) ? browser : 'en';
}

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: typeof en };
  }
}

export const i18n = i18next.createInstance();
void i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, ru: { translation: ru }, be: { translation: be } },
  lng: initialLanguage(),
  fallbackLng: 'en',
  interpolation: { escapeValue: false },
  returnNull: false,
  initAsync: false,
});

const applyLang = (language: string) => {
  document.documentElement.lang = language;
  document.title = i18n.t('app.title');
};
applyLang(i18n.language);
i18n.on('languageChanged', applyLang);

export function setLanguage(language: Language): void {
  localStorage.setItem(STORAGE_KEY, language);
  void i18n.changeLanguage(language);
}

export function currentLanguage(): Language {
  return isLanguage(i18n.language) ? i18n.language : 'en';
}

/**
 * A transaction type's label (`txType.<type>`, from the module that owns the type), or the type
 * itself when no module labels it: an outbox entry written by a newer version.
 */
export function txTypeLabel(t: TFunction, type: string): string {
  const key = `txType.${type}`;
  return i18n.exists(key) ? t(key as 'txType.transfer') : type;
}
