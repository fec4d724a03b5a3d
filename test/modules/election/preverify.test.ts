// Ballots' proofs verified on a worker thread before the rules run (issue 17; preverify.ts): a
// ballot the worker passes is in the rules' memo under exactly the rules' inputs, so they do not
// verify it again; one it fails, or one with any input changed, is not, and the rules still refuse
// it with their own code. Real worker thread (VerifyPool with one worker), real libsodium.
import { afterAll, describe, expect, it } from 'vitest';
import { createBallot } from '../../../shared/election/crypto/ballot.js';
import { encodeBallot } from '../../../shared/election/crypto/encoding.js';
import { sodiumGroup } from '../../../shared/election/crypto/index.js';
import { sign, generateKeyPair, Domain } from '../../../shared/crypto/index.js';
import type { Transaction } from '../../../shared/ledger/index.js';
import { electionIdBytes, shapesOf } from '../../../shared/modules/election/checks.js';
import { ballotInputsKey, ballotProofs } from '../../../shared/modules/election/proof-memo.js';
import { ElectionKey, type ElectionDefinition, type ElectionStatus } from '../../../shared/modules/election/types.js';
import { VerifyPool } from '../../../electron/node/crypto/verify-pool.js';
import { preverifyBallots } from '../../../electron/node/modules/election/preverify.js';
import { context as electionContext, flipByte, seededRandom } from '../../unit/election-fixtures.js';
import { hexToBytes } from '../../../shared/codec/index.js';
import { times } from './fixtures.js';

const pool = new VerifyPool({ workers: 1 });
afterAll(() => pool.close());

describe('ballots verified on a worker thread', () => {
  it('puts a passing ballot in the memo under the rules’ inputs, and never a failing one', async () => {
    const group = await sodiumGroup();
    const { publicKey } = electionContext(group, 11);
    const definition = {
      id: 'pre-1',
      title: 'Workers',
      contests: [{ title: 'A', choices: ['x', 'y', 'z'], min: 1, max: 1 }],
      districts: ['Minsk'],
      trustees: [],
      threshold: 1,
      rollMax: 10,
      ...times,
      height: 1,
    } as unknown as ElectionDefinition;
    const status = { phase: 'voting', height: 2, publicKey } as unknown as ElectionStatus;
    const records = new Map<string, unknown>([
      [ElectionKey.definition(definition.id), definition],
      [ElectionKey.status(definition.id), status],
    ]);
    const voter = generateKeyPair();
    const context = { electionId: electionIdBytes(definition), publicKey, credential: hexToBytes(voter.publicKey) };
    const honest = encodeBallot(createBallot(group, context, shapesOf(definition), [[0, 1, 0]], seededRandom(5)));
    const tampered = flipByte(honest, honest.length - 7, 0x01);
    const tx = (ballot: Uint8Array): Transaction =>
      ({
        type: 'election.cast',
        chainId: 'c',
        expiresAtMs: 1,
        nonce: 1,
        payload: { election: definition.id, ballot },
        signatures: [{ key: voter.publicKey, signature: sign(voter.secretKey, Domain.tx, 'c', new Uint8Array(32)) }],
      }) as unknown as Transaction;
    const keyOf = (ballot: Uint8Array) => ballotInputsKey({ ...context, shapes: shapesOf(definition), ballot });
    expect(ballotProofs.has(keyOf(honest))).toBe(false);
    const [honestTx, tamperedTx] = [tx(honest), tx(tampered)];
    // the answer is what admission's screen trusts (decision #84): only the ballots proven
    const proven = await preverifyBallots([honestTx, tamperedTx], (key) => records.get(key), pool);
    expect([...proven]).toEqual([honestTx]);
    expect(ballotProofs.has(keyOf(honest))).toBe(true);
    expect(ballotProofs.has(keyOf(tampered))).toBe(false);
    // the memo answers a second time without a worker's work
    const again = tx(honest);
    expect([...(await preverifyBallots([again, tamperedTx], (key) => records.get(key), pool))]).toEqual([again]);
    // the same bytes under another election key are other inputs: not in the memo
    const otherKey = ballotInputsKey({
      ...context,
      publicKey: flipByte(publicKey, 3, 0x01),
      shapes: shapesOf(definition),
      ballot: honest,
    });
    expect(ballotProofs.has(otherKey)).toBe(false);
    // a closed election's ballots are left to the rules (they refuse them before any proof)
    const closed = new Map(records);
    closed.set(ElectionKey.status(definition.id), { ...status, phase: 'closed' });
    const later = encodeBallot(createBallot(group, context, shapesOf(definition), [[1, 0, 0]], seededRandom(6)));
    expect((await preverifyBallots([tx(later)], (key) => closed.get(key), pool)).size).toBe(0);
    expect(ballotProofs.has(keyOf(later))).toBe(false);
  }, 60_000);
});
