// The encumbrance module in the node: its `notary tx encumbrance …` builders.
import type { NodeModule } from '../node-module.js';
import { encumbranceCommand } from './cli.js';

export const encumbranceNode: NodeModule = { name: 'encumbrance', txCommands: () => [encumbranceCommand()] };
