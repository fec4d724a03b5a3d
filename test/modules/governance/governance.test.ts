// The governance module's rules: chain parameters and protocol upgrades, by more than 2/3 of
// active registrars; a type of a later protocol refused until its height, accepted from it.
import { describe, expect, it } from 'vitest';
import {
  genesisState,
  parseGenesis,
  parseTransaction,
  RejectCode,
  type Genesis,
  type Transaction,
  type UnsignedTransaction,
} from '../../../shared/ledger/index.js';
import { appHashOf } from '../../../shared/ledger/block.js';
import { chainParams, pendingUpgrade, protocolAt } from '../../../shared/modules/governance/keeper.js';
import { DEFAULT_CHAIN_PARAMS, UPGRADE_NOTICE_BLOCKS_MIN } from '../../../shared/modules/governance/types.js';
import { MapStateReader } from '../../../shared/ledger/state.js';
import { envelope, fixtureGenesis, keys, signedBy, TestLedger } from '../../support/ledger-fixtures.js';

const registrars = [keys.registrar1, keys.registrar2, keys.registrar3];

function ledgerOf(genesis: Partial<Genesis> = {}): TestLedger {
  const ledger = new TestLedger();
  ledger.state = new Map(genesisState(parseGenesis({ ...fixtureGenesis(), ...genesis })));
  return ledger;
}

function upgrade(payload: object, signers = registrars): Transaction {
  return signedBy({ type: 'governance.upgrade', ...envelope(), payload } as UnsignedTransaction, ...signers);
}

function params(changes: object, signers = registrars): Transaction {
  return signedBy(
    { type: 'governance.params', ...envelope(), payload: { changes } } as UnsignedTransaction,
    ...signers,
  );
}

const state = (ledger: TestLedger) => new MapStateReader(ledger.state);

function expectRejected(outcome: { ok: boolean } | undefined, code: string, sentence?: RegExp) {
  expect(outcome).toMatchObject({ ok: false, code });
  if (sentence) expect((outcome as unknown as { sentence: string }).sentence).toMatch(sentence);
}

describe('chain parameters', () => {
  it('are the defaults on a chain whose genesis has none, and no record is written (its genesis hash stays)', () => {
    const ledger = ledgerOf();
    expect(chainParams(state(ledger))).toEqual(DEFAULT_CHAIN_PARAMS);
    expect(ledger.get('cfg/params')).toBeUndefined();
    expect(ledger.get('cfg/protocol')).toBeUndefined();
    expect(protocolAt(state(ledger), 1)).toBe(1);
  });

  it('come from the genesis when it has them', () => {
    const ledger = ledgerOf({ params: { maxValidators: 7, heartbeatMs: 1_000 } });
    expect(chainParams(state(ledger))).toEqual({ maxValidators: 7, heartbeatMs: 1_000 });
  });

  it('name the checkpoint period in the genesis, within its bounds; governance.params cannot change it, and keeps it [REQ-CKP.4]', () => {
    const ledger = ledgerOf({
      protocolVersion: 3,
      params: { maxValidators: 7, heartbeatMs: 1_000, checkpointEveryMs: 15_000 },
    });
    expect(chainParams(state(ledger)).checkpointEveryMs).toBe(15_000);
    for (const checkpointEveryMs of [4_999, 31 * 86_400_000 + 1, 1.5])
      expect(() =>
        parseGenesis({ ...fixtureGenesis(), params: { maxValidators: 7, heartbeatMs: 1_000, checkpointEveryMs } }),
      ).toThrow();
    // a change of the period is a protocol version's change: the transaction does not carry it
    // (every transaction from outside is parsed: gossip, API, a block)
    expect(() => parseTransaction(params({ checkpointEveryMs: 60_000 }))).toThrow(/not a valid transaction/);
    expect(ledger.apply(params({ heartbeatMs: 60_000 }))[0]).toMatchObject({ ok: true });
    expect(chainParams(state(ledger))).toEqual({ maxValidators: 7, heartbeatMs: 60_000, checkpointEveryMs: 15_000 });
  });

  it('refuse a genesis that designates more validators than its maximum', () => {
    expect(() =>
      genesisState(parseGenesis({ ...fixtureGenesis(), params: { maxValidators: 2, heartbeatMs: 1_000 } })),
    ).toThrow(/5 validators, above its maxValidators of 2/);
  });

  it('cannot change before protocol 2: governance.params is NOT_YET_ENABLED on a version-1 chain [REQ-UPG.1]', () => {
    const ledger = ledgerOf();
    expectRejected(
      ledger.apply(params({ heartbeatMs: 60_000 }))[0],
      RejectCode.notYetEnabled,
      /protocol version 2; this chain runs version 1/,
    );
    expect(ledger.get('cfg/params')).toBeUndefined();
  });

  it('are refused as NOT_YET_ENABLED before the expiry of the envelope is looked at [REQ-TX.1]', () => {
    const ledger = ledgerOf();
    const expired = signedBy(
      {
        type: 'governance.params',
        ...envelope({ expiresAtMs: 1 }),
        payload: { changes: { heartbeatMs: 60_000 } },
      } as UnsignedTransaction,
      ...registrars,
    );
    expectRejected(ledger.apply(expired)[0], RejectCode.notYetEnabled);
  });

  it('change from protocol 2 with more than 2/3 of the registrars', () => {
    const ledger = ledgerOf({ protocolVersion: 2 });
    expect(ledger.apply(params({ heartbeatMs: 60_000 }))[0]).toMatchObject({ ok: true });
    expect(chainParams(state(ledger))).toEqual({ maxValidators: 100, heartbeatMs: 60_000 });
  });

  it('need more than 2/3 of the active registrars (QUORUM_NOT_MET)', () => {
    const ledger = ledgerOf({ protocolVersion: 2 });
    expectRejected(ledger.apply(params({ heartbeatMs: 60_000 }, registrars.slice(0, 2)))[0], RejectCode.quorumNotMet);
  });

  it('stay inside their bounds (PARAM_OUT_OF_RANGE)', () => {
    const ledger = ledgerOf({ protocolVersion: 2 });
    expectRejected(
      ledger.apply(params({ heartbeatMs: 999 }))[0],
      RejectCode.paramOutOfRange,
      /heartbeatMs must be 1000 to 3600000/,
    );
    expectRejected(ledger.apply(params({ heartbeatMs: 3_600_001 }))[0], RejectCode.paramOutOfRange);
    expectRejected(ledger.apply(params({ maxValidators: 0 }))[0], RejectCode.paramOutOfRange);
  });

  it('never lower the maximum below the validators designated now (PARAMS_BELOW_VALIDATORS)', () => {
    const ledger = ledgerOf({ protocolVersion: 2 });
    // three registrars and two notaries vote
    expectRejected(ledger.apply(params({ maxValidators: 4 }))[0], RejectCode.paramsBelowValidators, /5 validators/);
    expect(ledger.apply(params({ maxValidators: 5 }))[0]).toMatchObject({ ok: true });
  });
});

describe('protocol upgrades', () => {
  it('are scheduled on a version-1 chain, and a version-2 type is refused before the height and accepted from it [REQ-UPG.1]', () => {
    const ledger = ledgerOf();
    const height = ledger.height + 1 + UPGRADE_NOTICE_BLOCKS_MIN;
    expect(ledger.apply(upgrade({ schedule: { version: 2, height, name: 'designated validators' } }))[0]).toMatchObject(
      {
        ok: true,
      },
    );
    expect(pendingUpgrade(state(ledger), ledger.height)).toEqual({ version: 2, height, name: 'designated validators' });
    while (ledger.height < height - 2) ledger.apply();
    // the block at height - 1 still runs version 1
    expect(ledger.height + 1).toBe(height - 1);
    expectRejected(ledger.apply(params({ heartbeatMs: 60_000 }))[0], RejectCode.notYetEnabled);
    // exactly at the height: version 2
    expect(ledger.height + 1).toBe(height);
    expect(protocolAt(state(ledger), height)).toBe(2);
    expect(ledger.apply(params({ heartbeatMs: 60_000 }))[0]).toMatchObject({ ok: true });
  });

  it('need more than 2/3 of the active registrars (QUORUM_NOT_MET)', () => {
    const ledger = ledgerOf();
    expectRejected(
      ledger.apply(upgrade({ schedule: { version: 2, height: 100 } }, [keys.registrar1]))[0],
      RejectCode.quorumNotMet,
    );
  });

  it('give operators notice: a height fewer than the minimum of blocks ahead is UPGRADE_TOO_SOON', () => {
    const ledger = ledgerOf();
    const soonest = ledger.height + 1 + UPGRADE_NOTICE_BLOCKS_MIN;
    expectRejected(
      ledger.apply(upgrade({ schedule: { version: 2, height: soonest - 1 } }))[0],
      RejectCode.upgradeTooSoon,
    );
    // the refused one took a block: the next block's soonest is one later
    expect(ledger.apply(upgrade({ schedule: { version: 2, height: soonest + 1 } }))[0]).toMatchObject({ ok: true });
  });

  it('only go forward (UPGRADE_NOT_NEWER)', () => {
    const ledger = ledgerOf({ protocolVersion: 2 });
    expectRejected(ledger.apply(upgrade({ schedule: { version: 2, height: 100 } }))[0], RejectCode.upgradeNotNewer);
    expectRejected(ledger.apply(upgrade({ schedule: { version: 1, height: 100 } }))[0], RejectCode.upgradeNotNewer);
  });

  it('one at a time (UPGRADE_SCHEDULED), and a cancellation names the one it cancels (NO_SUCH_UPGRADE)', () => {
    const ledger = ledgerOf();
    expect(ledger.apply(upgrade({ schedule: { version: 2, height: 50 } }))[0]).toMatchObject({ ok: true });
    expectRejected(ledger.apply(upgrade({ schedule: { version: 3, height: 60 } }))[0], RejectCode.upgradeScheduled);
    expectRejected(ledger.apply(upgrade({ cancel: { version: 2, height: 51 } }))[0], RejectCode.noSuchUpgrade);
    expect(ledger.apply(upgrade({ cancel: { version: 2, height: 50 } }))[0]).toMatchObject({ ok: true });
    expect(pendingUpgrade(state(ledger), ledger.height)).toBeUndefined();
    expect(protocolAt(state(ledger), 50)).toBe(1);
  });

  it('cannot be cancelled once in force', () => {
    const ledger = ledgerOf();
    const height = ledger.height + 1 + UPGRADE_NOTICE_BLOCKS_MIN;
    ledger.apply(upgrade({ schedule: { version: 2, height } }));
    while (ledger.height < height - 1) ledger.apply();
    expectRejected(ledger.apply(upgrade({ cancel: { version: 2, height } }))[0], RejectCode.noSuchUpgrade);
    expect(protocolAt(state(ledger), height + 5)).toBe(2);
  });

  it('bind the version in force into the appHash; version 1 hashes as every chain before versions [REQ-UPG.1]', () => {
    const before = appHashOf('a'.repeat(64), 'b'.repeat(64), 1);
    expect(appHashOf('a'.repeat(64), 'b'.repeat(64), 2)).not.toBe(before);
  });
});
