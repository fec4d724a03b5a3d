// The PrivValidator never signs two different messages for one (height, round, step), and
// persists what it signed before the signature leaves it, so a restart cannot make it forget.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { utf8 } from '../../shared/codec/index.js';
import { generateKeyPair, sha256, sha256Hex, verify } from '../../shared/crypto/index.js';
import { verifyProposalSignature, verifyVote } from '../../shared/chain/messages.js';
import { blockHash, ZERO_HASH } from '../../shared/ledger/block.js';
import type { Block } from '../../shared/ledger/types.js';
import {
  DoubleSignError,
  FilePrivValidatorStore,
  MemoryPrivValidatorStore,
  PRIV_VALIDATOR_STATE_FILE,
  PrivValidator,
  PrivValidatorStateError,
  type PrivValidatorStore,
} from '../../electron/node/consensus/index.js';

const CHAIN_ID = 'consensus-test';
const key = generateKeyPair(sha256(utf8('priv-validator-test')));
const hashA = sha256Hex(utf8('block A'));
const hashB = sha256Hex(utf8('block B'));

function block(height: number): Block {
  const h = sha256Hex(utf8(`block ${height}`));
  return {
    header: {
      chainId: CHAIN_ID,
      height,
      prevHash: ZERO_HASH,
      timeMs: 1,
      proposer: key.publicKey,
      txRoot: h,
      stateRoot: h,
      validatorsHash: h,
      appHash: h,
    },
    txs: [],
  };
}

function open(store: PrivValidatorStore): Promise<PrivValidator> {
  return PrivValidator.open({ secretKey: key.secretKey, chainId: CHAIN_ID, store });
}

describe('PrivValidator', () => {
  it('signs a valid vote and returns the same signature for the identical vote again', async () => {
    const signer = await open(new MemoryPrivValidatorStore());
    const first = await signer.signVote('prevote', 5, 0, hashA);
    expect(verifyVote(first, CHAIN_ID, verify)).toBe(true);
    expect(await signer.signVote('prevote', 5, 0, hashA)).toEqual(first);
  });

  it('refuses a second, different vote for the same height, round and step [REQ-CONS.2]', async () => {
    const signer = await open(new MemoryPrivValidatorStore());
    await signer.signVote('prevote', 5, 0, hashA);
    await expect(signer.signVote('prevote', 5, 0, hashB)).rejects.toThrow(DoubleSignError);
    await expect(signer.signVote('prevote', 5, 0, null)).rejects.toThrow(/second, different prevote/);
  });

  it('refuses to go back in (height, round, step) order, and allows going forward [REQ-CONS.2]', async () => {
    const signer = await open(new MemoryPrivValidatorStore());
    await signer.signVote('precommit', 5, 2, hashA);
    await expect(signer.signVote('prevote', 5, 2, hashA)).rejects.toThrow(DoubleSignError);
    await expect(signer.signVote('precommit', 5, 1, hashA)).rejects.toThrow(DoubleSignError);
    await expect(signer.signVote('precommit', 4, 9, hashA)).rejects.toThrow(DoubleSignError);
    await expect(signer.signVote('prevote', 5, 3, null)).resolves.toMatchObject({ round: 3 });
    await expect(signer.signProposal(block(6), 0, -1, blockHash(block(6).header))).resolves.toMatchObject({
      height: 6,
    });
  });

  it('refuses a second, different proposal, and signs one that verifies [REQ-CONS.2]', async () => {
    const signer = await open(new MemoryPrivValidatorStore());
    const b = block(7);
    const proposal = await signer.signProposal(b, 1, -1, blockHash(b.header));
    expect(verifyProposalSignature(proposal, CHAIN_ID, blockHash(b.header), verify)).toBe(true);
    await expect(signer.signProposal(b, 1, 0, blockHash(b.header))).rejects.toThrow(DoubleSignError);
  });

  it('signs nothing once told to refuse (a damaged store), not even a request already queued, and records nothing', async () => {
    const store = new MemoryPrivValidatorStore();
    const signer = await open(store);
    await signer.signVote('prevote', 5, 0, hashA);
    const queued = signer.signVote('precommit', 5, 0, hashA);
    signer.refuseSigning('the store is damaged');
    await expect(queued).rejects.toThrow('refused to sign: the store is damaged');
    await expect(signer.signVote('prevote', 6, 0, hashA)).rejects.toThrow('refused to sign: the store is damaged');
    await expect(signer.signProposal(block(6), 0, -1, blockHash(block(6).header))).rejects.toThrow(
      'refused to sign: the store is damaged',
    );
    expect(signer.lastSigned).toMatchObject({ height: 5, step: 'prevote' });
  });

  it('serializes concurrent requests so that the first one wins [REQ-CONS.2]', async () => {
    const signer = await open(new MemoryPrivValidatorStore());
    const results = await Promise.allSettled([
      signer.signVote('prevote', 5, 0, hashA),
      signer.signVote('prevote', 5, 0, hashB),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
  });

  it('keeps its last signatures, oldest first, for a restarted validator to re-send', async () => {
    const signer = await open(new MemoryPrivValidatorStore());
    for (let round = 0; round < 6; round++) {
      await signer.signVote('prevote', 5, round, null);
      await signer.signVote('precommit', 5, round, null);
    }
    await signer.signVote('prevote', 6, 0, hashA);
    expect(signer.signedAt(5).map((s) => `${s.round}/${s.step}`)).toEqual(
      [
        '2/prevote',
        '2/precommit',
        '3/prevote',
        '3/precommit',
        '4/prevote',
        '4/precommit',
        '5/prevote',
        '5/precommit',
      ].slice(1),
    );
    expect(signer.signedAt(6)).toHaveLength(1);
  });

  it('keeps the last non-nil precommit as its lock', async () => {
    const signer = await open(new MemoryPrivValidatorStore());
    await signer.signVote('precommit', 5, 1, hashA);
    await signer.signVote('precommit', 5, 2, null);
    expect(signer.lock).toEqual({ height: 5, round: 1, blockHash: hashA });
  });

  it('persists the locked block and its proof-of-lock with the lock, before signing, across reopen [REQ-CONS.2]', async () => {
    const store = new MemoryPrivValidatorStore();
    const signer = await open(store);
    const b = block(5);
    const hash = blockHash(b.header);
    const prevote = await signer.signVote('prevote', 5, 1, hash);
    const stranger = { ...prevote, round: 0 }; // not of the lock round: not kept
    await signer.signVote('precommit', 5, 1, hash, { block: b, prevotes: [prevote, stranger] });
    const reopened = await open(store);
    expect(reopened.lock).toEqual({ height: 5, round: 1, blockHash: hash, block: b, prevotes: [prevote] });
    await reopened.signVote('precommit', 5, 2, null);
    expect(reopened.lock?.block).toEqual(b);
    await reopened.signVote('prevote', 6, 0, null); // a later height: the block is dropped, the lock kept
    expect(reopened.lock).toEqual({ height: 5, round: 1, blockHash: hash });
  });

  it('keeps the lock by hash only when the proof it is given is for another block', async () => {
    const signer = await open(new MemoryPrivValidatorStore());
    await signer.signVote('precommit', 6, 0, hashA, { block: block(6), prevotes: [] });
    expect(signer.lock).toEqual({ height: 6, round: 0, blockHash: hashA });
  });

  it('does not hand out a signature it could not persist [REQ-CONS.2]', async () => {
    const failing: PrivValidatorStore = {
      load: async () => undefined,
      save: () => Promise.reject(new Error('disk full')),
      describe: () => 'failing',
    };
    const signer = await open(failing);
    await expect(signer.signVote('prevote', 5, 0, hashA)).rejects.toThrow('disk full');
    expect(signer.lastSigned).toBeNull();
  });

  it('refuses a state that belongs to another key or chain', async () => {
    const store = new MemoryPrivValidatorStore();
    await (await open(store)).signVote('prevote', 5, 0, hashA);
    const other = generateKeyPair(sha256(utf8('other validator')));
    await expect(PrivValidator.open({ secretKey: other.secretKey, chainId: CHAIN_ID, store })).rejects.toThrow(
      /belongs to validator/,
    );
    await expect(PrivValidator.open({ secretKey: key.secretKey, chainId: 'another-chain', store })).rejects.toThrow(
      /belongs to chain/,
    );
  });
});

describe('PrivValidator with the file store', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'notary-privval-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('persists across reopen: still refuses the conflicting vote, still re-signs the same one [REQ-CONS.2]', async () => {
    const first = await open(new FilePrivValidatorStore(dir));
    const vote = await first.signVote('precommit', 9, 3, hashA);
    const reopened = await open(new FilePrivValidatorStore(dir));
    expect(reopened.lastSigned).toMatchObject({
      height: 9,
      round: 3,
      step: 'precommit',
      blockHash: hashA,
      signature: vote.signature,
    });
    expect(reopened.lock).toEqual({ height: 9, round: 3, blockHash: hashA });
    await expect(reopened.signVote('precommit', 9, 3, hashB)).rejects.toThrow(DoubleSignError);
    expect(await reopened.signVote('precommit', 9, 3, hashA)).toEqual(vote);
  });

  it('persists a locked block of ballots (byte strings) and opens it again after a restart', async () => {
    const voter = generateKeyPair(sha256(utf8('a voter')));
    const ballot = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) % 256);
    const cast = {
      type: 'election.cast',
      chainId: CHAIN_ID,
      expiresAtMs: 10,
      nonce: 1,
      payload: { election: 'city-2026', ballot },
      signatures: [{ key: voter.publicKey, signature: 'ab'.repeat(64) }],
    };
    const b = { ...block(7), txs: [cast] } as unknown as Block;
    const hash = blockHash(b.header);
    const first = await open(new FilePrivValidatorStore(dir));
    const prevote = await first.signVote('prevote', 7, 0, hash);
    await first.signVote('precommit', 7, 0, hash, { block: b, prevotes: [prevote] });
    // the file is still JSON an operator can read, the bytes as hex
    expect(await readFile(join(dir, PRIV_VALIDATOR_STATE_FILE), 'utf8')).toContain(`"$bytes": "0007`);
    const reopened = await open(new FilePrivValidatorStore(dir));
    expect(reopened.lock?.block).toEqual(b);
    const kept = (reopened.lock!.block!.txs[0]!.payload as { ballot: Uint8Array }).ballot;
    expect(kept).toBeInstanceOf(Uint8Array);
    expect(kept).toEqual(ballot);
  });

  it('starts empty in a new directory', async () => {
    const signer = await open(new FilePrivValidatorStore(join(dir, 'new', 'data')));
    expect(signer.lastSigned).toBeNull();
    await signer.signVote('prevote', 1, 0, null);
    expect(JSON.parse(await readFile(join(dir, 'new', 'data', PRIV_VALIDATOR_STATE_FILE), 'utf8'))).toMatchObject({
      signed: [{ height: 1 }],
    });
  });

  it('refuses a corrupt state file with a sentence an operator can act on', async () => {
    await writeFile(join(dir, PRIV_VALIDATOR_STATE_FILE), '{"version": 1, "lastSig');
    await expect(open(new FilePrivValidatorStore(dir))).rejects.toThrow(PrivValidatorStateError);
    await expect(open(new FilePrivValidatorStore(dir))).rejects.toThrow(/refuses to sign/);
    await writeFile(
      join(dir, PRIV_VALIDATOR_STATE_FILE),
      JSON.stringify({ version: 1, chainId: CHAIN_ID, publicKey: key.publicKey, signed: [{ height: -1 }], lock: null }),
    );
    await expect(open(new FilePrivValidatorStore(dir))).rejects.toThrow(/signed\.0/);
  });
});
