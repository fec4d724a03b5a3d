// The node's side of each registry module, in the order of shared/modules/index.ts: its
// `notary tx` builders and signing steps (and, as modules grow, its API handlers, index rows
// and hooks after a commit). test/unit/ledger-modules.test.ts holds the two lists equal.
import type { Command } from 'commander';
import type { ModuleName } from '../../../shared/modules/index.js';
import type { SigningStep } from '../cli/tx-build.js';
import { authorityCommand } from './authority/cli.js';
import { encumbranceCommand } from './encumbrance/cli.js';
import { certifyCommand, propertySigning, registerCommand, transferCommand } from './property/cli.js';

export interface NodeModule {
  name: ModuleName;
  /** `notary tx …` builders of its transaction types. */
  txCommands?(): Command[];
  /** Commands after `tx sign` that sign in a role of this module (`tx certify`). */
  signCommands?(): Command[];
  /** How `notary tx sign` signs its types, where that is more than one plain signature. */
  signing?: Readonly<Record<string, SigningStep>>;
}

export const NODE_MODULES: readonly NodeModule[] = [
  { name: 'authority', txCommands: () => [authorityCommand()] },
  {
    name: 'property',
    txCommands: () => [transferCommand(), registerCommand()],
    signCommands: () => [certifyCommand()],
    signing: propertySigning,
  },
  { name: 'encumbrance', txCommands: () => [encumbranceCommand()] },
];

export function signingStepOf(type: string): SigningStep | undefined {
  for (const module of NODE_MODULES) {
    const step = module.signing?.[type];
    if (step) return step;
  }
  return undefined;
}
