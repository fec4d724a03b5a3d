// property.correct: a registrar corrects an object's address or area, with the reason
// (the seam's proof, issue 13: this module's folders are all that change).
import { describe, expect, it } from 'vitest';
import {
  parseTransaction,
  RejectCode,
  StateKey,
  type PropertyObject,
  type UnsignedTransaction,
} from '../../../shared/ledger/index.js';
import type { KeyPair } from '../../../shared/crypto/index.js';
import { envelope, keys, OBJECT_ID, signedBy, TestLedger } from '../../support/ledger-fixtures.js';

const object = (ledger: TestLedger) => ledger.get(StateKey.object(OBJECT_ID)) as PropertyObject;

function correction(
  changes: { address?: string; areaDm2?: number },
  options: { version?: number; registrar?: KeyPair; signers?: KeyPair[] } = {},
) {
  const { version = 1, registrar = keys.registrar1 } = options;
  const signers = options.signers ?? [registrar];
  return signedBy(
    {
      type: 'property.correct',
      ...envelope(),
      payload: {
        objectId: OBJECT_ID,
        objectVersion: version,
        registrar: registrar.publicKey,
        changes,
        reason: 'Survey of 2026-11-02 no. 117',
      },
    } as UnsignedTransaction,
    ...signers,
  );
}

describe('property.correct', () => {
  it('corrects the address and area, bumps the version and keeps owners and encumbrances', () => {
    const ledger = new TestLedger();
    const before = object(ledger);
    expect(ledger.apply(correction({ address: 'Minsk, Lenina 7, apt. 3', areaDm2: 5_431 }))[0]).toMatchObject({
      ok: true,
    });
    const after = object(ledger);
    expect(after).toEqual({
      ...before,
      address: 'Minsk, Lenina 7, apt. 3',
      areaDm2: 5_431,
      version: before.version + 1,
      updatedHeight: 1,
    });
  });

  it('corrects only the field it names', () => {
    const ledger = new TestLedger();
    const before = object(ledger);
    expect(ledger.apply(correction({ areaDm2: before.areaDm2 + 1 }))[0]).toMatchObject({ ok: true });
    expect(object(ledger).address).toBe(before.address);
    expect(object(ledger).areaDm2).toBe(before.areaDm2 + 1);
  });

  it('refuses a correction by a notary (NOT_AUTHORIZED)', () => {
    const ledger = new TestLedger();
    const outcome = ledger.apply(correction({ areaDm2: 1 }, { registrar: keys.notary }))[0];
    expect(outcome).toMatchObject({ ok: false, code: RejectCode.notAuthorized });
    expect(object(ledger).version).toBe(1);
  });

  it('refuses one the named registrar did not sign, or someone else signed (MISSING_SIGNATURE, UNEXPECTED_SIGNER)', () => {
    const ledger = new TestLedger();
    expect(ledger.apply(correction({ areaDm2: 1 }, { signers: [] }))[0]).toMatchObject({
      ok: false,
      code: RejectCode.missingSignature,
    });
    expect(ledger.apply(correction({ areaDm2: 1 }, { signers: [keys.registrar1, keys.alice] }))[0]).toMatchObject({
      ok: false,
      code: RejectCode.unexpectedSigner,
    });
  });

  it('refuses one made against an older version (STALE_VERSION) or an unknown object (UNKNOWN_OBJECT)', () => {
    const ledger = new TestLedger();
    expect(ledger.apply(correction({ areaDm2: 1 }))[0]).toMatchObject({ ok: true });
    expect(ledger.apply(correction({ areaDm2: 2 }, { version: 1 }))[0]).toMatchObject({
      ok: false,
      code: RejectCode.staleVersion,
    });
    const unknown = signedBy(
      {
        type: 'property.correct',
        ...envelope(),
        payload: {
          objectId: 'BY-0-NONE',
          objectVersion: 1,
          registrar: keys.registrar1.publicKey,
          changes: { areaDm2: 1 },
          reason: 'x',
        },
      } as UnsignedTransaction,
      keys.registrar1,
    );
    expect(ledger.apply(unknown)[0]).toMatchObject({ ok: false, code: RejectCode.unknownObject });
  });

  it('refuses a correction that changes nothing (CORRECTION_UNCHANGED)', () => {
    const ledger = new TestLedger();
    const { address, areaDm2 } = object(ledger);
    expect(ledger.apply(correction({ address, areaDm2 }))[0]).toMatchObject({
      ok: false,
      code: RejectCode.correctionUnchanged,
    });
    expect(object(ledger).version).toBe(1);
  });

  it('refuses, as malformed, a correction with no field or no reason', () => {
    const tx = correction({ areaDm2: 1 });
    expect(() => parseTransaction({ ...tx, payload: { ...tx.payload, changes: {} } })).toThrow(/changes the address/);
    expect(() => parseTransaction({ ...tx, payload: { ...tx.payload, reason: '' } })).toThrow(/reason/);
  });
});
