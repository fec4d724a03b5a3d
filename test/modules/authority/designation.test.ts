// A bounded, governed validator set [REQ-VAL.1]: from protocol 2 registrars designate the
// validators (authority.add / authority.update with `validator`), at most maxValidators and
// never none; protocol 1 keeps its rule (active registrars and notaries vote) byte for byte.
import { describe, expect, it } from 'vitest';
import {
  genesisState,
  parseGenesis,
  RejectCode,
  StateKey,
  validatorsAt,
  type Authority,
  type Genesis,
  type Transaction,
  type UnsignedTransaction,
  type ValidatorSchedule,
} from '../../../shared/ledger/index.js';
import { UPGRADE_NOTICE_BLOCKS_MIN } from '../../../shared/modules/governance/types.js';
import { envelope, fixtureGenesis, keys, signedBy, TestLedger } from '../../support/ledger-fixtures.js';

const registrars = [keys.registrar1, keys.registrar2, keys.registrar3];
const dave = { key: keys.dave.publicKey, role: 'notary' as const, name: 'Notary Sidorova' };

function ledgerOf(genesis: Partial<Genesis> = {}): TestLedger {
  const ledger = new TestLedger();
  ledger.state = new Map(genesisState(parseGenesis({ ...fixtureGenesis(), ...genesis })));
  return ledger;
}

/** Protocol 2 from genesis, with the given authorities of the fixture designated validators. */
function designatedLedger(validators: string[], maxValidators = 100): TestLedger {
  const base = fixtureGenesis();
  return ledgerOf({
    protocolVersion: 2,
    params: { maxValidators, heartbeatMs: 1_000 },
    authorities: base.authorities.map((authority) => ({
      ...authority,
      validator: validators.includes(authority.key),
    })),
  });
}

function tx(type: string, payload: object, signers = registrars): Transaction {
  return signedBy({ type, ...envelope(), payload } as UnsignedTransaction, ...signers);
}

const authority = (ledger: TestLedger, key: string) => ledger.get(StateKey.authority(key)) as Authority;
const version = (ledger: TestLedger, key: string) => authority(ledger, key).version;
const validatorsNext = (ledger: TestLedger) =>
  validatorsAt(ledger.get(StateKey.validatorSchedule) as ValidatorSchedule, ledger.height + 2);

function expectRejected(outcome: { ok: boolean } | undefined, code: string, sentence?: RegExp) {
  expect(outcome).toMatchObject({ ok: false, code });
  if (sentence) expect((outcome as unknown as { sentence: string }).sentence).toMatch(sentence);
}

describe('validators under protocol 1 (every chain made before designation)', () => {
  it('are the active registrars and notaries, and a new notary votes from H+2, its record without a validator field [REQ-VAL.1]', () => {
    const ledger = ledgerOf();
    expect(ledger.apply(tx('authority.add', { authority: dave }))[0]).toMatchObject({ ok: true });
    expect(authority(ledger, dave.key)).not.toHaveProperty('validator');
    expect(validatorsNext(ledger)).toContain(dave.key);
  });

  it('refuse a designation before protocol 2 (NOT_YET_ENABLED) [REQ-VAL.1]', () => {
    const ledger = ledgerOf();
    expectRejected(
      ledger.apply(tx('authority.add', { authority: { ...dave, validator: true } }))[0],
      RejectCode.notYetEnabled,
      /designating validators comes with protocol version 2/,
    );
    const key = keys.notary.publicKey;
    expectRejected(
      ledger.apply(tx('authority.update', { key, version: version(ledger, key), changes: { validator: false } }))[0],
      RejectCode.notYetEnabled,
    );
  });
});

describe('validators under protocol 2', () => {
  it('a notary office added without designation follows without voting [REQ-VAL.1]', () => {
    const ledger = ledgerOf({ protocolVersion: 2 });
    expect(ledger.apply(tx('authority.add', { authority: dave }))[0]).toMatchObject({ ok: true });
    expect(authority(ledger, dave.key).validator).toBe(false);
    expect(validatorsNext(ledger)).not.toContain(dave.key);
  });

  it('a designation by more than 2/3 of the registrars takes effect at H+2 [REQ-VAL.1]', () => {
    const ledger = designatedLedger([keys.registrar1.publicKey]);
    expect(ledger.apply(tx('authority.add', { authority: { ...dave, validator: true } }))[0]).toMatchObject({
      ok: true,
    });
    const schedule = ledger.get(StateKey.validatorSchedule) as ValidatorSchedule;
    expect(validatorsAt(schedule, ledger.height + 1)).toEqual([keys.registrar1.publicKey]);
    expect(validatorsAt(schedule, ledger.height + 2)).toEqual([keys.registrar1.publicKey, dave.key].sort());
    expectRejected(
      ledger.apply(
        tx(
          'authority.update',
          { key: keys.notary.publicKey, version: 1, changes: { validator: true } },
          registrars.slice(0, 2),
        ),
      )[0],
      RejectCode.quorumNotMet,
    );
  });

  it('withdrawing a validator keeps the office, which stops voting at H+2 [REQ-VAL.1]', () => {
    const ledger = ledgerOf({ protocolVersion: 2 });
    const key = keys.notary.publicKey;
    expect(ledger.apply(tx('authority.update', { key, version: 1, changes: { validator: false } }))[0]).toMatchObject({
      ok: true,
    });
    expect(authority(ledger, key)).toMatchObject({ status: 'active', validator: false });
    expect(validatorsNext(ledger)).not.toContain(key);
  });

  it('a suspended validator drops out, and is back when reinstated [REQ-VAL.1]', () => {
    const ledger = designatedLedger([keys.registrar1.publicKey, keys.notary.publicKey]);
    const key = keys.notary.publicKey;
    ledger.apply(tx('authority.update', { key, version: 1, changes: { status: 'suspended' } }));
    expect(validatorsNext(ledger)).toEqual([keys.registrar1.publicKey]);
    ledger.apply(tx('authority.update', { key, version: 2, changes: { status: 'active' } }));
    expect(validatorsNext(ledger)).toContain(key);
  });

  it('refuses a designation beyond maxValidators (TOO_MANY_VALIDATORS), a reinstatement too', () => {
    const ledger = designatedLedger([keys.registrar1.publicKey, keys.registrar2.publicKey], 2);
    expectRejected(
      ledger.apply(tx('authority.add', { authority: { ...dave, validator: true } }))[0],
      RejectCode.tooManyValidators,
      /3 validators; the chain allows at most 2/,
    );
    expectRejected(
      ledger.apply(tx('authority.update', { key: keys.notary.publicKey, version: 1, changes: { validator: true } }))[0],
      RejectCode.tooManyValidators,
    );
    // a validator suspended, another designated, then the first reinstated: over the bound
    const key = keys.registrar2.publicKey;
    const active = [keys.registrar1, keys.registrar3];
    expect(
      ledger.apply(tx('authority.update', { key, version: 1, changes: { status: 'suspended' } }))[0],
    ).toMatchObject({ ok: true });
    expect(
      ledger.apply(
        tx('authority.update', { key: keys.notary.publicKey, version: 1, changes: { validator: true } }, active),
      )[0],
    ).toMatchObject({ ok: true });
    expectRejected(
      ledger.apply(tx('authority.update', { key, version: 2, changes: { status: 'active' } }, active))[0],
      RejectCode.tooManyValidators,
    );
  });

  it('lets a set above the bound (a legacy one) shrink', () => {
    // a protocol-1 chain with five validators (none designated) upgrades to 2 and keeps its five;
    // with the maximum at 5, no designation may add a sixth, and withdrawing one is allowed
    const ledger = ledgerOf();
    const height = ledger.height + 1 + UPGRADE_NOTICE_BLOCKS_MIN;
    ledger.apply(tx('governance.upgrade', { schedule: { version: 2, height } }));
    while (ledger.height < height - 1) ledger.apply();
    expect(ledger.apply(tx('governance.params', { changes: { maxValidators: 5 } }))[0]).toMatchObject({ ok: true });
    expectRejected(
      ledger.apply(tx('authority.add', { authority: { ...dave, validator: true } }))[0],
      RejectCode.tooManyValidators,
    );
    const key = keys.notary2.publicKey;
    expect(ledger.apply(tx('authority.update', { key, version: 1, changes: { validator: false } }))[0]).toMatchObject({
      ok: true,
    });
    expect(validatorsNext(ledger)).toHaveLength(4);
  });

  it('refuses to leave no validator (NO_VALIDATORS_LEFT)', () => {
    const ledger = designatedLedger([keys.notary.publicKey]);
    const key = keys.notary.publicKey;
    expectRejected(
      ledger.apply(tx('authority.update', { key, version: 1, changes: { validator: false } }))[0],
      RejectCode.noValidatorsLeft,
    );
    expectRejected(
      ledger.apply(tx('authority.revoke', { key, version: 1, reason: 'retired' }))[0],
      RejectCode.noValidatorsLeft,
    );
  });

  it('never makes an observer a validator (OBSERVER_NOT_VALIDATOR)', () => {
    const ledger = ledgerOf({ protocolVersion: 2 });
    expectRejected(
      ledger.apply(tx('authority.update', { key: keys.bank.publicKey, version: 1, changes: { validator: true } }))[0],
      RejectCode.observerNotValidator,
    );
    expectRejected(
      ledger.apply(tx('authority.add', { authority: { ...dave, role: 'observer', validator: true } }))[0],
      RejectCode.observerNotValidator,
    );
    expect(() =>
      genesisState(
        parseGenesis({
          ...fixtureGenesis(),
          authorities: fixtureGenesis().authorities.map((entry) =>
            entry.role === 'observer' ? { ...entry, validator: true } : entry,
          ),
        }),
      ),
    ).toThrow(/cannot be a validator/);
  });

  it('switch on at exactly the upgrade height: a designation refused in the block before, accepted in it [REQ-VAL.1] [REQ-UPG.1]', () => {
    const ledger = ledgerOf();
    const height = ledger.height + 1 + UPGRADE_NOTICE_BLOCKS_MIN;
    ledger.apply(tx('governance.upgrade', { schedule: { version: 2, height } }));
    while (ledger.height < height - 2) ledger.apply();
    expectRejected(
      ledger.apply(tx('authority.add', { authority: { ...dave, validator: true } }))[0],
      RejectCode.notYetEnabled,
    );
    expect(ledger.height + 1).toBe(height);
    expect(ledger.apply(tx('authority.add', { authority: { ...dave, validator: true } }))[0]).toMatchObject({
      ok: true,
    });
  });
});
