// The election module in the node: nothing yet. Its `notary election` commands (create, key
// generation, credentials, casting, decryption, verify) and its API routes come with part 2.
import type { NodeModule } from '../node-module.js';

export const electionNode: NodeModule = { name: 'election' };
