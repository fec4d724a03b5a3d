// The verify pool checks signatures on a worker thread (and on the main thread when it is
// free) with exactly the answers of the main thread's verifier, and a chain using it accepts
// and rejects exactly what a chain without it does.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { Domain, generateKeyPair, sign, type SignatureCheck } from '../../shared/crypto/index.js';
import {
  blockHash,
  expectedSignatureChecks,
  signTransaction,
  TxDigests,
  txHash,
  txIdBytes,
  txRootOf,
  type Transaction,
} from '../../shared/ledger/index.js';
import { encode } from '../../shared/codec/index.js';
import { decodeCommittedBlock } from '../../shared/chain/decode.js';
import { signVote } from '../../shared/chain/index.js';
import { Chain } from '../../electron/node/chain/chain.js';
import { createFastVerifier, type CachingVerifier } from '../../electron/node/crypto/fast-verify.js';
import { VerifiedChecks, VerifyPool } from '../../electron/node/crypto/verify-pool.js';
import { packChecks } from '../../electron/node/crypto/verify-batch.js';
import { devGenesis, devKeys, devTransfers, devValidators } from '../../electron/node/dev/demo-registry.js';

const POOL_CLOSE_CHILD = fileURLToPath(new URL('../support/pool-close-child.ts', import.meta.url));
const key = generateKeyPair(new Uint8Array(32).fill(7));
const other = generateKeyPair(new Uint8Array(32).fill(8));

function validCheck(i: number, domain: Domain = Domain.tx, chainId = 'pool-test'): SignatureCheck {
  const message = Uint8Array.from({ length: 32 }, (_, j) => (i * 31 + j) & 0xff);
  return {
    publicKey: key.publicKey,
    signature: sign(key.secretKey, domain, chainId, message),
    domain,
    chainId,
    message,
  };
}

/** Valid checks mixed with every way of being wrong: other message, key, domain, chain; malformed hex; non-canonical S. */
function mixedChecks(count: number): SignatureCheck[] {
  return Array.from({ length: count }, (_, i) => {
    const check = validCheck(i, i % 2 ? Domain.tx : Domain.contract);
    switch (i % 9) {
      case 1:
        return { ...check, message: check.message.map((byte) => byte ^ 1) };
      case 2:
        return { ...check, publicKey: other.publicKey };
      case 3:
        return { ...check, domain: check.domain === Domain.tx ? Domain.contract : Domain.tx };
      case 4:
        return { ...check, chainId: 'another-chain' };
      case 5:
        return { ...check, signature: check.signature.toUpperCase() };
      case 6:
        return { ...check, publicKey: 'zz' + check.publicKey.slice(2) };
      case 7:
        return { ...check, signature: check.signature.slice(0, 64) + 'f'.repeat(64) };
      default:
        return check;
    }
  });
}

const pools: VerifyPool[] = [];
afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.close()));
});

describe('verify pool', () => {
  it('answers valid exactly where the main thread verifier does, on valid, invalid and malformed checks', async () => {
    const pool = new VerifyPool({ workers: 1 });
    pools.push(pool);
    await pool.start();
    const checks = mixedChecks(300);
    const expected = checks.map((check) => (createFastVerifier({ cacheEntries: 0 })(check) ? 1 : 0));
    expect(expected.filter((answer) => answer === 1).length).toBeGreaterThan(50);
    expect([...(await pool.verify(checks))]).toEqual(expected);
    // The main thread helping (finish with a verifier) gives the same answers.
    expect([...(await pool.submit(checks).finish(createFastVerifier({ cacheEntries: 0 })))]).toEqual(expected);
  });

  it('leaves every check to the caller when the pool is closed or its queue is full', async () => {
    const closed = new VerifyPool({ workers: 1 });
    await closed.close();
    const checks = mixedChecks(40);
    expect([...(await closed.verify(checks))].every((answer) => answer === 0)).toBe(true);
    const full = new VerifyPool({ workers: 1, batchesQueuedMax: 0 });
    pools.push(full);
    const main = createFastVerifier({ cacheEntries: 0 });
    expect([...(await full.submit(checks).finish(main))]).toEqual(checks.map((check) => (main(check) ? 1 : 0)));
  });

  it('closes while its worker still owes an answer, and a script that closed it then ends normally', async () => {
    // The child closes eight pools whose worker's answer is in flight (its own thread claimed
    // every chunk first). A close that did not wait for it left the termination unsettled and
    // the child ended early with exit code 13 (before the fix: after 1 to 5 rounds).
    const child = spawn(process.execPath, ['--import', 'tsx', POOL_CLOSE_CHILD, '8'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect({ code, last: out.trim().split('\n').at(-1) }).toEqual({ code: 0, last: 'closed' });
  }, 60_000);

  it('does not pack malformed checks, and matches confirmed checks on every field', async () => {
    const checks = mixedChecks(18);
    const packed = packChecks(checks);
    // 4 of 18 are malformed: an upper-case signature (i % 9 = 5) or a non-hex key (i % 9 = 6)
    expect(packed.shared.count).toBe(14);
    const results = Uint8Array.from(checks.map(() => 1));
    const verified = new VerifiedChecks([checks[0]!], results);
    expect(verified.has(checks[0]!)).toBe(true);
    expect(verified.has({ ...checks[0]!, message: Uint8Array.from(checks[0]!.message) })).toBe(true);
    expect(verified.has({ ...checks[0]!, chainId: 'x' })).toBe(false);
    expect(verified.has({ ...checks[0]!, domain: Domain.vote })).toBe(false);
    expect(verified.has({ ...checks[0]!, message: checks[0]!.message.map((byte) => byte ^ 1) })).toBe(false);
  });
});

/** A transfer made invalid one of three ways: another's notary signature, a consent by the wrong party, a consent's key replaced. */
function tamper(tx: Transaction, how: number, all: Transaction[]): Transaction {
  if (tx.type !== 'transfer') throw new Error('a transfer was expected');
  const other = all.find((candidate) => candidate !== tx)!;
  switch (how % 3) {
    case 0:
      return {
        ...tx,
        signatures: [{ ...tx.signatures[0]!, signature: other.signatures[0]!.signature }],
      } as Transaction;
    case 1:
      return signTransaction(
        {
          ...tx,
          payload: {
            ...tx.payload,
            consents: [
              tx.payload.consents[0]!,
              { ...tx.payload.consents[1]!, signature: tx.payload.consents[0]!.signature },
            ],
          },
        },
        devKeys.notary.secretKey,
      );
    default:
      return signTransaction(
        {
          ...tx,
          payload: {
            ...tx.payload,
            consents: [{ ...tx.payload.consents[0]!, key: other.signatures[0]!.key }, ...tx.payload.consents.slice(1)],
          },
        },
        devKeys.notary.secretKey,
      );
  }
}

describe('a chain verifying ahead on its pool', () => {
  // 100 transfers: 300 signature checks, over the size below which a chain verifies on its main thread alone
  const genesis = devGenesis({ objects: 100, parties: 6 });
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });
  async function openChain(verifyWorkers: number) {
    const dir = await mkdtemp(join(tmpdir(), 'notary-pool-'));
    dirs.push(dir);
    return Chain.open({ dir, genesis, verify: createFastVerifier({ cacheEntries: 0 }), verifyWorkers });
  }

  it('proposes, validates and rejects exactly as a chain without workers', async () => {
    const pooled = await openChain(1);
    const plain = await openChain(0);
    const proposer = await openChain(0);
    try {
      const timeMs = genesis.genesisTimeMs + 1_000;
      const txs = await devTransfers(proposer, 100, { objects: 100, parties: 6, seed: 1, nowMs: timeMs });
      // a notary signature over another transaction, and a consent of the wrong party
      const forged: Transaction[] = txs.map((tx, i) =>
        i === 2 ? tamper(tx, 0, txs) : i === 5 ? tamper(tx, 1, txs) : tx,
      );
      const fromPooled = await pooled.propose(forged, { timeMs, proposer: devKeys.registrar.publicKey });
      const fromPlain = await plain.propose(forged, { timeMs, proposer: devKeys.registrar.publicKey });
      expect(fromPooled.outcomes).toEqual(fromPlain.outcomes);
      expect(
        fromPooled.outcomes.filter((outcome) => !outcome.ok).map((outcome) => (outcome.ok ? '' : outcome.code)),
      ).toEqual(['BAD_SIGNATURE', 'BAD_SIGNATURE']);
      expect(blockHash(fromPooled.block.header)).toBe(blockHash(fromPlain.block.header));
      expect(pooled.verifyPool.batchesSubmitted).toBeGreaterThan(0);

      // A validator on the pool accepts the good block and refuses one carrying the forged signature.
      const { block } = await proposer.propose(txs, { timeMs, proposer: devKeys.registrar.publicKey });
      const validator = await openChain(1);
      try {
        const forgedTxs = block.txs.map((tx, i) => (i === 2 ? forged[2]! : tx));
        const forgedBlock = { header: { ...block.header, txRoot: txRootOf(forgedTxs) }, txs: forgedTxs };
        await expect(validator.validate(forgedBlock)).rejects.toThrow(/transaction 2 is invalid: BAD_SIGNATURE/);
        expect(validator.verifyPool.batchesSubmitted).toBeGreaterThan(0);
        const execution = await validator.validate(block);
        expect(execution.stateRoot).toBe(block.header.stateRoot);
        const hash = blockHash(block.header);
        const commit = {
          height: 1,
          round: 0,
          blockHash: hash,
          signatures: devValidators.map((k) => signVote(k.secretKey, genesis.chainId, 'precommit', 1, 0, hash)),
        };
        await validator.commit(block, commit);
        expect(validator.head.hash).toBe(hash);

        // The sync decode job: the same block and commit as decoding here, the digests of txHash
        // and txIdBytes, canonical bytes recognised; a bad block is an error, not a crash.
        const blockBytes = encode(block);
        const commitBytes = encode(commit);
        const limits = { blockBytesMax: 16 * 1024 * 1024, commitBytesMax: 4 * 1024 * 1024 };
        const answer = await pooled.verifyPool.decodeBlocks(
          [
            { height: 1, blockBytes, commitBytes },
            { height: 1, blockBytes: blockBytes.subarray(0, 100), commitBytes },
          ],
          limits,
        );
        const decoded = answer![0]!;
        if ('error' in decoded) throw new Error(decoded.error);
        expect(decoded.block).toEqual(decodeCommittedBlock(1, blockBytes, commitBytes, limits).block);
        expect(decoded.commit).toEqual(commit);
        expect(decoded.digests.canonical).toBe(true);
        expect(decoded.digests.txHashes).toEqual(block.txs.map((tx) => txHash(tx)));
        expect(decoded.digests.txIds.subarray(32, 64)).toEqual(txIdBytes(block.txs[1]!));
        expect('error' in answer![1]!).toBe(true);
      } finally {
        await validator.close();
      }
    } finally {
      await Promise.all([pooled.close(), plain.close(), proposer.close()]);
    }
  });

  it('admits a batch with its signatures verified on the pool, with the answers of a chain without workers, and remembers only the valid ones', async () => {
    const proposer = await openChain(0);
    const open = async (verifyWorkers: number) => {
      const dir = await mkdtemp(join(tmpdir(), 'notary-pool-'));
      dirs.push(dir);
      return Chain.open({ dir, genesis, verify: createFastVerifier(), verifyWorkers });
    };
    const plain = await open(0);
    try {
      const timeMs = genesis.genesisTimeMs + 1_000;
      const txs = await devTransfers(proposer, 100, { objects: 100, parties: 6, seed: 3, nowMs: timeMs });
      const checksOf = (tx: Transaction) => expectedSignatureChecks(tx, genesis.chainId, new TxDigests());
      // Each run tampers with a different set of transactions, in one of three ways, and admits
      // the batch on a fresh chain (nothing remembered yet, so every check goes to the pool):
      // it must refuse exactly what admission without the pool refuses, with the same codes.
      await fc.assert(
        fc.asyncProperty(fc.uniqueArray(fc.nat(txs.length - 1), { maxLength: 12 }), fc.nat(), async (tampered, how) => {
          const batch = txs.map((tx, i) => (tampered.includes(i) ? tamper(tx, how + i, txs) : tx));
          const pooled = await open(1);
          try {
            const fromPooled = await pooled.checkTransactions(batch, timeMs);
            expect(pooled.verifyPool.batchesSubmitted).toBe(1);
            expect(fromPooled).toEqual(await plain.checkTransactions(batch, timeMs));
            expect(fromPooled.filter((outcome) => !outcome.ok).length).toBe(tampered.length);
            // the valid checks are remembered; a forged one never is
            const verifier = pooled.verify as CachingVerifier;
            for (const [i, tx] of batch.entries()) {
              const known = checksOf(tx).map((check) => verifier.known(check));
              if (tampered.includes(i)) expect(known).toContain(false);
              else expect(known.every(Boolean)).toBe(true);
            }
          } finally {
            await pooled.close();
          }
        }),
        { numRuns: 12 },
      );
      // A block of them then sends the workers nothing: admission's answers are remembered.
      const pooled = await open(1);
      try {
        expect((await pooled.checkTransactions(txs, timeMs)).every((outcome) => outcome.ok)).toBe(true);
        const { block } = await proposer.propose(txs, { timeMs, proposer: devKeys.registrar.publicKey });
        const before = pooled.verifyPool.batchesSubmitted;
        expect((await pooled.validate(block)).stateRoot).toBe(block.header.stateRoot);
        expect(pooled.verifyPool.batchesSubmitted).toBe(before);
      } finally {
        await pooled.close();
      }
    } finally {
      await Promise.all([plain.close(), proposer.close()]);
    }
  });

  it('does not hand admission to the pool when its verifier remembers nothing', async () => {
    const proposer = await openChain(0);
    const uncaching = await openChain(1);
    try {
      const timeMs = genesis.genesisTimeMs + 1_000;
      const txs = await devTransfers(proposer, 100, { objects: 100, parties: 6, seed: 4, nowMs: timeMs });
      expect((await uncaching.checkTransactions(txs, timeMs)).every((outcome) => outcome.ok)).toBe(true);
      // the rules would verify each again on this thread: the workers' work would be wasted
      expect(uncaching.verifyPool.batchesSubmitted).toBe(0);
    } finally {
      await Promise.all([uncaching.close(), proposer.close()]);
    }
  });

  it('does not send the workers what admission already verified, and still validates the same', async () => {
    const proposer = await openChain(0);
    const dir = await mkdtemp(join(tmpdir(), 'notary-pool-'));
    dirs.push(dir);
    // the node's verifier: caching, so admission's answers are remembered
    const validator = await Chain.open({ dir, genesis, verify: createFastVerifier(), verifyWorkers: 1 });
    try {
      const timeMs = genesis.genesisTimeMs + 1_000;
      const txs = await devTransfers(proposer, 100, { objects: 100, parties: 6, seed: 2, nowMs: timeMs });
      const { block } = await proposer.propose(txs, { timeMs, proposer: devKeys.registrar.publicKey });
      expect((await validator.checkTransactions(block.txs, timeMs)).every((outcome) => outcome.ok)).toBe(true);
      const before = validator.verifyPool.batchesSubmitted;
      const execution = await validator.validate(block);
      expect(execution.stateRoot).toBe(block.header.stateRoot);
      expect(validator.verifyPool.batchesSubmitted).toBe(before);
    } finally {
      await validator.close();
      await proposer.close();
    }
  });
});
