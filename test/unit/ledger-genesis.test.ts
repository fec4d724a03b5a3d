// Genesis: authorities may start suspended (decision #26); a genesis needs a registrar and a validator.
import { describe, expect, it } from 'vitest';
import {
  genesisState,
  parseGenesis,
  StateKey,
  type Authority,
  type AuthorityIndexEntry,
  type Genesis,
  type ValidatorSchedule,
} from '../../shared/ledger/index.js';
import { genesisExecution } from '../../shared/chain/genesis.js';
import { MemoryNodeStore } from '../../shared/smt/index.js';
import { fixtureGenesis, keys } from '../support/ledger-fixtures.js';

function stateOf(genesis: Genesis): Map<string, unknown> {
  return new Map(genesisState(parseGenesis(genesis)));
}

const validatorsOfGenesis = (state: Map<string, unknown>) =>
  (state.get(StateKey.validatorSchedule) as ValidatorSchedule)[0]!.validators;

describe('genesis authorities', () => {
  it('start active by default, and every active registrar and notary is a validator [REQ-VAL.1]', () => {
    const state = stateOf(fixtureGenesis());
    expect((state.get(StateKey.authority(keys.registrar1.publicKey)) as Authority).status).toBe('active');
    expect(validatorsOfGenesis(state)).toHaveLength(5);
  });

  it('a suspended genesis registrar is recorded suspended and is not a validator [REQ-VAL.1]', () => {
    const genesis: Genesis = {
      ...fixtureGenesis(),
      authorities: [
        { key: keys.registrar1.publicKey, role: 'registrar', name: 'Dev registry office', status: 'suspended' },
        { key: keys.notary.publicKey, role: 'notary', name: 'The node', status: 'active' },
        { key: keys.bank.publicKey, role: 'observer', name: 'Dev bank' },
      ],
    };
    const state = stateOf(genesis);
    expect(state.get(StateKey.authority(keys.registrar1.publicKey))).toMatchObject({ status: 'suspended', version: 1 });
    expect(state.get(StateKey.authorityIndex) as AuthorityIndexEntry[]).toContainEqual({
      key: keys.registrar1.publicKey,
      role: 'registrar',
      status: 'suspended',
    });
    expect(validatorsOfGenesis(state)).toEqual([keys.notary.publicKey]);
  });

  it('refuses a genesis with no validator, and one with no registrar at all', () => {
    const noValidator: Genesis = {
      ...fixtureGenesis(),
      authorities: [
        { key: keys.registrar1.publicKey, role: 'registrar', name: 'Dev registry office', status: 'suspended' },
        { key: keys.bank.publicKey, role: 'observer', name: 'Dev bank' },
      ],
    };
    expect(() => stateOf(noValidator)).toThrow(/at least one validator/);
    const noRegistrar: Genesis = {
      ...fixtureGenesis(),
      authorities: [{ key: keys.notary.publicKey, role: 'notary', name: 'Notary' }],
    };
    expect(() => stateOf(noRegistrar)).toThrow(/at least one registrar/);
  });

  it('refuses a genesis authority that starts revoked or with an unknown status', () => {
    const revoked = {
      ...fixtureGenesis(),
      authorities: [{ key: keys.registrar1.publicKey, role: 'registrar', name: 'Office', status: 'revoked' }],
    };
    expect(() => parseGenesis(revoked)).toThrow(/not a valid genesis at authorities\.0\.status/);
  });
});

describe('the genesis block', () => {
  it('is height 0 with zero prevHash and proposer, no transactions and no commit signatures, and holds the genesis document’s state [REQ-BLK.3]', async () => {
    const genesis = parseGenesis({
      ...fixtureGenesis(),
      properties: [
        {
          id: 'BY-G-1',
          kind: 'land',
          address: 'Minsk, Lenina 1',
          areaDm2: 10_000,
          owners: [{ key: keys.alice.publicKey, share: [1, 1] }],
        },
      ],
    });
    const { block, commit, execution } = await genesisExecution(genesis, new MemoryNodeStore());
    expect(block.header.height).toBe(0);
    expect(block.header.prevHash).toBe('0'.repeat(64));
    expect(block.header.proposer).toBe('0'.repeat(64));
    expect(block.header.chainId).toBe(genesis.chainId);
    expect(block.header.timeMs).toBe(genesis.genesisTimeMs);
    expect(block.txs).toEqual([]);
    expect(commit.signatures).toEqual([]);
    const written = new Map(execution.stateWrites.map((write) => [write.key, write.record]));
    expect(written.get(StateKey.fees)).toEqual(genesis.feeSchedule);
    expect(written.has(StateKey.object('BY-G-1'))).toBe(true);
    for (const authority of genesis.authorities) expect(written.has(StateKey.authority(authority.key))).toBe(true);
  });
});
