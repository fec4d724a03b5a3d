// Consensus messages as they travel between validators (gossip topic /consensus/1), and the
// evidence of equivocation kept for registrars. Signed under their own domains and the
// chain id, so no message can be replayed as another kind or on another chain.
import { z } from 'zod';
import { decode, encode, CodecError } from '../codec/index.js';
import { Domain, sign, publicKeyOf, type Verifier } from '../crypto/index.js';
import * as schema from '../ledger/schema.js';
import type { Block } from '../ledger/types.js';
import { voteMessage, type VoteType } from './commit.js';

/** Largest consensus message accepted from the network: a full block plus headroom. */
export const CONSENSUS_MESSAGE_BYTES_MAX = 12 * 1024 * 1024;
export const ROUND_MAX = 1_000_000;

const round = z.number().int().nonnegative().max(ROUND_MAX);
const height = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

export const voteSchema = z.strictObject({
  kind: z.literal('vote'),
  type: z.enum(['prevote', 'precommit']),
  height,
  round,
  /** null is a vote for nil (no block this round). */
  blockHash: schema.hash.nullable(),
  validator: schema.publicKey,
  signature: schema.signature,
});

export const proposalSchema = z.strictObject({
  kind: z.literal('proposal'),
  height,
  round,
  /** Round of the proof-of-lock the proposer re-proposes from, or -1 (Algorithm 1, validRound). */
  polRound: z.number().int().min(-1).max(ROUND_MAX),
  block: schema.block,
  proposer: schema.publicKey,
  signature: schema.signature,
});

export const duplicateVoteEvidenceSchema = z.strictObject({
  kind: z.literal('duplicate-vote'),
  voteA: voteSchema,
  voteB: voteSchema,
});

export const consensusMessageSchema = z.discriminatedUnion('kind', [voteSchema, proposalSchema]);

export type Vote = z.infer<typeof voteSchema>;
export type Proposal = Omit<z.infer<typeof proposalSchema>, 'block'> & { block: Block };
export type ConsensusMessage = Vote | Proposal;
export type DuplicateVoteEvidence = z.infer<typeof duplicateVoteEvidenceSchema>;

/** The bytes a proposer signs: the block is bound through its hash. */
export function proposalMessage(height: number, round: number, polRound: number, blockHash: string): Uint8Array {
  return encode({ type: 'proposal', height, round, polRound, blockHash });
}

export function signVoteMessage(
  secretKey: string,
  chainId: string,
  type: VoteType,
  height: number,
  round: number,
  blockHash: string | null,
): Vote {
  return {
    kind: 'vote',
    type,
    height,
    round,
    blockHash,
    validator: publicKeyOf(secretKey),
    signature: sign(secretKey, Domain.vote, chainId, voteMessage(type, height, round, blockHash)),
  };
}

export function verifyVote(vote: Vote, chainId: string, verify: Verifier): boolean {
  return verify({
    publicKey: vote.validator,
    signature: vote.signature,
    domain: Domain.vote,
    chainId,
    message: voteMessage(vote.type, vote.height, vote.round, vote.blockHash),
  });
}

export function signProposal(
  secretKey: string,
  chainId: string,
  block: Block,
  round: number,
  polRound: number,
  blockHash: string,
): Proposal {
  return {
    kind: 'proposal',
    height: block.header.height,
    round,
    polRound,
    block,
    proposer: publicKeyOf(secretKey),
    signature: sign(
      secretKey,
      Domain.proposal,
      chainId,
      proposalMessage(block.header.height, round, polRound, blockHash),
    ),
  };
}

export function verifyProposalSignature(
  proposal: Proposal,
  chainId: string,
  blockHash: string,
  verify: Verifier,
): boolean {
  return verify({
    publicKey: proposal.proposer,
    signature: proposal.signature,
    domain: Domain.proposal,
    chainId,
    message: proposalMessage(proposal.height, proposal.round, proposal.polRound, blockHash),
  });
}

export class MessageError extends Error {
  readonly code = 'MALFORMED' as const;
  constructor(message: string) {
    super(message);
    this.name = 'MessageError';
  }
}

export function encodeConsensusMessage(message: ConsensusMessage): Uint8Array {
  return encode(message);
}

/** Network bytes -> a shape-checked message (signatures are checked by the receiver). */
export function decodeConsensusMessage(bytes: Uint8Array): ConsensusMessage {
  let value: unknown;
  try {
    value = decode(bytes, CONSENSUS_MESSAGE_BYTES_MAX);
  } catch (error) {
    throw new MessageError(error instanceof CodecError ? error.message : String(error));
  }
  const parsed = consensusMessageSchema.safeParse(value);
  if (!parsed.success) throw new MessageError(`not a consensus message: ${parsed.error.issues[0]?.message}`);
  const message = parsed.data as ConsensusMessage;
  if (message.kind === 'proposal' && message.block.header.height !== message.height) {
    throw new MessageError('proposal height differs from its block height');
  }
  return message;
}
