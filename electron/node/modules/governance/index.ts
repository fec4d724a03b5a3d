// The governance module in the node: its `notary tx governance …` builders.
import type { NodeModule } from '../node-module.js';
import { governanceCommand } from './cli.js';

export const governanceNode: NodeModule = { name: 'governance', txCommands: () => [governanceCommand()] };
