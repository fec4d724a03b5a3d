// The node's worker thread (node:worker_threads), started by VerifyPool (and for a checkpoint's
// statement tree, checkpoint/tree-worker.ts) and bundled as its own
// entry by electron/build.ts. Its jobs:
//  - verify: claims and checks chunks of a shared batch of ed25519 signatures with the node's
//    own verifier (createFastVerifier, no cache), then says it is done with the batch;
//  - decode: decodes synced blocks (CBOR, schemas) and computes their transactions' digests,
//    so the main thread only executes them;
//  - chunk: checks a snapshot chunk and packs the store rows it makes (snapshot/chunk-rows.ts),
//    so a joining node's main thread only receives chunks and writes rows;
//  - ballots: verifies ballots' proofs (election.cast), so a node admits a gossip batch of
//    ballots on its other cores; only passes are used (the rules' memo, proof-memo.ts).
//  - statements: builds a checkpoint's statement tree from the object rows posted to it, or
//    reads a kept one back (checkpoint/tree-worker.ts); such a job has a worker of its own.
import { parentPort } from 'node:worker_threads';
import { statementsJob, type StatementsRequest } from '../checkpoint/tree-worker.js';
import {
  blockDigestsOf,
  decodeCommittedBlock,
  type BlockDigests,
  type DecodedBlock,
} from '../../../shared/chain/decode.js';
import { packChunkRows, refusalOf, type ChunkRefusal, type PackedRows } from '../snapshot/chunk-rows.js';
import type { SnapshotChunkEntry } from '../../../shared/snapshot/index.js';
import { createFastVerifier } from './fast-verify.js';
import { installNodeSha256 } from './fast-hash.js';
import { verifyClaimed, type SharedBatch } from './verify-batch.js';
import { decodeBallot, sodiumGroup, verifyBallot, type Group } from '../../../shared/election/crypto/index.js';
import type { BallotInputs } from '../../../shared/modules/election/proof-memo.js';

export interface VerifyRequest {
  kind: 'verify';
  id: number;
  batch: SharedBatch;
}

export interface DecodeRequest {
  kind: 'decode';
  id: number;
  blocks: Array<{ height: number; blockBytes: Uint8Array; commitBytes: Uint8Array }>;
  limits: { blockBytesMax: number; commitBytesMax: number };
}

export interface ChunkRequest {
  kind: 'chunk';
  id: number;
  entry: SnapshotChunkEntry;
  /** The chunk's bytes (transferred: the sender gives them up). */
  bytes: Uint8Array;
}

/** Ballots whose proofs to verify (election.cast, docs/elections.md A.4): each answered 1 when it passes. */
export interface BallotsRequest {
  kind: 'ballots';
  id: number;
  ballots: BallotInputs[];
}

/** Answered once the worker's modules are loaded (VerifyPool.start). */
export interface PingRequest {
  kind: 'ping';
  id: number;
}

export type DecodeAnswer = Array<(DecodedBlock & { digests: BlockDigests }) | { error: string }>;

export interface WorkerAnswer {
  id: number;
  decoded?: DecodeAnswer;
  rows?: PackedRows;
  refused?: ChunkRefusal;
  /** Per ballot of a BallotsRequest: 1 when its proofs verified, 0 otherwise. */
  passed?: Uint8Array;
}

const port = parentPort;
if (!port) throw new Error('verify-worker: must run as a worker thread');
const verify = createFastVerifier({ cacheEntries: 0 });
// OpenSSL's sha256 for the chunk checks (the same function as @noble's, faster).
installNodeSha256();
let group: Promise<Group> | undefined;

/** Decodes and verifies each ballot with the rules' own code (libsodium, as the node's election rules use). */
async function verifyBallots(ballots: BallotInputs[]): Promise<Uint8Array> {
  const sodium = await (group ??= sodiumGroup());
  const passed = new Uint8Array(ballots.length);
  ballots.forEach((inputs, i) => {
    try {
      const context = { electionId: inputs.electionId, publicKey: inputs.publicKey, credential: inputs.credential };
      verifyBallot(sodium, context, inputs.shapes, decodeBallot(sodium, inputs.ballot));
      passed[i] = 1;
    } catch {
      passed[i] = 0; // the main thread checks it again, and refuses it with the rules' code
    }
  });
  return passed;
}

type Request = VerifyRequest | DecodeRequest | ChunkRequest | PingRequest | BallotsRequest | StatementsRequest;

port.on('message', (request: Request) => {
  if (request.kind === 'statements') {
    void statementsJob(request).then(({ answer, transfer }) => port.postMessage(answer, transfer));
    return;
  }
  if (request.kind === 'ballots') {
    void verifyBallots(request.ballots).then(
      (passed) => port.postMessage({ id: request.id, passed } satisfies WorkerAnswer),
      () => port.postMessage({ id: request.id } satisfies WorkerAnswer),
    );
    return;
  }
  if (request.kind === 'chunk') {
    let answer: WorkerAnswer;
    try {
      const rows = packChunkRows(request.entry, request.bytes);
      answer = { id: request.id, rows };
      port.postMessage(
        answer,
        [rows.keys, rows.keyEnds, rows.values, rows.valueEnds].map((array) => array.buffer as ArrayBuffer),
      );
    } catch (error) {
      answer = { id: request.id, refused: refusalOf(error) };
      port.postMessage(answer);
    }
    return;
  }
  if (request.kind === 'ping') {
    const answer: WorkerAnswer = { id: request.id };
    port.postMessage(answer);
    return;
  }
  if (request.kind === 'verify') {
    verifyClaimed(request.batch, verify);
    const answer: WorkerAnswer = { id: request.id };
    port.postMessage(answer);
    return;
  }
  const decoded: DecodeAnswer = request.blocks.map((synced) => {
    try {
      const { block, commit } = decodeCommittedBlock(
        synced.height,
        synced.blockBytes,
        synced.commitBytes,
        request.limits,
      );
      return { block, commit, digests: blockDigestsOf(block, synced.blockBytes) };
    } catch (error) {
      return { error: (error as Error).message ?? String(error) };
    }
  });
  const answer: WorkerAnswer = { id: request.id, decoded };
  port.postMessage(answer);
});
