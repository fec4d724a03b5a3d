// The voter's page's own i18next instance (en, ru, be; default from the browser, the choice kept
// in localStorage under the app's key). It is not the desktop app's instance: the page loads
// none of the app's screens. Chain refusals reuse the election module's translated sentences.
import { createPageI18n, type Leaves, type PageT } from '../../common/i18n.js';
import { electionStrings } from '../../src/modules/election/i18n/index.js';
import { be } from './be.js';
import { en } from './en.js';
import { ru } from './ru.js';

export { LANGUAGES, type Language } from '../../common/i18n.js';

const table = <T extends { reject: object }>(own: T, election: { reject: object }) => ({
  ...own,
  reject: { ...election.reject, ...own.reject },
});

const page = createPageI18n<VoterKey>({
  en: table(en, electionStrings.en),
  ru: table(ru, electionStrings.ru),
  be: table(be, electionStrings.be),
});
export const voterI18n = page.i18n;
export const { setLanguage, currentLanguage, useT, translateCode } = page;

/** Every key of the page's table, e.g. `credential.roll.onRoll`. */
export type VoterKey = Leaves<typeof en>;
export type VoterT = PageT<VoterKey>;
