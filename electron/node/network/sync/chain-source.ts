// A SyncSource over the node's chain: serves the stored bytes as they are (already canonical
// CBOR, checked when they were committed), and reports the head.
import { decode } from '../../../../shared/codec/index.js';
import { blockHash, schema } from '../../../../shared/ledger/index.js';
import { BLOCK_BYTES_MAX } from '../../store/index.js';
import type { SyncSource, SyncStatus } from '../interface.js';

/** What the source needs of Chain (structural, so the network does not depend on the chain module). */
export interface ServableChain {
  readonly head: { height: number; hash: string };
  readonly store: {
    readonly snapshotBase?: { height: number } | undefined;
    getBlockBytes(height: number): Promise<Uint8Array | undefined>;
    getCommitBytes(height: number): Promise<Uint8Array | undefined>;
  };
}

export function chainSyncSource(chain: ServableChain): SyncSource {
  let genesisHash: string | undefined;
  return {
    async status(): Promise<SyncStatus> {
      genesisHash ??= await readGenesisHash(chain);
      const { height, hash } = chain.head;
      return { genesisHash, height, headHash: hash };
    },
    getBlockBytes: (height) => chain.store.getBlockBytes(height),
    getCommitBytes: (height) => chain.store.getCommitBytes(height),
    firstHeight: () => chain.store.snapshotBase?.height ?? 1,
  };
}

async function readGenesisHash(chain: ServableChain): Promise<string> {
  const bytes = await chain.store.getBlockBytes(0);
  if (!bytes) throw new Error('the chain has no genesis block');
  return blockHash(schema.block.parse(decode(bytes, BLOCK_BYTES_MAX)).header);
}
