// The snapshots a node serves, on disk under DATA/snapshots/<height>/: `manifest.cbor` and
// `chunks/<index>`, each chunk exactly the bytes a client checks. A folder is complete once
// renamed from `<height>.partial` (the maker checks the whole snapshot against the state root
// first), so a crash leaves at most a `.partial` folder, removed at the next start.
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { decode } from '../../../shared/codec/index.js';
import {
  SNAPSHOT_CHUNK_BYTES_MAX,
  SNAPSHOT_MANIFEST_BYTES_MAX,
  offerOf,
  snapshotManifestSchema,
  type SnapshotManifest,
  type SnapshotOffer,
} from '../../../shared/snapshot/index.js';

export const MANIFEST_FILE = 'manifest.cbor';
export const CHUNKS_DIR = 'chunks';
export const PARTIAL_SUFFIX = '.partial';

interface Held {
  manifest: SnapshotManifest;
  manifestBytes: Uint8Array;
}

export class SnapshotFiles {
  readonly #held = new Map<number, Held>();

  constructor(readonly dir: string) {}

  /** Reads the complete snapshots on disk and removes partial ones; a folder that does not read is removed too. */
  async load(log: { warn(fields: object, message: string): void }): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    for (const name of await readdir(this.dir)) {
      const path = join(this.dir, name);
      if (!/^\d+$/.test(name)) {
        if (name.endsWith(PARTIAL_SUFFIX)) await rm(path, { recursive: true, force: true });
        continue;
      }
      try {
        await this.add(Number(name));
      } catch (error) {
        log.warn({ snapshot: name, error: String(error) }, 'a snapshot folder does not read; removed');
        await rm(path, { recursive: true, force: true });
      }
    }
  }

  /** Takes a completed snapshot folder into what is served. */
  async add(height: number): Promise<SnapshotManifest> {
    const manifestBytes = new Uint8Array(await readFile(join(this.dir, String(height), MANIFEST_FILE)));
    const manifest = snapshotManifestSchema.parse(decode(manifestBytes, SNAPSHOT_MANIFEST_BYTES_MAX));
    if (manifest.height !== height)
      throw new Error(`the manifest in snapshot ${height} is for height ${manifest.height}`);
    this.#held.set(height, { manifest, manifestBytes });
    return manifest;
  }

  /** Newest first. */
  offers(max: number): SnapshotOffer[] {
    return this.heights()
      .slice(0, max)
      .map((height) => offerOf(this.#held.get(height)!.manifest));
  }

  heights(): number[] {
    return [...this.#held.keys()].sort((a, b) => b - a);
  }

  manifestBytes(height: number): Uint8Array | undefined {
    return this.#held.get(height)?.manifestBytes;
  }

  manifest(height: number): SnapshotManifest | undefined {
    return this.#held.get(height)?.manifest;
  }

  /** A chunk's bytes; undefined if no such snapshot or chunk. */
  async chunk(height: number, index: number): Promise<Uint8Array | undefined> {
    const entry = this.#held.get(height)?.manifest.chunks[index];
    if (!entry) return undefined;
    const bytes = new Uint8Array(await readFile(join(this.dir, String(height), CHUNKS_DIR, String(index))));
    if (bytes.length > SNAPSHOT_CHUNK_BYTES_MAX) throw new Error(`chunk ${index} of snapshot ${height} is too large`);
    return bytes;
  }

  /** Keeps the newest `keep` snapshots and removes the rest (disk stays bounded). */
  async prune(keep: number): Promise<number[]> {
    const removed = this.heights().slice(Math.max(1, keep));
    for (const height of removed) {
      this.#held.delete(height);
      await rm(join(this.dir, String(height)), { recursive: true, force: true });
    }
    return removed;
  }
}
