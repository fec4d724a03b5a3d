// The public ballot board and turnout (docs/elections.md C.1): an index the node derives from its
// committed blocks, in its own LevelDB beside the chain (`<data>/election-index`), as CometBFT's
// transaction indexer sits beside its block store. It is not consensus state: it can lag the head
// by the block being indexed, and it can always be rebuilt from the blocks (delete the folder).
// One loop indexes block after block; each block's rows and the height indexed so far are one
// LevelDB batch, so a crash leaves the index at a block boundary and the next start goes on
// from there.
//
//   key (UTF-8)                          -> value (CBOR)
//   m!height                             -> the last height indexed
//   m!from                               -> the first height indexed (later than 1 on a node that
//                                           joined from a snapshot: elections created before it are
//                                           not on its board)
//   e!<election>                         -> { height }: the election's creation, as indexed
//   b!<election>!<seq, 12 digits>        -> { tracker, credential, district, height }
//   t!<election>!<tracker hex>           -> seq
//   c!<election>!<credential hex>        -> the seq of the credential's last ballot
//   s!<election>                         -> turnout { ballots, districts: {name: {ballots, voters}},
//                                           hours: {hourStartMs: ballots} }
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { bytesToHex, decode, encode } from '../../../../shared/codec/index.js';
import { sha256 } from '../../../../shared/crypto/index.js';
import type { AnyTransaction } from '../../../../shared/ledger/primitives.js';
import { ElectionKey, type CredentialRecord } from '../../../../shared/modules/election/types.js';
import type { Block } from '../../../../shared/ledger/index.js';
import type { Chain } from '../../chain/chain.js';
import type { Committer } from '../../chain/committer.js';
import { DataFiles } from '../../config.js';

/** Blocks indexed in one LevelDB batch while catching up. */
const CATCH_UP_BLOCKS = 64;
/** Committed blocks held for the board to index from memory; a board further behind reads the store. */
const COMMITTED_HELD_MAX = 8;
/** A page of the board holds at most this many ballots. */
export const BOARD_PAGE_MAX = 100;
/** Counting the ballots that match a tracker prefix stops here (a 4-hex-digit prefix matches ~1/65,536 of them). */
export const BOARD_COUNT_MAX = 10_000;
const HOUR_MS = 3_600_000;
const SEQ_DIGITS = 12;

export interface BoardBallot {
  tracker: string;
  credential: string;
  district: string;
  height: number;
}

export interface Turnout {
  ballots: number;
  districts: Record<string, { ballots: number; voters: number }>;
  hours: Record<string, number>;
}

export interface BoardPage {
  ballots: Array<BoardBallot & { replaced: boolean }>;
  next?: string;
  total: number;
}

type BoardChain = Pick<Chain, 'head' | 'getBlock' | 'getRecord'>;

const seqKey = (seq: number) => String(seq).padStart(SEQ_DIGITS, '0');

export class ElectionBoard {
  readonly #db: ClassicLevel<string, Uint8Array>;
  #height = 0;
  #from = 0;
  #running: Promise<void> | undefined;
  #again = false;
  #stopped = false;
  #unsubscribe: (() => void) | undefined;
  /** Blocks committed since the board last caught up, by height (bounded: the oldest leave first). */
  readonly #committed = new Map<number, Block>();
  #failure: Error | undefined;

  constructor(
    dir: string,
    private readonly components: {
      chain: BoardChain;
      committer: Pick<Committer, 'onCommitted'>;
      log: { warn(fields: object, message: string): void };
    },
  ) {
    this.#db = new ClassicLevel<string, Uint8Array>(dir, { keyEncoding: 'utf8', valueEncoding: 'view' });
  }

  /** The last height on the board. */
  get height(): number {
    return this.#height;
  }

  /** The first height on the board (1 unless the node joined from a snapshot). */
  get from(): number {
    return this.#from;
  }

  async start(): Promise<void> {
    await this.#db.open();
    this.#height = (await this.#get<number>('m!height')) ?? 0;
    const from = await this.#get<number>('m!from');
    if (from === undefined) {
      // the first block this node holds after genesis: 1, or the block after a snapshot's base
      let first = 1;
      while (first <= this.components.chain.head.height && !(await this.components.chain.getBlock(first))) first++;
      this.#from = first;
      this.#height = first - 1;
      await this.#db.batch([
        { type: 'put', key: 'm!from', value: encode(first) },
        { type: 'put', key: 'm!height', value: encode(first - 1) },
      ]);
    } else this.#from = from;
    this.#unsubscribe = this.components.committer.onCommitted(({ block }) => {
      // the block just committed is in memory: indexed from there, not read back and decoded
      if (this.#committed.size >= COMMITTED_HELD_MAX) this.#committed.delete(this.#committed.keys().next().value!);
      this.#committed.set(block.header.height, block);
      this.#kick();
    });
    this.#kick();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#unsubscribe?.();
    await this.#running;
    await this.#db.close();
  }

  /** Resolves once the board holds every block up to `height` (or the head). */
  async caughtUp(height = this.components.chain.head.height): Promise<void> {
    while (this.#height < height && !this.#stopped) {
      if (this.#failure) throw this.#failure;
      this.#kick();
      await (this.#running ?? Promise.resolve());
      if (this.#height < height) await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  #kick(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = (async () => {
      try {
        do {
          this.#again = false;
          await this.#catchUp();
        } while (this.#again && !this.#stopped);
        this.#failure = undefined;
      } catch (error) {
        // the chain goes on; the board says how far it got, and the next block tries again
        this.#failure = error as Error;
        this.components.log.warn({ error: (error as Error).message, height: this.#height }, 'election board stalled');
      } finally {
        this.#running = undefined;
      }
    })();
  }

  async #catchUp(): Promise<void> {
    const { chain } = this.components;
    while (!this.#stopped && this.#height < chain.head.height) {
      const last = Math.min(chain.head.height, this.#height + CATCH_UP_BLOCKS);
      const writer = new BoardWriter(this.#db, chain);
      for (let height = this.#height + 1; height <= last; height++) {
        const block = this.#committed.get(height) ?? (await chain.getBlock(height));
        this.#committed.delete(height);
        if (!block) throw new Error(`block ${height} is missing from this node's store`);
        await writer.index(block);
      }
      await writer.flush(last);
      this.#height = last;
    }
  }

  async #get<T>(key: string): Promise<T | undefined> {
    const bytes = await this.#db.get(key);
    return bytes === undefined ? undefined : (decode(bytes) as T);
  }

  /** Whether the board holds the election from its creation on. */
  async holds(election: string): Promise<boolean> {
    return (await this.#get<{ height: number }>(`e!${election}`)) !== undefined;
  }

  /** Every election the board has seen created, newest first. */
  async elections(limit: number): Promise<string[]> {
    const found: Array<{ id: string; height: number }> = [];
    for await (const [key, value] of this.#db.iterator({ gt: 'e!', lt: 'e"' }))
      found.push({ id: key.slice(2), height: (decode(value) as { height: number }).height });
    return found
      .sort((a, b) => b.height - a.height)
      .slice(0, limit)
      .map((entry) => entry.id);
  }

  async turnout(election: string): Promise<Turnout> {
    return (await this.#get<Turnout>(`s!${election}`)) ?? { ballots: 0, districts: {}, hours: {} };
  }

  /**
   * A page of the board in cast order: after `cursor` (the last seq of the previous page), or, with
   * a tracker prefix, the ballots whose tracker starts with it, in tracker order after `cursor`
   * (the last tracker of the previous page).
   */
  async page(election: string, options: { tracker?: string; after?: string; limit: number }): Promise<BoardPage> {
    const limit = Math.min(Math.max(1, options.limit), BOARD_PAGE_MAX);
    const prefix = `b!${election}!`;
    let seqs: number[];
    let next: string | undefined;
    let total: number;
    if (options.tracker !== undefined) {
      const base = `t!${election}!${options.tracker}`;
      // from the prefix itself (a whole tracker is a key equal to it), or after the previous page's last
      const range =
        options.after && options.after.startsWith(options.tracker)
          ? { gt: `t!${election}!${options.after}`, lt: `${base}~` }
          : { gte: base, lt: `${base}~` };
      seqs = [];
      let lastTracker = '';
      for await (const [key, value] of this.#db.iterator({ ...range, limit: limit + 1 })) {
        if (seqs.length === limit) {
          next = lastTracker;
          break;
        }
        seqs.push(decode(value) as number);
        lastTracker = key.slice(`t!${election}!`.length);
      }
      total = 0;
      for await (const _key of this.#db.keys({ gte: base, lt: `${base}~`, limit: BOARD_COUNT_MAX })) total++;
    } else {
      const after = options.after === undefined ? -1 : Number(options.after);
      const rows: number[] = [];
      for await (const key of this.#db.keys({
        gt: after < 0 ? prefix : `${prefix}${seqKey(after)}`,
        lt: `${prefix}~`,
        limit: limit + 1,
      }))
        rows.push(Number(key.slice(prefix.length)));
      seqs = rows.slice(0, limit);
      if (rows.length > limit) next = String(seqs.at(-1));
      total = (await this.turnout(election)).ballots;
    }
    const values = await this.#db.getMany(seqs.map((seq) => `${prefix}${seqKey(seq)}`));
    const ballots = values.map((bytes) => decode(bytes!) as BoardBallot);
    const lasts = await this.#db.getMany(ballots.map((ballot) => `c!${election}!${ballot.credential}`));
    return {
      ballots: ballots.map((ballot, i) => ({
        ...ballot,
        replaced: lasts[i] !== undefined && (decode(lasts[i]) as number) !== seqs[i],
      })),
      ...(next !== undefined ? { next } : {}),
      total,
    };
  }
}

/** The rows of a run of blocks, with the counters they change kept in memory until the batch is written. */
class BoardWriter {
  readonly #ops: Array<{ type: 'put'; key: string; value: Uint8Array }> = [];
  readonly #seqs = new Map<string, number>();
  readonly #turnouts = new Map<string, Turnout>();
  readonly #lasts = new Map<string, number>();

  constructor(
    private readonly db: ClassicLevel<string, Uint8Array>,
    private readonly chain: BoardChain,
  ) {}

  async #read<T>(key: string): Promise<T | undefined> {
    const bytes = await this.db.get(key);
    return bytes === undefined ? undefined : (decode(bytes) as T);
  }

  async #turnout(election: string): Promise<Turnout> {
    let turnout = this.#turnouts.get(election);
    if (!turnout) {
      turnout = (await this.#read<Turnout>(`s!${election}`)) ?? { ballots: 0, districts: {}, hours: {} };
      this.#turnouts.set(election, turnout);
    }
    return turnout;
  }

  async index(block: Block): Promise<void> {
    const height = block.header.height;
    for (const tx of block.txs as AnyTransaction[]) {
      if (tx.type === 'election.create') {
        const id = (tx.payload as { id: string }).id;
        this.#ops.push({ type: 'put', key: `e!${id}`, value: encode({ height }) });
        continue;
      }
      if (tx.type !== 'election.cast') continue;
      const { election, ballot } = tx.payload as { election: string; ballot: Uint8Array };
      // an election created before this node's first block is not on its board
      if (!this.#seqs.has(election) && (await this.#read(`e!${election}`)) === undefined) {
        if (!this.#ops.some((op) => op.key === `e!${election}`)) continue;
      }
      const credential = tx.signatures[0]!.key;
      const record = (await this.chain.getRecord(ElectionKey.credential(credential))) as CredentialRecord | undefined;
      const district = record?.district ?? '';
      const seq = this.#seqs.get(election) ?? (await this.#read<number>(`n!${election}`)) ?? 0;
      this.#seqs.set(election, seq + 1);
      const tracker = bytesToHex(sha256(ballot));
      const row: BoardBallot = { tracker, credential, district, height };
      this.#ops.push(
        { type: 'put', key: `b!${election}!${seqKey(seq)}`, value: encode(row) },
        { type: 'put', key: `t!${election}!${tracker}`, value: encode(seq) },
        { type: 'put', key: `c!${election}!${credential}`, value: encode(seq) },
      );
      const lastKey = `c!${election}!${credential}`;
      const votedBefore = this.#lasts.has(lastKey) || (await this.#read<number>(lastKey)) !== undefined;
      this.#lasts.set(lastKey, seq);
      const turnout = await this.#turnout(election);
      turnout.ballots++;
      const inDistrict = (turnout.districts[district] ??= { ballots: 0, voters: 0 });
      inDistrict.ballots++;
      if (!votedBefore) inDistrict.voters++;
      const hour = String(Math.floor(block.header.timeMs / HOUR_MS) * HOUR_MS);
      turnout.hours[hour] = (turnout.hours[hour] ?? 0) + 1;
    }
  }

  async flush(height: number): Promise<void> {
    for (const [election, seq] of this.#seqs) this.#ops.push({ type: 'put', key: `n!${election}`, value: encode(seq) });
    for (const [election, turnout] of this.#turnouts)
      this.#ops.push({ type: 'put', key: `s!${election}`, value: encode(turnout) });
    this.#ops.push({ type: 'put', key: 'm!height', value: encode(height) });
    await this.db.batch(this.#ops);
  }
}

/** The node's board, in `<data>/election-index` beside its chain. */
export function electionBoard(parts: {
  dataDir: string;
  chain: BoardChain;
  committer: Pick<Committer, 'onCommitted'>;
  log: { child(bindings: object): { warn(fields: object, message: string): void } };
}): ElectionBoard {
  return new ElectionBoard(join(parts.dataDir, DataFiles.electionIndex), {
    chain: parts.chain,
    committer: parts.committer,
    log: parts.log.child({ part: 'election-board' }),
  });
}
