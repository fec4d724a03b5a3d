// The UI modules' strings, in UI_MODULES' order (modules/index.ts). Kept apart from the
// descriptors so that the translation tables load without React: i18n/en.ts merges them, and
// the e2e tests read those tables in Node. modules/index.ts checks at compile time that both
// lists name the same modules in the same order.
import type { StringTree } from '../i18n/merge.js';
import type { ModuleStrings } from './types.js';
import { authorityStrings } from './authority/i18n/index.js';
import { electionStrings } from './election/i18n/index.js';
import { encumbranceStrings } from './encumbrance/i18n/index.js';
import { governanceStrings } from './governance/i18n/index.js';
import { propertyStrings } from './property/i18n/index.js';

/** en, ru or be: the languages every module's strings come in. */
type Language = keyof ModuleStrings<StringTree>;

export const UI_MODULE_STRINGS = [
  propertyStrings,
  encumbranceStrings,
  authorityStrings,
  governanceStrings,
  electionStrings,
] as const;

/** Each table of a list in one language (a mapped tuple: the order and the types stay). */
type InLanguage<List extends readonly unknown[], L extends Language> = {
  readonly [I in keyof List]: List[I] extends { readonly [K in L]: infer Table } ? Table : never;
};

/** Every module's table in one language, in the list's order. */
export function moduleTables<L extends Language>(language: L): InLanguage<typeof UI_MODULE_STRINGS, L> {
  return UI_MODULE_STRINGS.map((strings) => strings[language]) as unknown as InLanguage<typeof UI_MODULE_STRINGS, L>;
}
