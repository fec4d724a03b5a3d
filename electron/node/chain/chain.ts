// The node's chain: the ledger executed over the LevelDB store. Every committed block is
// checked (links, commit certificate, re-execution with identical roots) and then written
// in one atomic, synced batch, so a crash leaves either the whole block or none of it.
import { rm } from 'node:fs/promises';
import { bytesToHex, decode, encode, hexToBytes } from '../../../shared/codec/index.js';
import type { SignatureCheck, Verifier } from '../../../shared/crypto/index.js';
import {
  blockHash,
  decodeStateValue,
  schema,
  type Block,
  type BlockHeader,
  type Commit,
  type Genesis,
  executeBlock,
  expectedSignatureChecks,
  MapStateReader,
  StateKey,
  stateKeysOf,
  TxDigests,
  type PropertyObject,
  type Transaction,
  type TxOutcome,
  type ValidatorSchedule,
  validatorsAt,
} from '../../../shared/ledger/index.js';
import { RECEIPT_VERSION, type OwnershipCertificate, type Receipt } from '../../../shared/receipt/index.js';
import { checkExecution, checkLinks, executeOn, genesisExecution, proposeBlock, verifyCommit, type Execution, type StateSource } from '../../../shared/chain/index.js';
import { SparseMerkleTree } from '../../../shared/smt/index.js';
import { stateKeyHash } from '../../../shared/chain/execute.js';
import { ChainStore, StoreError } from '../store/index.js';
import { corruptError } from '../store/errors.js';
import { createFastVerifier } from '../crypto/fast-verify.js';
import { installNodeSha256 } from '../crypto/fast-hash.js';
import { VerifiedChecks, VerifyPool, type VerifyJob } from '../crypto/verify-pool.js';
import { genesisDigest, importGenesis, type GenesisProperty } from './genesis-import.js';
import { genesisFileDigest } from './genesis-file.js';
import { GenesisPropertiesError, genesisPropertiesDigest, readGenesisProperties } from './genesis-properties.js';
import { CachedNodeReader } from './node-cache.js';
import { blockSpans, type BlockSpans } from './block-spans.js';
import { sha256Once, txTreeProof } from './tx-tree.js';

export interface ChainOptions {
  dir: string;
  genesis: Genesis;
  /** Defaults to the node:crypto verifier. */
  verify?: Verifier;
  /** Default true. False only for throw-away scratch chains (the auditor's replay): blocks are then not fsync'ed. */
  durable?: boolean;
  /**
   * Worker threads verifying a block's signatures while it executes (VerifyPool). Default 1
   * with the default verifier, 0 when `verify` is given: workers run the node:crypto verifier,
   * so set it only with that one (the benchmarks' cache-less instance).
   */
  verifyWorkers?: number;
  /**
   * The file `genesis` was parsed from. Its genesis digest is then kept next to it, keyed by
   * the file's bytes (genesis-file.ts), so a reopen does not re-encode every property.
   */
  genesisFile?: string;
  /**
   * A national-scale genesis ships its objects in this file, one JSON object per line
   * (genesis-properties.ts), and `genesis` then lists none: they are streamed at import and
   * into the digest, never held in memory.
   */
  genesisPropertiesFile?: string;
}

export interface ChainHead {
  height: number;
  hash: string;
  header: BlockHeader;
}

// OpenSSL's sha256 for every ledger hash of this process (the same function, faster).
installNodeSha256();

/** Executions of proposed blocks, kept so that committing one does not execute it twice. */
const PENDING_EXECUTIONS_MAX = 8;

export class Chain implements StateSource {
  readonly nodes: CachedNodeReader;
  #head: ChainHead;
  readonly #pending = new Map<string, Execution>();
  /** Signature checks of upcoming blocks' transactions already handed to the pool (verifyAhead). */
  readonly #ahead: VerifyingAhead[] = [];
  #commits: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly store: ChainStore,
    readonly genesis: Genesis,
    readonly verify: Verifier,
    head: ChainHead,
    readonly verifyPool = new VerifyPool({ workers: 0 }),
  ) {
    this.nodes = new CachedNodeReader(store);
    this.#head = head;
  }

  static async open(options: ChainOptions): Promise<Chain> {
    const verify = options.verify ?? createFastVerifier();
    const store = await ChainStore.open(options.dir, { chainId: options.genesis.chainId, durable: options.durable ?? true });
    try {
      // Just imported from this very genesis: its digest is the stored one by construction.
      const imported = store.head ? undefined : await importGenesis(store, options.genesis, genesisPropertiesOf(options));
      const head = store.head!;
      const block = await readBlock(store, head.height);
      if (!block) throw corruptError(store.dir, `the head block at height ${head.height} is missing`);
      const verifyPool = new VerifyPool({ workers: options.verifyWorkers ?? (options.verify ? 0 : 1) });
      const chain = new Chain(store, options.genesis, verify, { height: head.height, hash: head.blockHash, header: block.header }, verifyPool);
      if (!imported) await chain.#checkGenesisMatches(options.genesisFile, options.genesisPropertiesFile);
      // The top of the state tree into the node cache, in the background: open stays fast, and
      // it stops by itself (stoppedBy) if the store closes first. Not for scratch chains.
      if (options.durable ?? true) void chain.nodes.warm(block.header.stateRoot);
      return chain;
    } catch (error) {
      await store.close();
      // A genesis import that failed (a bad line in the objects file, a full disk) leaves a
      // store without a head: remove it, so that nothing half-imported stays behind.
      if (!store.head) await rm(options.dir, { recursive: true, force: true });
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
    const digests = this.#aheadOf(txs)?.digests ?? new TxDigests();
    const { block, execution } = await this.#verifyingAhead(txs, digests, (verify) => proposeBlock(this, this.#head, txs, { chainId: this.chainId, verify, digests, ...options }));
    // Executing only the accepted transactions gives the same writes: rejected ones change nothing.
    this.#remember(blockHash(block.header), { ...execution, outcomes: execution.outcomes.filter((outcome) => outcome.ok) });
    return { block, outcomes: execution.outcomes };
  }

  /** Validates a block (links, re-execution) without committing it; returns the validators of its height. */
  async validate(block: Block): Promise<Execution> {
    const digests = this.#aheadOf(block.txs)?.digests ?? new TxDigests();
    checkLinks(block, this.#head.header, digests);
    const hash = blockHash(block.header);
    let execution = this.#pending.get(hash);
    if (!execution) {
      const context = { chainId: this.chainId, height: block.header.height, timeMs: block.header.timeMs };
      const stateRoot = this.#head.header.stateRoot;
      execution = await this.#verifyingAhead(block.txs, digests, (verify) => executeOn(this, stateRoot, block.txs, context, { verify, digests }));
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
  async commit(block: Block, commit: Commit, prepared: PreparedBlock = {}): Promise<Set<string>> {
    // One commit at a time: consensus, sync and a block announcement may all bring the same
    // height at once; the later ones then find it committed (the soak's halts, issue 7).
    const turn = this.#commits.then(() => this.#commitInTurn(block, commit, prepared));
    this.#commits = turn.catch(() => undefined);
    return turn;
  }

  async #commitInTurn(block: Block, commit: Commit, prepared: PreparedBlock): Promise<Set<string>> {
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
      const digests = prepared.digests ?? new TxDigests();
      checkLinks(block, this.#head.header, digests);
      const schedule = (await this.getRecord(StateKey.validatorSchedule)) as ValidatorSchedule | undefined;
      if (!schedule) throw corruptError(this.store.dir, `the validator schedule is missing from the state at height ${this.#head.height}`);
      verifyCommit(commit, hash, block.header.height, validatorsAt(schedule, block.header.height), this.chainId, this.verify);
      const context = { chainId: this.chainId, height: block.header.height, timeMs: block.header.timeMs };
      execution = await executeOn(this, this.#head.header.stateRoot, block.txs, context, { verify: certifiedSignatures, digests });
      checkExecution(block, execution);
    }
    await this.store.commitBlock({
      height: block.header.height,
      blockHash: hash,
      blockBytes: prepared.blockBytes ?? encode(block),
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

  /**
   * An offline-verifiable receipt of a committed transaction, or undefined if it is not committed.
   * The block was validated before this node committed it, so it is not parsed again: the tx
   * hashes for the Merkle path come from the transactions' byte spans in the stored block
   * (see block-spans.ts), only the header and the one transaction are decoded, and the rebuilt
   * tx root must equal the header's.
   */
  async receipt(hash: string): Promise<Receipt | undefined> {
    const location = await this.store.getTxLocation(hash);
    if (!location) return undefined;
    const [blockBytes, commit] = await Promise.all([this.store.getBlockBytes(location.height), this.getCommit(location.height)]);
    if (!blockBytes || !commit) throw corruptError(this.store.dir, `block ${location.height} of transaction ${hash} is missing`);
    const corrupt = (what: string) => corruptError(this.store.dir, `block ${location.height} of transaction ${hash}: ${what}`);
    let spans: BlockSpans;
    try {
      spans = blockSpans(blockBytes);
    } catch (error) {
      throw corrupt((error as Error).message);
    }
    const leaves = spans.txs.map(({ start, end }) => sha256Once(blockBytes.subarray(start, end)));
    const span = spans.txs[location.index];
    if (!span || bytesToHex(leaves[location.index]!) !== hash) throw corrupt('the transaction index points at the wrong transaction');
    const header = schema.blockHeader.parse(decode(blockBytes.subarray(spans.header.start, spans.header.end))) as BlockHeader;
    const { root, proof } = txTreeProof(leaves, location.index);
    if (root !== header.txRoot) throw corrupt("the transactions do not hash to the header's txRoot");
    return {
      kind: 'receipt',
      version: RECEIPT_VERSION,
      tx: schema.transaction.parse(decode(blockBytes.subarray(span.start, span.end))) as Transaction,
      txProof: proof,
      header,
      commit,
      validators: await this.validatorsOf(header),
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
    await this.verifyPool.close();
    await this.store.close();
  }

  /**
   * Runs an execution while the verify pool checks the transactions' signatures. The
   * execution first runs optimistically, recording each check the rules make and answering
   * true; it stands only if every recorded check is then confirmed (by the pool, or else by
   * this thread's verifier), because with those answers the real run is the same run.
   * Otherwise (a bad signature, an unexpected check, an error) it runs again with real
   * answers: the pool's valid ones and this thread's verifier for the rest.
   */
  /**
   * Hands the signature checks of transactions expected in an upcoming block (the next
   * proposal's candidates, a block being received) to the verify pool now, so that they are
   * checked while this block is still executing or committing. Proposing or validating a
   * block of the same transaction objects then waits only for what is left. A hint only:
   * answers are used exactly as in `#verifyingAhead`. Bounded: the last AHEAD_BLOCKS_MAX hints.
   */
  verifyAhead(txs: Transaction[]): void {
    if (this.verifyPool.workers === 0 || txs.length === 0) return;
    const digests = new TxDigests();
    const expected = txs.flatMap((tx) => expectedSignatureChecks(tx, this.chainId, digests));
    if (expected.length < VERIFY_AHEAD_CHECKS_MIN) return;
    if (this.#ahead.length >= AHEAD_BLOCKS_MAX) this.#ahead.shift();
    this.#ahead.push({ txs: new Set(txs), digests, expected, job: this.verifyPool.submit(expected) });
  }

  /** The hint covering every one of `txs`, if any. */
  #aheadOf(txs: Transaction[]): VerifyingAhead | undefined {
    return this.#ahead.find((entry) => txs.length > 0 && txs.every((tx) => entry.txs.has(tx)));
  }

  /**
   * Runs an execution while the verify pool checks the transactions' signatures. The
   * execution first runs optimistically, recording each check the rules make and answering
   * true; it stands only if every recorded check is then confirmed (by the pool, or else by
   * this thread's verifier), because with those answers the real run is the same run.
   * Otherwise (a bad signature, an unexpected check, an error) it runs again with real
   * answers: the pool's valid ones and this thread's verifier for the rest.
   */
  async #verifyingAhead<T>(txs: Transaction[], digests: TxDigests, run: (verify: Verifier) => Promise<T>): Promise<T> {
    if (this.verifyPool.workers === 0 || txs.length === 0) return run(this.verify);
    const hinted = this.#aheadOf(txs);
    if (hinted) this.#ahead.splice(this.#ahead.indexOf(hinted), 1);
    const expected = hinted && hinted.digests === digests ? hinted.expected : txs.flatMap((tx) => expectedSignatureChecks(tx, this.chainId, digests));
    if (!hinted && expected.length < VERIFY_AHEAD_CHECKS_MIN) return run(this.verify);
    const ahead = hinted && hinted.digests === digests ? hinted.job : this.verifyPool.submit(expected);
    const made: SignatureCheck[] = [];
    const optimistic: Verifier = (check) => {
      made.push(check);
      return true;
    };
    let result: { value: T } | undefined;
    try {
      result = { value: await run(optimistic) };
    } catch {
      result = undefined;
    }
    // This thread verifies what the workers have not claimed yet, then waits for their last chunks.
    const verified = new VerifiedChecks(expected, await ahead.finish(this.verify));
    const confirmed: Verifier = (check) => verified.has(check) || this.verify(check);
    if (result && made.every(confirmed)) return result.value;
    return run(confirmed);
  }


  #remember(hash: string, execution: Execution): void {
    if (this.#pending.size >= PENDING_EXECUTIONS_MAX) this.#pending.delete(this.#pending.keys().next().value as string);
    this.#pending.set(hash, execution);
  }

  /**
   * The store must belong to the configured genesis. Stores record the digest of their genesis
   * document, so this compares digests; the digest encodes every property (minutes at 7.4M
   * objects), so with the genesis file it is kept next to the file and encoded once. A store
   * made before the digest was recorded is checked the old way, by rebuilding the genesis block.
   */
  async #checkGenesisMatches(genesisFile: string | undefined, propertiesFile: string | undefined): Promise<void> {
    const mismatch = () => new StoreError('STORE_CHAIN_MISMATCH', `the store at ${this.store.dir} was created from another genesis than the one configured`);
    const storedDigest = await this.store.getGenesisDigest();
    if (storedDigest !== undefined) {
      // With its file, the digest is encoded once per genesis file, not at every open.
      const digest =
        genesisFile !== undefined
          ? await genesisFileDigest(genesisFile, this.genesis, storedDigest, propertiesFile)
          : propertiesFile !== undefined
            ? await genesisPropertiesDigest(this.genesis, propertiesFile)
            : genesisDigest(this.genesis);
      if (storedDigest !== digest) throw mismatch();
      if (!(await this.store.getBlockBytes(0))) throw corruptError(this.store.dir, 'the genesis block is missing');
      return;
    }
    if (propertiesFile !== undefined) throw mismatch(); // stores without the digest row predate objects files
    const stored = await readBlock(this.store, 0);
    const expected = await genesisExecution(this.genesis, { get: () => Promise.resolve(undefined) });
    if (!stored || blockHash(stored.header) !== blockHash(expected.block.header)) throw mismatch();
  }
}

/**
 * What a caller of Chain.commit may have computed already, off the main thread (the syncer's
 * worker decode): the transactions' digests, and the block's bytes when they are exactly
 * encode(block) (checked by the worker, byte for byte).
 */
export interface PreparedBlock {
  digests?: TxDigests;
  blockBytes?: Uint8Array;
}

/**
 * Blocks with fewer signature checks are verified on the main thread alone: the hand-off costs
 * more than it saves there, and a node whose blocks stay small never starts its worker (a
 * worker's start competes with the first block for the CPU: the crash test's child commits
 * 25-transfer blocks within 100 ms of opening).
 */
const VERIFY_AHEAD_CHECKS_MIN = 256;

/** Upcoming blocks whose signature checks may be with the pool at once (Chain.verifyAhead). */
const AHEAD_BLOCKS_MAX = 2;

interface VerifyingAhead {
  txs: Set<Transaction>;
  digests: TxDigests;
  expected: SignatureCheck[];
  job: VerifyJob;
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

/** The genesis objects to import: from the objects file when there is one, else inline. */
function genesisPropertiesOf(options: ChainOptions): Iterable<GenesisProperty> | AsyncIterable<GenesisProperty> {
  if (options.genesisPropertiesFile === undefined) return options.genesis.properties ?? [];
  if ((options.genesis.properties ?? []).length > 0) {
    throw new GenesisPropertiesError(`the genesis lists objects itself and in ${options.genesisPropertiesFile}: keep one of the two`);
  }
  return readGenesisProperties(options.genesisPropertiesFile);
}
