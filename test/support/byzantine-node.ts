// A byzantine validator as a real process (test/integration/byzantine.test.ts): it joins the
// devnet with a registered validator's libp2p identity and signing key, follows the heights
// from the honest validators' votes, and attacks in phases:
//   equivocate  two prevotes and two precommits for different blocks at each height it sees
//   invalid     proposals of blocks with a forged state root (as proposer and out of turn),
//               and block announcements with forged commits
//   replay      votes of earlier heights (its own and the honest ones) sent again
//   oversized   messages over the topic limits, published around the node's own size check
// It prints one JSON line per phase with what it sent, and a summary on SIGTERM.
// Usage: node --import tsx test/support/byzantine-node.ts --data DIR [--phase-ms 6000]
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import {
  decodeConsensusMessage,
  encodeConsensusMessage,
  signProposal,
  signVoteMessage,
  type Proposal,
  type Vote,
} from '../../shared/chain/messages.js';
import { signVote } from '../../shared/chain/commit.js';
import { bytesToHex } from '../../shared/codec/index.js';
import { blockHash, type Block, type Genesis } from '../../shared/ledger/index.js';
import { DataFiles } from '../../electron/node/config.js';
import { createNetwork, encodeBlockAnnouncement, TOPIC_BYTES_MAX } from '../../electron/node/network/index.js';

const { values } = parseArgs({
  options: { data: { type: 'string' }, 'phase-ms': { type: 'string', default: '6000' } },
});
const dataDir = values.data!;
const phaseMs = Number(values['phase-ms']);
const config = JSON.parse(await readFile(join(dataDir, DataFiles.config), 'utf8')) as {
  listen: string[];
  bootstrap: string[];
};
const genesis = JSON.parse(await readFile(join(dataDir, DataFiles.genesis), 'utf8')) as Genesis;
const key = JSON.parse(await readFile(join(dataDir, DataFiles.signingKey), 'utf8')) as {
  publicKey: string;
  secretKey: string;
};
const chainId = genesis.chainId;
const validators = genesis.authorities
  .filter((a) => a.role !== 'observer' && a.status !== 'suspended')
  .map((a) => a.key)
  .sort();
const randomHash = () => bytesToHex(randomBytes(32));

const network = await createNetwork({
  chainId,
  listen: config.listen,
  identityFile: join(dataDir, DataFiles.nodeKey),
  bootstrap: config.bootstrap,
  mdns: false,
  allowedPeers: genesis.authorities.flatMap((a) => (a.peerId ? [a.peerId] : [])),
});
const sent = {
  equivocations: 0,
  invalidProposals: 0,
  outOfTurnProposals: 0,
  forgedAnnouncements: 0,
  replayedVotes: 0,
  oversized: 0,
};
let height = 1;
let round = 0;
const oldVotes: Vote[] = [];
let lastProposal: Proposal | undefined;
network.subscribe('consensus', ({ bytes }) => {
  const message = decodeConsensusMessage(bytes);
  if (message.height > height || (message.height === height && message.round > round))
    [height, round] = [message.height, message.round];
  if (message.kind === 'vote' && oldVotes.length < 2_000) oldVotes.push(message);
  if (message.kind === 'proposal') lastProposal = message;
});
network.subscribe('tx', () => undefined);
network.subscribe('block', () => undefined);

const publish = (bytes: Uint8Array) => network.publish('consensus', bytes).catch(() => undefined);

function equivocate(): void {
  for (const h of [height, height + 1]) {
    for (const type of ['prevote', 'precommit'] as const) {
      void publish(encodeConsensusMessage(signVoteMessage(key.secretKey, chainId, type, h, round, randomHash())));
      void publish(encodeConsensusMessage(signVoteMessage(key.secretKey, chainId, type, h, round, randomHash())));
      sent.equivocations++;
    }
  }
}

function forgedBlock(base: Block, h: number): Block {
  return {
    ...base,
    header: { ...base.header, height: h, proposer: key.publicKey, stateRoot: randomHash(), appHash: randomHash() },
  };
}

function invalid(): void {
  if (!lastProposal) return;
  for (let r = round; r < round + 4; r++) {
    const block = forgedBlock(lastProposal.block, height);
    const proposal = signProposal(key.secretKey, chainId, block, r, -1, blockHash(block.header));
    void publish(encodeConsensusMessage(proposal));
    if (validators[(height + r) % validators.length] === key.publicKey) sent.invalidProposals++;
    else sent.outOfTurnProposals++;
  }
  // A block announcement whose commit only we signed: not a quorum.
  const block = forgedBlock(lastProposal.block, height);
  const hash = blockHash(block.header);
  const commit = {
    height,
    round: 0,
    blockHash: hash,
    signatures: [signVote(key.secretKey, chainId, 'precommit', height, 0, hash)],
  };
  void network.publish('block', encodeBlockAnnouncement({ block, commit })).catch(() => undefined);
  sent.forgedAnnouncements++;
}

function replay(): void {
  for (const vote of oldVotes.filter((v) => v.height < height - 1).slice(-40)) {
    void publish(encodeConsensusMessage(vote));
    sent.replayedVotes++;
  }
  const own = signVoteMessage(key.secretKey, chainId, 'precommit', Math.max(1, height - 3), 0, randomHash());
  void publish(encodeConsensusMessage(own));
  sent.replayedVotes++;
}

async function oversized(): Promise<void> {
  const pubsub = network.libp2p.services.pubsub;
  // Around NotaryNetwork.publish, which would refuse these: straight into gossipsub.
  for (const [kind, bytes] of [
    ['tx', TOPIC_BYTES_MAX.tx + 1],
    ['tx', 1024 * 1024],
    ['consensus', TOPIC_BYTES_MAX.consensus + 1],
  ] as const) {
    await pubsub.publish(network.topic(kind), randomBytes(bytes)).catch(() => undefined);
    sent.oversized++;
  }
}

const phases: Array<[string, () => void | Promise<void>]> = [
  ['equivocate', equivocate],
  ['invalid', invalid],
  ['replay', replay],
  ['oversized', oversized],
];
console.log(JSON.stringify({ started: true, peerId: network.peerId, key: key.publicKey }));
process.on('SIGTERM', () => {
  console.log(JSON.stringify({ summary: sent, height }));
  void network.stop().finally(() => process.exit(0));
});
for (const [name, act] of phases) {
  const end = Date.now() + phaseMs;
  while (Date.now() < end) {
    await act();
    await new Promise((resolve) => setTimeout(resolve, name === 'oversized' ? 1_000 : 400));
  }
  console.log(JSON.stringify({ phase: name, height, sent }));
}
console.log(JSON.stringify({ done: true, sent, height }));
await network.stop();
process.exit(0);
