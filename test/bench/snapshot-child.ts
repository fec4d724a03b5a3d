// Child processes of the snapshot figure, so that each side's peak RSS is its own.
//   serve OBJECTS DIR JOINER_PEER_ID: streams a genesis of OBJECTS bench objects into a new
//     chain at DIR (the same import as the scale figure), commits two empty blocks signed by the
//     dev validators, makes the snapshot of the head, serves the sync and snapshot protocols on
//     loopback, prints one JSON line (its address and times) and serves until stdin closes.
//   join DIR ADDRESS: joins from the snapshot the server at ADDRESS offers into DIR/chain.joining
//     (notary start --join-snapshot's code, its own network), checks the store opens at the
//     snapshot's head, prints one JSON line.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Chain } from '../../electron/node/chain/chain.js';
import { createFastVerifier } from '../../electron/node/crypto/fast-verify.js';
import { VerifyPool } from '../../electron/node/crypto/verify-pool.js';
import { createNetwork } from '../../electron/node/network/create.js';
import { chainSyncSource } from '../../electron/node/network/sync/chain-source.js';
import { snapshotClient } from '../../electron/node/snapshot/client.js';
import { SnapshotFiles } from '../../electron/node/snapshot/files.js';
import { joinFromSnapshot, joinWorkerCount } from '../../electron/node/snapshot/join.js';
import { makeSnapshot } from '../../electron/node/snapshot/maker.js';
import { snapshotProtocol } from '../../electron/node/snapshot/protocol.js';
import { SnapshotServer } from '../../electron/node/snapshot/server.js';
import { ChainStore } from '../../electron/node/store/index.js';
import { devKeys } from '../../electron/node/dev/demo-registry.js';
import { signVote } from '../../shared/chain/commit.js';
import { blockHash, type Genesis } from '../../shared/ledger/index.js';
import { benchGenesis, benchProperty } from './common.js';

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const progressLog = {
  ...silent,
  info: (fields: Record<string, unknown>, message: string) =>
    process.stderr.write(
      `[snapshot] ${message} ${JSON.stringify(fields)} rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB\n`,
    ),
  warn: (fields: Record<string, unknown>, message: string) =>
    process.stderr.write(`[snapshot] WARN ${message} ${JSON.stringify(fields)}\n`),
};

const peaks = { anonKiB: 0, fileKiB: 0 };
const sampler = setInterval(() => {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
    peaks.anonKiB = Math.max(peaks.anonKiB, kib('RssAnon'));
    peaks.fileKiB = Math.max(peaks.fileKiB, kib('RssFile'));
  } catch {
    // not Linux
  }
}, 250);

const [mode, ...args] = process.argv.slice(2);

if (mode === 'serve') {
  const objects = Number(args[0]);
  const dir = args[1]!;
  const joinerPeerId = args[2]!;
  function* properties() {
    for (let i = 0; i < objects; i++) yield benchProperty(i);
  }
  const genesis = benchGenesis(0, false);
  const started = performance.now();
  // The objects streamed as the import streams an objects file (Chain.open imports a store without a head).
  const chain = await Chain.open({
    dir: join(dir, 'chain'),
    genesis: { ...genesis, properties: properties() as unknown as Genesis['properties'] },
  });
  const importMs = performance.now() - started;
  progressLog.info({ objects, importMs: Math.round(importMs) }, 'server: genesis imported');
  const importRssBytes = process.resourceUsage().maxRSS * 1024;
  const importPeaks = { ...peaks };
  for (let i = 0; i < 2; i++) {
    const { block } = await chain.propose([], {
      timeMs: chain.head.header.timeMs + 1_000,
      proposer: devKeys.registrar.publicKey,
    });
    const hash = blockHash(block.header);
    const signatures = [devKeys.notary, devKeys.registrar].map((key) =>
      signVote(key.secretKey, chain.chainId, 'precommit', block.header.height, 0, hash),
    );
    await chain.commit(block, { height: block.header.height, round: 0, blockHash: hash, signatures });
  }
  const makeStarted = performance.now();
  const files = new SnapshotFiles(join(dir, 'snapshots'));
  await files.load(silent);
  const made = await makeSnapshot({
    dir: files.dir,
    view: chain.store.stateView(),
    chainId: chain.chainId,
    height: chain.head.height,
    blockHash: chain.head.hash,
    stateRoot: chain.head.header.stateRoot,
    chunkBytesTarget: 2 * 1024 * 1024,
  });
  await files.add(made.manifest.height);
  const makeMs = performance.now() - makeStarted;
  progressLog.info({ makeMs: Math.round(makeMs), chunks: made.manifest.chunks.length }, 'server: snapshot made');
  const network = await createNetwork({
    chainId: chain.chainId,
    allowedPeers: [joinerPeerId],
    syncSource: chainSyncSource(chain),
  });
  await network.libp2p.handle(
    snapshotProtocol(chain.chainId),
    new SnapshotServer({ files, chain, log: silent }).handle,
  );
  console.log(
    JSON.stringify({
      address: network.multiaddrs()[0],
      importMs,
      importRssBytes,
      importRssAnonBytes: importPeaks.anonKiB * 1024,
      makeMs,
      makePhasesMs: made.phasesMs,
      chunks: made.manifest.chunks.length,
      pairs: made.pairs,
      bytes: made.bytes,
      height: chain.head.height,
      stateRoot: chain.head.header.stateRoot,
    }),
  );
  process.stdin.resume();
  process.stdin.once('end', async () => {
    await network.stop();
    await chain.close();
    process.exit(0);
  });
} else if (mode === 'join') {
  const dir = args[0]!;
  const address = args[1]!;
  const genesis = benchGenesis(0, false);
  const network = await createNetwork({
    chainId: genesis.chainId,
    identityFile: join(dir, 'node-key'),
    bootstrap: [address],
    allowedPeers: [address.split('/p2p/')[1]!],
  });
  // as notary start does (join-start.ts); NOTARY_BENCH_JOIN_WORKERS=N compares another count (0: none)
  const pool = new VerifyPool({ workers: Number(process.env.NOTARY_BENCH_JOIN_WORKERS ?? joinWorkerCount()) });
  const started = performance.now();
  const result = await joinFromSnapshot({
    pool,
    dir: join(dir, 'chain.joining'),
    genesis,
    client: snapshotClient(network.libp2p, snapshotProtocol(genesis.chainId)),
    requestBlocks: (peerId, from, to) => network.requestBlocks(peerId, from, to),
    peers: () => network.syncPeerIds(),
    verify: createFastVerifier(),
    log: progressLog,
  });
  const joinMs = performance.now() - started;
  await pool.close();
  await network.stop();
  const store = await ChainStore.open(join(dir, 'chain.joining'), { chainId: genesis.chainId });
  const head = store.head;
  await store.close();
  clearInterval(sampler);
  console.log(
    JSON.stringify({
      joinMs,
      phasesMs: result.phasesMs,
      pairs: result.pairs,
      chunks: result.chunks,
      bytes: result.bytes,
      height: head?.height,
      stateRoot: head?.stateRoot,
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      peakRssAnonBytes: peaks.anonKiB * 1024,
      peakRssFileBytes: peaks.fileKiB * 1024,
    }),
  );
  process.exit(0);
} else {
  throw new Error('usage: snapshot-child.ts serve OBJECTS DIR JOINER_PEER_ID | join DIR ADDRESS');
}
