// Re-verifies a whole chain from genesis: every hash link, every commit certificate, and a
// replay of every block, with every signature checked, into a scratch chain whose roots must
// equal the stored headers. Then the stored state must equal the replayed one. Damage is
// reported with its height and its row, kind and key: "row block 0: not the canonical
// encoding of its value", "row state-node 3fa2…: missing under the head state root".
//
// The replay runs against a scratch LevelDB store (a temporary directory, not fsync'ed,
// removed afterwards), so an audit's memory does not grow with the state: the genesis is
// bulk-imported as Chain.open does, and the states are compared page by page (issue #6,
// decision #14: the in-memory replay did not scale to 7.4 million objects).
//
// LevelDB does not verify table checksums on reads, so rows the replay never reads are checked
// too (issue 7): the state tree is walked from the head state root (every node present and
// hashing to its key), and the state, tree node, block-hash and index rows ('t', 'o', 'p') are
// compared with the ones the replay wrote, page by page in key order on both sides.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesEqual, compareBytes, decode, hexToBytes } from '../../../shared/codec/index.js';
import type { Verifier } from '../../../shared/crypto/index.js';
import { blockHash, schema, type Block, type Genesis } from '../../../shared/ledger/index.js';
import { SMT_DEPTH_MAX, decodeNode, isEmptyHash } from '../../../shared/smt/node.js';
import { EMPTY_STATE_ROOT, Prefix, type ChainStore } from '../store/index.js';
import { damageOf } from '../store/errors.js';
import { Keys, MetaName, decodeHeight, describeRow, rowOf, type RowName } from '../store/keys.js';
import { Chain } from './chain.js';

/** Tree nodes read per LevelDB getMany during the walk. */
const WALK_BATCH_NODES = 1_000;
/** Each batch adds at most two children per node, one level deeper: the stack never holds more. */
const WALK_STACK_NODES_MAX = 2 * WALK_BATCH_NODES * (SMT_DEPTH_MAX + 1);
/** Rows per page when comparing a namespace with the replay (values are small: at most 1 MiB state values). */
const COMPARE_PAGE_ROWS = 1_000;

export type AuditPhase = 'state tree' | 'rows';

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
  /** Where the scratch store goes (a new directory inside it). Default the OS temp directory. */
  scratchParent?: string;
  /** Called after each page of tree nodes or rows checked once the blocks are verified: the count so far. */
  onRowsProgress?: (phase: AuditPhase, checked: number) => void;
  /** The genesis objects file, when the genesis ships its objects in one (genesis-properties.ts). */
  genesisPropertiesFile?: string;
}

export async function auditChain(store: ChainStore, genesis: Genesis, options: AuditOptions): Promise<AuditReport> {
  const headHeight = store.head?.height ?? -1;
  const report: AuditReport = { ok: false, verifiedHeight: -1, headHeight, transactions: 0 };
  const fail = (height: number, message: string): AuditReport => ({ ...report, problem: { height, message } });
  const scratchDir = await mkdtemp(join(options.scratchParent ?? tmpdir(), 'notary-audit-'));
  let replay: Chain | undefined;
  try {
    for (let height = 0; height <= headHeight; height++) {
      let block: Block;
      // Each step names the row it read: a failure is that row's damage.
      const blockRow = rowOf(Keys.block(height));
      const commitRow = rowOf(Keys.commit(height));
      let row = blockRow;
      try {
        block = await readBlock(store, height);
        row = commitRow;
        const commit = schema.commit.parse(
          decode(required(await store.getCommitBytes(height), 'the commit certificate is missing')),
        );
        const hash = blockHash(block.header);
        if ((await store.getHeightByHash(hash)) !== height) {
          // The commit certificate names the block hash: it tells which of the two rows is wrong.
          if (commit.blockHash === hash)
            return fail(
              height,
              `${describeRow(rowOf(Keys.heightByHash(hash)))}: it does not point at height ${height}, whose block has this hash`,
            );
          return fail(
            height,
            `${describeRow(blockRow)}: its header does not hash to the block hash its commit certificate and the block-hash index name`,
          );
        }
        row = blockRow;
        if (height === 0) {
          replay = await Chain.open({
            dir: join(scratchDir, 'replay'),
            genesis,
            verify: options.verify,
            durable: false,
            ...(options.genesisPropertiesFile === undefined
              ? {}
              : { genesisPropertiesFile: options.genesisPropertiesFile }),
          });
          if (replay.head.hash !== hash)
            return fail(0, `${describeRow(blockRow)}: the genesis block differs from the configured genesis`);
        } else {
          // validate: links, re-execution with every signature checked, identical roots;
          // commit then checks the certificate against the validators of this height.
          await replay!.validate(block);
          row = commitRow;
          await replay!.commit(block, commit);
        }
      } catch (error) {
        return fail(height, damageMessage(error, row));
      }
      report.verifiedHeight = height;
      report.transactions += block.txs.length;
      options.onProgress?.(height, headHeight);
    }
    if (store.head && replay && store.head.stateRoot !== replay.head.header.stateRoot) {
      return fail(
        headHeight,
        `${describeRow(rowOf(Keys.meta(MetaName.head)))}: the stored head state root differs from the replayed one`,
      );
    }
    if (store.head && replay) {
      let problem: AuditProblem | undefined;
      try {
        problem = await checkRows(store, replay.store, store.head.stateRoot, headHeight, options.onRowsProgress);
      } catch (error) {
        // LevelDB failing a read here ("Corruption: bad entry in block") is damage like any other.
        problem = { height: headHeight, message: damageMessage(error, undefined) };
      }
      if (problem) return fail(problem.height, problem.message);
    }
    return { ...report, ok: true };
  } finally {
    await replay?.close().catch(() => undefined);
    await rm(scratchDir, { recursive: true, force: true });
  }
}

/**
 * "row block 0: not the canonical encoding of its value": the row a step read, then what is
 * wrong. Damage the store named itself (StoreDamage) keeps its own row.
 */
function damageMessage(error: unknown, row: RowName | undefined): string {
  const damage = damageOf(error);
  if (damage?.row) return `${describeRow(damage.row)}: ${damage.what}`;
  const what = damage ? damage.what : (error as Error).message;
  return row ? `${describeRow(row)}: ${what}` : what;
}

async function readBlock(store: ChainStore, height: number): Promise<Block> {
  const parsed = schema.block.safeParse(decode(required(await store.getBlockBytes(height), 'the block is missing')));
  if (!parsed.success) throw new Error(`the stored block does not decode: ${parsed.error.issues[0]?.message}`);
  return parsed.data as Block;
}

function required<T>(value: T | undefined, message: string): T {
  if (value === undefined) throw new Error(message);
  return value;
}

/** The state records first (the oldest check), then the head's tree, then every other small-row namespace. */
async function checkRows(
  store: ChainStore,
  replayed: ChainStore,
  stateRoot: string,
  headHeight: number,
  onProgress: AuditOptions['onRowsProgress'],
): Promise<AuditProblem | undefined> {
  let checked = 0;
  const progress = (phase: AuditPhase, rows: number) => {
    checked += rows;
    onProgress?.(phase, checked);
  };
  const stateProblem = await compareRows(store, replayed, Prefix.state, headHeight, progress);
  if (stateProblem) return stateProblem;
  const treeProblem = await walkStateTree(store, stateRoot, progress);
  if (treeProblem) return { height: headHeight, message: treeProblem };
  for (const prefix of [
    Prefix.smtNode,
    Prefix.heightByHash,
    Prefix.txLocation,
    Prefix.objectHistory,
    Prefix.partyObject,
  ]) {
    const problem = await compareRows(store, replayed, prefix, headHeight, progress);
    if (problem) return problem;
  }
  return undefined;
}

/**
 * Depth-first from the root, WALK_BATCH_NODES nodes per read: every node reachable from the
 * head state root must be stored and hash (shared/smt's own decodeNode) to its key.
 */
async function walkStateTree(
  store: ChainStore,
  stateRoot: string,
  progress: (phase: AuditPhase, rows: number) => void,
): Promise<string | undefined> {
  if (stateRoot === EMPTY_STATE_ROOT) return undefined;
  const stack: Uint8Array[] = [hexToBytes(stateRoot)];
  while (stack.length > 0) {
    const hashes = stack.splice(Math.max(0, stack.length - WALK_BATCH_NODES));
    const nodes = await store.getSmtNodesRaw(hashes);
    for (let i = 0; i < hashes.length; i++) {
      const where = describeRow(rowOf(Keys.smtNodeRaw(hashes[i]!)));
      const bytes = nodes[i];
      if (bytes === undefined) return `${where}: missing under the head state root`;
      let node;
      try {
        node = decodeNode(bytes, hashes[i]!);
      } catch (error) {
        return `${where}: damaged under the head state root (${(error as Error).message})`;
      }
      if (node.kind === 'leaf') continue;
      // Copies: the children must not pin the read buffers while the walk goes on.
      if (!isEmptyHash(node.right)) stack.push(node.right.slice());
      if (!isEmptyHash(node.left)) stack.push(node.left.slice());
    }
    if (stack.length > WALK_STACK_NODES_MAX) throw new Error(`invariant: the tree walk holds ${stack.length} nodes`);
    progress('state tree', hashes.length);
  }
  return undefined;
}

/** One namespace page by page in key order. */
class RowPager {
  private page: Array<[Uint8Array, Uint8Array]> = [];
  private at = 0;
  private after: Uint8Array | undefined;
  private done = false;

  constructor(
    private readonly store: ChainStore,
    private readonly prefix: number,
  ) {}

  async peek(): Promise<[Uint8Array, Uint8Array] | undefined> {
    if (this.at < this.page.length) return this.page[this.at];
    if (this.done) return undefined;
    this.page = await this.store.scanRows(this.prefix, this.after, { limit: COMPARE_PAGE_ROWS });
    this.at = 0;
    if (this.page.length < COMPARE_PAGE_ROWS) this.done = true;
    if (this.page.length > 0) this.after = this.page[this.page.length - 1]![0];
    return this.page[0];
  }

  skip(): void {
    this.at++;
  }
}

/** Every row of the namespace, in both stores, byte for byte; names the first that differs. */
async function compareRows(
  store: ChainStore,
  replayed: ChainStore,
  prefix: number,
  headHeight: number,
  progress: (phase: AuditPhase, rows: number) => void,
): Promise<AuditProblem | undefined> {
  const ours = new RowPager(store, prefix);
  const theirs = new RowPager(replayed, prefix);
  for (let rows = 1; ; rows++) {
    const [stored, expected] = [await ours.peek(), await theirs.peek()];
    if (stored === undefined && expected === undefined) return undefined;
    const order = stored === undefined ? 1 : expected === undefined ? -1 : compareBytes(stored[0], expected[0]);
    if (order < 0) return nameRow(stored!, 'in the store but not in the replayed chain', headHeight);
    if (order > 0) return nameRow(expected!, 'missing from the store', headHeight);
    if (!bytesEqual(stored![1], expected![1])) return nameRow(expected!, 'differs from the replayed chain', headHeight);
    ours.skip();
    theirs.skip();
    if (rows % COMPARE_PAGE_ROWS === 0) progress('rows', COMPARE_PAGE_ROWS);
  }
}

/** "row object-history BY-7-0001 at height 5, index 2: differs from the replayed chain", at the row's height when it has one. */
function nameRow([key, value]: [Uint8Array, Uint8Array], what: string, headHeight: number): AuditProblem {
  const body = key.subarray(1);
  const separator = body.indexOf(0);
  let height: number | undefined;
  switch (key[0]) {
    case Prefix.heightByHash:
      height = decodeHeight(value);
      break;
    case Prefix.txLocation:
      height = value.length === 12 ? decodeHeight(value.subarray(0, 8)) : undefined;
      break;
    case Prefix.objectHistory: {
      const tail = separator < 0 ? new Uint8Array() : body.subarray(separator + 1);
      height = tail.length === 12 ? decodeHeight(tail.subarray(0, 8)) : undefined;
      break;
    }
  }
  // A damaged row may decode to any height: the problem is then placed at the head.
  return {
    height: height !== undefined && height <= headHeight ? height : headHeight,
    message: `${describeRow(rowOf(key))}: ${what}`,
  };
}
