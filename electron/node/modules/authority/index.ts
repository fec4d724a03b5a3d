// The authority module in the node: its `notary tx authority …` builders.
import type { NodeModule } from '../node-module.js';
import { authorityCommand } from './cli.js';

export const authorityNode: NodeModule = { name: 'authority', txCommands: () => [authorityCommand()] };
