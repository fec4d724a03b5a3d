// The checkpoints a node made, on disk under DATA/checkpoints/<height>/: `checkpoint.json` (the
// file a bank keeps: body, signatures, witnesses, header, commit, validators), `layer.bin` (the
// 2^k bucket heads a verifier holds) and `entries.bin` (the sorted statement entries the node
// proves from: 64 bytes a statement, kept for the newest `keepEntries` checkpoints only). Every
// file is written durably, the folder's files before the JSON that names the checkpoint whole.
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { checkpointFileSchema, type CheckpointFile, type StatementTree } from '../../../shared/checkpoint/index.js';
import { writeFileDurably } from '../store/durable-file.js';
import { loadStatementTree } from './tree-worker.js';

const FILE = 'checkpoint.json';
const LAYER = 'layer.bin';
const ENTRIES = 'entries.bin';

export class CheckpointFiles {
  readonly #files = new Map<number, CheckpointFile>();
  /** The one tree kept in memory: the last proved from, or the one being read back (once, for every request waiting on it). */
  #tree: { height: number; tree: Promise<StatementTree> } | undefined;

  constructor(
    readonly dir: string,
    private readonly keepEntries = 2,
  ) {}

  /** Reads what earlier runs made; a folder without a valid checkpoint.json is one a crash cut short, and is removed. */
  async load(log: { warn(fields: object, message: string): void }): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    for (const name of await readdir(this.dir)) {
      if (!/^\d{1,16}$/.test(name)) continue;
      try {
        const parsed = checkpointFileSchema.safeParse(JSON.parse(await readFile(join(this.dir, name, FILE), 'utf8')));
        if (!parsed.success || parsed.data.body.height !== Number(name)) throw new Error('not a checkpoint file');
        this.#files.set(Number(name), parsed.data);
      } catch (error) {
        log.warn(
          { height: Number(name), err: error },
          'a checkpoint left unfinished is removed; it is made again at the next period',
        );
        await rm(join(this.dir, name), { recursive: true, force: true });
      }
    }
  }

  /** Heights held, newest first. */
  heights(): number[] {
    return [...this.#files.keys()].sort((a, b) => b - a);
  }

  file(height: number): CheckpointFile | undefined {
    return this.#files.get(height);
  }

  /** Writes a new checkpoint with its tree, then forgets the entries of all but the newest `keepEntries`. */
  async save(file: CheckpointFile, tree: StatementTree): Promise<void> {
    const folder = join(this.dir, String(file.body.height));
    await mkdir(folder, { recursive: true, mode: 0o700 });
    await writeFileDurably(join(folder, ENTRIES), tree.entries);
    await writeFileDurably(join(folder, LAYER), tree.layer);
    await writeFileDurably(join(folder, FILE), JSON.stringify(file));
    this.#files.set(file.body.height, file);
    this.#tree = { height: file.body.height, tree: Promise.resolve(tree) };
    for (const height of this.heights().slice(this.keepEntries))
      await rm(join(this.dir, String(height), ENTRIES), { force: true });
  }

  /** Rewrites a checkpoint's file with the signatures gathered since. */
  async update(file: CheckpointFile): Promise<void> {
    await writeFileDurably(join(this.dir, String(file.body.height), FILE), JSON.stringify(file));
    this.#files.set(file.body.height, file);
  }

  /** Whether the statements of a checkpoint are still kept, to prove from. */
  async hasEntries(height: number): Promise<boolean> {
    if (!this.#files.has(height)) return false;
    return stat(join(this.dir, String(height), ENTRIES)).then(
      () => true,
      () => false,
    );
  }

  async layer(height: number): Promise<Uint8Array | undefined> {
    if (!this.#files.has(height)) return undefined;
    return new Uint8Array(await readFile(join(this.dir, String(height), LAYER)));
  }

  /** The statement tree of a checkpoint whose entries are still kept, checked against its signed root. */
  async tree(height: number): Promise<StatementTree | undefined> {
    if (this.#tree?.height === height) return this.#tree.tree;
    const file = this.#files.get(height);
    if (!file || !(await this.hasEntries(height))) return undefined;
    if (this.#tree?.height === height) return this.#tree.tree; // another request started reading it meanwhile
    // read and checked on a worker thread: at 7.4 million statements, 452 MiB and half a minute of hashing
    const tree = loadStatementTree(join(this.dir, String(height), ENTRIES), file.body.statementRoot);
    const kept = { height, tree };
    this.#tree = kept;
    // a failed read is not kept: the next request tries again
    tree.catch(() => {
      if (this.#tree === kept) this.#tree = undefined;
    });
    return tree;
  }
}
