// Gossip validation outcomes: which errors reject (and penalise the sender), which ignore,
// the default shape validators, and the bounded validation queue.
import { describe, expect, it } from 'vitest';
import { encodeConsensusMessage, MessageError, signVoteMessage } from '../../shared/chain/messages.js';
import { CodecError, encode } from '../../shared/codec/index.js';
import { LedgerError, RejectCode } from '../../shared/ledger/index.js';
import { devKeys } from '../../electron/node/dev/demo-registry.js';
import {
  BoundedQueue,
  decodeBlockAnnouncement,
  defaultValidators,
  GossipAction,
  GossipValidationError,
  REASON_CODES_MAX,
  toGossipAction,
} from '../../electron/node/network/index.js';
import { countReason, emptyCounters, recordVerdict } from '../../electron/node/network/gossip/validation.js';
import { silentLogger } from '../../electron/node/network/options.js';

const CHAIN_ID = 'by-registry-test';

describe('toGossipAction [REQ-NET.3]', () => {
  it('accepts when the validator did not throw', () => {
    expect(toGossipAction(undefined)).toEqual({ action: 'accept', code: 'ACCEPTED', unexpected: false });
  });

  it.each([
    RejectCode.malformed,
    RejectCode.wrongChain,
    RejectCode.badSignature,
    RejectCode.missingSignature,
    RejectCode.unexpectedSigner,
  ])('rejects a transaction failing %s, which no state can make valid', (code) => {
    expect(toGossipAction(new LedgerError(code, 'x'))).toMatchObject({ action: 'reject', code });
  });

  it.each([
    RejectCode.replay,
    RejectCode.expired,
    RejectCode.staleVersion,
    RejectCode.sellerNotOwner,
    RejectCode.notaryNotActive,
    RejectCode.dutyTooLow,
  ])('ignores a transaction failing %s, which may be our own lag', (code) => {
    expect(toGossipAction(new LedgerError(code, 'x'))).toMatchObject({ action: 'ignore', code });
  });

  it('rejects bytes that are not a message (MessageError, CodecError)', () => {
    expect(toGossipAction(new MessageError('bad'))).toMatchObject({ action: 'reject', code: 'MALFORMED' });
    expect(toGossipAction(new CodecError('bad'))).toMatchObject({ action: 'reject', code: 'MALFORMED' });
  });

  it('follows a GossipValidationError exactly', () => {
    expect(toGossipAction(new GossipValidationError(GossipAction.ignore, 'ALREADY_KNOWN', 'seen'))).toMatchObject({
      action: 'ignore',
      code: 'ALREADY_KNOWN',
    });
    expect(
      toGossipAction(new GossipValidationError(GossipAction.reject, 'BAD_PROPOSER', 'not its turn')),
    ).toMatchObject({ action: 'reject', code: 'BAD_PROPOSER' });
  });

  it('ignores typed errors it has no rule for, and untyped errors as unexpected (no penalty for our bugs)', () => {
    expect(toGossipAction(Object.assign(new Error('x'), { code: 'INVALID_BLOCK' }))).toMatchObject({
      action: 'ignore',
      code: 'INVALID_BLOCK',
      unexpected: false,
    });
    expect(toGossipAction(new TypeError('x is undefined'))).toEqual({
      action: 'ignore',
      code: 'UNEXPECTED_ERROR',
      unexpected: true,
    });
  });
});

describe('recordVerdict', () => {
  it('counts each outcome and its reason', () => {
    const counters = emptyCounters();
    const context = { kind: 'tx' as const, fromPeerId: 'peer', bytes: 10 };
    recordVerdict(counters, silentLogger, context, undefined);
    recordVerdict(counters, silentLogger, context, new LedgerError(RejectCode.badSignature, 'x'));
    recordVerdict(counters, silentLogger, context, new LedgerError(RejectCode.replay, 'x'));
    recordVerdict(counters, silentLogger, context, new LedgerError(RejectCode.replay, 'x'));
    expect(counters).toMatchObject({ accepted: 1, rejected: 1, ignored: 2, reasons: { BAD_SIGNATURE: 1, REPLAY: 2 } });
  });

  it('keeps at most REASON_CODES_MAX reason codes and never odd keys', () => {
    const counters = emptyCounters();
    for (let i = 0; i < REASON_CODES_MAX + 10; i++) countReason(counters, `CODE_${i}`);
    countReason(counters, '__proto__');
    countReason(counters, 'constructor');
    expect(Object.keys(counters.reasons)).toHaveLength(REASON_CODES_MAX + 1);
    expect(counters.reasons.OTHER).toBe(12);
  });
});

describe('default validators', () => {
  const validators = defaultValidators(CHAIN_ID);

  it('accept a well-formed vote and reject garbage on every topic [REQ-NET.3]', async () => {
    const vote = encodeConsensusMessage(signVoteMessage(devKeys.registrar.secretKey, CHAIN_ID, 'prevote', 1, 0, null));
    expect(() => validators.consensus(vote, 'peer')).not.toThrow();
    for (const validate of Object.values(validators)) {
      let thrown: unknown;
      try {
        await validate(new Uint8Array([0xff, 1, 2]), 'peer');
      } catch (error) {
        thrown = error;
      }
      expect(toGossipAction(thrown).action).toBe('reject');
    }
  });

  it('reject a block announcement whose commit names another block [REQ-NET.3]', () => {
    const header = {
      chainId: CHAIN_ID,
      height: 1,
      prevHash: '00'.repeat(32),
      timeMs: 1,
      proposer: '11'.repeat(32),
      txRoot: '22'.repeat(32),
      stateRoot: '33'.repeat(32),
      validatorsHash: '44'.repeat(32),
      appHash: '55'.repeat(32),
    };
    const bytes = encode({
      block: { header, txs: [] },
      commit: { height: 1, round: 0, blockHash: '66'.repeat(32), signatures: [] },
    });
    expect(() => decodeBlockAnnouncement(bytes)).toThrow(
      expect.objectContaining({ action: 'reject', code: 'COMMIT_MISMATCH' }),
    );
  });
});

describe('BoundedQueue', () => {
  it('runs up to its concurrency, queues up to its length, and refuses the rest', async () => {
    const queue = new BoundedQueue(2, 1);
    const release: Array<() => void> = [];
    const job = () => new Promise<void>((resolve) => release.push(resolve));
    expect(queue.offer(job)).toBe(true); // runs
    expect(queue.offer(job)).toBe(true); // waits
    expect(queue.offer(job)).toBe(true); // waits
    expect(queue.offer(job)).toBe(false); // full: dropped
    await Promise.resolve();
    expect([queue.running, queue.waiting]).toEqual([1, 2]);
    release.shift()!();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect([queue.running, queue.waiting]).toEqual([1, 1]);
    queue.close();
    expect(queue.offer(job)).toBe(false);
    expect(queue.waiting).toBe(0);
  });

  it('survives a job that throws', async () => {
    const queue = new BoundedQueue(1, 1);
    queue.offer(() => {
      throw new Error('boom');
    });
    let ran = false;
    queue.offer(async () => {
      ran = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(ran).toBe(true);
  });
});

describe('consensus message ids [REQ-NET.4]', () => {
  it('sizes every vote under the vote limit and every proposal, even of an empty block, over it', async () => {
    const { VOTE_MESSAGE_BYTES_MAX } = await import('../../electron/node/network/create.js');
    const { encodeConsensusMessage, signVoteMessage, signProposal } = await import('../../shared/chain/messages.js');
    const { genesisExecution } = await import('../../shared/chain/genesis.js');
    const { devGenesis, devKeys } = await import('../../electron/node/dev/demo-registry.js');
    const { blockHash } = await import('../../shared/ledger/block.js');
    const chainId = 'a'.repeat(64);
    const vote = signVoteMessage(
      devKeys.notary.secretKey,
      chainId,
      'precommit',
      Number.MAX_SAFE_INTEGER,
      1_000_000,
      'f'.repeat(64),
    );
    expect(encodeConsensusMessage(vote).length).toBeLessThanOrEqual(VOTE_MESSAGE_BYTES_MAX);
    const { block } = await genesisExecution(devGenesis({ objects: 0, chainId: 'c' }), {
      get: () => Promise.resolve(undefined),
    });
    const empty = { ...block, header: { ...block.header, height: 1 } };
    const proposal = signProposal(devKeys.notary.secretKey, 'c', empty, 0, -1, blockHash(empty.header));
    expect(encodeConsensusMessage(proposal).length).toBeGreaterThan(VOTE_MESSAGE_BYTES_MAX);
  });
});
