// The serving side of snapshot sync, as one part of the node: it makes a snapshot of the state
// every `intervalBlocks` blocks (and at start when it has none), keeps the newest `keep` on
// disk, and answers the snapshot protocol. The state of a height is read through a LevelDB
// snapshot taken while the committer holds the next block back (its subscribers run in turn),
// so the view is exactly that height's even though blocks keep committing while it is cut.
import { join } from 'node:path';
import type { Libp2p } from '@libp2p/interface';
import type { Chain } from '../chain/chain.js';
import type { Committer } from '../chain/committer.js';
import type { NetworkLogger } from '../network/interface.js';
import { readHead } from '../store/head-reader.js';
import { SnapshotFiles } from './files.js';
import { makeSnapshot, SnapshotStopped } from './maker.js';
import { snapshotProtocol } from './protocol.js';
import { SnapshotServer } from './server.js';

export const SNAPSHOTS_DIR = 'snapshots';

export interface SnapshotServiceInit {
  /** A snapshot every this many blocks (heights divisible by it). Default 1,000; 0 makes none. */
  intervalBlocks?: number;
  /** Snapshots kept on disk (at least one). Default 2. */
  keep?: number;
  /** Chunks are split while over this many bytes. Default 2 MiB. */
  chunkBytesTarget?: number;
}

export interface SnapshotServiceComponents {
  dataDir: string;
  chain: Chain;
  committer: Pick<Committer, 'onCommitted'>;
  network: { readonly libp2p: Libp2p; readonly chainId: string };
  log: NetworkLogger;
}

export function snapshotService(init: SnapshotServiceInit = {}) {
  return (components: SnapshotServiceComponents) => new SnapshotService(init, components);
}

export class SnapshotService {
  readonly files: SnapshotFiles;
  readonly server: SnapshotServer;
  #making: Promise<void> | undefined;
  #stopping = false;
  #unsubscribe: (() => void) | undefined;

  constructor(
    private readonly init: SnapshotServiceInit,
    private readonly components: SnapshotServiceComponents,
  ) {
    this.files = new SnapshotFiles(join(components.dataDir, SNAPSHOTS_DIR));
    this.server = new SnapshotServer({ files: this.files, chain: components.chain, log: components.log });
  }

  get intervalBlocks(): number {
    return this.init.intervalBlocks ?? 1_000;
  }

  async start(): Promise<void> {
    const { network, committer, chain } = this.components;
    await this.files.load(this.components.log);
    await network.libp2p.handle(snapshotProtocol(network.chainId), this.server.handle, {
      maxInboundStreams: 16,
      runOnLimitedConnection: false,
    });
    if (this.intervalBlocks === 0) return;
    this.#unsubscribe = committer.onCommitted(({ block }) => {
      if (block.header.height % this.intervalBlocks === 0) this.take();
    });
    // A node with none yet (a new one, or one that just joined) offers its head.
    if (this.files.heights().length === 0 && chain.head.height >= 1) this.take();
  }

  /** Makes a snapshot of the head in the background, unless one is being made. Returns at once. */
  take(): void {
    if (this.#making || this.#stopping) return;
    const { chain, log } = this.components;
    const header = chain.head.header;
    const blockHash = chain.head.hash;
    this.#making = readHead({
      store: chain.store,
      height: header.height,
      what: 'snapshot',
      log,
      work: (view) =>
        makeSnapshot({
          dir: this.files.dir,
          view,
          chainId: chain.chainId,
          height: header.height,
          blockHash,
          stateRoot: header.stateRoot,
          chunkBytesTarget: this.init.chunkBytesTarget ?? 2 * 1024 * 1024,
          stopped: () => this.#stopping,
        }),
      done: async (made, ms) => {
        await this.files.add(header.height);
        const removed = await this.files.prune(this.init.keep ?? 2);
        log.info(
          {
            height: header.height,
            chunks: made.manifest.chunks.length,
            pairs: made.pairs,
            bytes: made.bytes,
            ms,
            removed,
          },
          'snapshot made and offered',
        );
      },
      stopped: (error) => error instanceof SnapshotStopped,
    })?.finally(() => {
      this.#making = undefined;
    });
  }

  /** Resolves when no snapshot is being made. */
  async settled(): Promise<void> {
    await this.#making;
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#unsubscribe?.();
    await this.components.network.libp2p
      .unhandle(snapshotProtocol(this.components.network.chainId))
      .catch(() => undefined);
    await this.#making;
  }
}
