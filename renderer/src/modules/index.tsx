// The UI modules, once, in order: one per registry system the network carries. The shell
// (App.tsx, screens/index.ts, i18n/) takes navigation, routes, translations and receipts from
// this list; a new registry system is a folder here and one line below (and in strings.ts).
import type { ComponentType } from 'react';
import type { Transaction, TransactionType } from '../../../shared/ledger/index.js';
import type { Resource } from '../i18n/en.js';
import type { ScreenName } from '../router.js';
import { authority } from './authority/index.js';
import { election } from './election/index.js';
import { encumbrance } from './encumbrance/index.js';
import { governance } from './governance/index.js';
import { property } from './property/index.js';
import type { UI_MODULE_STRINGS } from './strings.js';
import type { TxTypeUi, UiModule, UiScreen } from './types.js';

export const UI_MODULES = [property, encumbrance, authority, governance, election] as const;

/** The strings each module of a list carries (a mapped tuple: the order stays). */
type CarryingStrings<List extends readonly unknown[]> = { readonly [I in keyof List]: { readonly strings: List[I] } };
// the translation tables are merged from strings.ts's list (which loads without React): the
// same modules, in the same order, or this does not compile
const _sameModulesAsTheStrings: CarryingStrings<typeof UI_MODULE_STRINGS> = UI_MODULES;

type Exactly<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
// every transaction type of the ledger is labelled by a module, and no module labels one the ledger lacks
const _everyTransactionTypeHasItsModule: Exactly<TransactionType, keyof Resource['txType']> = true;

const modules: readonly UiModule[] = UI_MODULES;

/** Each claim (a screen's name, a transaction type, a print kind) belongs to one module only. */
function claimOnce<Value>(kind: string, entries: [string, Value, string][]): Map<string, Value> {
  const claimed = new Map<string, Value>();
  const owner = new Map<string, string>();
  for (const [key, value, moduleName] of entries) {
    const earlier = owner.get(key);
    if (earlier !== undefined) throw new Error(`UI modules ${earlier} and ${moduleName} both claim the ${kind} ${key}`);
    owner.set(key, moduleName);
    claimed.set(key, value);
  }
  return claimed;
}

const SCREENS_BY_NAME = claimOnce(
  'screen',
  modules.flatMap((module) =>
    module.screens.map((screen): [string, UiScreen, string] => [screen.name, screen, module.name]),
  ),
);

/** The modules' screens of one navigation group, in the modules' order. */
export function moduleScreens(navGroup: UiScreen['navGroup']): UiScreen<ScreenName>[] {
  // a module's screen names are keys of its strings' `nav` (types.ts), so of the whole table's
  return [...SCREENS_BY_NAME.values()].filter((screen) => screen.navGroup === navGroup) as UiScreen<ScreenName>[];
}

/** Printable documents by kind (`#/print/<kind>/<id>`). */
export const MODULE_PRINTS = claimOnce(
  'print',
  modules.flatMap((module) =>
    Object.entries(module.prints ?? {}).map(([kind, print]): [string, ComponentType<{ id: string }>, string] => [
      kind,
      print,
      module.name,
    ]),
  ),
);

const TX_TYPES = claimOnce(
  'transaction type',
  modules.flatMap((module) =>
    Object.entries(module.txTypes as Record<string, TxTypeUi<TransactionType>>).map(
      ([type, ui]): [string, TxTypeUi<TransactionType>, string] => [type, ui, module.name],
    ),
  ),
);

/** The receipt's rows the transaction's module adds for its type (none for most). */
export function TxReceiptRows({ tx }: { tx: Transaction }) {
  // the module declared `receipt` for exactly this type (types.ts), so it takes this transaction
  const Rows = TX_TYPES.get(tx.type)?.receipt as ComponentType<{ tx: Transaction }> | undefined;
  return Rows ? <Rows tx={tx} /> : null;
}
