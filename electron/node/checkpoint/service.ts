// Checkpoints as one part of the node (docs/protocol.md REQ-CKP.2/4, docs/operations.md
// "Checkpoints"): at the first block of each period (a day by default, UTC-aligned: the first
// block whose time falls in a new period), the node builds the statement tree of that block's
// state in the background, signs the checkpoint when it is one of the block's validators (or an
// observer office serving as a witness), and gathers the others' signatures from its peers
// until every validator has signed or an hour has passed. The state is read through a LevelDB
// snapshot taken while the committer holds the next block back, as the snapshot service does.
import { join } from 'node:path';
import type { Libp2p } from '@libp2p/interface';
import {
  CHECKPOINT_VERSION,
  checkpointBundle,
  type CheckpointBundle,
  CHECKPOINT_WITNESSES_MAX,
  checkpointBodyOf,
  checkpointId,
  checkpointSignatureVerifies,
  checkpointMessage,
  signCheckpoint,
  type CheckpointFile,
  type StatementTree,
} from '../../../shared/checkpoint/index.js';
import type { Verifier } from '../../../shared/crypto/index.js';
import { StateKey, type BlockHeader, type Commit } from '../../../shared/ledger/index.js';
import { DEFAULT_CHECKPOINT_EVERY_MS } from '../../../shared/modules/governance/types.js';
import type { Chain } from '../chain/chain.js';
import type { Committer } from '../chain/committer.js';
import type { SigningKey } from '../keystore/signing-key.js';
import type { NetworkLogger } from '../network/interface.js';
import { exchange } from '../network/reqresp/exchange.js';
import { requestHandler, type Reply } from '../network/reqresp/serve.js';
import type { StateView } from '../store/index.js';
import { chainParamsAtHead } from '../consensus/app.js';
import { readHead } from '../store/head-reader.js';
import { CheckpointFiles } from './files.js';
import { SetChangeIndex } from './set-changes.js';
import { buildStatementTree, CheckpointStopped } from './tree-worker.js';
import {
  CKP_ERROR_MESSAGE_LENGTH_MAX,
  CKP_FRAME_BYTES_MAX,
  CKP_REQUEST_BYTES_MAX,
  CkpErrorCode,
  checkpointProtocol,
  ckpRequestSchema,
  signaturesFrameSchema,
  type CkpRequest,
} from './protocol.js';

export const CHECKPOINTS_DIR = 'checkpoints';
/** Signatures are gathered for this long after a checkpoint is made, then the file stays as it is. */
const GATHER_MS = 60 * 60 * 1000;
const GATHER_EVERY_MS = 5_000;

export interface CheckpointServiceInit {
  /**
   * The period of a chain whose parameters name none (chains made before `checkpointEveryMs`):
   * a checkpoint at the first block of each. Default a day; 0 makes none, whatever the chain says.
   */
  everyMs?: number;
  /** Checkpoints whose statement entries are kept to print proofs from (each 64 bytes a statement). */
  keepEntries?: number;
  /** An observer office countersigns checkpoints as a witness. */
  witness?: boolean;
}

export interface CheckpointServiceComponents {
  dataDir: string;
  chain: Chain;
  committer: Pick<Committer, 'onCommitted'>;
  network: { readonly libp2p: Libp2p; readonly chainId: string };
  /** The node's keys able to sign now (consensus keys; the office key of an observer). */
  keys: () => readonly SigningKey[];
  role: 'registrar' | 'notary' | 'observer';
  /** The network's time (clock watch): a checkpoint is made only for a block of the current period. */
  now: () => number;
  log: NetworkLogger;
}

export function checkpointService(init: CheckpointServiceInit = {}) {
  return (components: CheckpointServiceComponents) => new CheckpointService(init, components);
}

/** The first block of a period: its time is in a later period than the block before it. */
export function opensPeriod(previousTimeMs: number, timeMs: number, everyMs: number): boolean {
  return everyMs > 0 && Math.floor(timeMs / everyMs) > Math.floor(previousTimeMs / everyMs);
}

export class CheckpointService {
  readonly files: CheckpointFiles;
  readonly sets: SetChangeIndex;
  #reading: Promise<void> | undefined;
  readonly counters = { served: 0, refused: 0, made: 0 };
  #making: Promise<void> | undefined;
  #stopping = false;
  #everyMs = 0;
  #previousTimeMs: number | undefined;
  #unsubscribe: (() => void) | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  /** Heights still gathering signatures, until when. */
  readonly #gathering = new Map<number, number>();
  #gatheringPass = false;
  readonly #handle;

  constructor(
    private readonly init: CheckpointServiceInit,
    private readonly components: CheckpointServiceComponents,
  ) {
    this.files = new CheckpointFiles(join(components.dataDir, CHECKPOINTS_DIR), init.keepEntries ?? 2);
    this.sets = new SetChangeIndex(this.files.dir, components.chain);
    this.#handle = requestHandler<CkpRequest, CkpErrorCode>({
      name: 'checkpoint',
      requestBytesMax: CKP_REQUEST_BYTES_MAX,
      requestSchema: ckpRequestSchema,
      errorMessageLengthMax: CKP_ERROR_MESSAGE_LENGTH_MAX,
      codes: CkpErrorCode,
      internalMessage: 'the serving node failed to read its checkpoints',
      internalLog: 'checkpoint server failed reading its files',
      concurrency: 8,
      timeoutMs: 30_000,
      log: components.log,
      counters: this.counters,
      respond: (request, reply) => this.#respond(request, reply),
    });
  }

  /** The period in force: the chain's parameter, else the node's config (0 makes none). */
  get everyMs(): number {
    return this.#everyMs;
  }

  async start(): Promise<void> {
    const { network, committer, chain, log } = this.components;
    // The chain's parameter is set at genesis and no transaction changes it (decision #73).
    const configured = this.init.everyMs ?? DEFAULT_CHECKPOINT_EVERY_MS;
    this.#everyMs = configured === 0 ? 0 : ((await chainParamsAtHead(chain)).checkpointEveryMs ?? configured);
    await this.files.load(log);
    await this.sets.load();
    this.#readSets();
    await network.libp2p.handle(checkpointProtocol(network.chainId), this.#handle, {
      maxInboundStreams: 16,
      runOnLimitedConnection: false,
    });
    if (this.everyMs === 0) return;
    this.#previousTimeMs = chain.head.header.timeMs;
    this.#unsubscribe = committer.onCommitted(({ block }) => {
      this.#readSets();
      const previous = this.#previousTimeMs ?? block.header.timeMs;
      this.#previousTimeMs = block.header.timeMs;
      // a block of a period already over (a node catching up) makes none: its checkpoint exists
      if (!opensPeriod(previous, block.header.timeMs, this.everyMs)) return;
      if (this.components.now() - block.header.timeMs > this.everyMs) return;
      this.take(block.header);
    });
    const now = Date.now();
    for (const height of this.files.heights()) {
      const file = this.files.file(height)!;
      if (file.signatures.length < file.validators.length && now - file.body.timeMs < GATHER_MS)
        this.#gathering.set(height, file.body.timeMs + GATHER_MS);
    }
    this.#timer = setInterval(() => void this.#gather(), GATHER_EVERY_MS);
    this.#timer.unref?.();
  }

  /** Reads the headers not yet read for validator set changes, in the background, once at a time. */
  #readSets(): Promise<void> {
    this.#reading ??= this.sets
      .catchUp()
      .catch((error: unknown) => {
        if (!this.#stopping)
          this.components.log.error({ error: String(error) }, 'reading the validator set changes failed');
      })
      .finally(() => {
        this.#reading = undefined;
      });
    return this.#reading;
  }

  /** A checkpoint with its layer and the validator set changes from genesis to it (REQ-CKP.5). */
  async bundle(height: number): Promise<CheckpointBundle | undefined> {
    const file = this.files.file(height);
    const layer = file && (await this.files.layer(height));
    if (!file || !layer) return undefined;
    await this.#readSets();
    if (this.sets.readTo < height)
      throw new Error(`the validator set changes are read up to height ${this.sets.readTo}, not yet ${height}`);
    return checkpointBundle(file, layer, await this.sets.changesTo(height));
  }

  /** Makes the checkpoint of the head in the background, unless one is being made. Returns at once. */
  take(header: BlockHeader): void {
    const { chain, log } = this.components;
    if (this.#making || this.#stopping) {
      if (this.#making) log.warn({ height: header.height }, 'a checkpoint is still being made; this period has none');
      return;
    }
    this.#making = readHead({
      store: chain.store,
      height: header.height,
      what: 'checkpoint',
      log,
      work: (view) => this.#make(view, header),
      done: (file, ms) =>
        log.info(
          { height: header.height, statements: file.body.statements, signatures: file.signatures.length, ms },
          'checkpoint made; gathering signatures',
        ),
      stopped: (error) => error instanceof CheckpointStopped,
    })?.finally(() => {
      this.#making = undefined;
    });
  }

  async #make(view: StateView, header: BlockHeader): Promise<CheckpointFile> {
    const { chain } = this.components;
    let tree: StatementTree;
    try {
      const last = this.files.heights()[0];
      const expected = last === undefined ? 0 : this.files.file(last)!.body.statements;
      tree = await buildStatementTree(view, () => this.#stopping, expected);
    } finally {
      await view.close();
    }
    const validators = (await chain.getRecord(StateKey.validatorSet(header.validatorsHash))) as string[] | undefined;
    const commit = await chain.getCommit(header.height);
    if (!validators || !commit) throw new Error(`block ${header.height}'s validator set or commit is missing`);
    const body = checkpointBodyOf(header, commit.blockHash, tree);
    const file: CheckpointFile = {
      kind: 'checkpoint',
      version: CHECKPOINT_VERSION,
      body,
      signatures: [],
      witnesses: [],
      header,
      commit: commit as Commit,
      validators,
    };
    const members = new Set(validators);
    for (const key of this.components.keys()) {
      if (members.has(key.publicKey) && this.components.role !== 'observer')
        file.signatures.push(signCheckpoint(key.secretKey, key.publicKey, body));
      else if (this.init.witness && this.components.role === 'observer' && file.witnesses.length === 0)
        file.witnesses.push(signCheckpoint(key.secretKey, key.publicKey, body));
    }
    await this.files.save(file, tree);
    this.counters.made++;
    this.#gathering.set(body.height, Date.now() + GATHER_MS);
    void this.#gather();
    return file;
  }

  /** Asks every connected peer for the signatures of the checkpoints still gathering; one pass at a time. */
  async #gather(): Promise<void> {
    if (this.#gatheringPass) return;
    this.#gatheringPass = true;
    try {
      await this.#gatherPass();
    } finally {
      this.#gatheringPass = false;
    }
  }

  async #gatherPass(): Promise<void> {
    const { network, chain, log } = this.components;
    const now = Date.now();
    for (const [height, until] of this.#gathering) {
      const file = this.files.file(height);
      if (!file || now > until || file.signatures.length === file.validators.length) {
        this.#gathering.delete(height);
        continue;
      }
      for (const peer of network.libp2p.getPeers()) {
        if (this.#stopping) return;
        try {
          const frame = await exchange(
            {
              libp2p: network.libp2p,
              protocol: checkpointProtocol(network.chainId),
              peerId: peer.toString(),
              name: 'checkpoint',
              frameBytesMax: CKP_FRAME_BYTES_MAX,
              timeoutMs: 10_000,
            },
            { type: 'signatures', height },
            (read) => read(CKP_FRAME_BYTES_MAX, signaturesFrameSchema),
          );
          const current = this.files.file(height)!;
          const merged = await mergeSignatures(current, frame, chain.verify, (key) => this.#isWitness(key));
          if (merged) await this.files.update(merged);
        } catch (error) {
          log.debug({ peer: peer.toString(), height, error: String(error) }, 'checkpoint signatures not fetched');
        }
      }
    }
  }

  /** A witness is an active observer office of the chain. */
  async #isWitness(key: string): Promise<boolean> {
    const record = (await this.components.chain.getRecord(StateKey.authority(key))) as
      { role?: string; status?: string } | undefined;
    return record?.role === 'observer' && record.status === 'active';
  }

  async #respond(request: CkpRequest, reply: Reply<CkpErrorCode>): Promise<boolean> {
    const file = this.files.file(request.height);
    if (!file) return reply.refuse(CkpErrorCode.unavailable, `no checkpoint at height ${request.height} here`);
    await reply.write({
      type: 'signatures',
      height: request.height,
      id: checkpointId(file.body),
      signatures: file.signatures,
      witnesses: file.witnesses,
    });
    return true;
  }

  /** Resolves when no checkpoint is being made. */
  async settled(): Promise<void> {
    await this.#making;
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#unsubscribe?.();
    this.sets.stop();
    if (this.#timer) clearInterval(this.#timer);
    await this.components.network.libp2p
      .unhandle(checkpointProtocol(this.components.network.chainId))
      .catch(() => undefined);
    await this.#making;
    await this.#reading;
  }
}

/**
 * The file with the peer's signatures added that verify for this node's own body: a peer that
 * computed another statement root (or lies) adds nothing. Undefined when nothing was added.
 */
export async function mergeSignatures(
  file: CheckpointFile,
  frame: {
    id: string;
    signatures: { key: string; signature: string }[];
    witnesses: { key: string; signature: string }[];
  },
  verify: Verifier,
  isWitness: (key: string) => Promise<boolean>,
): Promise<CheckpointFile | undefined> {
  if (frame.id !== checkpointId(file.body)) return undefined;
  const message = checkpointMessage(file.body);
  const valid = (entry: { key: string; signature: string }) =>
    checkpointSignatureVerifies(verify, file.body, entry, message);
  const members = new Set(file.validators);
  const signed = new Set(file.signatures.map((entry) => entry.key));
  const witnessed = new Set(file.witnesses.map((entry) => entry.key));
  const signatures = [...file.signatures];
  const witnesses = [...file.witnesses];
  for (const entry of frame.signatures)
    if (members.has(entry.key) && !signed.has(entry.key) && valid(entry)) {
      signatures.push(entry);
      signed.add(entry.key);
    }
  for (const entry of frame.witnesses) {
    if (witnesses.length >= CHECKPOINT_WITNESSES_MAX) break;
    if (!witnessed.has(entry.key) && !members.has(entry.key) && valid(entry) && (await isWitness(entry.key))) {
      witnesses.push(entry);
      witnessed.add(entry.key);
    }
  }
  if (signatures.length === file.signatures.length && witnesses.length === file.witnesses.length) return undefined;
  signatures.sort((a, b) => (a.key < b.key ? -1 : 1));
  return { ...file, signatures, witnesses };
}
