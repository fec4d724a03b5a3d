// The desktop app's i18next instance (the shared setup, renderer/common/i18n.ts: English, Russian
// and Belarusian; the choice kept in localStorage), also react-i18next's default instance.
import type { TFunction } from 'i18next';
import { initReactI18next } from 'react-i18next';
import { createPageI18n } from '../../common/i18n.js';
import { be } from './be.js';
import { en } from './en.js';
import { ru } from './ru.js';

export { LANGUAGES, type Language } from '../../common/i18n.js';

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: typeof en };
  }
}

const app = createPageI18n({ en, ru, be }, (instance) => instance.use(initReactI18next));
export const i18n = app.i18n;
export const { setLanguage, currentLanguage } = app;

/**
 * A transaction type's label (`txType.<type>`, from the module that owns the type), or the type
 * itself when no module labels it: an outbox entry written by a newer version.
 */
export function txTypeLabel(t: TFunction, type: string): string {
  const key = `txType.${type}`;
  return i18n.exists(key) ? t(key as 'txType.transfer') : type;
}
