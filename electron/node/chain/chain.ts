// The node's chain: the ledger executed over the LevelDB store. Every committed block is
// checked (links, commit certificate, re-execution with identical roots) and then written
// in one atomic, synced batch, so a crash leaves either the whole block or none of it.
import { rm } from 'node:fs/promises';
import { bytesEqual, bytesToHex, decode, encode, hexToBytes } from '../../../shared/codec/index.js';
import { Domain, sha256, type SignatureCheck, type Verifier } from '../../../shared/crypto/index.js';
import {
  blockHash,
  decodeStateValue,
  schema,
  type Block,
  type BlockHeader,
  type Commit,
  type Genesis,
  chainParamsOf,
  executeBlock,
  expectedSignatureChecks,
  GOVERNING_KEYS,
  genesisState,
  LATEST_PROTOCOL,
  LedgerError,
  protocolAt,
  rejectIfExpired,
  rejectIfOtherChain,
  rejectIfReplayed,
  type ChainParams,
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
import {
  checkExecution,
  checkLinks,
  executeOn,
  genesisExecution,
  proposeBlock,
  protocolStopAt,
  ProtocolUnsupportedError,
  verifyCommit,
  type ProtocolStop,
  type Execution,
  type StateSource,
} from '../../../shared/chain/index.js';
import {
  SMT_NODE_BYTES,
  SparseMerkleTree,
  decodeNode,
  isEmptyHash,
  type SmtNodeReader,
  verifySmtProof,
} from '../../../shared/smt/index.js';
import { stateKeyHash } from '../../../shared/chain/execute.js';
import { voteMessage } from '../../../shared/chain/commit.js';
import { validatorsHash } from '../../../shared/modules/authority/validators.js';
import { ChainStore, StoreError } from '../store/index.js';
import { corruptError, type StoreDamage } from '../store/errors.js';
import { Keys, Prefix, isStoreName, rowOf } from '../store/keys.js';
import { alreadyVerified, asCaching, createFastVerifier } from '../crypto/fast-verify.js';
import { installNodeSha256 } from '../crypto/fast-hash.js';
import { VerifiedChecks, VerifyPool, type VerifyJob } from '../crypto/verify-pool.js';
import { ballotKeysOf, preverifyBallots } from '../modules/election/preverify.js';
import { genesisDigest, importGenesis, type GenesisProperty } from './genesis-import.js';
import { genesisFileDigest } from './genesis-file.js';
import { GenesisPropertiesError, genesisPropertiesDigest, readGenesisProperties } from './genesis-properties.js';
import { CachedNodeReader, type WarmResult } from './node-cache.js';
import { TreeWalker } from './tree-walk.js';
import { blockSpans, type BlockSpans } from './block-spans.js';
import { sha256Once, txTreeProof } from './tx-tree.js';
import { merkleRoot } from '../../../shared/merkle/rfc6962.js';
import { pendingUpgrade } from '../../../shared/modules/governance/keeper.js';

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
  /**
   * The highest protocol version this software runs (default: the latest it knows). The chain
   * executes no height that needs a later one (ProtocolUnsupportedError); the node stops there.
   */
  protocolMax?: number;
}

/** What the head state says of the chain's governance: for status and the node's stop. */
export interface ChainGovernanceView {
  /** The version in force at the next height. */
  protocol: number;
  upgrade?: { version: number; height: number; name?: string };
  params: ChainParams;
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
  /** Walks the head tree for admission's record checks, on nodes kept in walking form. */
  readonly #walker: TreeWalker;
  #head: ChainHead;
  readonly #pending = new Map<string, { execution: Execution; digests: TxDigests }>();
  /** Signature checks of upcoming blocks' transactions already handed to the pool (verifyAhead). */
  readonly #ahead: VerifyingAhead[] = [];
  #commits: Promise<unknown> = Promise.resolve();
  /** Odd while a block's batch is being written and the head moved (a seqlock for verified reads). */
  #epoch = 0;
  /** The state as block execution reads it: decoded, not checked against the tree (see getMany). */
  readonly #execution: StateSource;
  /** The node cache as the state tree reads it: a node the tree needs and the store lacks is damage. */
  readonly #treeNodes: SmtNodeReader;
  /**
   * Value hashes (null: absent) of keys the head tree was walked for, at root #leavesRoot;
   * carried to a committed block's root less the keys it wrote.
   */
  readonly #leaves = new Map<string, Uint8Array | null>();
  #leavesRoot = '';
  /**
   * Rows getMany read and found to agree with the tree at #leavesRoot, decoded and frozen,
   * carried with the leaves: admission reads the same governing and authority rows for every
   * transfer, and then neither reads nor decodes them again.
   */
  readonly #rows = new Map<string, KeptRow>();
  #rowsBytes = 0;
  /** The head state's governing records (protocol, parameters), kept current by every commit. */
  #governing = new Map<string, unknown>();
  #protocolMax = LATEST_PROTOCOL;
  /** The background warm of the node cache started by open (durable chains): its result names damage it met. */
  warming: Promise<WarmResult> | undefined;

  private constructor(
    readonly store: ChainStore,
    readonly genesis: Genesis,
    readonly verify: Verifier,
    head: ChainHead,
    readonly verifyPool = new VerifyPool({ workers: 0 }),
  ) {
    this.nodes = new CachedNodeReader(store);
    this.#walker = new TreeWalker(this.nodes, store.dir);
    this.#head = head;
    this.#treeNodes = treeNodesOf(this.nodes, store.dir);
    this.#execution = {
      nodes: this.#treeNodes,
      getMany: async (keys) => this.#decoded(await this.store.getStateMany(keys)),
    };
  }

  static async open(options: ChainOptions): Promise<Chain> {
    const verify = options.verify ?? createFastVerifier();
    const store = await ChainStore.open(options.dir, {
      chainId: options.genesis.chainId,
      durable: options.durable ?? true,
    });
    try {
      // Just imported from this very genesis: its digest is the stored one by construction.
      const imported = store.head
        ? undefined
        : await importGenesis(store, options.genesis, genesisPropertiesOf(options));
      const head = store.head!;
      const block = await readBlock(store, head.height);
      if (!block) throw corruptError(store.dir, `the head block at height ${head.height} is missing`);
      const verifyPool = new VerifyPool({ workers: options.verifyWorkers ?? (options.verify ? 0 : 1) });
      const chain = new Chain(
        store,
        options.genesis,
        verify,
        { height: head.height, hash: head.blockHash, header: block.header },
        verifyPool,
      );
      if (!imported) await chain.#checkGenesisMatches(options.genesisFile, options.genesisPropertiesFile);
      chain.#protocolMax = options.protocolMax ?? LATEST_PROTOCOL;
      // Read as block execution reads (unchecked against the tree): a damaged tree must not keep
      // the node from opening, where the scrub and the audit name the damage (decision #44).
      chain.#governing = await chain.#execution.getMany([...GOVERNING_KEYS]);
      // The top of the state tree into the node cache, in the background: open stays fast, and
      // it stops by itself (stoppedBy) if the store closes first. Not for scratch chains.
      if (options.durable ?? true) chain.warming = chain.nodes.warm(block.header.stateRoot);
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

  /** The highest protocol version this chain executes. */
  get protocolMax(): number {
    return this.#protocolMax;
  }

  /** Why this software must stop before `height` (default: the next), if it must. */
  protocolStop(height = this.#head.height + 1): ProtocolStop | undefined {
    return protocolStopAt(new MapStateReader(this.#governing), height, this.#protocolMax);
  }

  /** The protocol in force at the next height, the upgrade scheduled and the parameters. */
  governance(): ChainGovernanceView {
    const state = new MapStateReader(this.#governing);
    const next = this.#head.height + 1;
    const upgrade = pendingUpgrade(state, this.#head.height);
    return {
      protocol: protocolAt(state, next),
      ...(upgrade ? { upgrade } : {}),
      params: chainParamsOf(state),
    };
  }

  /** REJECT: no height is executed under rules this software does not know. */
  #requireProtocol(height: number): void {
    const stop = this.protocolStop(height);
    if (stop) throw new ProtocolUnsupportedError(stop);
  }

  /**
   * Head-state records, each checked against the head state tree: a present value must hash to
   * the tree's leaf, and a key the tree holds must have its row. LevelDB does not verify its
   * table checksums on reads, so a damaged table could otherwise hand back a wrong or missing
   * record silently; this makes it StoreDamage naming the row. A key the tree proves absent is
   * answered absent without reading its row (decision #85): every admitted transaction's replay
   * record is one. (Block execution reads through
   * `#execution` without this check: every key it writes is walked by the tree update anyway,
   * its transactions were admitted through this check, and a block from others must reach
   * their state root.)
   */
  async getMany(keys: string[]): Promise<Map<string, unknown>> {
    for (let attempt = 0; ; attempt++) {
      // While a block's batch is being written, rows and root disagree: wait for it.
      while (this.#epoch % 2 === 1) await this.#commits;
      const epoch = this.#epoch;
      const root = this.#head.header.stateRoot;
      // The rows kept for this root, taken now: a commit during the read below changes them.
      const known: KeptRow[] = [];
      const unread: string[] = [];
      for (const key of keys) {
        const kept = this.#leavesRoot === root ? this.#rows.get(key) : undefined;
        if (kept === undefined) unread.push(key);
        else known.push(kept);
      }
      // The tree first: a key it proves absent is answered without a read (decision #85; a
      // stray row under such a key changes no answer, and the scrub names it).
      const leaves = await this.#leavesAt(root, unread);
      const present = unread.filter((_, i) => leaves[i] !== undefined);
      const raw = present.length === 0 ? new Map<string, Uint8Array>() : await this.store.getStateMany(present);
      const problem = this.#compareRows(unread, leaves, raw);
      if (problem === undefined) {
        const found = this.#decoded(raw, true);
        this.#rememberRows(root, unread, raw, found);
        for (const kept of known) if (kept.record !== undefined) found.set(kept.key, kept.record);
        return found;
      }
      // Damage only when no block was committed meanwhile (the rows may be newer than the root).
      if (this.#epoch === epoch) throw problem;
      // Never damage because of load: a reader overtaken again and again gives up as busy.
      if (attempt >= STATE_READ_ATTEMPTS_MAX)
        throw new Error(`the state was changed by ${attempt + 1} blocks while it was being read; try again`);
    }
  }

  /** Rows just found to agree with the tree at `root` (and their frozen records), kept while it is the leaves' root. */
  #rememberRows(root: string, keys: string[], raw: Map<string, Uint8Array>, records: Map<string, unknown>): void {
    if (this.#leavesRoot !== root) return;
    for (const key of keys) {
      // the row's size stands for its record's (the bound is on memory, not on bytes kept)
      const size = raw.get(key)?.length ?? 0;
      if (this.#rows.size >= ROWS_REMEMBERED_MAX || this.#rowsBytes >= ROWS_REMEMBERED_BYTES_MAX) this.#forgetRows();
      this.#rows.set(key, { key, record: records.get(key), size });
      this.#rowsBytes += size;
    }
  }

  #forgetRows(): void {
    this.#rows.clear();
    this.#rowsBytes = 0;
  }

  /** The rows decoded (frozen, deeply, when they may be kept and handed out again). */
  #decoded(raw: Map<string, Uint8Array>, frozen = false): Map<string, unknown> {
    const found = new Map<string, unknown>();
    for (const [key, bytes] of raw) {
      try {
        const record = decodeStateValue(key, bytes);
        found.set(key, frozen ? deepFreeze(record) : record);
      } catch (error) {
        throw corruptError(this.store.dir, (error as Error).message, error, rowOf(Keys.state(key)));
      }
    }
    return found;
  }

  async #checkAgainstTree(
    root: string,
    keys: string[],
    raw: Map<string, Uint8Array>,
  ): Promise<StoreDamage | undefined> {
    return this.#compareRows(keys, await this.#leavesAt(root, keys), raw);
  }

  /** The tree's value hash for each key at `root` (undefined: absent), walked once per root (common keys repeat). */
  async #leavesAt(root: string, keys: string[]): Promise<Array<Uint8Array | undefined>> {
    // A reader overtaken by a commit walks its old root without disturbing the head's answers.
    if (this.#leavesRoot !== root && root === this.#head.header.stateRoot) {
      this.#leaves.clear();
      this.#forgetRows();
      this.#leavesRoot = root;
    }
    const leaves: Array<Uint8Array | undefined> = [];
    for (const key of keys) {
      let leaf = this.#leavesRoot === root ? this.#leaves.get(key) : undefined;
      if (leaf === undefined) {
        leaf = (await this.#walker.valueHashAt(root, stateKeyHash(key))) ?? null;
        if (this.#leavesRoot === root) {
          if (this.#leaves.size >= LEAVES_REMEMBERED_MAX) this.#leaves.clear();
          this.#leaves.set(key, leaf);
        }
      }
      leaves.push(leaf ?? undefined);
    }
    return leaves;
  }

  /** Each key's row (`raw`) against its leaf: present where the tree holds it, absent where not, hashing to it. */
  #compareRows(
    keys: string[],
    leaves: ReadonlyArray<Uint8Array | undefined>,
    raw: Map<string, Uint8Array>,
  ): StoreDamage | undefined {
    for (const [i, key] of keys.entries()) {
      const leaf = leaves[i];
      const bytes = raw.get(key);
      const row = rowOf(Keys.state(key));
      if (leaf === undefined && bytes !== undefined)
        return corruptError(
          this.store.dir,
          `the row exists but the state tree at height ${this.#head.height} has no such key`,
          undefined,
          row,
        );
      if (leaf !== undefined && bytes === undefined)
        return corruptError(
          this.store.dir,
          `the row is missing but the state tree at height ${this.#head.height} holds the key`,
          undefined,
          row,
        );
      if (leaf !== undefined && bytes !== undefined && !bytesEqual(sha256(bytes), leaf)) {
        return corruptError(
          this.store.dir,
          `the value does not hash to the state tree's leaf at height ${this.#head.height}`,
          undefined,
          row,
        );
      }
    }
    return undefined;
  }

  async getRecord(key: string): Promise<unknown> {
    return (await this.getMany([key])).get(key);
  }

  /**
   * Checks a transaction against the head state as if it were in the next block at `timeMs`
   * (the mempool's admission check). Rejections carry the ledger's code and sentence.
   */
  async checkTransaction(tx: Transaction, timeMs: number): Promise<TxOutcome> {
    this.#requireProtocol(this.#head.height + 1);
    const base = await this.getMany(stateKeysOf(tx));
    const context = {
      chainId: this.chainId,
      height: this.#head.height + 1,
      timeMs: Math.max(timeMs, this.#head.header.timeMs + 1),
    };
    return executeBlock(new MapStateReader(base), [tx], context, { verify: this.verify }).outcomes[0]!;
  }

  /**
   * checkTransaction for many at once, each against the head state alone (not after one
   * another): one read of the state keys they all need, then one execution each. What the
   * mempool's batch admission uses (a gossip batch of up to 64).
   */
  async checkTransactions(txs: readonly Transaction[], timeMs: number): Promise<TxOutcome[]> {
    this.#requireProtocol(this.#head.height + 1);
    const digests = new TxDigests();
    // Signatures to the worker threads while the state is read; ballots' proofs next. The rules
    // then find both verified, and the block carrying them later finds the signatures cached.
    const signatures = this.#admissionSignatures(txs, digests);
    const records = await this.getMany([...new Set(txs.flatMap((tx) => stateKeysOf(tx, digests)))]);
    await preverifyBallots(txs, (key) => records.get(key), this.verifyPool);
    await signatures?.();
    const base = new MapStateReader(records);
    const context = {
      chainId: this.chainId,
      height: this.#head.height + 1,
      timeMs: Math.max(timeMs, this.#head.header.timeMs + 1),
    };
    return txs.map((tx) => executeBlock(base, [tx], context, { verify: this.verify, digests }).outcomes[0]!);
  }

  /**
   * Admission's screen for transactions other nodes gossiped (decision #84): only what no later
   * block can change (the chain, the expiry, every signature the rules will check, a ballot's
   * proofs) and one row, the replay record. The rules run against the state when a block is
   * built (the proposer drops what they refuse) or when a screened transaction outlives a block
   * (Mempool.afterCommit). One the screen cannot pass (a signature or proof not valid, a shape
   * the checks cannot read) gets checkTransactions, so a refusal carries the rules' own code.
   * `screened`: passed the screen alone, the rules not yet run.
   */
  async screenTransactions(
    txs: readonly Transaction[],
    timeMs: number,
  ): Promise<Array<TxOutcome & { screened?: boolean }>> {
    this.#requireProtocol(this.#head.height + 1);
    const digests = new TxDigests();
    const signatures = this.#admissionSignatures(txs, digests);
    const keys = new Set<string>();
    for (const tx of txs) {
      keys.add(StateKey.replay(digests.id(tx)));
      for (const key of ballotKeysOf(tx)) keys.add(key);
    }
    const records = await this.getMany([...keys]);
    const proven = await preverifyBallots(txs, (key) => records.get(key), this.verifyPool);
    await signatures?.();
    const context = {
      chainId: this.chainId,
      height: this.#head.height + 1,
      timeMs: Math.max(timeMs, this.#head.header.timeMs + 1),
    };
    const outcomes: Array<TxOutcome & { screened?: boolean }> = [];
    const unscreened: number[] = [];
    txs.forEach((tx, i) => {
      const txHash = digests.hash(tx);
      try {
        rejectIfOtherChain(tx, context);
        rejectIfExpired(tx, context);
        rejectIfReplayed(records.get(StateKey.replay(digests.id(tx))) as { height: number } | undefined);
      } catch (error) {
        if (!(error instanceof LedgerError)) throw error;
        outcomes.push({ txHash, ok: false, code: error.code, sentence: error.sentence });
        return;
      }
      const signed = (() => {
        try {
          return expectedSignatureChecks(tx, this.chainId, digests).every((check) => this.verify(check));
        } catch {
          return false; // a shape the checks cannot read: the rules name it
        }
      })();
      outcomes.push({ txHash, ok: true, screened: true });
      if (!signed || (tx.type === 'election.cast' && !proven.has(tx))) unscreened.push(i);
    });
    if (unscreened.length > 0) {
      const checked = await this.checkTransactions(
        unscreened.map((i) => txs[i]!),
        timeMs,
      );
      unscreened.forEach((i, k) => (outcomes[i] = checked[k]!));
    }
    return outcomes;
  }

  /**
   * Hands admission's signature checks to the verify pool now and returns what to await before
   * the rules run: this thread then verifies what no worker has claimed, and every check found
   * valid is remembered by this thread's caching verifier, so the rules' own checks (and the
   * block's later) are answered from memory. A check not found valid is left to the rules,
   * which verify it here and refuse with their code: the answers are the same, only where the
   * work is done changes. Nothing when there are no workers, no cache, or too few checks.
   */
  #admissionSignatures(txs: readonly Transaction[], digests: TxDigests): (() => Promise<void>) | undefined {
    const verify = asCaching(this.verify);
    if (this.verifyPool.workers === 0 || !verify) return undefined;
    let expected: SignatureCheck[];
    try {
      expected = txs.flatMap((tx) => expectedSignatureChecks(tx, this.chainId, digests));
    } catch {
      return undefined; // a transaction the rules will refuse by its shape
    }
    // Too few in all cannot leave enough unknown ones: the common small batch asks no cache.
    if (expected.length < ADMISSION_POOL_CHECKS_MIN) return undefined;
    expected = expected.filter((check) => !verify.known(check));
    if (expected.length < ADMISSION_POOL_CHECKS_MIN) return undefined;
    const job = this.verifyPool.submit(expected);
    return async () => {
      const results = await job.finish(verify);
      expected.forEach((check, i) => {
        if (results[i] === 1) verify.remember(check);
      });
    };
  }

  /** Builds the next block from candidate transactions; rejected ones are left out and reported. */
  async propose(
    txs: Transaction[],
    options: { timeMs: number; proposer: string },
  ): Promise<{ block: Block; outcomes: TxOutcome[] }> {
    this.#requireProtocol(this.#head.height + 1);
    const digests = this.#aheadOf(txs)?.digests ?? new TxDigests();
    const { block, execution } = await this.#verifyingAhead(txs, digests, (verify) =>
      proposeBlock(this.#execution, this.#head, txs, { chainId: this.chainId, verify, digests, ...options }),
    );
    // Executing only the accepted transactions gives the same writes: rejected ones change nothing.
    this.#remember(
      blockHash(block.header),
      { ...execution, outcomes: execution.outcomes.filter((outcome) => outcome.ok) },
      digests,
    );
    return { block, outcomes: execution.outcomes };
  }

  /** Validates a block (links, re-execution) without committing it; returns the validators of its height. */
  async validate(block: Block): Promise<Execution> {
    const digests = this.#aheadOf(block.txs)?.digests ?? new TxDigests();
    checkLinks(block, this.#head.header, digests);
    this.#requireProtocol(block.header.height);
    const hash = blockHash(block.header);
    let execution = this.#pending.get(hash)?.execution;
    if (!execution) {
      const context = { chainId: this.chainId, height: block.header.height, timeMs: block.header.timeMs };
      const stateRoot = this.#head.header.stateRoot;
      execution = await this.#verifyingAhead(block.txs, digests, (verify) =>
        executeOn(this.#execution, stateRoot, block.txs, context, { verify, digests }),
      );
      this.#remember(hash, execution, digests);
    }
    checkExecution(block, execution);
    return execution;
  }

  /**
   * Commits a block with its commit certificate, in one atomic synced batch (unsynced when
   * `prepared.durable` is false: sync's blocks but the last of a response); returns the state
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
    if (block.header.height <= this.#head.height && (await this.store.getHeightByHash(hash)) === block.header.height)
      return new Set();
    this.#requireProtocol(block.header.height);
    const pending = this.#pending.get(hash);
    let execution: Execution;
    if (pending) {
      execution = pending.execution;
      // The digests of its execution: the transactions it ran are not hashed again for the txRoot.
      checkLinks(block, this.#head.header, pending.digests);
      checkExecution(block, execution);
      verifyCommit(commit, hash, block.header.height, execution.validators, this.chainId, this.verify);
    } else {
      const digests = prepared.digests ?? new TxDigests();
      checkLinks(block, this.#head.header, digests);
      const schedule = (await this.getRecord(StateKey.validatorSchedule)) as ValidatorSchedule | undefined;
      if (!schedule)
        throw corruptError(
          this.store.dir,
          `the validator schedule is missing from the state at height ${this.#head.height}`,
        );
      verifyCommit(
        commit,
        hash,
        block.header.height,
        validatorsAt(schedule, block.header.height),
        this.chainId,
        this.verify,
      );
      const context = {
        chainId: this.chainId,
        height: block.header.height,
        timeMs: block.header.timeMs,
        certified: true,
      };
      execution = await executeOn(this.#execution, this.#head.header.stateRoot, block.txs, context, {
        verify: certifiedSignatures,
        digests,
      });
      checkExecution(block, execution);
    }
    this.#epoch++;
    try {
      await this.#write(block, hash, commit, execution, prepared);
    } finally {
      this.#epoch++;
    }
    return new Set(execution.stateWrites.map((write) => write.key));
  }

  async #write(
    block: Block,
    hash: string,
    commit: Commit,
    execution: Execution,
    prepared: PreparedBlock,
  ): Promise<void> {
    await this.store.commitBlock(
      {
        height: block.header.height,
        blockHash: hash,
        blockBytes: prepared.blockBytes ?? encode(block),
        commitBytes: encode(commit),
        stateRoot: execution.stateRoot,
        stateWrites: execution.stateWrites.map(({ key, value }) => ({ key, value })),
        smtNodes: execution.smtNodes.rows(),
        txs: execution.txs,
        objectHistory: execution.objectHistory,
        partyObjects: execution.partyObjects,
      },
      { sync: prepared.durable !== false },
    );
    this.#pending.clear();
    this.nodes.remember(execution.smtNodes.rows());
    // The new root's tree is the old one with exactly these writes (the update was made from
    // them), so its answers for every other key stand: admission walks again only what changed.
    if (this.#leavesRoot === this.#head.header.stateRoot) {
      for (const write of execution.stateWrites) {
        this.#leaves.delete(write.key);
        const kept = this.#rows.get(write.key);
        if (kept === undefined) continue;
        this.#rowsBytes -= kept.size;
        this.#rows.delete(write.key);
      }
      this.#leavesRoot = execution.stateRoot;
    }
    for (const write of execution.stateWrites) {
      if (!GOVERNING_KEYS.includes(write.key)) continue;
      if (write.record === null) this.#governing.delete(write.key);
      else this.#governing.set(write.key, write.record);
    }
    this.#head = { height: block.header.height, hash, header: block.header };
  }

  async getBlock(height: number): Promise<Block | undefined> {
    return readBlock(this.store, height);
  }

  /** A committed block's commit certificate, checked to be this height's (its block hash recorded at this height). */
  async getCommit(height: number): Promise<Commit | undefined> {
    const row = rowOf(Keys.commit(height));
    // The head before the read: a block committed while the read was in flight is "not yet", not damage.
    const headHeight = this.store.head!.height;
    const bytes = await this.store.getCommitBytes(height);
    if (!bytes) {
      if (beforeBase(this.store, height)) return undefined;
      if (height <= headHeight)
        throw corruptError(
          this.store.dir,
          `the commit certificate is missing at or below the head at height ${headHeight}`,
          undefined,
          row,
        );
      return undefined;
    }
    let commit: Commit;
    try {
      commit = schema.commit.parse(decode(bytes));
    } catch (error) {
      throw corruptError(
        this.store.dir,
        `the bytes do not decode as a commit certificate (${(error as Error).message.slice(0, 200)})`,
        error,
        row,
      );
    }
    if (commit.height !== height || (await this.store.getHeightByHash(commit.blockHash)) !== height) {
      throw corruptError(this.store.dir, `it does not certify the block recorded at height ${height}`, undefined, row);
    }
    // Each precommit must still verify (the verifier caches valid signatures, so a commit read again costs little).
    const message = voteMessage('precommit', height, commit.round, commit.blockHash);
    for (const entry of commit.signatures) {
      if (
        !this.verify({
          publicKey: entry.validator,
          signature: entry.signature,
          domain: Domain.vote,
          chainId: this.chainId,
          message,
        })
      ) {
        throw corruptError(
          this.store.dir,
          `the precommit of validator ${entry.validator.slice(0, 16)}… does not verify`,
          undefined,
          row,
        );
      }
    }
    return commit;
  }

  /** The validator set a header names, looked up by its hash. */
  async validatorsOf(header: BlockHeader): Promise<string[]> {
    const validators = (await this.getRecord(StateKey.validatorSet(header.validatorsHash))) as string[] | undefined;
    if (!validators)
      throw corruptError(
        this.store.dir,
        `the validator set of block ${header.height} is missing from the state`,
        undefined,
        rowOf(Keys.state(StateKey.validatorSet(header.validatorsHash))),
      );
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
    const [blockBytes, commit] = await Promise.all([
      this.store.getBlockBytes(location.height),
      this.getCommit(location.height),
    ]);
    if (!blockBytes || !commit)
      throw corruptError(
        this.store.dir,
        `block ${location.height} of transaction ${hash} is missing`,
        undefined,
        rowOf(Keys.block(location.height)),
      );
    const corrupt = (what: string, row = rowOf(Keys.block(location.height))) =>
      corruptError(this.store.dir, `block ${location.height} of transaction ${hash}: ${what}`, undefined, row);
    let spans: BlockSpans;
    try {
      spans = blockSpans(blockBytes);
    } catch (error) {
      throw corrupt((error as Error).message);
    }
    const leaves = spans.txs.map(({ start, end }) => sha256Once(blockBytes.subarray(start, end)));
    const span = spans.txs[location.index];
    if (!span || bytesToHex(leaves[location.index]!) !== hash)
      throw corrupt('the transaction index points at the wrong transaction', rowOf(Keys.txLocation(hash)));
    let header: BlockHeader;
    let tx: Transaction;
    try {
      header = schema.blockHeader.parse(
        decode(blockBytes.subarray(spans.header.start, spans.header.end)),
      ) as BlockHeader;
      tx = schema.transaction.parse(decode(blockBytes.subarray(span.start, span.end))) as Transaction;
    } catch (error) {
      throw corrupt(`its header or transaction does not decode (${(error as Error).message.slice(0, 200)})`);
    }
    const { root, proof } = txTreeProof(leaves, location.index);
    if (root !== header.txRoot) throw corrupt("the transactions do not hash to the header's txRoot");
    if ((await this.store.getHeightByHash(blockHash(header))) !== location.height)
      throw corrupt(`its header does not hash to the block hash recorded for height ${location.height}`);
    return {
      kind: 'receipt',
      version: RECEIPT_VERSION,
      tx,
      txProof: proof,
      header,
      commit,
      validators: await this.validatorsOf(header),
    };
  }

  /** A certificate of an object's current record as of the head block. */
  async certificate(objectId: string): Promise<OwnershipCertificate | undefined> {
    // The record and the head's proof must be of one block: a block written between reading
    // the head and reading the record paired the new record with the previous head's proof, a
    // certificate that does not verify (found by the soak's history checker). So both are read
    // between two looks at the commit epoch (odd while a block is being written), and read
    // again when a block was written meanwhile.
    const keyHash = stateKeyHash(StateKey.object(objectId));
    for (let attempt = 1; ; attempt++) {
      while (this.#epoch % 2 === 1) await this.#commits;
      const epoch = this.#epoch;
      const head = this.#head;
      const object = (await this.getRecord(StateKey.object(objectId))) as PropertyObject | undefined;
      const root = hexToBytes(head.header.stateRoot);
      const stateProof = object ? await new SparseMerkleTree(this.#treeNodes, root).prove(keyHash) : undefined;
      if (this.#epoch !== epoch) {
        // Never an error because of load: a reader overtaken again and again gives up as busy.
        if (attempt >= STATE_READ_ATTEMPTS_MAX)
          throw new Error(`the state was changed by ${attempt} blocks while the certificate was made; try again`);
        continue;
      }
      if (!object || !stateProof) return undefined;
      // What the verifier will check, checked before it leaves the node (the rows were checked
      // against the tree at this root by getRecord, so a failure here is a defect, not load)
      if (!verifySmtProof(root, keyHash, sha256(encode(object)), stateProof))
        throw new Error(`the certificate of ${objectId} at height ${head.height} does not verify against its block`);
      const commit = await this.getCommit(head.height);
      if (!commit) throw corruptError(this.store.dir, `the commit of the head block ${head.height} is missing`);
      return {
        kind: 'certificate',
        version: RECEIPT_VERSION,
        object,
        stateProof,
        header: head.header,
        commit,
        validators: await this.validatorsOf(head.header),
      };
    }
  }

  /**
   * Checks every row of the store against what it must agree with, page by page, without a
   * replay: each block and commit (as getBlock and getCommit check them), each state-tree node
   * hashing to its key, each state record against the head tree, and the index rows ('h' block
   * hashes, 't' tx locations, 'o' object history, 'p' party objects) against the blocks and
   * records they point at. It finds what a read cannot: a row whose key a damaged table changed
   * (the original then simply looks absent, e.g. a committed transaction answering "not
   * committed"). Throws the first StoreDamage; `pause` runs between pages (the node yields
   * there, so a scrub in the background never holds the event loop long).
   */
  async scrub(options: { pause?: () => Promise<void>; stopped?: () => boolean } = {}): Promise<{ rows: number }> {
    const pause = options.pause ?? (() => Promise.resolve());
    const stopped = options.stopped ?? (() => false);
    let rows = 0;
    const txHashesAt = new Map<number, string[]>();
    const hashesAt = async (height: number): Promise<string[] | undefined> => {
      if (height < 0 || height > this.#head.height) return undefined;
      let hashes = txHashesAt.get(height);
      if (!hashes) {
        await readBlock(this.store, height);
        const bytes = (await this.store.getBlockBytes(height))!;
        hashes = blockSpans(bytes).txs.map(({ start, end }) => bytesToHex(sha256Once(bytes.subarray(start, end))));
        if (txHashesAt.size >= 64) txHashesAt.clear();
        txHashesAt.set(height, hashes);
      }
      return hashes;
    };
    const headAtStart = this.#head.height;
    for (let height = 0; height <= headAtStart && !stopped(); height++) {
      if (beforeBase(this.store, height)) height = this.store.snapshotBase!.height;
      await readBlock(this.store, height);
      await this.getCommit(height);
      rows += 2;
      if (height % 64 === 63) await pause();
    }
    const damage = (what: string, key: Uint8Array) => corruptError(this.store.dir, what, undefined, rowOf(key));
    const heightOf = (bytes: Uint8Array) =>
      bytes.length >= 8 ? Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0)) : -1;
    const indexOf = (bytes: Uint8Array) =>
      bytes.length === 12 ? new DataView(bytes.buffer, bytes.byteOffset + 8, 4).getUint32(0) : -1;
    /**
     * One namespace page by page; `check` answers the damage of a page, if any. Blocks may be
     * committed meanwhile (the node scrubs while it runs): a page that fails its check while
     * the head moved is read and checked again, so only damage of a settled page is reported.
     */
    const pages = async (
      prefix: number,
      check: (page: Array<[Uint8Array, Uint8Array]>) => Promise<StoreDamage | undefined>,
    ) => {
      let after: Uint8Array | undefined;
      for (let retries = 0; !stopped();) {
        const epoch = this.#epoch;
        if (epoch % 2 === 1) {
          await this.#commits;
          continue;
        }
        const page = await this.store.scanRows(prefix, after, { limit: SCRUB_PAGE_ROWS });
        const problem = await check(page);
        if (problem) {
          if (this.#epoch === epoch) throw problem;
          // Overtaken by commits again and again: give up (the node logs it), never report damage because of load.
          if (++retries > STATE_READ_ATTEMPTS_MAX)
            throw new Error(`the scrub was overtaken by ${retries} blocks on one page of rows; stopped`);
          continue;
        }
        retries = 0;
        rows += page.length;
        if (page.length < SCRUB_PAGE_ROWS) return;
        after = page[page.length - 1]![0];
        await pause();
      }
    };
    await pages(Prefix.smtNode, async (page) => {
      for (const [key, value] of page) {
        if (!hasHashLayout(key) || value.length !== SMT_NODE_BYTES) return damage('not a state-tree node', key);
        try {
          decodeNode(value, key.subarray(1));
        } catch (error) {
          return damage((error as Error).message.replace(/^(CORRUPT_NODE: )?stored node /, 'the node '), key);
        }
      }
      return undefined;
    });
    // Each record as scanned (not looked up again: a lookup may miss a row whose key changed)
    // against the head tree; then none of the tree's is missing: as many leaves as records.
    const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
    const rootAtStart = this.#head.header.stateRoot;
    let stateRows = 0;
    await pages(Prefix.state, async (page) => {
      const raw = new Map<string, Uint8Array>();
      for (const [key, value] of page) {
        try {
          raw.set(strictUtf8.decode(key.subarray(1)), value);
        } catch {
          return damage('its key is not UTF-8', key);
        }
      }
      const problem = await this.#checkAgainstTree(this.#head.header.stateRoot, [...raw.keys()], raw);
      if (!problem) stateRows += page.length;
      return problem;
    });
    const leaves = await this.#countLeaves(rootAtStart, pause);
    // Only meaningful when no block changed the state during the scan.
    if (this.#head.header.stateRoot === rootAtStart && leaves !== stateRows && !stopped()) {
      throw corruptError(
        this.store.dir,
        `the state tree at height ${this.#head.height} holds ${leaves} records but the store ${stateRows}: ${Math.abs(leaves - stateRows)} state rows are ${leaves > stateRows ? 'missing' : 'extra'}`,
        undefined,
        { kind: 'state', key: '(all)' },
      );
    }
    await pages(Prefix.heightByHash, async (page) => {
      for (const [key, value] of page) {
        const height = value.length === 8 ? heightOf(value) : -1;
        const block = height >= 0 && height <= this.#head.height ? await readBlock(this.store, height) : undefined;
        if (!block || !hasHashLayout(key) || blockHash(block.header) !== bytesToHex(key.subarray(1)))
          return damage(`it does not point at the block of that hash (height ${height})`, key);
      }
      return undefined;
    });
    await pages(Prefix.txLocation, async (page) => {
      for (const [key, value] of page) {
        const [height, index] = value.length === 12 ? [heightOf(value), indexOf(value)] : [-1, -1];
        const hashes = await hashesAt(height);
        if (!hasHashLayout(key) || hashes?.[index] !== bytesToHex(key.subarray(1)))
          return damage(`the transaction at height ${height}, index ${index} is not this one`, key);
      }
      return undefined;
    });
    await pages(Prefix.objectHistory, async (page) => {
      for (const [key, value] of page) {
        const place = key.length >= 14 ? key.subarray(key.length - 12) : new Uint8Array();
        const [height, index] = place.length === 12 ? [heightOf(place), indexOf(place)] : [-1, -1];
        const hashes = await hashesAt(height);
        if (value.length !== 32 || key[key.length - 13] !== 0 || hashes?.[index] !== bytesToHex(value))
          return damage(`it does not name the transaction at height ${height}, index ${index}`, key);
      }
      return undefined;
    });
    await pages(Prefix.partyObject, async (page) => {
      for (const [key] of page) {
        const body = key.subarray(1);
        const separator = body.indexOf(0);
        let party: string;
        let objectId: string;
        try {
          [party, objectId] = [
            strictUtf8.decode(body.subarray(0, separator)),
            strictUtf8.decode(body.subarray(separator + 1)),
          ];
        } catch {
          return damage('its key is not UTF-8', key);
        }
        const record =
          separator <= 0 || objectId === ''
            ? undefined
            : ((await this.#recordAsRead(objectId)) as PropertyObject | undefined);
        if (!record?.owners.some((owner) => owner.key === party))
          return damage('the object does not list this party as an owner', key);
      }
      return undefined;
    });
    return { rows };
  }

  /** An object's record for the scrub: a record that is not a valid object key is damage in the party row, not the state. */
  async #recordAsRead(objectId: string): Promise<unknown> {
    const key = StateKey.object(objectId);
    if (!isStoreName(key, true)) return undefined;
    return this.getRecord(key);
  }

  /** The leaves under `root`, depth first in batched reads; every node read must be stored and hash to its key. */
  async #countLeaves(root: string, pause: () => Promise<void>): Promise<number> {
    if (root === '0'.repeat(64)) return 0;
    let leaves = 0;
    const stack: Uint8Array[] = [hexToBytes(root)];
    while (stack.length > 0) {
      const hashes = stack.splice(Math.max(0, stack.length - SCRUB_PAGE_ROWS));
      const nodes = await this.store.getSmtNodesRaw(hashes);
      hashes.forEach((hash, i) => {
        const key = Keys.smtNodeRaw(hash);
        const bytes = nodes[i];
        if (bytes === undefined)
          throw corruptError(
            this.store.dir,
            'the state-tree node under the head state root is missing',
            undefined,
            rowOf(key),
          );
        let node;
        try {
          node = decodeNode(bytes, hash);
        } catch (error) {
          throw corruptError(
            this.store.dir,
            (error as Error).message.replace(/^(CORRUPT_NODE: )?stored node /, 'the node '),
            error,
            rowOf(key),
          );
        }
        if (node.kind === 'leaf') leaves++;
        else for (const child of [node.right, node.left]) if (!isEmptyHash(child)) stack.push(child.slice());
      });
      await pause();
    }
    return leaves;
  }

  /** Set when this node joined from a state snapshot: it holds no blocks between genesis and this height. */
  get snapshotBase(): number | undefined {
    return this.store.snapshotBase?.height;
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
    // what this thread already verified (on admission) is not sent to the workers again
    const expected = txs
      .flatMap((tx) => expectedSignatureChecks(tx, this.chainId, digests))
      .filter((check) => !alreadyVerified(this.verify, check));
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
    const expected =
      hinted && hinted.digests === digests
        ? hinted.expected
        : txs
            .flatMap((tx) => expectedSignatureChecks(tx, this.chainId, digests))
            .filter((check) => !alreadyVerified(this.verify, check));
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

  #remember(hash: string, execution: Execution, digests: TxDigests): void {
    if (this.#pending.size >= PENDING_EXECUTIONS_MAX) this.#pending.delete(this.#pending.keys().next().value as string);
    this.#pending.set(hash, { execution, digests });
  }

  /**
   * The store must belong to the configured genesis. Stores record the digest of their genesis
   * document, so this compares digests; the digest encodes every property (minutes at 7.4M
   * objects), so with the genesis file it is kept next to the file and encoded once. A store
   * made before the digest was recorded is checked the old way, by rebuilding the genesis block.
   */
  async #checkGenesisMatches(genesisFile: string | undefined, propertiesFile: string | undefined): Promise<void> {
    const mismatch = () =>
      new StoreError(
        'STORE_CHAIN_MISMATCH',
        `the store at ${this.store.dir} was created from another genesis than the one configured`,
      );
    if (this.store.snapshotBase !== undefined) {
      // Joined from a snapshot: the genesis block came from peers, certified through block 1's
      // commit (its prevHash) by the light client; what the document fixes must match it.
      const stored = await readBlock(this.store, 0);
      const schedule = genesisState({ ...this.genesis, properties: [] }).find(
        ([key]) => key === StateKey.validatorSchedule,
      )?.[1] as ValidatorSchedule | undefined;
      if (
        !stored ||
        !schedule ||
        stored.header.chainId !== this.genesis.chainId ||
        stored.header.timeMs !== this.genesis.genesisTimeMs ||
        stored.header.validatorsHash !== validatorsHash(validatorsAt(schedule, 0))
      )
        throw mismatch();
      return;
    }
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
  /**
   * False: the block's batch is written without an fsync (ChainStore.commitBlock's `sync`).
   * Only sync passes it, for a block certified by more than two thirds of the validators that is
   * not the last of a response: a power cut may lose such blocks, and they are fetched again
   * (decision #74). Default true; consensus commits and block announcements are always synced.
   */
  durable?: boolean;
}

/**
 * Blocks with fewer signature checks are verified on the main thread alone: the hand-off costs
 * more than it saves there, and a node whose blocks stay small never starts its worker (a
 * worker's start competes with the first block for the CPU: the crash test's child commits
 * 25-transfer blocks within 100 ms of opening).
 */
const VERIFY_AHEAD_CHECKS_MIN = 256;

/**
 * Admission hands a batch's signature checks to the pool from this many on (one transfer has
 * three). Admission reads the state meanwhile, so even a small hand-off is overlapped; below
 * it the packing and the message are not worth the few checks.
 */
const ADMISSION_POOL_CHECKS_MIN = 24;

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

/**
 * Every node reachable from a committed root is stored (nodes are never deleted): one the tree
 * asks for and the store lacks is damage, named, rather than the tree's MISSING_NODE.
 */
function treeNodesOf(nodes: CachedNodeReader, dir: string): SmtNodeReader {
  const missing = (hashHex: string) =>
    corruptError(dir, 'the state-tree node is missing', undefined, { kind: 'state-node', key: hashHex });
  return {
    hashChecked: nodes.hashChecked,
    get: async (hashHex) => (await nodes.get(hashHex)) ?? Promise.reject(missing(hashHex)),
    getMany: async (hashHexes) => {
      const found = await nodes.getMany(hashHexes);
      const absent = found.findIndex((bytes) => bytes === undefined);
      if (absent >= 0) throw missing(hashHexes[absent]!);
      return found;
    },
    getManyByHash: async (hashes) => {
      const found = await nodes.getManyByHash(hashes);
      const absent = found.findIndex((bytes) => bytes === undefined);
      if (absent >= 0) throw missing(bytesToHex(hashes[absent]!));
      return found;
    },
  };
}

/** Reads of the head state a stream of commits may overtake before getMany gives up (as busy, not damage). */
const STATE_READ_ATTEMPTS_MAX = 16;

/** Keys whose leaf at the head root getMany remembers (cleared when full, or at a root not reached by a commit). */
const LEAVES_REMEMBERED_MAX = 100_000;

/** Rows getMany keeps verified at the head root (cleared when either bound is reached). */
const ROWS_REMEMBERED_MAX = 20_000;
const ROWS_REMEMBERED_BYTES_MAX = 16 * 1024 * 1024;

/** A row getMany checked against the tree: its record decoded and deeply frozen (undefined: absent). */
interface KeptRow {
  readonly key: string;
  readonly record: unknown;
  /** The row's bytes, what the bound counts. */
  readonly size: number;
}

/** Rows per page of Chain.scrub. */
const SCRUB_PAGE_ROWS = 500;

/** A key of one prefix byte and a 32-byte hash. */
function hasHashLayout(key: Uint8Array): boolean {
  return key.length === 33;
}

/**
 * A committed block, checked on the way out: it decodes, it is the block of this height, its
 * header hashes to the block hash the store recorded for this height, and its transactions
 * hash to the header's txRoot. A block missing at or below the head is damage, not "not yet".
 */
async function readBlock(store: ChainStore, height: number): Promise<Block | undefined> {
  const row = rowOf(Keys.block(height));
  // The head before the read: a block committed while the read was in flight is "not yet", not damage.
  const headHeight = store.head?.height;
  const bytes = await store.getBlockBytes(height);
  if (!bytes) {
    if (beforeBase(store, height)) return undefined;
    if (headHeight !== undefined && height <= headHeight)
      throw corruptError(
        store.dir,
        `the block is missing at or below the head at height ${headHeight}`,
        undefined,
        row,
      );
    return undefined;
  }
  let block: Block;
  let spans: BlockSpans;
  try {
    block = schema.block.parse(decode(bytes)) as Block;
    spans = blockSpans(bytes);
  } catch (error) {
    throw corruptError(
      store.dir,
      `the bytes do not decode as a block (${(error as Error).message.slice(0, 200)})`,
      error,
      row,
    );
  }
  if (block.header.height !== height)
    throw corruptError(store.dir, `it holds a block of height ${block.header.height}`, undefined, row);
  if ((await store.getHeightByHash(blockHash(block.header))) !== height)
    throw corruptError(
      store.dir,
      `its header does not hash to the block hash recorded for height ${height}`,
      undefined,
      row,
    );
  const leaves = spans.txs.map(({ start, end }) => sha256Once(bytes.subarray(start, end)));
  if (bytesToHex(merkleRoot(leaves)) !== block.header.txRoot)
    throw corruptError(store.dir, "its transactions do not hash to the header's txRoot", undefined, row);
  return block;
}

/** A height this store never held: it began from a snapshot above it (genesis is kept). */
export function beforeBase(store: Pick<ChainStore, 'snapshotBase'>, height: number): boolean {
  const base = store.snapshotBase;
  return base !== undefined && height > 0 && height < base.height;
}

/** The genesis objects to import: from the objects file when there is one, else inline. */
function genesisPropertiesOf(options: ChainOptions): Iterable<GenesisProperty> | AsyncIterable<GenesisProperty> {
  if (options.genesisPropertiesFile === undefined) return options.genesis.properties ?? [];
  if ((options.genesis.properties ?? []).length > 0) {
    throw new GenesisPropertiesError(
      `the genesis lists objects itself and in ${options.genesisPropertiesFile}: keep one of the two`,
    );
  }
  return readGenesisProperties(options.genesisPropertiesFile);
}

/**
 * Freezes a decoded record and everything in it, so a record kept and handed to many readers
 * cannot be changed by one of them (a change throws: modules run in strict mode). Byte
 * arrays cannot be frozen and are left as they are.
 */
function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value) || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const inner of Object.values(value)) deepFreeze(inner);
  return value;
}
