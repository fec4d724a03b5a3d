// The notary node: wires the chain (LevelDB), mempool and outbox, the libp2p network with
// block sync, the BFT consensus driver and the local API, in that order (Lodestar habit:
// one file wires the parts). Runs headless (`notary start`) or inside Electron main.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino, type Logger } from 'pino';
import {
  CommitError,
  decodeConsensusMessage,
  encodeConsensusMessage,
  InvalidBlockError,
  verifyProposalSignature,
  verifyVote,
  type ConsensusMessage,
} from '../../shared/chain/index.js';
import { encode } from '../../shared/codec/index.js';
import { Domain, isPublicKeyHex, publicKeyOf } from '../../shared/crypto/index.js';
import {
  BLOCKS_PAGE_MAX,
  type BlocksPage,
  type BlockSummary,
  type CosignResult,
  type Identity,
  type InboxEntry,
  type NodeSettings,
  type NodeStatus,
  type OutboxEntryView,
  type StoreDamageView,
  type SubmitResult,
  type TransferChecks,
  type TxStatus,
} from '../../shared/api/index.js';
import {
  blockHash,
  decodeTransaction,
  LedgerError,
  parseTransaction,
  quorumOf,
  signTransaction,
  txIdBytes,
  StateKey,
  txHash,
  txId,
  validatorsAt,
  type Authority,
  type AuthorityIndexEntry,
  type Block,
  type Commit,
  type Transaction,
  type ValidatorSchedule,
} from '../../shared/ledger/index.js';
import { ApiError } from './api/errors.js';
import { EventHub } from './api/events.js';
import { ApiExposedError, isLoopbackHost, startApiServer, type ApiHandlers } from './api/http-server.js';
import { nodeMetrics, type NodeMetrics } from './api/metrics.js';
import { registryQueries } from './api/queries.js';
import { EvidenceLog } from './store/evidence-log.js';
import { Chain, type PreparedBlock } from './chain/chain.js';
import {
  DataFiles,
  genesisPropertiesFile,
  readConfig,
  readGenesis,
  writeFileDurably,
  type NodeConfig,
} from './config.js';
import {
  consensusDriver,
  FilePrivValidatorStore,
  PrivValidator,
  systemClock,
  type ConsensusApp,
  type ConsensusDriver,
} from './consensus/index.js';
import { transferChecks } from './inbox/checks.js';
import { Inbox, InboxError } from './inbox/inbox.js';
import { Mempool, MempoolError } from './mempool/mempool.js';
import { Outbox } from './mempool/outbox.js';
import { OutboxSender } from './mempool/outbox-sender.js';
import { PendingLog, PendingLogError } from './mempool/pending-log.js';
import { damageOf, type StoreDamage } from './store/errors.js';
import {
  chainSyncSource,
  createNetwork,
  decodeBlockAnnouncement,
  encodeBlockAnnouncement,
  GossipAction,
  GossipValidationError,
  Syncer,
  type NotaryNetwork,
} from './network/index.js';

/** A proposed block may be at most this far ahead of our clock (clock drift between offices). */
const BLOCK_TIME_DRIFT_MAX_MS = 10_000;
/** Outcomes of recently rejected transactions kept for status queries. */
const REJECTIONS_KEPT_MAX = 10_000;
const BLOCK_BYTES_MAX = 8 * 1024 * 1024;
const RECONCILE_INTERVAL_MS = 1_000;
/** How often lost connections to known peers are dialled again (a cable plugged back in, a restarted office). */
const REDIAL_INTERVAL_MS = 3_000;
/** First and longest wait before a halted consensus driver is replaced. */
const HALT_RECOVERY_MIN_MS = 1_000;
const HALT_RECOVERY_MAX_MS = 30_000;
/** A block announcement ahead of the head starts a sync at most this often. */
const CATCH_UP_INTERVAL_MS = 5_000;
/** How long the peers view waits for a peer's head height. */
const PEER_STATUS_TIMEOUT_MS = 1_500;
/** How often a status event goes to live subscribers. */
const STATUS_EVENT_INTERVAL_MS = 2_000;
/** The background store scrub's pause between pages of rows (Chain.scrub). */
const SCRUB_PAUSE_MS = 5;
/** Transactions submitted through this node whose fate is announced as a `tx` event. */
const WATCHED_TXS_MAX = 10_000;

/** The built renderer beside the sources (npm run build:renderer), if it was built. */
export function defaultUiDir(): string | undefined {
  const dir = fileURLToPath(new URL('../../dist/renderer/', import.meta.url));
  return existsSync(join(dir, 'index.html')) ? dir : undefined;
}

export interface StartOptions {
  dataDir: string;
  /** Overrides config.api. allowRemote: serve non-loopback clients too (default false). */
  api?: { host: string; port: number; allowRemote?: boolean };
  /** Overrides config.listen. */
  listen?: string[];
  logger?: Logger;
  /** The built renderer served at / on the API port; default: dist/renderer if built; null: none. */
  uiDir?: string | null;
  /** Unlocks DATA/signing-key.keystore.json (written by `notary init`), when there is one. */
  passphrase?: string;
}

export class NotaryNode {
  readonly #rejections = new Map<string, { code: string; sentence: string }>(); // by txHash
  readonly #mempoolWaiters = new Set<() => void>();
  #offline = false;
  /** Consensus messages decoded by the gossip validator, for the handler that runs next on the same bytes. */
  readonly #validatedConsensus = new WeakMap<Uint8Array, ConsensusMessage>();
  #validatorPeersCache: { height: number; peers: Promise<{ key: string; peerId: string | undefined }[]> } | undefined;
  /** Transactions re-admitted from the pending log at start, not yet gossiped. */
  #regossip: Transaction[] = [];
  #onlineSinceMs = 0;
  #lastCommitAtMs = 0;
  #reconcileTimer: NodeJS.Timeout | undefined;
  #redialTimer: NodeJS.Timeout | undefined;
  #reconciling = false;
  #outboxSender!: OutboxSender;
  #api: { url: string; close(): Promise<void> } | undefined;
  #driver!: ConsensusDriver;
  #syncer!: Syncer;
  #syncing = false;
  #metrics!: NodeMetrics;
  #inbox!: Inbox;
  #statusTimer: NodeJS.Timeout | undefined;
  #servesUi = false;
  #privValidator: PrivValidator | null = null;
  #stopping = false;
  #lastHaltAtMs = 0;
  #lastCatchUpMs = 0;
  #haltBackoffMs = HALT_RECOVERY_MIN_MS;
  #recoveryTimer: NodeJS.Timeout | undefined;
  /** How often consensus halted and was restarted since start (see #onHalt). */
  consensusHalts = 0;
  #commitTurns: Promise<unknown> = Promise.resolve();
  #allowRemote = false;
  #apiHost = '127.0.0.1';
  /** Set once, at the first damage found in the store; the node then signs, proposes and admits nothing. */
  #damage: StoreDamageView | undefined;
  readonly #watched = new Set<string>(); // tx hashes submitted here
  /** Live events for the UI: WebSocket clients and the Electron window subscribe here. */
  readonly events = new EventHub();
  /** The API handlers: the HTTP server and the Electron IPC channel call the same ones. */
  handlers!: ApiHandlers;

  private constructor(
    readonly dataDir: string,
    readonly config: NodeConfig,
    readonly chain: Chain,
    readonly mempool: Mempool,
    readonly outbox: Outbox,
    /** Transactions answered `pending` to a client, on disk until committed or rejected. */
    readonly pendingLog: PendingLog,
    readonly network: NotaryNetwork,
    readonly signingKey: { publicKey: string; secretKey: string } | null,
    readonly evidence: EvidenceLog,
    readonly log: Logger,
  ) {}

  static async start(options: StartOptions): Promise<NotaryNode> {
    const log = options.logger ?? pino({ level: process.env.NOTARY_LOG_LEVEL ?? 'info' }, pino.destination(2));
    const config = await readConfig(options.dataDir);
    const apiAddress = { ...config.api, ...options.api };
    // REJECT: an API address other machines reach without the opt-in, before anything opens
    if (!apiAddress.allowRemote && !isLoopbackHost(apiAddress.host)) throw new ApiExposedError(apiAddress.host);
    const genesis = await readGenesis(options.dataDir);
    const signingKey = await readSigningKey(options.dataDir, config.role, options.passphrase);
    const chain = await Chain.open({
      dir: join(options.dataDir, DataFiles.chain),
      genesis,
      genesisFile: join(options.dataDir, DataFiles.genesis),
      genesisPropertiesFile: await genesisPropertiesFile(options.dataDir),
    });
    const outbox = await Outbox.open(join(options.dataDir, DataFiles.outbox));
    const mempool = new Mempool(chain, () => Date.now());
    const pending = await PendingLog.open(join(options.dataDir, DataFiles.pendingLog));
    if (pending.damaged > 0 || pending.tornBytes > 0)
      log.warn(
        { damaged: pending.damaged, tornBytes: pending.tornBytes },
        'the pending log had damaged records or a torn tail; they were left out',
      );
    // The validators need the node, which needs the network: bind them through a holder.
    const holder: { node?: NotaryNode } = {};
    const ready = (): NotaryNode => {
      // IGNORE: a message that arrives while the node is still starting.
      if (!holder.node) throw new GossipValidationError(GossipAction.ignore, 'NOT_READY', 'the node is still starting');
      return holder.node;
    };
    const network = await createNetwork({
      chainId: genesis.chainId,
      listen: options.listen ?? config.listen,
      identityFile: join(options.dataDir, DataFiles.nodeKey),
      bootstrap: config.bootstrap,
      mdns: config.mdns,
      ...(config.privateNetworkKeyFile ? { swarmKeyFile: join(options.dataDir, config.privateNetworkKeyFile) } : {}),
      allowedPeers: config.allowlist,
      syncSource: chainSyncSource(chain),
      validators: {
        tx: (bytes) => ready().#validateTx(bytes),
        consensus: (bytes) => ready().#validateConsensus(bytes),
        block: (bytes) => ready().#validateBlockAnnouncement(bytes),
      },
      logger: log.child({ part: 'network' }),
    });
    const evidence = await EvidenceLog.open(join(options.dataDir, 'evidence.jsonl'));
    const node = new NotaryNode(
      options.dataDir,
      config,
      chain,
      mempool,
      outbox,
      pending.log,
      network,
      signingKey,
      evidence,
      log,
    );
    holder.node = node;
    await node.#readmitPending(pending.txs);
    await node.#startRest(options);
    return node;
  }

  async #startRest(options: StartOptions): Promise<void> {
    this.#inbox = await Inbox.open(join(this.dataDir, 'inbox.json'));
    this.#outboxSender = new OutboxSender({
      outbox: this.outbox,
      mempool: this.mempool,
      committedAt: async (hash) => (await this.chain.store.getTxLocation(hash))?.height,
      publish: (bytes) => this.network.publish('tx', bytes),
      onRejected: (entry, code, sentence) => {
        this.#watched.delete(entry.txHash);
        this.events.emit({ type: 'tx', txHash: entry.txHash, status: { state: 'rejected', code, sentence } });
      },
      log: this.log.child({ part: 'outbox' }),
    });
    await this.#refreshAllowedPeers();
    this.#syncer = new Syncer({
      client: this.network,
      local: chainSyncSource(this.chain),
      apply: (block, commit, prepared) => this.#commit(block, commit, prepared),
      log: this.log.child({ part: 'sync' }),
    });
    const privValidator =
      this.signingKey && this.config.role !== 'observer'
        ? await PrivValidator.open({
            secretKey: this.signingKey.secretKey,
            chainId: this.chain.chainId,
            store: new FilePrivValidatorStore(this.dataDir),
          })
        : null;
    this.#privValidator = privValidator;
    this.#driver = this.#buildDriver();
    this.network.subscribe('tx', () => undefined); // admitted in the validator; subscribing joins the mesh
    this.network.subscribe('block', () => undefined);
    this.network.libp2p.addEventListener('peer:disconnect', (event) =>
      this.log.info({ peer: event.detail.toString() }, 'peer disconnected'),
    );
    this.network.libp2p.addEventListener('peer:connect', (event) => {
      this.log.info({ peer: event.detail.toString() }, 'peer connected');
      this.#outboxSender.resendAll(); // what it missed goes out at the next reconcile
    });
    await this.#driver.start();
    // The top of the state tree is read at open, in the background: a node there that does not hash to its key is damage.
    void this.chain.warming?.then((warm) => warm.damage && this.#onDamage(warm.damage));
    void this.#scrubInBackground();
    this.#onlineSinceMs = Date.now();
    this.#reconcileTimer = setInterval(() => {
      void this.#reconcileOutbox();
      this.#gossipReadmitted().catch((error: unknown) =>
        this.log.debug({ err: error }, 're-admitted transactions not gossiped'),
      );
    }, RECONCILE_INTERVAL_MS);
    this.#redialTimer = setInterval(() => this.#redial(), REDIAL_INTERVAL_MS);
    const api: { host: string; port: number; allowRemote?: boolean } = { ...this.config.api, ...options.api };
    this.#allowRemote = api.allowRemote ?? false;
    this.#apiHost = api.host;
    this.#metrics = nodeMetrics({
      height: () => this.chain.head.height,
      peers: () => this.network.peers().length,
      mempool: () => ({ size: this.mempool.size, bytes: this.mempool.bytes }),
      outboxPending: () =>
        this.outbox.list().filter((entry) => entry.state === 'pending' || entry.state === 'submitted').length,
      consensusRound: () => this.#driver.status().round,
      syncing: () => this.#syncing,
      damaged: () => this.#damage !== undefined,
      network: () => this.network.metrics(),
      // A damaged node still serves its metrics (notary_store_damaged 1): the figures that need the store are then left out.
      missedVotes: async () => {
        if (this.#damage) return [];
        try {
          return (await this.handlers.validators()).validators.map((validator) => ({
            key: validator.key,
            name: validator.name,
            missed: validator.missedVotes,
          }));
        } catch (error) {
          if (error instanceof ApiError && error.code === 'NODE_DAMAGED') return [];
          throw error;
        }
      },
    });
    this.handlers = this.#guarded({
      status: () => this.status(),
      submit: (tx) => this.submit(tx),
      txStatus: (hash) => this.txStatus(hash),
      outbox: () => Promise.resolve(this.outboxView()),
      block: async (height) => {
        const summary = await this.blockSummary(height);
        return summary && { ...summary, commit: (await this.chain.getCommit(height)) ?? null };
      },
      blocks: (before, limit) => this.blocks(before, limit),
      evidence: () => Promise.resolve(this.evidence.list()),
      setOffline: (offline) => this.setOffline(offline),
      identity: () => this.identity(),
      cosign: (tx) => this.cosign(tx),
      settings: () => this.settings(),
      setBootstrap: (bootstrap) => this.setBootstrap(bootstrap),
      keystoreBackup: () => this.keystoreBackup(),
      inbox: () => Promise.resolve(this.#inbox.list()),
      inboxAdd: (draft) => this.inboxAdd(draft),
      inboxChecks: (id) => this.inboxChecks(id),
      inboxCertify: (id) => this.inboxCertify(id),
      inboxRemove: async (id) => {
        const removed = await this.#inbox.remove(id);
        if (removed) this.events.emit({ type: 'inbox' });
        return removed;
      },
      ...registryQueries({
        chain: this.chain,
        peers: () => this.network.peers(),
        selfKey: () => this.signingKey?.publicKey,
        peerHeight: async (peerId) =>
          (await this.network.requestStatus(peerId, { signal: AbortSignal.timeout(PEER_STATUS_TIMEOUT_MS) })).height,
      }),
      metrics: () => this.#metrics.scrape(),
    });
    const uiDir = options.uiDir === undefined ? defaultUiDir() : (options.uiDir ?? undefined);
    this.#servesUi = uiDir !== undefined;
    this.#statusTimer = setInterval(() => {
      if (this.events.size > 0)
        this.status().then(
          (status) => this.events.emit({ type: 'status', status }),
          () => undefined,
        );
    }, STATUS_EVENT_INTERVAL_MS);
    this.#api = await startApiServer({
      host: api.host,
      port: api.port,
      tokenFile: join(this.dataDir, 'api-token'),
      handlers: this.handlers,
      events: this.events,
      ...(uiDir ? { uiDir } : {}),
      ...(api.allowRemote === undefined ? {} : { allowRemote: api.allowRemote }),
      log: (message) => this.log.error(message),
    });
    this.log.info({ peerId: this.network.peerId, height: this.chain.head.height, api: this.#api.url }, 'node started');
    if (this.apiExposed)
      this.log.warn(
        { api: this.#api.url },
        'the API is reachable from the network (api.allowRemote): anyone who can reach this port and holds the token can use it',
      );
  }

  /** True when the API listens on an address other machines can reach (api.allowRemote). */
  get apiExposed(): boolean {
    return this.#api !== undefined && !isLoopbackHost(this.#apiHost);
  }

  get apiUrl(): string {
    return this.#api?.url ?? '';
  }

  /** The address to open in a browser: the UI, with the API token in the fragment (never sent to a server). */
  async uiUrl(): Promise<string | undefined> {
    if (!this.#api || !this.#servesUi) return undefined;
    const token = (await readFile(join(this.dataDir, 'api-token'), 'utf8')).trim();
    return `${this.#api.url}/#token=${token}`;
  }

  // ---- consensus ---------------------------------------------------------------------

  /** A driver runs once: the first at start, a fresh one after each halt (the PrivValidator keeps its lock). */
  #buildDriver(): ConsensusDriver {
    const consensus = this.config.consensus;
    return consensusDriver({
      chainId: this.chain.chainId,
      timeouts: {
        timeoutProposeMs: consensus.timeoutProposeMs,
        timeoutPrevoteMs: consensus.timeoutPrevoteMs,
        timeoutPrecommitMs: consensus.timeoutPrecommitMs,
        deltaMs: consensus.timeoutDeltaMs,
      },
      heartbeatMs: consensus.heartbeatMs,
      onHalt: (error) => this.#onHalt(error),
      onEvidence: (evidence) => {
        this.log.warn({ validator: evidence.voteA.validator, height: evidence.voteA.height }, 'equivocation detected');
        this.events.emit({ type: 'evidence', validator: evidence.voteA.validator, height: evidence.voteA.height });
        this.evidence
          .record(evidence, Date.now())
          .catch((error: unknown) => this.log.error({ err: error }, 'evidence not saved'));
      },
    })({
      clock: systemClock(),
      transport: {
        broadcast: (message: ConsensusMessage) => {
          this.network
            .publish('consensus', encodeConsensusMessage(message))
            .catch((error: unknown) => this.log.debug({ err: error }, 'consensus publish failed'));
        },
        onMessage: (handler) =>
          this.network.subscribe('consensus', (message) => handler(this.#consensusDecoded(message.bytes))),
      },
      app: this.#consensusApp(),
      verify: this.chain.verify,
      privValidator: this.#privValidator,
      logger: this.log.child({ part: 'consensus' }),
    });
  }

  /**
   * A halted driver processes nothing more; left alone, the node would answer "online" with a
   * frozen height (found by the soak). So: wait a moment, catch up from peers, start a fresh
   * driver. Repeated halts back off, up to HALT_RECOVERY_MAX_MS between attempts.
   */
  #onHalt(error: Error): void {
    this.consensusHalts++;
    const damage = damageOf(error);
    if (damage || this.#damage) {
      // Damage is not a halt to recover from: the node stays stopped until the operator repairs it.
      if (damage) this.#onDamage(damage);
      return;
    }
    this.log.fatal({ err: error, height: this.chain.head.height }, 'consensus halted; restarting it after a sync');
    if (this.#stopping) return;
    const sinceLast = Date.now() - this.#lastHaltAtMs;
    this.#lastHaltAtMs = Date.now();
    this.#haltBackoffMs =
      sinceLast > 60_000 ? HALT_RECOVERY_MIN_MS : Math.min(this.#haltBackoffMs * 2, HALT_RECOVERY_MAX_MS);
    this.#recoveryTimer = setTimeout(() => void this.#recoverConsensus(), this.#haltBackoffMs);
  }

  async #recoverConsensus(): Promise<void> {
    if (this.#stopping || this.#damage) return;
    try {
      await this.#driver.stop();
      this.#syncing = true;
      try {
        await this.#syncer.sync();
      } catch (error) {
        this.log.warn({ err: error }, 'sync before the consensus restart failed; starting anyway');
      } finally {
        this.#syncing = false;
      }
      if (this.#stopping || this.#damage) return;
      this.#driver = this.#buildDriver();
      await this.#driver.start();
      this.log.warn({ height: this.chain.head.height, halts: this.consensusHalts }, 'consensus restarted after a halt');
    } catch (error) {
      this.log.error({ err: error }, 'consensus could not be restarted; trying again');
      this.#onHalt(error instanceof Error ? error : new Error(String(error)));
    }
  }

  #consensusApp(): ConsensusApp {
    return this.#watchingDamage({
      head: () => this.chain.head,
      validatorsFor: async (height) =>
        validatorsAt((await this.chain.getRecord(StateKey.validatorSchedule)) as ValidatorSchedule, height),
      buildBlock: async (_height, _round, context) => {
        const txs = this.mempool.take(this.config.consensus.blockTxsMax, BLOCK_BYTES_MAX);
        const { block } = await this.chain.propose(txs, { timeMs: context.timeMs, proposer: context.proposer });
        return block;
      },
      validateBlock: async (block) => {
        try {
          await this.chain.validate(block);
        } catch (error) {
          // Only a block's own fault makes it invalid; our disk failing must halt consensus instead.
          if (error instanceof InvalidBlockError || error instanceof CommitError || error instanceof LedgerError)
            return { valid: false, reason: error.message };
          throw error;
        }
        // A block time ahead of our clock: prevote nil, but it stays valid (a slow clock must not make us halt).
        if (block.header.timeMs > Date.now() + BLOCK_TIME_DRIFT_MAX_MS)
          return { valid: true, timely: false, reason: 'the block time is ahead of this office clock' };
        return { valid: true };
      },
      commitOf: (height) => this.chain.getCommit(height),
      commitBlock: async (block, commit) => {
        await this.#commit(block, commit);
        if (this.signingKey && block.header.proposer === this.signingKey.publicKey) {
          this.network.publish('block', encodeBlockAnnouncement({ block, commit })).catch(() => undefined);
        }
      },
      requestSync: async () => {
        this.#syncing = true;
        try {
          await this.#syncer.sync();
        } finally {
          this.#syncing = false;
        }
      },
      waitForTransactions: (signal) =>
        new Promise<void>((resolve) => {
          if (this.mempool.size > 0) return resolve();
          const wake = () => {
            this.#mempoolWaiters.delete(wake);
            resolve();
          };
          this.#mempoolWaiters.add(wake);
          signal.addEventListener('abort', wake, { once: true });
        }),
    });
  }

  /** Every committed block passes here, from consensus, sync or a block announcement: one at a time. */
  #commit(block: Block, commit: Commit, prepared?: PreparedBlock): Promise<void> {
    const turn = this.#commitTurns.then(() => this.#commitInTurn(block, commit, prepared));
    this.#commitTurns = turn.catch(() => undefined);
    return turn;
  }

  async #commitInTurn(block: Block, commit: Commit, prepared?: PreparedBlock): Promise<void> {
    if (this.#damage) throw new Error(`not committing block ${block.header.height}: ${this.#damageSentence()}`);
    try {
      await this.#commitChecked(block, commit, prepared);
    } catch (error) {
      const damage = damageOf(error);
      if (damage) this.#onDamage(damage);
      throw error;
    }
  }

  async #commitChecked(block: Block, commit: Commit, prepared?: PreparedBlock): Promise<void> {
    if (block.header.height <= this.chain.head.height) return;
    const written = await this.chain.commit(block, commit, prepared);
    this.#lastCommitAtMs = Date.now();
    const committed = new Set(block.txs.map((tx) => txId(tx)));
    const dropped = await this.mempool.afterCommit(block, written, committed);
    for (const entry of dropped) this.#remember(entry.txHash, entry);
    this.pendingLog.settle([...committed, ...dropped.map((entry) => entry.txId)]);
    for (const entry of this.outbox.open()) {
      if (committed.has(entry.txId))
        await this.outbox.update(entry.txId, { state: 'final', height: block.header.height }, Date.now());
      const drop = dropped.find((d) => d.txId === entry.txId);
      if (drop)
        await this.outbox.update(
          entry.txId,
          { state: 'rejected', code: drop.code, sentence: drop.sentence },
          Date.now(),
        );
    }
    const hashes = block.txs.map((tx) => txHash(tx));
    this.events.emit({
      type: 'block',
      height: block.header.height,
      hash: blockHash(block.header),
      timeMs: block.header.timeMs,
      txHashes: hashes,
    });
    hashes.forEach((hash, index) => {
      if (this.#watched.delete(hash))
        this.events.emit({ type: 'tx', txHash: hash, status: { state: 'final', height: block.header.height, index } });
    });
    for (const entry of dropped) {
      if (this.#watched.delete(entry.txHash))
        this.events.emit({
          type: 'tx',
          txHash: entry.txHash,
          status: { state: 'rejected', code: entry.code, sentence: entry.sentence },
        });
    }
    if (block.txs.some((tx) => tx.type.startsWith('authority.'))) await this.#refreshAllowedPeers();
  }

  // ---- gossip validators ---------------------------------------------------------------

  async #validateTx(bytes: Uint8Array): Promise<void> {
    const tx = decodeTransaction(bytes);
    // IGNORE: a damaged node admits nothing (it could not check it against its state).
    if (this.#damage) throw new GossipValidationError(GossipAction.ignore, 'NODE_DAMAGED', this.#damageSentence());
    try {
      await this.mempool.add(tx);
      this.#wakeProposer();
    } catch (error) {
      if (error instanceof MempoolError)
        throw new GossipValidationError(GossipAction.ignore, error.code, error.message);
      const damage = damageOf(error);
      if (damage) {
        this.#onDamage(damage);
        throw new GossipValidationError(GossipAction.ignore, 'NODE_DAMAGED', this.#damageSentence());
      }
      throw error;
    }
  }

  /** The message the gossip validator decoded from these very bytes (a proposal carries a whole block), else decoded now. */
  #consensusDecoded(bytes: Uint8Array): ConsensusMessage {
    const message = this.#validatedConsensus.get(bytes);
    if (!message) return decodeConsensusMessage(bytes);
    this.#validatedConsensus.delete(bytes);
    return message;
  }

  async #validateConsensus(bytes: Uint8Array): Promise<void> {
    const message = decodeConsensusMessage(bytes);
    this.#validatedConsensus.set(bytes, message);
    const chainId = this.chain.chainId;
    if (message.kind === 'vote') {
      // REJECT: a vote whose signature does not verify is forged or corrupted, whatever our height.
      if (!verifyVote(message, chainId, this.chain.verify))
        throw new GossipValidationError(GossipAction.reject, 'BAD_SIGNATURE', 'vote signature does not verify');
    } else if (!verifyProposalSignature(message, chainId, blockHash(message.block.header), this.chain.verify)) {
      // REJECT: same for a proposal, whose signature covers the block hash.
      throw new GossipValidationError(GossipAction.reject, 'BAD_SIGNATURE', 'proposal signature does not verify');
    }
  }

  async #validateBlockAnnouncement(bytes: Uint8Array): Promise<void> {
    // REJECT (inside decode): not a {block, commit} announcement at all.
    const { block, commit } = decodeBlockAnnouncement(bytes);
    // IGNORE: already have it, or too far ahead to place (sync fetches the gap).
    if (block.header.height <= this.chain.head.height)
      throw new GossipValidationError(GossipAction.ignore, 'ALREADY_KNOWN', 'block already committed');
    if (block.header.height > this.chain.head.height + 1) {
      // a gap: fetch it by sync (at most every few seconds), rather than wait for consensus to notice
      this.#catchUp();
      throw new GossipValidationError(GossipAction.ignore, 'NOT_YET', 'block is ahead of our head');
    }
    await this.#commit(block, commit);
  }

  // ---- submissions and the outbox ------------------------------------------------------

  /** Whether this node reaches more than 2/3 of the validators (itself included). */
  async reachability(): Promise<{ validators: number; reachable: number; online: boolean }> {
    const validators = await this.#validatorPeers();
    const connected = new Set(this.network.peers().map((peer) => peer.peerId));
    let reachable = 0;
    for (const { key, peerId } of validators) {
      if (key === this.signingKey?.publicKey || (peerId !== undefined && connected.has(peerId))) reachable++;
    }
    const online = !this.#offline && reachable * 3 > validators.length * 2;
    return { validators: validators.length, reachable, online };
  }

  /**
   * The next height's validators with their registered peer ids. Read once per head height, not
   * per submission (two LevelDB reads each): only a committed block changes the schedule or an
   * authority record, and connections and the offline switch are checked live by the caller.
   */
  #validatorPeers(): Promise<{ key: string; peerId: string | undefined }[]> {
    const height = this.chain.head.height;
    if (this.#validatorPeersCache?.height === height) return this.#validatorPeersCache.peers;
    const peers = (async () => {
      const schedule = (await this.chain.getRecord(StateKey.validatorSchedule)) as ValidatorSchedule;
      const validators = validatorsAt(schedule, height + 1);
      const authorities = await this.chain.getMany(validators.map((key) => StateKey.authority(key)));
      return validators.map((key) => ({
        key,
        peerId: (authorities.get(StateKey.authority(key)) as Authority | undefined)?.peerId,
      }));
    })();
    this.#validatorPeersCache = { height, peers };
    peers.catch(() => {
      if (this.#validatorPeersCache?.peers === peers) this.#validatorPeersCache = undefined;
    });
    return peers;
  }

  async submit(input: unknown): Promise<SubmitResult> {
    this.#refuseIfDamaged();
    const tx = parseTransaction(input);
    const hash = txHash(tx);
    const id = txId(tx);
    const { online } = await this.reachability();
    if (!online) {
      // Offline: refuse at once what no state could accept, keep the rest for when we reconnect.
      const outcome = await this.chain.checkTransaction(tx, Date.now());
      if (
        !outcome.ok &&
        ['MALFORMED', 'WRONG_CHAIN', 'BAD_SIGNATURE', 'MISSING_SIGNATURE', 'UNEXPECTED_SIGNER'].includes(outcome.code)
      ) {
        throw new LedgerError(outcome.code, outcome.sentence);
      }
      await this.outbox.add(tx, Date.now());
      this.#watch(hash, { state: 'outbox' });
      return { txHash: hash, txId: id, status: { state: 'outbox' } };
    }
    const { encoded } = await this.mempool.add(tx);
    // `pending` is a promise to the client: on disk first (group commit), gossiped after.
    try {
      await this.pendingLog.append(tx, { txId: id, encoded });
    } catch (error) {
      this.mempool.remove(id);
      // the log holds as many as the mempool: full is the same answer to the client
      if (error instanceof PendingLogError && error.code === 'PENDING_LOG_FULL')
        throw new MempoolError('MEMPOOL_FULL', error.message);
      throw error;
    }
    this.#watch(hash, { state: 'pending' });
    this.#wakeProposer();
    await this.network
      .publish('tx', encoded)
      .catch((error: unknown) => this.log.debug({ err: error }, 'tx publish failed'));
    return { txHash: hash, txId: id, status: { state: 'pending' } };
  }

  /**
   * At start: every transaction this node acknowledged `pending` before it stopped and the chain
   * has not committed goes back into the mempool (gossiped once the node is online), or ends
   * rejected with the ledger's reason when the chain no longer admits it.
   */
  async #readmitPending(txs: Transaction[]): Promise<void> {
    const settled: string[] = [];
    for (const tx of txs) {
      const hash = txHash(tx);
      const id = txId(tx);
      if (await this.chain.store.getTxLocation(hash)) {
        settled.push(id);
        continue;
      }
      try {
        await this.mempool.add(tx);
        this.#watched.add(hash);
        this.#regossip.push(tx);
      } catch (error) {
        if (error instanceof LedgerError) {
          this.#remember(hash, error);
          settled.push(id);
        } else if (error instanceof MempoolError && error.code === 'MEMPOOL_FULL') {
          // cannot happen with the log bounded like the mempool; kept in the log for the next start
          this.log.warn(
            { txHash: hash },
            'an acknowledged transaction did not fit the mempool at start; it stays in the pending log',
          );
        } else if (!(error instanceof MempoolError && error.code === 'ALREADY_PENDING')) throw error;
      }
    }
    this.pendingLog.settle(settled);
    if (txs.length > 0)
      this.log.info(
        { readmitted: this.#regossip.length, settled: settled.length },
        'acknowledged transactions from before the restart re-admitted',
      );
  }

  /** Re-admitted transactions, gossiped once the node reaches a quorum (peers may never have had them). */
  async #gossipReadmitted(): Promise<void> {
    if (this.#regossip.length === 0 || this.#damage || !(await this.reachability()).online) return;
    for (const tx of this.#regossip.splice(0)) {
      if (this.mempool.has(txId(tx)))
        await this.network
          .publish('tx', encode(tx))
          .catch((error: unknown) => this.log.debug({ err: error }, 'tx publish failed'));
    }
  }

  /**
   * Back online and caught up: send what was certified offline, and send again what is still
   * open (mempool/outbox-sender.ts); each entry ends final or rejected.
   */
  async #reconcileOutbox(): Promise<void> {
    if (this.#reconciling || this.#syncing || this.#damage) return;
    if (this.#outboxSender.waiting().length === 0) return;
    const { online } = await this.reachability();
    if (!online) {
      this.#onlineSinceMs = Number.POSITIVE_INFINITY;
      return;
    }
    if (this.#onlineSinceMs === Number.POSITIVE_INFINITY) this.#onlineSinceMs = Date.now();
    // Wait for a block committed since we came back, so checks run against the network's state.
    if (this.#lastCommitAtMs <= this.#onlineSinceMs) return;
    this.#reconciling = true;
    try {
      await this.#outboxSender.flush();
      this.#wakeProposer();
    } finally {
      this.#reconciling = false;
    }
  }

  async txStatus(hash: string): Promise<TxStatus> {
    const location = await this.chain.store.getTxLocation(hash);
    if (location) return { state: 'final', height: location.height, index: location.index };
    const entry = this.outbox.getByHash(hash);
    if (entry?.state === 'rejected')
      return { state: 'rejected', code: entry.code ?? 'REJECTED', sentence: entry.sentence ?? '' };
    if (entry?.state === 'pending') return { state: 'outbox' };
    const rejection = this.#rejections.get(hash);
    if (rejection) return { state: 'rejected', ...rejection };
    if (entry?.state === 'submitted' || this.mempool.hasHash(hash)) return { state: 'pending' };
    return { state: 'unknown' };
  }

  async blockSummary(height: number): Promise<BlockSummary | undefined> {
    const block = await this.chain.getBlock(height);
    if (!block) return undefined;
    return {
      hash: blockHash(block.header),
      header: block.header,
      txCount: block.txs.length,
      txHashes: block.txs.map((tx) => txHash(tx)),
    };
  }

  async blocks(before: number | undefined, limit: number): Promise<BlocksPage> {
    const head = this.chain.head.height;
    const top = Math.min(before === undefined ? head : before - 1, head);
    const count = Math.min(limit, BLOCKS_PAGE_MAX);
    const blocks: BlockSummary[] = [];
    for (let height = top; height >= 1 && blocks.length < count; height--) {
      const summary = await this.blockSummary(height);
      if (summary) blocks.push(summary);
    }
    return { head, blocks };
  }

  async identity(): Promise<Identity> {
    const key = this.signingKey?.publicKey ?? null;
    const authority = key
      ? ((await this.chain.getRecord(StateKey.authority(key))) as Authority | undefined)
      : undefined;
    const encrypted = existsSync(join(this.dataDir, DataFiles.signingKeystore));
    return {
      publicKey: key,
      role: this.config.role,
      name: authority?.name ?? null,
      status: authority?.status ?? null,
      keystore: key === null ? 'none' : encrypted ? 'encrypted' : 'plain',
      dataDir: this.dataDir,
    };
  }

  async settings(): Promise<NodeSettings> {
    return {
      name: this.config.name,
      role: this.config.role,
      dataDir: this.dataDir,
      listen: [...this.config.listen],
      listening: this.network.libp2p.getMultiaddrs().map((address) => address.toString()),
      bootstrap: [...this.config.bootstrap],
      mdns: this.config.mdns,
      api: { url: this.apiUrl, allowRemote: this.#allowRemote },
    };
  }

  /** Saves a new bootstrap list to config.json (the operator's other settings kept as written) and dials it. */
  async setBootstrap(bootstrap: string[]): Promise<NodeSettings> {
    const path = join(this.dataDir, DataFiles.config);
    const raw = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    raw.bootstrap = bootstrap;
    await writeFileDurably(path, `${JSON.stringify(raw, null, 2)}\n`);
    this.config.bootstrap = [...bootstrap];
    this.log.info({ bootstrap: bootstrap.length }, 'bootstrap peers changed by the operator');
    this.#redial();
    return this.settings();
  }

  async keystoreBackup(): Promise<Record<string, unknown> | undefined> {
    try {
      return JSON.parse(await readFile(join(this.dataDir, DataFiles.signingKeystore), 'utf8')) as Record<
        string,
        unknown
      >;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  // ---- governance ----------------------------------------------------------------------

  /** A registrar office co-signs an authority change with its node key (which never leaves the node). */
  async cosign(input: unknown): Promise<CosignResult> {
    const tx = parseTransaction(input);
    this.#refuseIfDamaged();
    if (this.config.role !== 'registrar' || !this.signingKey)
      throw new ApiError(409, 'NOT_A_REGISTRAR', 'only a registrar office co-signs authority changes');
    if (!tx.type.startsWith('authority.'))
      throw new ApiError(
        422,
        'NOT_AN_AUTHORITY_CHANGE',
        `a ${tx.type} is not an authority change; registrars co-sign authority.add, update and revoke`,
      );
    if (tx.chainId !== this.chain.chainId)
      throw new LedgerError(
        'WRONG_CHAIN',
        `this change was made for the registry ${tx.chainId}, not ${this.chain.chainId}`,
      );
    const signed = signTransaction(tx, this.signingKey.secretKey);
    const index = ((await this.chain.getRecord(StateKey.authorityIndex)) as AuthorityIndexEntry[] | undefined) ?? [];
    const registrars = new Set(
      index.filter((entry) => entry.role === 'registrar' && entry.status === 'active').map((entry) => entry.key),
    );
    const message = txIdBytes(signed);
    const valid = signed.signatures.filter(
      (entry) =>
        registrars.has(entry.key) &&
        this.chain.verify({
          publicKey: entry.key,
          signature: entry.signature,
          domain: Domain.tx,
          chainId: signed.chainId,
          message,
        }),
    ).length;
    return {
      tx: signed,
      txHash: txHash(signed),
      signatures: valid,
      needed: quorumOf(registrars.size),
      registrars: registrars.size,
    };
  }

  // ---- the notary's inbox --------------------------------------------------------------

  async inboxAdd(input: unknown): Promise<InboxEntry> {
    const draft = parseTransaction(input);
    try {
      const entry = await this.#inbox.add(draft, Date.now());
      this.events.emit({ type: 'inbox' });
      return entry;
    } catch (error) {
      if (error instanceof InboxError)
        throw new ApiError(error.code === 'INBOX_FULL' ? 507 : 409, error.code, error.message);
      throw error;
    }
  }

  /** The draft as this office would sign it, if it holds the named notary key. */
  #certified(entry: InboxEntry): Transaction | undefined {
    if (!this.signingKey || entry.draft.type !== 'transfer' || entry.draft.payload.notary !== this.signingKey.publicKey)
      return undefined;
    return signTransaction(entry.draft, this.signingKey.secretKey);
  }

  async inboxChecks(id: string): Promise<TransferChecks | undefined> {
    const entry = this.#inbox.get(id);
    if (!entry || entry.draft.type !== 'transfer') return undefined;
    return transferChecks(this.chain, entry.draft, this.#certified(entry), {
      id,
      notaryKey: this.signingKey?.publicKey,
      nowMs: Date.now(),
    });
  }

  async inboxCertify(id: string): Promise<SubmitResult | undefined> {
    this.#refuseIfDamaged();
    const entry = this.#inbox.get(id);
    if (!entry) return undefined;
    if (this.config.role !== 'notary' || !this.signingKey)
      throw new ApiError(409, 'NOT_A_NOTARY', 'this office has no notary key, so it cannot certify');
    const tx = this.#certified(entry);
    if (!tx)
      throw new ApiError(
        422,
        'UNEXPECTED_SIGNER',
        'the contract names another notary; only that notary can certify it',
      );
    const result = await this.submit(tx);
    await this.#inbox.markCertified(id, result.txHash);
    this.events.emit({ type: 'inbox' });
    return result;
  }

  outboxView(): OutboxEntryView[] {
    return this.outbox.list().map(({ tx, ...entry }) => ({ ...entry, type: tx.type }));
  }

  async setOffline(offline: boolean): Promise<void> {
    this.#offline = offline;
    await this.#refreshAllowedPeers();
    if (!offline) {
      this.#onlineSinceMs = Date.now();
      this.#outboxSender.resendAll();
      for (const address of this.config.bootstrap) this.network.dial(address).catch(() => undefined);
    }
    this.log.warn({ offline }, offline ? 'taken off the network by the operator' : 'back on the network');
  }

  async status(): Promise<NodeStatus> {
    // A damaged node still answers its status (reading the validators may be what is damaged).
    let reach: { validators: number; reachable: number; online: boolean };
    try {
      reach = await this.reachability();
    } catch (error) {
      const damage = damageOf(error);
      if (!damage) throw error;
      this.#onDamage(damage);
      reach = { validators: 0, reachable: 0, online: false };
    }
    const outbox = this.outbox.list();
    const head = this.chain.head;
    return {
      chainId: this.chain.chainId,
      nodeName: this.config.name,
      role: this.config.role,
      peerId: this.network.peerId,
      height: head.height,
      headHash: head.hash,
      headTimeMs: head.header.timeMs,
      online: reach.online && this.#damage === undefined,
      peers: this.network.peers().length,
      validators: reach.validators,
      validatorsReachable: reach.reachable,
      syncing: this.#syncing,
      mempool: { size: this.mempool.size, bytes: this.mempool.bytes },
      outbox: {
        pending: outbox.filter((entry) => entry.state === 'pending' || entry.state === 'submitted').length,
        final: outbox.filter((entry) => entry.state === 'final').length,
        rejected: outbox.filter((entry) => entry.state === 'rejected').length,
      },
      ...(this.#damage ? { damaged: { ...this.#damage } } : {}),
    };
  }

  // ---- store damage --------------------------------------------------------------------

  /** The damage this node found in its store, if any (status, metrics, the UI). */
  get damaged(): StoreDamageView | undefined {
    return this.#damage;
  }

  /**
   * The first damage found in the store, from any path (an API read, a submission's check,
   * consensus building or validating a block, a commit, gossip admission): once, the node
   * stops its signer and consensus (nothing more is signed, proposed or voted), stops
   * committing and admitting, and says so in its status, metrics, log and UI. Reads that do
   * not touch the damage still answer; submissions are refused with NODE_DAMAGED.
   */
  #onDamage(damage: StoreDamage): void {
    if (this.#damage) return;
    this.#damage = {
      what: damage.what,
      where: damage.where,
      sinceMs: Date.now(),
      repair: `notary repair --data ${this.dataDir}`,
    };
    this.#privValidator?.refuseSigning('the store is damaged');
    clearTimeout(this.#recoveryTimer);
    this.log.fatal(
      { where: this.#damage.where, what: this.#damage.what, height: this.chain.head.height },
      `the store is damaged (${this.#damage.where}: ${this.#damage.what}); this node stops signing, proposing and admitting transactions. Stop it and run: ${this.#damage.repair}`,
    );
    this.#driver
      ?.stop()
      .catch((error: unknown) => this.log.debug({ err: error }, 'consensus stop after damage failed'));
    this.status().then(
      (status) => this.events.emit({ type: 'status', status }),
      () => undefined,
    );
  }

  /**
   * Once after start, in the background: every row of the store checked against what it points
   * at (Chain.scrub). It finds damage no read meets, e.g. a row whose key a damaged table
   * changed, so that the transaction looks uncommitted. Pauses between pages; stops with the node.
   */
  async #scrubInBackground(): Promise<void> {
    const startedMs = Date.now();
    let workedFromMs = performance.now();
    // At most half of the event loop: after each page, a pause as long as the page took (at least SCRUB_PAUSE_MS).
    const pause = async () => {
      await new Promise((resolve) => setTimeout(resolve, Math.max(SCRUB_PAUSE_MS, performance.now() - workedFromMs)));
      workedFromMs = performance.now();
    };
    try {
      const { rows } = await this.chain.scrub({
        pause,
        stopped: () => this.#stopping || this.#damage !== undefined,
      });
      if (!this.#stopping && !this.#damage)
        this.log.info({ rows, ms: Date.now() - startedMs }, 'store scrub: every row checked, no damage');
    } catch (error) {
      const damage = damageOf(error);
      if (damage) this.#onDamage(damage);
      else if (!this.#stopping) this.log.warn({ err: error }, 'store scrub stopped');
    }
  }

  #damageSentence(): string {
    const damage = this.#damage!;
    return `this node found its store damaged (${damage.where}: ${damage.what}) and accepts no transactions until it is repaired; the operator stops it and runs \`${damage.repair}\`, which moves the chain folder aside so that the next start re-syncs it from peers`;
  }

  #refuseIfDamaged(): void {
    if (this.#damage) throw new ApiError(503, 'NODE_DAMAGED', this.#damageSentence());
  }

  /** Every API handler: damage it runs into puts the node in the damaged state and answers 503 NODE_DAMAGED, never a 500. */
  #guarded(handlers: ApiHandlers): ApiHandlers {
    const guarded = {} as Record<string, unknown>;
    for (const [name, handler] of Object.entries(handlers) as Array<
      [string, (...args: unknown[]) => Promise<unknown>]
    >) {
      guarded[name] = async (...args: unknown[]) => {
        try {
          return await handler(...args);
        } catch (error) {
          const damage = damageOf(error);
          if (!damage) throw error;
          this.#onDamage(damage);
          throw new ApiError(503, 'NODE_DAMAGED', this.#damageSentence());
        }
      };
    }
    return guarded as unknown as ApiHandlers;
  }

  /** The consensus app's calls: damage they run into stops consensus here, before the driver retries or halts. */
  #watchingDamage(app: ConsensusApp): ConsensusApp {
    const watched = { ...app } as Record<string, unknown>;
    for (const [name, call] of Object.entries(app) as Array<[string, unknown]>) {
      if (typeof call !== 'function' || name === 'head') continue;
      watched[name] = async (...args: unknown[]) => {
        if (this.#damage && name !== 'waitForTransactions')
          throw new Error(`consensus stopped: ${this.#damageSentence()}`);
        try {
          return await (call as (...a: unknown[]) => Promise<unknown>).apply(app, args);
        } catch (error) {
          const damage = damageOf(error);
          if (damage) this.#onDamage(damage);
          throw error;
        }
      };
    }
    return watched as unknown as ConsensusApp;
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#recoveryTimer);
    clearInterval(this.#reconcileTimer);
    clearInterval(this.#redialTimer);
    clearInterval(this.#statusTimer);
    await this.#api?.close();
    await this.#driver?.stop();
    this.#syncer?.stop();
    await this.network.stop();
    await this.outbox.close();
    await this.pendingLog.close();
    await this.chain.close();
  }

  // ---- helpers -----------------------------------------------------------------------

  /** Admitted peers: every non-revoked authority's peer id, plus the config allowlist; none when offline. */
  async #refreshAllowedPeers(): Promise<void> {
    if (this.#offline) {
      await this.network.setAllowedPeers([]);
      return;
    }
    const index = ((await this.chain.getRecord(StateKey.authorityIndex)) as AuthorityIndexEntry[] | undefined) ?? [];
    const active = index.filter((entry) => entry.status !== 'revoked').map((entry) => StateKey.authority(entry.key));
    const records = await this.chain.getMany(active);
    const peers = new Set(this.config.allowlist);
    for (const record of records.values()) {
      const peerId = (record as Authority).peerId;
      if (peerId && peerId !== this.network.peerId) peers.add(peerId);
    }
    await this.network.setAllowedPeers(peers);
  }

  /** Dials every bootstrap peer we are not connected to (one attempt each per interval). */
  #redial(): void {
    if (this.#offline) return;
    const connected = new Set(this.network.peers().map((peer) => peer.peerId));
    for (const address of this.config.bootstrap) {
      const peerId = address.slice(address.lastIndexOf('/p2p/') + 5);
      if (connected.has(peerId)) continue;
      this.network
        .dial(address, { signal: AbortSignal.timeout(REDIAL_INTERVAL_MS) })
        .catch((error: unknown) => this.log.debug({ err: error, address }, 'redial failed'));
    }
  }

  #remember(hash: string, rejection: { code: string; sentence: string }): void {
    if (this.#rejections.size >= REJECTIONS_KEPT_MAX)
      this.#rejections.delete(this.#rejections.keys().next().value as string);
    this.#rejections.set(hash, { code: rejection.code, sentence: rejection.sentence });
  }

  #catchUp(): void {
    if (this.#syncing || this.#stopping || Date.now() - this.#lastCatchUpMs < CATCH_UP_INTERVAL_MS) return;
    this.#lastCatchUpMs = Date.now();
    this.#syncing = true;
    this.#syncer
      .sync()
      .catch((error: unknown) => this.log.debug({ err: error }, 'catch-up sync failed'))
      .finally(() => (this.#syncing = false));
  }

  #watch(hash: string, status: TxStatus): void {
    if (this.#watched.size >= WATCHED_TXS_MAX) this.#watched.delete(this.#watched.values().next().value as string);
    this.#watched.add(hash);
    this.events.emit({ type: 'tx', txHash: hash, status });
  }

  #wakeProposer(): void {
    for (const wake of [...this.#mempoolWaiters]) wake();
  }
}

/**
 * The node's signing key: the encrypted keystore `notary init` wrote, unlocked with the
 * passphrase; else the plain 0600 file of a devnet; observers may have neither.
 */
async function readSigningKey(
  dataDir: string,
  role: NodeConfig['role'],
  passphrase: string | undefined,
): Promise<{ publicKey: string; secretKey: string } | null> {
  // loaded on use, so this file's import list stays as it is
  const { KeystoreError, readKeystore, unlockKeystore } = await import('./keystore/index.js');
  const keystorePath = join(dataDir, DataFiles.signingKeystore);
  try {
    // WRONG_PASSPHRASE, KEYSTORE_PERMISSIONS and KEYSTORE_DAMAGED carry their own sentences.
    if (passphrase !== undefined) return await unlockKeystore(keystorePath, passphrase);
    await readKeystore(keystorePath);
    throw new KeystoreError(
      'KEYSTORE_LOCKED',
      `The signing key in ${keystorePath} is locked: pass --passphrase-file FILE (or set NOTARY_PASSPHRASE_FILE), or start the node in a terminal to type the passphrase.`,
    );
  } catch (error) {
    if (!(error instanceof KeystoreError && error.code === 'KEYSTORE_MISSING')) throw error;
  }
  const path = join(dataDir, DataFiles.signingKey);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      if (role === 'observer') return null;
      throw new Error(
        `No signing key in ${dataDir}: a ${role} node needs ${DataFiles.signingKeystore} (written by notary init) or ${DataFiles.signingKey} (devnet).`,
      );
    }
    throw new Error(`cannot read the signing key at ${path}: ${(error as Error).message}`);
  }
  let key: { publicKey?: unknown; secretKey?: unknown };
  try {
    key = JSON.parse(text) as typeof key;
  } catch {
    throw new Error(`${path} is not valid JSON; restore the signing key from its backup`);
  }
  // A pair whose halves do not match would sign votes every peer rejects: refuse it at start.
  if (
    !isPublicKeyHex(key.publicKey) ||
    typeof key.secretKey !== 'string' ||
    !/^[0-9a-f]{64}$/.test(key.secretKey) ||
    publicKeyOf(key.secretKey) !== key.publicKey
  ) {
    throw new Error(`${path} does not hold a matching ed25519 key pair as hex`);
  }
  return { publicKey: key.publicKey, secretKey: key.secretKey };
}
