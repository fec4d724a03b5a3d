// The property module in the node: `notary tx transfer | register`, `notary tx certify`, and
// how `notary tx sign` signs its types.
import type { NodeModule } from '../node-module.js';
import { certifyCommand, propertySigning, registerCommand, transferCommand } from './cli.js';

export const propertyNode: NodeModule = {
  name: 'property',
  txCommands: () => [transferCommand(), registerCommand()],
  signCommands: () => [certifyCommand()],
  signing: propertySigning,
};
