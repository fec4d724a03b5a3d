// Following the validator set from the keys a verifier trusts (a genesis document's) to a
// checkpoint's set, without the headers in between (docs/protocol.md REQ-CKP.5, decision #5):
// header h − 2's appHash binds the hash of the set that votes from h on, and its commit is
// signed by the set of h − 2. So each change of the set is proved by one header and its commit.
import { z } from 'zod';
import type { Verifier } from '../crypto/index.js';
import { commitQuorum, verifyCommit } from '../chain/commit.js';
import { appHashOf, blockHash, PROTOCOL_VERSIONS_KNOWN } from '../ledger/index.js';
import * as schema from '../ledger/schema.js';
import { validatorsHash } from '../modules/authority/validators.js';

/** At most this many changes of the set in one bundle: decades of yearly changes. */
export const SET_CHANGES_MAX = 1_000;

export const setChangeSchema = z.strictObject({
  /** Header h − 2, whose appHash names the set voting from h. */
  header: schema.blockHeader,
  commit: schema.commit,
  /** The set of h − 2, which signed the commit. */
  validators: schema.validatorSet,
  /** The set voting from h = header.height + 2. */
  nextValidators: schema.validatorSet,
});
export type SetChange = z.infer<typeof setChangeSchema>;
export const setChangesSchema = z.array(setChangeSchema).max(SET_CHANGES_MAX);

export class SetChangeError extends Error {
  constructor(
    readonly index: number,
    message: string,
  ) {
    super(message);
    this.name = 'SetChangeError';
  }
}

/**
 * The set a verifier may trust after the changes, in height order, starting from `trusted`:
 * each change's signing set must be one a quorum of which the verifier trusts, its commit must
 * hold, and its appHash must bind the next set. Throws SetChangeError naming the change that
 * fails; with no changes, the trusted keys themselves.
 */
export function followValidatorSets(
  trusted: readonly string[],
  changes: readonly SetChange[],
  chainId: string,
  verify: Verifier,
): string[] {
  let current = [...trusted];
  let height = -1;
  changes.forEach((change, index) => {
    const bad = (what: string) =>
      new SetChangeError(index, `validator set change ${index + 1} (header ${change.header.height}): ${what}`);
    const { header, commit, validators, nextValidators } = change;
    // REJECT: another chain's header, or changes out of height order.
    if (header.chainId !== chainId) throw bad(`of chain ${header.chainId}, not ${chainId}`);
    if (header.height <= height) throw bad('not after the change before it');
    height = header.height;
    if (validatorsHash(validators) !== header.validatorsHash) throw bad('the set served does not hash to the header');
    // REJECT: a set the verifier cannot trust yet (a quorum of it unknown to what it follows).
    const known = new Set(current);
    const trustedCount = validators.filter((key) => known.has(key)).length;
    if (trustedCount < commitQuorum(validators.length))
      throw bad(`only ${trustedCount} of the ${validators.length} validators that signed it are trusted`);
    try {
      verifyCommit(commit, blockHash(header), header.height, validators, chainId, verify);
    } catch (error) {
      throw bad((error as Error).message);
    }
    // REJECT: a next set the header's appHash does not bind (under any protocol version known).
    const nextHash = validatorsHash(nextValidators);
    if (!PROTOCOL_VERSIONS_KNOWN.some((protocol) => appHashOf(header.stateRoot, nextHash, protocol) === header.appHash))
      throw bad('its appHash does not name the next set');
    current = [...nextValidators];
  });
  return current;
}
