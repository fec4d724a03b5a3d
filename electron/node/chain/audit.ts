// Re-verifies a whole chain from genesis: every hash link, every commit certificate, and a
// replay of every block into a fresh in-memory state whose roots must equal the stored
// headers. Then the stored state must equal the replayed one. Damage is reported with its height.
import { decode, bytesEqual } from '../../../shared/codec/index.js';
import { checkExecution, checkLinks, executeOn, genesisExecution, MemoryChainState, verifyCommit } from '../../../shared/chain/index.js';
import type { Verifier } from '../../../shared/crypto/index.js';
import { blockHash, encodeStateValue, schema, type Block, type BlockHeader, type Genesis } from '../../../shared/ledger/index.js';
import { GET_MANY_KEYS_MAX, type ChainStore } from '../store/index.js';

export interface AuditProblem {
  height: number;
  message: string;
}

export interface AuditReport {
  ok: boolean;
  /** Highest height verified clean. */
  verifiedHeight: number;
  headHeight: number;
  transactions: number;
  problem?: AuditProblem;
}

export interface AuditOptions {
  verify: Verifier;
  /** Called after each verified block: long audits show progress. */
  onProgress?: (height: number, headHeight: number) => void;
}

export async function auditChain(store: ChainStore, genesis: Genesis, options: AuditOptions): Promise<AuditReport> {
  const headHeight = store.head?.height ?? -1;
  const report: AuditReport = { ok: false, verifiedHeight: -1, headHeight, transactions: 0 };
  const fail = (height: number, message: string): AuditReport => ({ ...report, problem: { height, message } });
  const memory = new MemoryChainState();
  let previous: BlockHeader | undefined;
  for (let height = 0; height <= headHeight; height++) {
    let block: Block;
    try {
      block = await readBlock(store, height);
      const commit = schema.commit.parse(decode(required(await store.getCommitBytes(height), 'commit certificate is missing')));
      const hash = blockHash(block.header);
      if ((await store.getHeightByHash(hash)) !== height) return fail(height, 'the block-hash index does not point at this block');
      if (height === 0) {
        const expected = await genesisExecution(genesis, memory.nodes);
        if (blockHash(expected.block.header) !== hash) return fail(0, 'the genesis block differs from the configured genesis');
        memory.apply(expected.execution);
      } else {
        checkLinks(block, previous!);
        const context = { chainId: genesis.chainId, height, timeMs: block.header.timeMs };
        const execution = await executeOn(memory, previous!.stateRoot, block.txs, context, { verify: options.verify });
        checkExecution(block, execution);
        verifyCommit(commit, hash, height, execution.validators, genesis.chainId, options.verify);
        memory.apply(execution);
      }
    } catch (error) {
      return fail(height, (error as Error).message);
    }
    previous = block.header;
    report.verifiedHeight = height;
    report.transactions += block.txs.length;
    options.onProgress?.(height, headHeight);
  }
  if (store.head && store.head.stateRoot !== memory.stateRoot) return fail(headHeight, 'the stored head state root differs from the replayed one');
  const stateProblem = await compareState(store, memory);
  if (stateProblem) return fail(headHeight, stateProblem);
  return { ...report, ok: true };
}

async function readBlock(store: ChainStore, height: number): Promise<Block> {
  const parsed = schema.block.safeParse(decode(required(await store.getBlockBytes(height), 'block is missing')));
  if (!parsed.success) throw new Error(`the stored block does not decode: ${parsed.error.issues[0]?.message}`);
  return parsed.data as Block;
}

function required<T>(value: T | undefined, message: string): T {
  if (value === undefined) throw new Error(message);
  return value;
}

/** Every replayed record must be stored byte for byte. */
async function compareState(store: ChainStore, memory: MemoryChainState): Promise<string | undefined> {
  const keys = [...memory.records.keys()];
  for (let start = 0; start < keys.length; start += GET_MANY_KEYS_MAX) {
    const chunk = keys.slice(start, start + GET_MANY_KEYS_MAX);
    const stored = await store.getStateMany(chunk);
    for (const key of chunk) {
      const bytes = stored.get(key);
      if (!bytes) return `state record ${key} is missing from the store`;
      if (!bytesEqual(bytes, encodeStateValue(memory.records.get(key)))) return `state record ${key} differs from the replayed chain`;
    }
  }
  return undefined;
}
