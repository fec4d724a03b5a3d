// Fuzz of every decoder and validator of network input (issue 7): transactions, consensus
// messages (votes, proposals), block announcements, sync frames (requests and responses, and
// the blocks they carry), equivocation evidence; then the checks behind them (consensus
// intake, block validation against a real LevelDB chain). Inputs are mutations of valid
// messages and random bytes (test/support/byzantine-fuzz.ts). Every input is either accepted
// or refused with a typed error carrying a string code (never a TypeError or RangeError, never
// a hang), and the gossip mapping never calls a refusal "unexpected".
// FUZZ_SEED=N replays a run; FUZZ_SCALE=10 runs ten times as many inputs.
import fc from 'fast-check';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeConsensusMessage,
  duplicateVoteEvidenceSchema,
  encodeConsensusMessage,
  signProposal,
  signVoteMessage,
  verifyProposalSignature,
  verifyVote,
  type ConsensusMessage,
  type Vote,
} from '../../shared/chain/messages.js';
import { signVote } from '../../shared/chain/commit.js';
import { decode, encode } from '../../shared/codec/index.js';
import {
  blockHash,
  decodeTransaction,
  encodeTransaction,
  parseTransaction,
  type Block,
  type Commit,
  type Transaction,
} from '../../shared/ledger/index.js';
import { Chain } from '../../electron/node/chain/chain.js';
import { HeightIntake } from '../../electron/node/consensus/intake.js';
import {
  devCommitBlock,
  devGenesis,
  devKeys,
  devTransfers,
  devValidators,
} from '../../electron/node/dev/demo-registry.js';
import {
  decodeBlockAnnouncement,
  decodeSyncedBlock,
  defaultValidators,
  encodeBlockAnnouncement,
  toGossipAction,
} from '../../electron/node/network/index.js';
import {
  blocksFrameSchema,
  decodeFrame,
  encodeFrame,
  statusResponseSchema,
  SYNC_FRAME_BYTES_MAX,
  SYNC_REQUEST_BYTES_MAX,
  SYNC_STATUS_FRAME_BYTES_MAX,
  syncRequestSchema,
} from '../../electron/node/network/sync/protocol.js';
import {
  hostileValue,
  leafOp,
  mutateLeaf,
  mutateValue,
  networkInput,
  structuralOp,
} from '../support/byzantine-fuzz.js';

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Date.now() % 1_000_000;
const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
const runs = (n: number) => Math.round(n * SCALE);
const genesis = devGenesis({ objects: 40, parties: 10 });
const chainId = genesis.chainId;
const counts: Record<string, { inputs: number; refused: number }> = {};

/** The one property of every refusal: a typed error with a string code that the gossip mapping knows. */
function refusalCode(error: unknown): string {
  if (!(error instanceof Error)) throw new Error(`threw a non-error: ${String(error)}`);
  if (
    error instanceof TypeError ||
    error instanceof RangeError ||
    error instanceof SyntaxError ||
    error instanceof ReferenceError
  )
    throw new Error(`untyped ${error.name}: ${error.message}`);
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string' || !/^[A-Z][A-Z0-9_]+$/.test(code))
    throw new Error(`no code on ${error.name}: ${error.message}`);
  if (toGossipAction(error).unexpected) throw new Error(`gossip mapping calls ${code} unexpected`);
  return code;
}

function outcome<T>(what: string, run: () => T): { ok: true; value: T } | { ok: false; code: string } {
  const count = (counts[what] ??= { inputs: 0, refused: 0 });
  count.inputs++;
  try {
    return { ok: true, value: run() };
  } catch (error) {
    count.refused++;
    return { ok: false, code: refusalCode(error) };
  }
}

async function outcomeAsync<T>(
  what: string,
  run: () => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; code: string }> {
  const count = (counts[what] ??= { inputs: 0, refused: 0 });
  count.inputs++;
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    count.refused++;
    return { ok: false, code: refusalCode(error) };
  }
}

let dir: string;
let chain: Chain;
const txs: Transaction[] = [];
const announcements: Array<{ block: Block; commit: Commit }> = [];
/** The next block (head + 1), proposed but not committed, with a valid commit. */
let next: { block: Block; commit: Commit };
const seeds = {
  tx: [] as Uint8Array[],
  consensus: [] as Uint8Array[],
  block: [] as Uint8Array[],
  syncRequest: [] as Uint8Array[],
  syncStatus: [] as Uint8Array[],
  syncBlocks: [] as Uint8Array[],
  evidence: [] as Uint8Array[],
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'notary-fuzz-'));
  chain = await Chain.open({ dir, genesis });
  const t0 = genesis.genesisTimeMs + 60_000;
  for (let h = 1; h <= 2; h++) {
    const batch = await devTransfers(chain, 3, { objects: 40, parties: 10, seed: h, nowMs: t0 });
    txs.push(...batch);
    announcements.push(await devCommitBlock(chain, batch, t0 + h * 1000));
  }
  const pending = await devTransfers(chain, 2, { objects: 40, parties: 10, seed: 9, nowMs: t0 });
  txs.push(...pending);
  const { block } = await chain.propose(pending, { timeMs: t0 + 3000, proposer: devKeys.registrar.publicKey });
  const hash = blockHash(block.header);
  next = {
    block,
    commit: {
      height: block.header.height,
      round: 0,
      blockHash: hash,
      signatures: devValidators.map((k) => signVote(k.secretKey, chainId, 'precommit', block.header.height, 0, hash)),
    },
  };
  announcements.push(next);

  seeds.tx = txs.map(encodeTransaction);
  const votes: Vote[] = [];
  for (const key of devValidators)
    for (const type of ['prevote', 'precommit'] as const) {
      votes.push(signVoteMessage(key.secretKey, chainId, type, 3, 0, hash));
      votes.push(signVoteMessage(key.secretKey, chainId, type, 3, 1, null));
    }
  const proposal = signProposal(devKeys.registrar.secretKey, chainId, block, 0, -1, hash);
  seeds.consensus = [...votes, proposal].map((m) => encodeConsensusMessage(m as ConsensusMessage));
  seeds.block = announcements.map(encodeBlockAnnouncement);
  seeds.syncRequest = [
    encodeFrame({ type: 'status' }),
    encodeFrame({ type: 'blocks', from: 1, to: 2 }),
    encodeFrame({ type: 'blocks', from: 3, to: 66 }),
  ];
  seeds.syncStatus = [
    encodeFrame({
      type: 'status',
      genesisHash: announcements[0]!.block.header.prevHash,
      height: 2,
      headHash: blockHash(announcements[1]!.block.header),
    }),
    encodeFrame({ type: 'error', code: 'BUSY', message: 'too many sync requests at once; try later' }),
  ];
  seeds.syncBlocks = [
    ...announcements.map(({ block: b, commit }) =>
      encodeFrame({ type: 'block', height: b.header.height, block: encode(b), commit: encode(commit) }),
    ),
    encodeFrame({ type: 'end' }),
    encodeFrame({ type: 'error', code: 'UNAVAILABLE', message: 'from 9 is above our head 2' }),
  ];
  seeds.evidence = [encode({ kind: 'duplicate-vote', voteA: votes[0]!, voteB: votes[1]! })];
});

afterAll(async () => {
  await chain?.close?.();
  await rm(dir, { recursive: true, force: true });
  const total = Object.values(counts).reduce((sum, c) => sum + c.inputs, 0);
  console.log(`fuzz-network seed=${SEED} inputs=${total} ${JSON.stringify(counts)}`);
});

const params = (numRuns: number) => ({ numRuns: runs(numRuns), seed: SEED, endOnFailure: true });

describe('fuzzed gossip input', () => {
  it('transactions: decodeTransaction and the default tx validator refuse with a code', () => {
    const validate = defaultValidators(chainId);
    fc.assert(
      fc.property(networkInput(seeds.tx), (bytes) => {
        const decoded = outcome('tx.decode', () => decodeTransaction(bytes));
        if (!decoded.ok) expect(decoded.code).toBe('MALFORMED');
        outcome('tx.validator', () => validate.tx(bytes, 'peer'));
      }),
      params(20_000),
    );
  });

  it('transactions from JSON (the API and the CLI): parseTransaction refuses with MALFORMED', () => {
    const values = fc
      .tuple(fc.nat(), fc.array(structuralOp, { minLength: 1, maxLength: 3 }))
      .map(([i, ops]) =>
        ops.reduce((v, op) => mutateValue(v, op), JSON.parse(JSON.stringify(txs[i % txs.length])) as unknown),
      );
    fc.assert(
      fc.property(fc.oneof(values, hostileValue), (value) => {
        const parsed = outcome('tx.parse', () => parseTransaction(value));
        if (!parsed.ok) expect(parsed.code).toBe('MALFORMED');
      }),
      params(10_000),
    );
  });

  it('consensus messages: decode, then the signature checks of the node validator never throw', () => {
    const validate = defaultValidators(chainId);
    fc.assert(
      fc.property(networkInput(seeds.consensus), (bytes) => {
        const decoded = outcome('consensus.decode', () => decodeConsensusMessage(bytes));
        outcome('consensus.validator', () => validate.consensus(bytes, 'peer'));
        if (!decoded.ok) {
          expect(decoded.code).toBe('MALFORMED');
          return;
        }
        const message = decoded.value;
        outcome('consensus.verify', () =>
          message.kind === 'vote'
            ? verifyVote(message, chainId, chain.verify)
            : verifyProposalSignature(message, chainId, blockHash(message.block.header), chain.verify),
        );
      }),
      params(20_000),
    );
  });

  it('block announcements: decodeBlockAnnouncement and the default block validator refuse with a code', () => {
    const validate = defaultValidators(chainId);
    fc.assert(
      fc.property(networkInput(seeds.block), (bytes) => {
        const decoded = outcome('block.decode', () => decodeBlockAnnouncement(bytes));
        if (!decoded.ok) expect(['MALFORMED', 'COMMIT_MISMATCH']).toContain(decoded.code);
        outcome('block.validator', () => validate.block(bytes, 'peer'));
      }),
      params(12_000),
    );
  });

  it('equivocation evidence: the schema refuses anything but two well-formed votes', () => {
    fc.assert(
      fc.property(networkInput(seeds.evidence), (bytes) => {
        const count = (counts['evidence.parse'] ??= { inputs: 0, refused: 0 });
        count.inputs++;
        let value: unknown;
        try {
          value = decode(bytes);
        } catch (error) {
          count.refused++;
          return void refusalCode(error);
        }
        if (!duplicateVoteEvidenceSchema.safeParse(value).success) count.refused++;
      }),
      params(5_000),
    );
  });
});

describe('fuzzed sync protocol frames', () => {
  it('requests (server side), status and blocks responses (client side), and the blocks they carry', () => {
    fc.assert(
      fc.property(networkInput(seeds.syncRequest), (bytes) => {
        outcome('sync.request', () => decodeFrame(bytes, SYNC_REQUEST_BYTES_MAX, syncRequestSchema));
      }),
      params(8_000),
    );
    fc.assert(
      fc.property(networkInput(seeds.syncStatus), (bytes) => {
        outcome('sync.status', () => decodeFrame(bytes, SYNC_STATUS_FRAME_BYTES_MAX, statusResponseSchema));
      }),
      params(6_000),
    );
    fc.assert(
      fc.property(networkInput(seeds.syncBlocks), (bytes) => {
        const frame = outcome('sync.blocksFrame', () => decodeFrame(bytes, SYNC_FRAME_BYTES_MAX, blocksFrameSchema));
        if (frame.ok && frame.value.type === 'block') {
          const { height, block, commit } = frame.value;
          const synced = outcome('sync.syncedBlock', () =>
            decodeSyncedBlock('peer', { height, blockBytes: block, commitBytes: commit }),
          );
          if (!synced.ok) expect(synced.code).toBe('PROTOCOL_VIOLATION');
        }
      }),
      params(10_000),
    );
    // The block and commit bytes inside a well-formed frame, mutated on their own.
    const inner = fc.tuple(
      networkInput(announcements.map((a) => encode(a.block))),
      networkInput(announcements.map((a) => encode(a.commit))),
      fc.nat(3),
    );
    fc.assert(
      fc.property(inner, ([blockBytes, commitBytes, height]) => {
        const synced = outcome('sync.syncedBlock', () =>
          decodeSyncedBlock('peer', { height, blockBytes, commitBytes }),
        );
        if (!synced.ok) expect(synced.code).toBe('PROTOCOL_VIOLATION');
      }),
      params(6_000),
    );
  });
});

describe('fuzzed messages that pass decoding, against the checks behind them', () => {
  it('consensus intake: re-signed mutated votes and proposals are added, ignored or rejected, never thrown', () => {
    const validators = devValidators.map((k) => k.publicKey).sort();
    const intake = new HeightIntake(chainId, chain.verify);
    intake.reset(3, validators, validators);
    const keyFor = new Map(devValidators.map((k) => [k.publicKey, k.secretKey]));
    const mutated = fc.oneof(
      networkInput(seeds.consensus),
      fc.tuple(fc.nat(), fc.array(leafOp, { minLength: 1, maxLength: 3 })).map(([i, ops]) => {
        const value = ops.reduce((v, op) => mutateLeaf(v, op), decode(seeds.consensus[i % seeds.consensus.length]!));
        return encode(value);
      }),
    );
    const resign = fc.tuple(mutated, fc.boolean(), fc.nat(3)).map(([bytes, sign, round]) => {
      let message: ConsensusMessage;
      try {
        message = decodeConsensusMessage(bytes);
      } catch {
        return undefined;
      }
      if (!sign) return message;
      // Re-sign with a validator key: the shape is valid and the signature verifies; the content is hostile.
      const key =
        keyFor.get(message.kind === 'vote' ? message.validator : message.proposer) ??
        devValidators[round % 2]!.secretKey;
      if (message.kind === 'vote')
        return signVoteMessage(key, chainId, message.type, message.height, message.round, message.blockHash);
      return signProposal(
        key,
        chainId,
        message.block,
        message.round,
        message.polRound,
        blockHash(message.block.header),
      );
    });
    fc.assert(
      fc.property(fc.array(resign, { minLength: 1, maxLength: 8 }), fc.nat(5), (messages, currentRound) => {
        for (const message of messages) {
          if (!message) continue;
          const result = outcome('consensus.intake', () => intake.receive(message, currentRound));
          if (result.ok)
            expect(['added', 'ignored', 'behind', 'rejected', 'evidence', 'ahead']).toContain(result.value.status);
        }
        if ([...intake.messages.rounds()].length > 50) intake.reset(3, validators, validators);
      }),
      params(4_000),
    );
  });

  it('transactions that still decode, against the ledger rules on the chain state (the mempool check)', async () => {
    const nowMs = chain.head.header.timeMs + 1000;
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.array(leafOp, { minLength: 1, maxLength: 2 }), async (i, ops) => {
        const bytes = encode(ops.reduce((v, op) => mutateLeaf(v, op), decode(seeds.tx[i % seeds.tx.length]!)));
        const decoded = outcome('tx.decode', () => decodeTransaction(bytes));
        if (!decoded.ok) return;
        const checked = await outcomeAsync('tx.ledger', () => chain.checkTransaction(decoded.value, nowMs));
        if (checked.ok && !checked.value.ok) expect(checked.value.code).toMatch(/^[A-Z_]+$/);
      }),
      params(3_000),
    );
  });

  it('block validation on a LevelDB chain: a mutated next block is refused with a code and commits nothing [REQ-BLK.1]', async () => {
    const head = chain.head.height;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          networkInput([encode(next.block)]),
          fc
            .array(leafOp, { minLength: 1, maxLength: 2 })
            .map((ops) => encode(ops.reduce((v, op) => mutateLeaf(v, op), decode(encode(next.block))))),
        ),
        async (bytes) => {
          let block: Block;
          try {
            const parsed = decodeBlockAnnouncement(encode({ block: decode(bytes), commit: next.commit }));
            block = parsed.block;
          } catch (error) {
            const code = refusalCode(error);
            // A block whose header changed no longer matches the commit; check it on its own anyway.
            if (code !== 'COMMIT_MISMATCH') return;
            block = decode(bytes) as Block;
          }
          const result = await outcomeAsync('chain.validate', () => chain.validate(block));
          // Accepted: the same block, or the same with another time (the proposer's choice; found at FUZZ_SCALE=10).
          const sansTime = (b: Block) => encode({ ...b, header: { ...b.header, timeMs: 0 } });
          if (result.ok) expect(sansTime(block)).toEqual(sansTime(next.block));
          expect(chain.head.height).toBe(head);
        },
      ),
      params(2_000),
    );
  });
});

describe('the fuzz counts', () => {
  it('threw at least 100,000 network inputs at the decoders and validators', () => {
    const total = Object.values(counts).reduce((sum, c) => sum + c.inputs, 0);
    expect(total).toBeGreaterThanOrEqual(runs(100_000));
  });
});
