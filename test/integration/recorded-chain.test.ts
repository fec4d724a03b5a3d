// A chain recorded before the module refactor (issue 13) replays byte for byte: no stored byte
// changes. test/fixtures/recorded-chain/ holds 300 blocks with every transaction type, refused
// transactions with their codes and validator-set changes, written by record.ts with the code
// of that day, and a data folder that code wrote. Re-recording is not a fix for a failure here:
// a failure means the ledger now computes another state, or reads the stored bytes differently.
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode, encode } from '../../shared/codec/index.js';
import { decodeCommittedBlock } from '../../shared/chain/index.js';
import { blockHash, decodeTransaction, parseGenesis, txRootOf, type Genesis } from '../../shared/ledger/index.js';
import { auditChain } from '../../electron/node/chain/audit.js';
import { Chain } from '../../electron/node/chain/chain.js';
import { createFastVerifier } from '../../electron/node/crypto/fast-verify.js';
import { ChainStore } from '../../electron/node/store/index.js';
import { RECORDED_BLOCKS, type RecordedHeight } from '../fixtures/recorded-chain/record.js';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'recorded-chain');
const LIMITS = { blockBytesMax: 8 * 1024 * 1024, commitBytesMax: 1024 * 1024 };

let root: string;
let genesis: Genesis;
let heights: RecordedHeight[];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'notary-recorded-'));
  genesis = parseGenesis(JSON.parse(await readFile(join(FIXTURE, 'genesis.json'), 'utf8')));
  heights = (await readFile(join(FIXTURE, 'blocks.ndjson'), 'utf8'))
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as RecordedHeight);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const bytes = (base64: string) => new Uint8Array(Buffer.from(base64, 'base64'));

describe('the chain recorded before the module refactor', () => {
  it(
    `replays all ${RECORDED_BLOCKS} blocks with the recorded txRoot, stateRoot and appHash at every height, and refuses each recorded rejection with its code`,
    { timeout: 120_000 },
    async () => {
      expect(heights).toHaveLength(RECORDED_BLOCKS);
      const chain = await Chain.open({ dir: join(root, 'replay'), genesis });
      const codes = new Set<string>();
      const types = new Set<string>();
      let validatorChanges = 0;
      let validatorsHash = '';
      try {
        for (const recorded of heights) {
          const { block, commit } = decodeCommittedBlock(
            recorded.height,
            bytes(recorded.block),
            bytes(recorded.commit),
            LIMITS,
          );
          // the stored bytes are the canonical encoding of what they decode to
          expect(
            Buffer.from(encode(block)).toString('base64'),
            `block ${recorded.height} re-encodes to other bytes`,
          ).toBe(recorded.block);
          expect(txRootOf(block.txs), `txRoot at ${recorded.height}`).toBe(recorded.txRoot);
          for (const tx of block.txs) types.add(tx.type);
          if (validatorsHash !== '' && block.header.validatorsHash !== validatorsHash) validatorChanges++;
          validatorsHash = block.header.validatorsHash;
          // what the proposer refused at this height is refused again, with the same code
          for (const rejected of recorded.rejected) {
            const outcome = await chain.checkTransaction(decodeTransaction(bytes(rejected.tx)), block.header.timeMs);
            expect(outcome, `a refused transaction at height ${recorded.height}`).toMatchObject({
              ok: false,
              code: rejected.code,
            });
            codes.add(rejected.code);
          }
          // full validation (signatures included) reaches the header's roots, then the commit
          const execution = await chain.validate(block);
          expect(execution.stateRoot, `stateRoot at ${recorded.height}`).toBe(recorded.stateRoot);
          await chain.commit(block, commit);
          expect(chain.head.header.appHash, `appHash at ${recorded.height}`).toBe(recorded.appHash);
          expect(chain.head.hash).toBe(blockHash(block.header));
        }
        expect(chain.head.height).toBe(RECORDED_BLOCKS);
        // a notary added, one suspended, then reinstated, the added one revoked: four changes
        expect(validatorChanges).toBe(4);
        expect([...types].sort()).toEqual([
          'authority.add',
          'authority.revoke',
          'authority.update',
          'encumbrance.add',
          'encumbrance.release',
          'property.register',
          'transfer',
        ]);
        expect([...codes].sort()).toEqual([
          'BAD_SIGNATURE',
          'DUTY_TOO_LOW',
          'ENCUMBERED',
          'NOTARY_NOT_ACTIVE',
          'PRICE_ZERO',
          'QUORUM_NOT_MET',
          'REPLAY',
          'STALE_VERSION',
        ]);
        // the stored bytes of the replayed chain are the recorded ones
        for (const recorded of [heights[0]!, heights[149]!, heights[RECORDED_BLOCKS - 1]!]) {
          expect(Buffer.from((await chain.store.getBlockBytes(recorded.height))!).toString('base64')).toBe(
            recorded.block,
          );
        }
      } finally {
        await chain.close();
      }
    },
  );

  it(
    'opens the data folder that code wrote, at the recorded head, and audits it clean',
    { timeout: 120_000 },
    async () => {
      const data = join(root, 'data');
      await cp(join(FIXTURE, 'data'), data, { recursive: true });
      const last = heights[RECORDED_BLOCKS - 1]!;
      const chain = await Chain.open({ dir: join(data, 'chain'), genesis, genesisFile: join(data, 'genesis.json') });
      try {
        expect(chain.head.height).toBe(RECORDED_BLOCKS);
        expect(chain.head.header.stateRoot).toBe(last.stateRoot);
        expect(chain.head.header.appHash).toBe(last.appHash);
        expect(encode(chain.head.header)).toEqual(encode((decode(bytes(last.block)) as { header: unknown }).header));
      } finally {
        await chain.close();
      }
      const store = await ChainStore.open(join(data, 'chain'));
      try {
        const report = await auditChain(store, genesis, { verify: createFastVerifier(), scratchParent: root });
        expect(report.problem).toBeUndefined();
        expect(report).toMatchObject({ ok: true, verifiedHeight: RECORDED_BLOCKS, headHeight: RECORDED_BLOCKS });
      } finally {
        await store.close();
      }
    },
  );
});
