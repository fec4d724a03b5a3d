// The node's chain: the ledger executed over the LevelDB store. Every committed block is
// checked (links, commit certificate, re-execution with identical roots) and then written
// in one atomic, synced batch, so a crash leaves either the whole block or none of it.
import { decode, encode, hexToBytes } from '../../../shared/codec/index.js';
import type { Verifier } from '../../../shared/crypto/index.js';
import {
  blockHash,
  decodeStateValue,
  schema,
  type Block,
  type BlockHeader,
  type Commit,
  type Genesis,
  executeBlock,
  MapStateReader,
  StateKey,
  stateKeysOf,
  txHash,
  type PropertyObject,
  type Transaction,
  type TxOutcome,
  type ValidatorSchedule,
  validatorsAt,
} from '../../../shared/ledger/index.js';
import { MerkleTree } from '../../../shared/merkle/rfc6962.js';
import { RECEIPT_VERSION, type OwnershipCertificate, type Receipt } from '../../../shared/receipt/index.js';
import { checkExecution, checkLinks, executeOn, genesisExecution, proposeBlock, verifyCommit, type Execution, type StateSource } from '../../../shared/chain/index.js';
import { SparseMerkleTree } from '../../../shared/smt/index.js';
import { stateKeyHash } from '../../../shared/chain/execute.js';
import { ChainStore, StoreError } from '../store/index.js';
import { corruptError } from '../store/errors.js';
import { createFastVerifier } from '../crypto/fast-verify.js';
import { genesisDigest, importGenesis } from './genesis-import.js';
import { CachedNodeReader } from './node-cache.js';

export interface ChainOptions {
  dir: string;
  genesis: Genesis;
  /** Defaults to the node:crypto verifier. */
  verify?: Verifier;
  /** Default true. False only for throw-away scratch chains (the auditor's replay): blocks are then not fsync'ed. */
  durable?: boolean;
}

export interface ChainHead {
  height: number;
  hash: string;
  header: BlockHeader;
}

/** Executions of proposed blocks, kept so that committing one does not execute it twice. */
const PENDING_EXECUTIONS_MAX = 8;

export class Chain implements StateSource {
  readonly nodes: CachedNodeReader;
  #head: ChainHead;
  readonly #pending = new Map<string, Execution>();
  #commits: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly store: ChainStore,
    readonly genesis: Genesis,
    readonly verify: Verifier,
    head: ChainHead,
  ) {
    this.nodes = new CachedNodeReader(store);
    this.#head = head;
  }

  static async open(options: ChainOptions): Promise<Chain> {
    const verify = options.verify ?? createFastVerifier();
    const store = await ChainStore.open(options.dir, { chainId: options.genesis.chainId, durable: options.durable ?? true });
    try {
      if (!store.head) await importGenesis(store, options.genesis);
      const head = store.head!;
      const block = await readBlock(store, head.height);
      if (!block) throw corruptError(store.dir, `the head block at height ${head.height} is missing`);
      const chain = new Chain(store, options.genesis, verify, { height: head.height, hash: head.blockHash, header: block.header });
      await chain.#checkGenesisMatches();
      return chain;
    } catch (error) {
      await store.close();
      throw error;
    }
  }

  get head(): ChainHead {
    return this.#head;
  }

  get chainId(): string {
    return this.genesis.chainId;
  }

  async getMany(keys: string[]): Promise<Map<string, unknown>> {
    const found = new Map<string, unknown>();
    const raw = await this.store.getStateMany(keys);
    for (const [key, bytes] of raw) found.set(key, decodeStateValue(key, bytes));
    return found;
  }

  async getRecord(key: string): Promise<unknown> {
    return (await this.getMany([key])).get(key);
  }

  /**
   * Checks a transaction against the head state as if it were in the next block at `timeMs`
   * (the mempool's admission check). Rejections carry the ledger's code and sentence.
   */
  async checkTransaction(tx: Transaction, timeMs: number): Promise<TxOutcome> {
    const base = await this.getMany(stateKeysOf(tx));
    const context = { chainId: this.chainId, height: this.#head.height + 1, timeMs: Math.max(timeMs, this.#head.header.timeMs + 1) };
    return executeBlock(new MapStateReader(base), [tx], context, { verify: this.verify }).outcomes[0]!;
  }

  /** Builds the next block from candidate transactions; rejected ones are left out and reported. */
  async propose(txs: Transaction[], options: { timeMs: number; proposer: string }): Promise<{ block: Block; outcomes: TxOutcome[] }> {
    const { block, execution } = await proposeBlock(this, this.#head, txs, { chainId: this.chainId, verify: this.verify, ...options });
    // Executing only the accepted transactions gives the same writes: rejected ones change nothing.
    this.#remember(blockHash(block.header), { ...execution, outcomes: execution.outcomes.filter((outcome) => outcome.ok) });
    return { block, outcomes: execution.outcomes };
  }

  /** Validates a block (links, re-execution) without committing it; returns the validators of its height. */
  async validate(block: Block): Promise<Execution> {
    checkLinks(block, this.#head.header);
    const hash = blockHash(block.header);
    let execution = this.#pending.get(hash);
    if (!execution) {
      const context = { chainId: this.chainId, height: block.header.height, timeMs: block.header.timeMs };
      execution = await executeOn(this, this.#head.header.stateRoot, block.txs, context, { verify: this.verify });
      this.#remember(hash, execution);
    }
    checkExecution(block, execution);
    return execution;
  }

  /**
   * Commits a block with its commit certificate, in one atomic synced batch; returns the state
   * keys it wrote. A block this node validated itself (it proposed or prevoted it) reuses that
   * execution. A block it never saw (sync, a block announcement) has its commit certificate
   * checked first; the block is then re-executed with identical roots required, but its
   * transactions' signatures are not checked again: more than two thirds of the validators
   * each checked them before precommitting (issue #6: sync relies on commits).
   */
  async commit(block: Block, commit: Commit): Promise<Set<string>> {
    // One commit at a time: consensus, sync and a block announcement may all bring the same
    // height at once; the later ones then find it committed (the soak's halts, issue 7).
    const turn = this.#commits.then(() => this.#commitInTurn(block, commit));
    this.#commits = turn.catch(() => undefined);
    return turn;
  }

  async #commitInTurn(block: Block, commit: Commit): Promise<Set<string>> {
    const hash = blockHash(block.header);
    // The same block already committed by another path: nothing to do. (Another block at a
    // committed height is refused below by checkLinks.)
    if (block.header.height <= this.#head.height && (await this.store.getHeightByHash(hash)) === block.header.height) return new Set();
    let execution = this.#pending.get(hash);
    if (execution) {
      checkLinks(block, this.#head.header);
      checkExecution(block, execution);
      verifyCommit(commit, hash, block.header.height, execution.validators, this.chainId, this.verify);
    } else {
      checkLinks(block, this.#head.header);
      const schedule = (await this.getRecord(StateKey.validatorSchedule)) as ValidatorSchedule | undefined;
      if (!schedule) throw corruptError(this.store.dir, `the validator schedule is missing from the state at height ${this.#head.height}`);
      verifyCommit(commit, hash, block.header.height, validatorsAt(schedule, block.header.height), this.chainId, this.verify);
      const context = { chainId: this.chainId, height: block.header.height, timeMs: block.header.timeMs };
      execution = await executeOn(this, this.#head.header.stateRoot, block.txs, context, { verify: certifiedSignatures });
      checkExecution(block, execution);
    }
    await this.store.commitBlock({
      height: block.header.height,
      blockHash: hash,
      blockBytes: encode(block),
      commitBytes: encode(commit),
      stateRoot: execution.stateRoot,
      stateWrites: execution.stateWrites.map(({ key, value }) => ({ key, value })),
      smtNodes: [...execution.smtNodes].map(([nodeHash, bytes]) => ({ hash: nodeHash, bytes })),
      txs: execution.txs,
      objectHistory: execution.objectHistory,
      partyObjects: execution.partyObjects,
    });
    this.#pending.clear();
    this.nodes.remember(execution.smtNodes);
    this.#head = { height: block.header.height, hash, header: block.header };
    return new Set(execution.stateWrites.map((write) => write.key));
  }

  async getBlock(height: number): Promise<Block | undefined> {
    return readBlock(this.store, height);
  }

  async getCommit(height: number): Promise<Commit | undefined> {
    const bytes = await this.store.getCommitBytes(height);
    return bytes ? schema.commit.parse(decode(bytes)) : undefined;
  }

  /** The validator set a header names, looked up by its hash. */
  async validatorsOf(header: BlockHeader): Promise<string[]> {
    const validators = (await this.getRecord(StateKey.validatorSet(header.validatorsHash))) as string[] | undefined;
    if (!validators) throw corruptError(this.store.dir, `the validator set of block ${header.height} is missing from the state`);
    return validators;
  }

  /** An offline-verifiable receipt of a committed transaction, or undefined if it is not committed. */
  async receipt(hash: string): Promise<Receipt | undefined> {
    const location = await this.store.getTxLocation(hash);
    if (!location) return undefined;
    const block = await this.getBlock(location.height);
    const commit = await this.getCommit(location.height);
    if (!block || !commit) throw corruptError(this.store.dir, `block ${location.height} of transaction ${hash} is missing`);
    const tx = block.txs[location.index];
    if (!tx || txHash(tx) !== hash) throw corruptError(this.store.dir, `the transaction index points at the wrong transaction in block ${location.height}`);
    const tree = new MerkleTree(block.txs.map((entry) => hexToBytes(txHash(entry))));
    return {
      kind: 'receipt',
      version: RECEIPT_VERSION,
      tx,
      txProof: tree.proof(location.index),
      header: block.header,
      commit,
      validators: await this.validatorsOf(block.header),
    };
  }

  /** A certificate of an object's current record as of the head block. */
  async certificate(objectId: string): Promise<OwnershipCertificate | undefined> {
    const head = this.#head;
    const object = (await this.getRecord(StateKey.object(objectId))) as PropertyObject | undefined;
    if (!object) return undefined;
    const commit = await this.getCommit(head.height);
    if (!commit) throw corruptError(this.store.dir, `the commit of the head block ${head.height} is missing`);
    const tree = new SparseMerkleTree(this.nodes, hexToBytes(head.header.stateRoot));
    return {
      kind: 'certificate',
      version: RECEIPT_VERSION,
      object,
      stateProof: await tree.prove(stateKeyHash(StateKey.object(objectId))),
      header: head.header,
      commit,
      validators: await this.validatorsOf(head.header),
    };
  }

  async close(): Promise<void> {
    await this.store.close();
  }

  #remember(hash: string, execution: Execution): void {
    if (this.#pending.size >= PENDING_EXECUTIONS_MAX) this.#pending.delete(this.#pending.keys().next().value as string);
    this.#pending.set(hash, execution);
  }

  /**
   * The store must belong to the configured genesis. Stores record the digest of their genesis
   * document, so this compares digests (cheap at any size); a store made before the digest was
   * recorded is checked the old way, by rebuilding the genesis block.
   */
  async #checkGenesisMatches(): Promise<void> {
    const mismatch = () => new StoreError('STORE_CHAIN_MISMATCH', `the store at ${this.store.dir} was created from another genesis than the one configured`);
    const storedDigest = await this.store.getGenesisDigest();
    if (storedDigest !== undefined) {
      if (storedDigest !== genesisDigest(this.genesis)) throw mismatch();
      if (!(await this.store.getBlockBytes(0))) throw corruptError(this.store.dir, 'the genesis block is missing');
      return;
    }
    const stored = await readBlock(this.store, 0);
    const expected = await genesisExecution(this.genesis, { get: () => Promise.resolve(undefined) });
    if (!stored || blockHash(stored.header) !== blockHash(expected.block.header)) throw mismatch();
  }
}

/** The verifier for transactions of a block whose commit certificate was verified (see Chain.commit). */
const certifiedSignatures: Verifier = () => true;

async function readBlock(store: ChainStore, height: number): Promise<Block | undefined> {
  const bytes = await store.getBlockBytes(height);
  if (!bytes) return undefined;
  const parsed = schema.block.safeParse(decode(bytes));
  if (!parsed.success) throw corruptError(store.dir, `the block at height ${height} does not decode as a block`);
  return parsed.data as Block;
}

