// The node's side of each registry module, in the order of shared/modules/index.ts: its
// `notary tx` builders and signing steps (and, as modules grow, its API handlers, index rows
// and hooks after a commit). test/unit/ledger-modules.test.ts holds the two lists equal.
import type { SigningStep } from '../cli/tx-build.js';
import { authorityNode } from './authority/index.js';
import { electionNode } from './election/index.js';
import { encumbranceNode } from './encumbrance/index.js';
import { governanceNode } from './governance/index.js';
import type { NodeModule } from './node-module.js';
import { propertyNode } from './property/index.js';

export type { NodeModule } from './node-module.js';

export const NODE_MODULES: readonly NodeModule[] = [
  authorityNode,
  governanceNode,
  propertyNode,
  encumbranceNode,
  electionNode,
];

export function signingStepOf(type: string): SigningStep | undefined {
  for (const module of NODE_MODULES) {
    const step = module.signing?.[type];
    if (step) return step;
  }
  return undefined;
}
