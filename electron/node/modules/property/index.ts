// The property module in the node: `notary tx transfer | register | correct`, `notary tx certify`, and
// how `notary tx sign` signs its types.
import type { NodeModule } from '../node-module.js';
import { certifyCommand, correctCommand, propertySigning, registerCommand, transferCommand } from './cli.js';

export const propertyNode: NodeModule = {
  name: 'property',
  txCommands: () => [transferCommand(), registerCommand(), correctCommand()],
  signCommands: () => [certifyCommand()],
  signing: propertySigning,
};
