// What a UI module is: one registry system's screens, strings and transaction types, which
// the shell assembles into navigation, routes, translations and receipts (modules/index.ts).
import type { ComponentType } from 'react';
import type { TransactionType, TxOf } from '../../../shared/ledger/index.js';
import type { StringTree, Translation } from '../i18n/merge.js';

/** What the route gives a screen: `#/registry/BY-7-0001?q=…` → parts ['BY-7-0001'], query q. */
export interface ScreenProps {
  parts: string[];
  query: URLSearchParams;
}

export type NavIcon = ComponentType<{ size?: number; 'aria-hidden'?: boolean }>;

export interface UiScreen<Name extends string = string> {
  /** The route (`#/<name>/…`) and the key of its navigation label (`nav.<name>`). */
  name: Name;
  icon: NavIcon;
  component: ComponentType<ScreenProps>;
  /**
   * Where the navigation lists it: 'registry' with the registry's work after Overview,
   * 'network' with the network's screens after Explorer.
   */
  navGroup: 'registry' | 'network';
}

/** What the interface shows of one transaction type besides its label (`txType.<type>`). */
export interface TxTypeUi<Type extends TransactionType> {
  /** The receipt's rows particular to this type, printed between its type and its block. */
  receipt?: ComponentType<{ tx: TxOf<Type> }>;
}

/** A module's strings: English, and each translation holding the same keys. */
export interface ModuleStrings<English extends StringTree> {
  en: English;
  ru: Translation<English>;
  be: Translation<English>;
}

/** The keys of one namespace of a table (`nav`, `txType`), or none. */
type KeysOf<Table, Namespace extends string> = Table extends { readonly [K in Namespace]: infer Inner }
  ? keyof Inner & string
  : never;

export interface UiModule<English extends StringTree = StringTree> {
  /** The folder's name: `property` is renderer/src/modules/property/. */
  name: string;
  strings: ModuleStrings<English>;
  /** Its screens; each one's navigation label is its strings' `nav.<name>`. */
  screens: readonly UiScreen<KeysOf<English, 'nav'>>[];
  /** The transaction types it owns: exactly those its strings label under `txType`. */
  txTypes: { readonly [Type in KeysOf<English, 'txType'> & TransactionType]: TxTypeUi<Type> };
  /** Printable documents: `#/print/<kind>/<id>` shows `prints[kind]` with that id. */
  prints?: Readonly<Record<string, ComponentType<{ id: string }>>>;
}

/** A module's descriptor, its screen names and transaction types checked against its strings. */
export function defineModule<const English extends StringTree>(module: UiModule<English>): UiModule<English> {
  return module;
}
