// The verification page's own i18next instance (en, ru, be; default from the browser, the choice
// kept in localStorage under the same key as the voter's page). Not the desktop app's instance.
import { createPageI18n, type Leaves, type PageT } from '../../common/i18n.js';
import { be } from './be.js';
import { en } from './en.js';
import { ru } from './ru.js';

export { LANGUAGES, type Language } from '../../common/i18n.js';

const page = createPageI18n<VerifyKey>({ en, ru, be });
export const verifyI18n = page.i18n;
export const { setLanguage, currentLanguage, useT, translateCode } = page;

/** Every key of the page's table, e.g. `result.reasons.OTHER_CHAIN`. */
export type VerifyKey = Leaves<typeof en>;
export type VerifyT = PageT<VerifyKey>;
