// Makes the snapshot of one height from a consistent view of the state rows (ChainStore.stateView):
// the rows are spread over 256 bucket files by the first byte of their key hash (the view is in
// key order, chunks are in key-hash order), then each run of buckets, or each bucket, is sorted
// and cut into chunks (shared/snapshot/chunker.ts). Memory stays at one bucket (~7 MB at 7.4
// million objects). Before the snapshot is offered, its chunk roots must join into the height's
// state root: a node never serves a snapshot it has not checked itself.
import { createHash } from 'node:crypto';
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { syncDirectory } from '../store/durable-file.js';
import { join } from 'node:path';
import { bytesToHex, encode, hexToBytes } from '../../../shared/codec/index.js';
import {
  SNAPSHOT_VERSION,
  chunkSortedPairs,
  type SnapshotChunkEntry,
  type SnapshotManifest,
  type SnapshotPair,
} from '../../../shared/snapshot/index.js';
import { joinSubtrees } from '../../../shared/smt/index.js';
import { writeFileDurably } from '../store/durable-file.js';
import type { StateView } from '../store/index.js';
import { CHUNKS_DIR, MANIFEST_FILE, PARTIAL_SUFFIX } from './files.js';

export interface MakeSnapshotInit {
  /** DATA/snapshots */
  dir: string;
  view: StateView;
  chainId: string;
  height: number;
  blockHash: string;
  stateRoot: string;
  /** A chunk is split while its encoding is above this. */
  chunkBytesTarget: number;
  /** Polled between pages; true stops the make (the partial folder is removed). */
  stopped?: () => boolean;
  onProgress?: (phase: 'rows' | 'chunks', done: number) => void;
}

export interface MadeSnapshot {
  manifest: SnapshotManifest;
  pairs: number;
  bytes: number;
  phasesMs: { rows: number; chunks: number };
}

const BUCKETS = 256;
const BUCKET_DEPTH = 8;
const BUCKET_FLUSH_BYTES = 256 * 1024;

function sha256(bytes: Uint8Array): Uint8Array {
  return createHash('sha256').update(bytes).digest();
}

class Stopped extends Error {}

export async function makeSnapshot(init: MakeSnapshotInit): Promise<MadeSnapshot> {
  const partial = join(init.dir, `${init.height}${PARTIAL_SUFFIX}`);
  const final = join(init.dir, String(init.height));
  await rm(partial, { recursive: true, force: true });
  await mkdir(join(partial, CHUNKS_DIR), { recursive: true, mode: 0o700 });
  const started = performance.now();
  try {
    const bucketSizes = new Array<number>(BUCKETS).fill(0);
    const files: FileHandle[] = [];
    let pairs = 0;
    try {
      for (let i = 0; i < BUCKETS; i++) files.push(await open(join(partial, `bucket-${i}`), 'w'));
      const pending: Uint8Array[][] = Array.from({ length: BUCKETS }, () => []);
      const pendingBytes = new Array<number>(BUCKETS).fill(0);
      const flush = async (bucket: number) => {
        if (pendingBytes[bucket] === 0) return;
        await files[bucket]!.write(Buffer.concat(pending[bucket]!));
        pending[bucket] = [];
        pendingBytes[bucket] = 0;
      };
      for await (const page of init.view.rows(1_000)) {
        if (init.stopped?.()) throw new Stopped();
        for (const [key, value] of page) {
          const keyBytes = Buffer.from(key, 'utf8');
          const bucket = sha256(keyBytes)[0]!;
          const head = Buffer.allocUnsafe(8);
          head.writeUInt32BE(keyBytes.length, 0);
          head.writeUInt32BE(value.length, 4);
          pending[bucket]!.push(head, keyBytes, value);
          pendingBytes[bucket]! += 8 + keyBytes.length + value.length;
          bucketSizes[bucket]! += keyBytes.length + value.length + 12;
          if (pendingBytes[bucket]! >= BUCKET_FLUSH_BYTES) await flush(bucket);
          pairs++;
        }
        init.onProgress?.('rows', pairs);
      }
      for (let i = 0; i < BUCKETS; i++) await flush(i);
    } finally {
      for (const file of files) await file.close();
      await init.view.close();
    }
    const rowsDone = performance.now();

    const entries: SnapshotChunkEntry[] = [];
    let bytes = 0;
    const readBuckets = async (lo: number, hi: number): Promise<SnapshotPair[]> => {
      const list: SnapshotPair[] = [];
      for (let bucket = lo; bucket < hi; bucket++) {
        const file = await open(join(partial, `bucket-${bucket}`), 'r');
        const data = await file.readFile();
        await file.close();
        for (let at = 0; at < data.length;) {
          const keyLength = data.readUInt32BE(at);
          const valueLength = data.readUInt32BE(at + 4);
          const keyBytes = data.subarray(at + 8, at + 8 + keyLength);
          const value = new Uint8Array(data.subarray(at + 8 + keyLength, at + 8 + keyLength + valueLength));
          at += 8 + keyLength + valueLength;
          list.push({ key: keyBytes.toString('utf8'), value, keyHash: sha256(keyBytes), valueHash: sha256(value) });
        }
      }
      return list.sort((a, b) => Buffer.compare(a.keyHash, b.keyHash));
    };
    // Top-down over the buckets: a prefix above the bucket depth that fits the target is one
    // run of buckets cut together; else its halves; at the bucket depth, one bucket at a time.
    const plan = async (lo: number, hi: number, depth: number): Promise<void> => {
      if (init.stopped?.()) throw new Stopped();
      let size = 0;
      for (let bucket = lo; bucket < hi; bucket++) size += bucketSizes[bucket]!;
      if (size === 0) return;
      if (size > init.chunkBytesTarget && depth < BUCKET_DEPTH) {
        const middle = (lo + hi) / 2;
        await plan(lo, middle, depth + 1);
        await plan(middle, hi, depth + 1);
        return;
      }
      const sorted = await readBuckets(lo, hi);
      for (const made of chunkSortedPairs(sorted, depth, init.chunkBytesTarget)) {
        const file = await open(join(partial, CHUNKS_DIR, String(entries.length)), 'w');
        try {
          await file.write(made.bytes);
          await file.sync();
        } finally {
          await file.close();
        }
        entries.push(made.entry);
        bytes += made.bytes.length;
      }
      init.onProgress?.('chunks', entries.length);
    };
    await plan(0, BUCKETS, 0);
    for (let i = 0; i < BUCKETS; i++) await rm(join(partial, `bucket-${i}`), { force: true });

    // The snapshot's own check: its chunk roots make the state root of its height.
    const root = joinSubtrees(
      entries.map((entry) => ({
        path: hexToBytes(entry.path),
        depth: entry.depth,
        subtree: { hash: hexToBytes(entry.root), kind: entry.pairs === 1 ? 'leaf' : 'internal' },
      })),
    );
    if (bytesToHex(root.hash) !== init.stateRoot)
      throw new Error(
        `the snapshot of height ${init.height} joins into root ${bytesToHex(root.hash).slice(0, 16)}…, not the state root ${init.stateRoot.slice(0, 16)}…: not offered`,
      );
    const manifest: SnapshotManifest = {
      version: SNAPSHOT_VERSION,
      chainId: init.chainId,
      height: init.height,
      blockHash: init.blockHash,
      stateRoot: init.stateRoot,
      chunks: entries,
    };
    await writeFileDurably(join(partial, MANIFEST_FILE), encode(manifest));
    await rm(final, { recursive: true, force: true });
    await rename(partial, final);
    await syncDirectory(init.dir);
    return { manifest, pairs, bytes, phasesMs: { rows: rowsDone - started, chunks: performance.now() - rowsDone } };
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    throw error;
  }
}

export { Stopped as SnapshotStopped };
