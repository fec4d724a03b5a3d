// The group the election rules compute in. Rules are synchronous and libsodium loads its
// WebAssembly asynchronously, so the rules use @noble/curves until `loadElectionGroup()` has
// run (the node awaits it at start). Both give the same bytes for every operation
// ([REQ-ELECTION-GROUP.1], test/unit/election-group.test.ts), so the state never depends on
// which one a node runs: only its speed does. libsodium is imported on demand so that code
// which only reads the ledger's schemas (the renderer) does not load it.
import type { Group } from '../../election/crypto/group.js';
import { nobleGroup } from '../../election/crypto/group-noble.js';

let fast: Group | undefined;
let reference: Group | undefined;

export function electionGroup(): Group {
  return fast ?? (reference ??= nobleGroup());
}

/** Switches the rules to libsodium once its WebAssembly is ready. */
export async function loadElectionGroup(): Promise<void> {
  const { sodiumGroup } = await import('../../election/crypto/group-sodium.js');
  fast = await sodiumGroup();
}
