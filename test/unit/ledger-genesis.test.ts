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
