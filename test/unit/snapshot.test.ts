// Snapshot checks: the manifest against a certified header, each chunk against its entry, and
// the light client's header chain. Every tampering must be refused with its code.
import { describe, expect, it } from 'vitest';
import { bytesToHex, decode, encode, utf8 } from '../../shared/codec/index.js';
import { generateKeyPair, sha256, verify, type KeyPair } from '../../shared/crypto/index.js';
import {
  appHashOf,
  LATEST_PROTOCOL,
  blockHash,
  ZERO_HASH,
  txRootOf,
  type BlockHeader,
  type Commit,
  type ValidatorSchedule,
} from '../../shared/ledger/index.js';
import { validatorsHash } from '../../shared/modules/authority/validators.js';
import { signVote } from '../../shared/chain/commit.js';
import { SmtLeafTable, buildSmtBulk } from '../../shared/smt/index.js';
import {
  LightClient,
  SnapshotErrorCode,
  chunkSortedPairs,
  verifyChunk,
  verifyManifest,
  type SnapshotManifest,
  type SnapshotPair,
} from '../../shared/snapshot/index.js';

const CHAIN = 'snapshot-test';

function pairsOf(count: number, seed = 'p'): SnapshotPair[] {
  const pairs: SnapshotPair[] = [];
  for (let i = 0; i < count; i++) {
    const key = `obj/${seed}-${i}`;
    const value = encode({ id: `${seed}-${i}`, area: i * 7, note: 'x'.repeat(i % 50) });
    pairs.push({ key, value, keyHash: sha256(utf8(key)), valueHash: sha256(value) });
  }
  return pairs.sort((a, b) => Buffer.compare(a.keyHash, b.keyHash));
}

async function rootOf(pairs: SnapshotPair[]): Promise<string> {
  const table = new SmtLeafTable();
  for (const pair of pairs) table.add(pair.keyHash, pair.valueHash);
  return bytesToHex(await buildSmtBulk(table, table.sortedOrder(), { node: () => undefined, flush: () => undefined }));
}

function headerFor(stateRoot: string, height = 40): BlockHeader {
  return {
    chainId: CHAIN,
    height,
    prevHash: 'ab'.repeat(32),
    timeMs: 1_000,
    proposer: 'cd'.repeat(32),
    txRoot: txRootOf([]),
    stateRoot,
    validatorsHash: 'ef'.repeat(32),
    appHash: '12'.repeat(32),
  };
}

async function snapshotOf(pairs: SnapshotPair[], targetBytes: number) {
  const header = headerFor(await rootOf(pairs));
  const made = chunkSortedPairs(pairs, 0, targetBytes);
  const manifest: SnapshotManifest = {
    version: 1,
    chainId: CHAIN,
    height: header.height,
    blockHash: blockHash(header),
    stateRoot: header.stateRoot,
    chunks: made.map((chunk) => chunk.entry),
  };
  return { header, manifest, chunks: made.map((chunk) => chunk.bytes) };
}

function refusal(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

describe('snapshot manifest and chunks', () => {
  it('accepts an honest snapshot: the chunk roots join into the state root and every chunk checks [REQ-SNAP.2] [REQ-SNAP.3]', async () => {
    for (const [count, target] of [
      [1, 1_000],
      [2, 10],
      [300, 2_000],
      [2_000, 4_096],
    ] as const) {
      const pairs = pairsOf(count);
      const { header, manifest, chunks } = await snapshotOf(pairs, target);
      const nodes = new Map<string, Uint8Array>();
      const sink = (hash: Uint8Array, bytes: Uint8Array) => nodes.set(bytesToHex(hash), bytes);
      verifyManifest(decode(encode(manifest)), header, sink);
      const restored = manifest.chunks.flatMap((entry, i) => verifyChunk(entry, chunks[i]!, sink));
      expect(restored.map((pair) => pair.key)).toEqual(pairs.map((pair) => pair.key));
      // the nodes the client stores are exactly the whole tree's
      const whole = new Map<string, Uint8Array>();
      const table = new SmtLeafTable();
      for (const pair of pairs) table.add(pair.keyHash, pair.valueHash);
      await buildSmtBulk(table, table.sortedOrder(), {
        node: (h, b) => whole.set(bytesToHex(h), b),
        flush: () => undefined,
      });
      expect([...nodes.keys()].sort()).toEqual([...whole.keys()].sort());
      if (count >= 300) expect(manifest.chunks.length).toBeGreaterThan(4);
    }
  });

  it('cuts the same chunks from node:crypto Buffers as from Uint8Arrays, leaving the key hashes unchanged [REQ-SNAP.3]', async () => {
    const pairs = pairsOf(200);
    const buffers = pairs.map((pair) => ({
      ...pair,
      keyHash: Buffer.from(pair.keyHash),
      valueHash: Buffer.from(pair.valueHash),
    }));
    const before = buffers.map((pair) => bytesToHex(pair.keyHash));
    const made = chunkSortedPairs(buffers, 0, 1_000);
    expect(buffers.map((pair) => bytesToHex(pair.keyHash))).toEqual(before);
    expect(made.map((chunk) => chunk.entry)).toEqual(chunkSortedPairs(pairs, 0, 1_000).map((chunk) => chunk.entry));
  });

  it('refuses a chunk with a changed record, a missing pair, an extra pair or pairs out of order [REQ-SNAP.3]', async () => {
    const pairs = pairsOf(400);
    const { manifest, chunks } = await snapshotOf(pairs, 2_000);
    const index = manifest.chunks.findIndex((entry) => entry.pairs >= 3);
    const entry = manifest.chunks[index]!;
    const mine = decode(chunks[index]!) as Array<[string, Uint8Array]>;
    const withEntry = (list: Array<[string, Uint8Array]>, change: Partial<typeof entry> = {}) => {
      const bytes = encode(list);
      return refusal(() => verifyChunk({ ...entry, bytes: bytes.length, pairs: list.length, ...change }, bytes));
    };
    // a changed record
    const changed = mine.map(([key, value], i): [string, Uint8Array] => [
      key,
      i === 1 ? encode({ forged: true }) : value,
    ]);
    expect(withEntry(changed)).toBe(SnapshotErrorCode.chunkRoot);
    // a missing pair (the manifest's count and size kept: refused before hashing)
    expect(refusal(() => verifyChunk(entry, encode(mine.slice(1))))).toBe(SnapshotErrorCode.chunkInvalid);
    // a missing pair, with a count and size to match
    expect(withEntry(mine.slice(1))).toBe(SnapshotErrorCode.chunkRoot);
    // an extra pair of another chunk
    const other = decode(chunks[(index + 1) % chunks.length]!) as Array<[string, Uint8Array]>;
    expect(withEntry([...mine, other[0]!])).toBe(SnapshotErrorCode.chunkOrder);
    // a pair repeated
    expect(withEntry([mine[0]!, ...mine])).toBe(SnapshotErrorCode.chunkOrder);
    // two pairs swapped
    expect(withEntry([mine[1]!, mine[0]!, ...mine.slice(2)])).toBe(SnapshotErrorCode.chunkOrder);
    // a wrong root in the entry
    expect(refusal(() => verifyChunk({ ...entry, root: 'aa'.repeat(32) }, chunks[index]!))).toBe(
      SnapshotErrorCode.chunkRoot,
    );
    // not CBOR pairs at all
    const junk = encode({ pairs: 'nope' });
    expect(refusal(() => verifyChunk({ ...entry, bytes: junk.length }, junk))).toBe(SnapshotErrorCode.chunkInvalid);
    // the honest chunk still passes
    expect(verifyChunk(entry, chunks[index]!)).toHaveLength(entry.pairs);
  });

  it('refuses a manifest that does not hash to the state root, names another block, or has overlapping chunks [REQ-SNAP.2]', async () => {
    const pairs = pairsOf(300);
    const { header, manifest } = await snapshotOf(pairs, 2_000);
    const wrongRoot = structuredClone(manifest);
    wrongRoot.chunks[2]!.root = 'bb'.repeat(32);
    expect(refusal(() => verifyManifest(wrongRoot, header))).toBe(SnapshotErrorCode.manifestRoot);
    const dropped = { ...manifest, chunks: manifest.chunks.slice(1) };
    expect(refusal(() => verifyManifest(dropped, header))).toBe(SnapshotErrorCode.manifestRoot);
    const swapped = { ...manifest, chunks: [manifest.chunks[1]!, manifest.chunks[0]!, ...manifest.chunks.slice(2)] };
    expect(refusal(() => verifyManifest(swapped, header))).toBe(SnapshotErrorCode.manifestInvalid);
    const overlapping = {
      ...manifest,
      chunks: [{ ...manifest.chunks[0]!, depth: 0, path: '' }, ...manifest.chunks.slice(1)],
    };
    expect(refusal(() => verifyManifest(overlapping, header))).toBe(SnapshotErrorCode.manifestInvalid);
    const otherHeader = { ...header, stateRoot: 'cc'.repeat(32) };
    expect(refusal(() => verifyManifest(manifest, otherHeader))).toBe(SnapshotErrorCode.manifestRoot);
    expect(refusal(() => verifyManifest({ ...manifest, height: 41 }, header))).toBe(SnapshotErrorCode.manifestInvalid);
    const badPath = structuredClone(manifest);
    badPath.chunks[0]!.path = 'ff';
    expect(refusal(() => verifyManifest(badPath, header))).not.toBeUndefined();
    expect(verifyManifest(manifest, header).chunks).toHaveLength(manifest.chunks.length);
  });
});

// ---- light client ----

function sortedKeys(pairs: KeyPair[]): string[] {
  return pairs.map((pair) => pair.publicKey).sort();
}

function commitOf(header: BlockHeader, signers: KeyPair[]): Commit {
  const hash = blockHash(header);
  return {
    height: header.height,
    round: 0,
    blockHash: hash,
    signatures: signers.map((key) => signVote(key.secretKey, CHAIN, 'precommit', header.height, 0, hash)),
  };
}

/** Headers 0..n; the set changes from `first` to `second` at height `changeAt` (scheduled two heights before). */
function chainOf(n: number, first: KeyPair[], second: KeyPair[], changeAt: number) {
  const setAt = (height: number) => (height >= changeAt ? second : first);
  const headers: BlockHeader[] = [];
  for (let height = 0; height <= n; height++) {
    const stateRoot = bytesToHex(sha256(utf8(`state ${height}`)));
    headers.push({
      chainId: CHAIN,
      height,
      prevHash: height === 0 ? ZERO_HASH : blockHash(headers[height - 1]!),
      timeMs: 1_000 + height,
      proposer: height === 0 ? ZERO_HASH : setAt(height)[0]!.publicKey,
      txRoot: txRootOf([]),
      stateRoot,
      validatorsHash: validatorsHash(sortedKeys(setAt(height))),
      appHash: appHashOf(stateRoot, validatorsHash(sortedKeys(setAt(height + 2))), LATEST_PROTOCOL),
    });
  }
  return { headers, setAt };
}

describe('light client', () => {
  const first = [1, 2, 3, 4].map((i) => generateKeyPair(sha256(utf8(`v${i}`))));
  const second = [5, 6, 7].map((i) => generateKeyPair(sha256(utf8(`v${i}`))));
  const schedule: ValidatorSchedule = [{ fromHeight: 0, validators: sortedKeys(first) }];
  const client = () => new LightClient({ chainId: CHAIN, genesisTimeMs: 1_000, schedule, verify });

  it('follows headers across a validator-set change, each commit checked by the set the headers scheduled [REQ-SNAP.4]', () => {
    const { headers, setAt } = chainOf(8, first, second, 5);
    const light = client();
    light.acceptGenesis(headers[0]!);
    for (let h = 1; h <= 8; h++)
      light.accept(headers[h]!, commitOf(headers[h]!, setAt(h).slice(0, 3)), sortedKeys(setAt(h)));
    expect(light.head?.height).toBe(8);
  });

  it('refuses a header with a bad commit, a set the chain did not schedule, or a broken link [REQ-SNAP.4]', () => {
    const { headers, setAt } = chainOf(8, first, second, 5);
    const upTo = (height: number) => {
      const light = client();
      light.acceptGenesis(headers[0]!);
      for (let h = 1; h < height; h++) light.accept(headers[h]!, commitOf(headers[h]!, setAt(h)), sortedKeys(setAt(h)));
      return light;
    };
    // too few precommits (2 of 4)
    expect(
      refusal(() => upTo(3).accept(headers[3]!, commitOf(headers[3]!, first.slice(0, 2)), sortedKeys(first))),
    ).toBe(SnapshotErrorCode.commitInvalid);
    // signed by the old set after the change
    expect(refusal(() => upTo(5).accept(headers[5]!, commitOf(headers[5]!, first), sortedKeys(second)))).toBe(
      SnapshotErrorCode.commitInvalid,
    );
    // a forged signature
    const forged = commitOf(headers[3]!, first);
    forged.signatures[0] = { ...forged.signatures[0]!, signature: forged.signatures[1]!.signature };
    expect(refusal(() => upTo(3).accept(headers[3]!, forged, sortedKeys(first)))).toBe(SnapshotErrorCode.commitInvalid);
    // a header naming a set of its own choosing, with a commit by that set
    const mallory = [8, 9, 10].map((i) => generateKeyPair(sha256(utf8(`m${i}`))));
    const hijacked = { ...headers[4]!, validatorsHash: validatorsHash(sortedKeys(mallory)) };
    expect(refusal(() => upTo(4).accept(hijacked, commitOf(hijacked, mallory), sortedKeys(mallory)))).toBe(
      SnapshotErrorCode.headerInvalid,
    );
    // a set served that is not the header's
    expect(refusal(() => upTo(3).accept(headers[3]!, commitOf(headers[3]!, first), sortedKeys(second)))).toBe(
      SnapshotErrorCode.headerInvalid,
    );
    // a header that skips a height or does not link
    expect(refusal(() => upTo(3).accept(headers[4]!, commitOf(headers[4]!, first), sortedKeys(first)))).toBe(
      SnapshotErrorCode.headerInvalid,
    );
    const unlinked = { ...headers[3]!, prevHash: 'aa'.repeat(32) };
    expect(refusal(() => upTo(3).accept(unlinked, commitOf(unlinked, first), sortedKeys(first)))).toBe(
      SnapshotErrorCode.headerInvalid,
    );
    // a genesis header of other validators
    expect(refusal(() => client().acceptGenesis({ ...headers[0]!, validatorsHash: 'aa'.repeat(32) }))).toBe(
      SnapshotErrorCode.headerInvalid,
    );
  });
});
