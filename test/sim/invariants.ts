// What must hold after every step of a simulation, whatever the faults:
// - agreement: no two different blocks committed at one height on honest nodes;
// - no honest validator signs two different messages for one (height, round, step) (checked
//   on the wire: every message any node sends passes the wiretap);
// - every committed block links to its predecessor and carries a valid commit certificate.
// Liveness (progress after the network heals) is checked by the simulation loop.
import { checkLinks, verifyCommit } from '../../shared/chain/index.js';
import type { ConsensusMessage } from '../../shared/chain/messages.js';
import type { Verifier } from '../../shared/crypto/index.js';
import { blockHash } from '../../shared/ledger/block.js';
import type { Block, Commit } from '../../shared/ledger/types.js';
import type { SimChain } from './sim-chain.js';

export class InvariantError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvariantError';
  }
}

export class Invariants {
  /** height -> block hash first committed there by an honest node. */
  readonly decided = new Map<number, string>();
  /** height -> round of its commit certificate (first honest commit). */
  readonly rounds = new Map<number, number>();
  /** `${validator}/${height}/${round}/${step}` -> what an honest validator signed. */
  readonly #signed = new Map<string, string>();

  constructor(
    readonly honestValidators: ReadonlySet<string>,
    readonly verify: Verifier,
  ) {}

  /** The wiretap: every message sent by any node. */
  onWire(from: number, message: ConsensusMessage): void {
    const signer = message.kind === 'vote' ? message.validator : message.proposer;
    if (!this.honestValidators.has(signer)) return;
    const step = message.kind === 'vote' ? message.type : 'propose';
    const slot = `${signer}/${message.height}/${message.round}/${step}`;
    const content =
      message.kind === 'vote' ? String(message.blockHash) : `${blockHash(message.block.header)}/${message.polRound}`;
    const before = this.#signed.get(slot);
    if (before === undefined) this.#signed.set(slot, content);
    else if (before !== content) {
      throw new InvariantError(
        `honest validator ${signer.slice(0, 8)} (node ${from}) signed two different ${step}s at height ${message.height} round ${message.round}`,
      );
    }
  }

  /** Called by a node's chain after each block it applies (consensus or sync). */
  onCommit(node: number, honest: boolean, chain: SimChain, block: Block, commit: Commit): void {
    const height = block.header.height;
    const hash = blockHash(block.header);
    const previous = chain.blocks[height - 1];
    if (!previous) throw new InvariantError(`node ${node} committed height ${height} without height ${height - 1}`);
    try {
      checkLinks(block, previous.header);
      verifyCommit(commit, hash, height, chain.validatorsFor(height), chain.chainId, this.verify);
    } catch (error) {
      throw new InvariantError(
        `node ${node} committed an unlinked or uncertified block at height ${height}: ${(error as Error).message}`,
      );
    }
    if (!honest) return;
    const decided = this.decided.get(height);
    if (decided === undefined) {
      this.decided.set(height, hash);
      this.rounds.set(height, commit.round);
    } else if (decided !== hash) {
      throw new InvariantError(
        `agreement violated: node ${node} committed ${hash.slice(0, 12)} at height ${height}, another honest node ${decided.slice(0, 12)}`,
      );
    }
  }

  /** After every step: each honest chain is contiguous and agrees with the decided blocks. */
  checkChains(chains: ReadonlyArray<{ node: number; chain: SimChain }>): void {
    for (const { node, chain } of chains) {
      const { height, hash } = chain.head;
      if (chain.blocks.length !== height + 1 || chain.commits.length !== height + 1) {
        throw new InvariantError(`node ${node}: chain of height ${height} holds ${chain.blocks.length} blocks`);
      }
      if (height > 0 && this.decided.get(height) !== hash)
        throw new InvariantError(`node ${node}: head ${height} is not the decided block`);
    }
  }
}
