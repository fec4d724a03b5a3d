// What a registry module adds to the node (electron/node/modules/<name>/index.ts).
import type { Command } from 'commander';
import type { ModuleName } from '../../../shared/modules/index.js';
import type { SigningStep } from '../cli/tx-build.js';

export interface NodeModule {
  name: ModuleName;
  /** `notary tx …` builders of its transaction types. */
  txCommands?(): Command[];
  /** Commands after `tx sign` that sign in a role of this module (`tx certify`). */
  signCommands?(): Command[];
  /** How `notary tx sign` signs its types, where that is more than one plain signature. */
  signing?: Readonly<Record<string, SigningStep>>;
}
