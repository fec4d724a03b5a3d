// Commit certificates: the signed precommits of more than 2/3 of a height's validators
// for one block hash. A block with one is final and never reverted (DESIGN §5).
import { encode } from '../codec/index.js';
import { Domain, sign, publicKeyOf, type Verifier } from '../crypto/index.js';
import type { Commit } from '../ledger/types.js';

export type VoteType = 'prevote' | 'precommit';

/** The bytes a validator signs for a vote (under Domain.vote and the chain id). */
export function voteMessage(type: VoteType, height: number, round: number, blockHash: string | null): Uint8Array {
  return encode({ type, height, round, blockHash });
}

export function signVote(
  secretKey: string,
  chainId: string,
  type: VoteType,
  height: number,
  round: number,
  blockHash: string | null,
) {
  return {
    validator: publicKeyOf(secretKey),
    signature: sign(secretKey, Domain.vote, chainId, voteMessage(type, height, round, blockHash)),
  };
}

/** Votes needed from `validatorCount` validators: strictly more than two thirds. */
export function commitQuorum(validatorCount: number): number {
  return Math.floor((2 * validatorCount) / 3) + 1;
}

export class CommitError extends Error {
  readonly code = 'INVALID_COMMIT' as const;
  constructor(message: string) {
    super(message);
    this.name = 'CommitError';
  }
}

/**
 * Throws CommitError unless `commit` carries valid precommits for `blockHash` from more
 * than 2/3 of `validators`. Genesis (height 0) is trusted by its hash and has no commit.
 */
export function verifyCommit(
  commit: Commit,
  blockHash: string,
  height: number,
  validators: readonly string[],
  chainId: string,
  verify: Verifier,
): void {
  if (commit.height !== height) throw new CommitError(`commit is for height ${commit.height}, not ${height}`);
  if (commit.blockHash !== blockHash) throw new CommitError(`commit at height ${height} is for another block`);
  if (height === 0) return;
  const members = new Set(validators);
  const seen = new Set<string>();
  for (const entry of commit.signatures) {
    if (!members.has(entry.validator)) throw new CommitError(`commit at height ${height} is signed by a non-validator`);
    if (seen.has(entry.validator)) throw new CommitError(`commit at height ${height} has a validator twice`);
    seen.add(entry.validator);
    const message = voteMessage('precommit', height, commit.round, blockHash);
    if (!verify({ publicKey: entry.validator, signature: entry.signature, domain: Domain.vote, chainId, message })) {
      throw new CommitError(`a precommit in the commit at height ${height} does not verify`);
    }
  }
  const needed = commitQuorum(members.size);
  if (seen.size < needed)
    throw new CommitError(
      `commit at height ${height} has ${seen.size} of ${members.size} precommits; ${needed} needed`,
    );
}
