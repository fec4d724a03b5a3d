// The heights at which the chain's validator set changed (docs/protocol.md REQ-CKP.5), so that a
// checkpoint bundle can carry the changes from genesis to its checkpoint: a verifier holding only
// a genesis document then follows the set to the checkpoint's. Kept in
// DATA/checkpoints/set-changes.json: the heights found and how far the headers were read. A node
// reads the headers it has not read yet in the background at start (a node that joined from a
// snapshot at B reads from B, and its bundles lack the changes before B), then one per commit.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { SetChange } from '../../../shared/checkpoint/index.js';
import { decode } from '../../../shared/codec/index.js';
import { schema, StateKey, type BlockHeader } from '../../../shared/ledger/index.js';
import type { Chain } from '../chain/chain.js';
import { blockSpans } from '../chain/block-spans.js';
import { writeFileDurably } from '../store/durable-file.js';

const FILE = 'set-changes.json';
const SAVE_EVERY_HEADERS = 10_000;

const indexSchema = z.strictObject({
  /** The last height whose header was compared with the one before it. */
  readTo: z.number().int().nonnegative(),
  /** The first height read (1, or a snapshot's base): changes below it are not known here. */
  from: z.number().int().nonnegative(),
  heights: z.array(z.number().int().positive()).max(100_000),
});

export class SetChangeIndex {
  #index: z.infer<typeof indexSchema> = { readTo: 0, from: 1, heights: [] };
  #previousHash: string | undefined;
  #stopping = false;

  constructor(
    private readonly dir: string,
    private readonly chain: Pick<Chain, 'head' | 'getRecord' | 'getCommit'> & {
      readonly store: Chain['store'];
    },
  ) {}

  get readTo(): number {
    return this.#index.readTo;
  }

  /** Whether the index covers every height from 1 (a node that joined from a snapshot does not). */
  get complete(): boolean {
    return this.#index.from <= 1;
  }

  async load(): Promise<void> {
    try {
      const parsed = indexSchema.safeParse(JSON.parse(await readFile(join(this.dir, FILE), 'utf8')));
      if (parsed.success) this.#index = parsed.data;
    } catch {
      // none yet, or cut short by a crash: read again from the start
    }
    const base = this.chain.store.snapshotBase?.height;
    if (base !== undefined && this.#index.readTo < base) this.#index = { readTo: base, from: base, heights: [] };
  }

  async #header(height: number): Promise<BlockHeader> {
    const bytes = await this.chain.store.getBlockBytes(height);
    if (!bytes) throw new Error(`block ${height} is missing from the store`);
    const span = blockSpans(bytes).header;
    return schema.blockHeader.parse(decode(bytes.subarray(span.start, span.end)));
  }

  /** Reads the headers from where it stopped to the head, saving now and then. */
  async catchUp(): Promise<void> {
    let since = 0;
    while (!this.#stopping && this.#index.readTo < this.chain.head.height) {
      const height = this.#index.readTo + 1;
      this.#previousHash ??= (await this.#header(this.#index.readTo)).validatorsHash;
      const hash = (await this.#header(height)).validatorsHash;
      if (hash !== this.#previousHash) this.#index.heights.push(height);
      this.#previousHash = hash;
      this.#index.readTo = height;
      if (++since % SAVE_EVERY_HEADERS === 0) await this.save();
    }
    await this.save();
  }

  async save(): Promise<void> {
    await writeFileDurably(join(this.dir, FILE), JSON.stringify(this.#index));
  }

  stop(): void {
    this.#stopping = true;
  }

  /** The changes from genesis to `height`, each proved by header h − 2 (REQ-CKP.5). */
  async changesTo(height: number): Promise<SetChange[]> {
    const changes: SetChange[] = [];
    for (const at of this.#index.heights.filter((changed) => changed <= height && changed >= 3)) {
      const header = await this.#header(at - 2);
      const commit = await this.chain.getCommit(at - 2);
      const validators = await this.chain.getRecord(StateKey.validatorSet(header.validatorsHash));
      const next = await this.chain.getRecord(StateKey.validatorSet((await this.#header(at)).validatorsHash));
      if (!commit || !Array.isArray(validators) || !Array.isArray(next))
        throw new Error(`the proof of the validator set change at height ${at} is missing from the store`);
      changes.push({ header, commit, validators: validators as string[], nextValidators: next as string[] });
    }
    return changes;
  }
}
