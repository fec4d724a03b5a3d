// A node's committed chain in memory: what survives a simulated crash. It does what the LevelDB
// Chain does (electron/node/chain/chain.ts) with the same shared code: propose, validate by
// re-execution, and commit only with a verified commit certificate. Every call is serialized
// (a crashed incarnation's last call may still be running when the restarted one calls), and a
// commit of a height already committed is a no-op for the same block and a loud error for another.
import {
  checkExecution,
  checkLinks,
  executeOn,
  genesisExecution,
  InvalidBlockError,
  MemoryChainState,
  proposeBlock,
  verifyCommit,
  type Execution,
} from '../../shared/chain/index.js';
import type { Verifier } from '../../shared/crypto/index.js';
import {
  blockHash,
  StateKey,
  txId,
  validatorsAt,
  type Block,
  type BlockHeader,
  type Commit,
  type Genesis,
  type Transaction,
  type ValidatorSchedule,
} from '../../shared/ledger/index.js';
import type { BlockValidity } from '../../electron/node/consensus/index.js';
import { checkSoftware, upgradeRefusal, type SimProtocol } from './upgrade.js';

export interface SimHead {
  height: number;
  hash: string;
  header: BlockHeader;
}

const EXECUTIONS_KEPT_MAX = 8;

export class SimChain {
  readonly state = new MemoryChainState();
  readonly blocks: Block[] = [];
  readonly commits: Commit[] = [];
  readonly committedTxIds = new Set<string>();
  #head!: SimHead;
  #executions = new Map<string, Execution>();
  #tail: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly genesis: Genesis,
    readonly verify: Verifier,
    /** Called after every block is applied, before the commit resolves. */
    readonly onCommitted: (block: Block, commit: Commit) => void,
    /** An upgrade height and what this node's software knows (upgrade.ts); none: protocol 1 throughout. */
    readonly protocol: SimProtocol | null,
  ) {}

  static async create(
    genesis: Genesis,
    verify: Verifier,
    onCommitted: (block: Block, commit: Commit) => void,
    protocol: SimProtocol | null = null,
  ): Promise<SimChain> {
    const chain = new SimChain(genesis, verify, onCommitted, protocol);
    const { block, commit, execution } = await genesisExecution(genesis, chain.state.nodes);
    chain.state.apply(execution);
    chain.blocks.push(block);
    chain.commits.push(commit);
    chain.#head = { height: 0, hash: commit.blockHash, header: block.header };
    return chain;
  }

  get head(): SimHead {
    return this.#head;
  }

  get chainId(): string {
    return this.genesis.chainId;
  }

  validatorsFor(height: number): string[] {
    const schedule = this.state.records.get(StateKey.validatorSchedule) as ValidatorSchedule | undefined;
    if (!schedule) throw new Error('the sim state has no validator schedule');
    return validatorsAt(schedule, height);
  }

  propose(txs: Transaction[], options: { timeMs: number; proposer: string }): Promise<Block> {
    return this.#serialized(() => this.#propose(txs, options));
  }

  validate(block: Block): Promise<BlockValidity> {
    return this.#serialized(() => this.#validate(block));
  }

  /** Commits `block`; resolves without change if that block is already committed there. */
  commit(block: Block, commit: Commit): Promise<void> {
    return this.#serialized(() => this.#commit(block, commit));
  }

  #serialized<T>(call: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(call);
    this.#tail = run.catch(() => undefined);
    return run;
  }

  async #propose(txs: Transaction[], options: { timeMs: number; proposer: string }): Promise<Block> {
    const height = this.#head.height + 1;
    const { protocol } = this;
    if (protocol) {
      checkSoftware(protocol, height);
      // Types the protocol at this height does not have yet wait in the mempool.
      txs = txs.filter((tx) => upgradeRefusal(protocol.plan, tx, height) === null);
    }
    const { block } = await proposeBlock(this.state, this.#head, txs, {
      chainId: this.chainId,
      verify: this.verify,
      ...options,
    });
    // Re-executed at validation: the rejected transactions' outcomes are not part of the block.
    return block;
  }

  async #validate(block: Block): Promise<BlockValidity> {
    try {
      await this.#execute(block);
      return { valid: true };
    } catch (error) {
      if (error instanceof InvalidBlockError) return { valid: false, reason: error.message };
      throw error;
    }
  }

  async #commit(block: Block, commit: Commit): Promise<void> {
    const height = block.header.height;
    const hash = blockHash(block.header);
    if (height <= this.#head.height) {
      if (blockHash(this.blocks[height]!.header) !== hash)
        throw new Error(`fork: a second block for committed height ${height}`);
      return;
    }
    const execution = await this.#execute(block);
    verifyCommit(commit, hash, height, execution.validators, this.chainId, this.verify);
    if (this.#head.height !== height - 1) throw new Error(`the head moved while block ${height} was being committed`);
    this.state.apply(execution);
    this.blocks.push(block);
    this.commits.push(commit);
    for (const tx of block.txs) this.committedTxIds.add(txId(tx));
    this.#executions.clear();
    this.#head = { height, hash, header: block.header };
    this.onCommitted(block, commit);
  }

  async #execute(block: Block): Promise<Execution> {
    const head = this.#head;
    checkLinks(block, head.header);
    if (this.protocol) this.#checkProtocol(block, this.protocol);
    const hash = blockHash(block.header);
    let execution = this.#executions.get(hash);
    if (!execution) {
      const context = { chainId: this.chainId, height: block.header.height, timeMs: block.header.timeMs };
      execution = await executeOn(this.state, head.header.stateRoot, block.txs, context, { verify: this.verify });
      if (this.#head !== head) throw new Error(`the head moved while block ${block.header.height} was being executed`);
      if (this.#executions.size >= EXECUTIONS_KEPT_MAX)
        this.#executions.delete(this.#executions.keys().next().value as string);
      this.#executions.set(hash, execution);
    }
    checkExecution(block, execution);
    return execution;
  }

  #checkProtocol(block: Block, protocol: SimProtocol): void {
    const height = block.header.height;
    checkSoftware(protocol, height);
    for (const tx of block.txs) {
      const refusal = upgradeRefusal(protocol.plan, tx, height);
      // REJECT: the block carries a transaction type its height's protocol does not have.
      if (refusal !== null) throw new InvalidBlockError(height, refusal);
    }
  }
}
