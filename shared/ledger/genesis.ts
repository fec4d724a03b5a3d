// Genesis: the chain id and time, then each module's fields (authority: the first
// authorities; property: the fee schedule and the objects carried over from the paper
// registry), each written by its module's genesis step, in module order.
import { MODULES } from '../modules/index.js';
import { KernelCode, LedgerError } from './errors.js';
import type { GenesisWriter } from './module.js';
import * as schema from './schema.js';
import type { Genesis } from './types.js';

export function parseGenesis(value: unknown): Genesis {
  const result = schema.genesis.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new LedgerError(
      KernelCode.malformed,
      `not a valid genesis at ${issue?.path.join('.') ?? '?'}: ${issue?.message}`,
    );
  }
  return result.data;
}

/** The state of height 0, as sorted [key, record] pairs. */
export function genesisState(genesis: Genesis): Array<[string, unknown]> {
  const writes: GenesisWriter = new Map();
  for (const module of MODULES) {
    if ('genesis' in module && module.genesis)
      (module.genesis.init as (g: Genesis, w: GenesisWriter) => void)(genesis, writes);
  }
  return [...writes.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
