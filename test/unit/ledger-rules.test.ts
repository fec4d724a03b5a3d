// The registry's rules, one test per rejection code, named for the rule it guards.
import { describe, expect, it } from 'vitest';
import { encode } from '../../shared/codec/index.js';
import {
  decodeTransaction,
  LedgerError,
  parseTransaction,
  quorumOf,
  RejectCode,
  signContract,
  StateKey,
  validatorsAt,
  type Authority,
  type PropertyObject,
  type Transaction,
  type UnsignedTransaction,
  type ValidatorSchedule,
} from '../../shared/ledger/index.js';
import {
  certifiedTransfer,
  CHAIN_ID,
  envelope,
  GENESIS_TIME_MS,
  HOUR_MS,
  keys,
  OBJECT_ID,
  saleContract,
  SHARED_OBJECT_ID,
  signedBy,
  TestLedger,
} from '../support/ledger-fixtures.js';

function expectRejected(outcome: { ok: boolean } | undefined, code: string, sentence?: RegExp) {
  expect(outcome).toMatchObject({ ok: false, code });
  if (sentence) expect((outcome as unknown as { sentence: string }).sentence).toMatch(sentence);
}

const object = (ledger: TestLedger, id = OBJECT_ID) => ledger.get(StateKey.object(id)) as PropertyObject;

function register(
  id: string,
  owners = [{ key: keys.dave.publicKey, share: [1, 1] as [number, number] }],
  signer = keys.registrar1,
) {
  return signedBy(
    {
      type: 'property.register',
      ...envelope(),
      payload: {
        object: { id, kind: 'land', address: 'Grodno, Lenina 5', areaDm2: 100_000, owners },
        registrar: signer.publicKey,
      },
    } as UnsignedTransaction,
    signer,
  );
}

function encumber(
  kind: 'mortgage' | 'arrest',
  signers = kind === 'mortgage' ? [keys.bank, keys.alice] : [keys.court],
  id = 'E-1',
  version = 1,
) {
  const holder = kind === 'mortgage' ? keys.bank : keys.court;
  return signedBy(
    {
      type: 'encumbrance.add',
      ...envelope(),
      payload: {
        objectId: OBJECT_ID,
        objectVersion: version,
        encumbrance: { id, kind, holder: holder.publicKey, reference: `${kind}-42` },
      },
    } as UnsignedTransaction,
    ...signers,
  );
}

function authorityTx(
  type: 'authority.add' | 'authority.update' | 'authority.revoke',
  payload: unknown,
  ...signers: (typeof keys)[keyof typeof keys][]
) {
  return signedBy({ type, ...envelope(), payload } as UnsignedTransaction, ...signers);
}

const allRegistrars = [keys.registrar1, keys.registrar2, keys.registrar3];

describe('transfer', () => {
  it('moves the object to the buyer and bumps its version when parties sign, the notary certifies and the duty is paid [REQ-TX.2]', () => {
    const ledger = new TestLedger();
    expect(ledger.apply(certifiedTransfer())).toEqual([expect.objectContaining({ ok: true })]);
    expect(object(ledger)).toMatchObject({
      owners: [{ key: keys.bob.publicKey, share: [1, 1] }],
      version: 2,
      updatedHeight: 1,
    });
  });

  it('sells part of a shared object and merges shares exactly', () => {
    const ledger = new TestLedger();
    const contract = saleContract({
      objectId: SHARED_OBJECT_ID,
      sellers: [{ key: keys.carol.publicKey, share: [1, 3] }],
      buyers: [{ key: keys.alice.publicKey, share: [1, 3] }],
    });
    expect(ledger.apply(certifiedTransfer(contract, { consenting: [keys.carol, keys.alice] }))[0]).toMatchObject({
      ok: true,
    });
    const owners = object(ledger, SHARED_OBJECT_ID).owners;
    expect(owners).toHaveLength(2);
    expect(owners).toEqual(
      expect.arrayContaining([
        { key: keys.alice.publicKey, share: [2, 3] },
        { key: keys.carol.publicKey, share: [1, 3] },
      ]),
    );
  });

  it('rejects a transfer signed for another chain (WRONG_CHAIN) [REQ-TX.1]', () => {
    const ledger = new TestLedger();
    const tx = certifiedTransfer(saleContract(), { envelope: { chainId: 'by-registry-other' } });
    expectRejected(ledger.apply(tx)[0], RejectCode.wrongChain, /by-registry-other/);
  });

  it('rejects a transfer whose expiry has passed (EXPIRED) [REQ-TX.1]', () => {
    const ledger = new TestLedger();
    const tx = certifiedTransfer(saleContract(), { envelope: { expiresAtMs: GENESIS_TIME_MS } });
    expectRejected(ledger.apply(tx)[0], RejectCode.expired);
  });

  it('rejects a transfer that expires further ahead than replay records are kept (EXPIRY_TOO_FAR) [REQ-TX.1]', () => {
    const ledger = new TestLedger();
    const tx = certifiedTransfer(saleContract(), { envelope: { expiresAtMs: GENESIS_TIME_MS + 365 * 24 * HOUR_MS } });
    expectRejected(ledger.apply(tx)[0], RejectCode.expiryTooFar);
  });

  it('rejects the same certified transfer submitted again, even re-signed (REPLAY) [REQ-TX.1]', () => {
    const ledger = new TestLedger();
    const tx = certifiedTransfer();
    expect(ledger.apply(tx)[0]).toMatchObject({ ok: true });
    expectRejected(ledger.apply(tx)[0], RejectCode.replay, /height 1/);
    const other = new TestLedger();
    expect(other.apply(tx, tx).map((outcome) => outcome.ok)).toEqual([true, false]);
  });

  it('rejects a transfer whose notary signature does not match its content (BAD_SIGNATURE) [REQ-TX.1]', () => {
    const ledger = new TestLedger();
    const tx = certifiedTransfer();
    const tampered = {
      ...tx,
      payload: { ...tx.payload, duty: { ...tx.payload.duty, amountMinor: 90_000 } },
    } as Transaction;
    expectRejected(ledger.apply(tampered)[0], RejectCode.badSignature);
  });

  it('rejects a transfer whose contract was changed after the parties signed it (BAD_SIGNATURE) [REQ-TX.1]', () => {
    const ledger = new TestLedger();
    const consents = [
      signContract(saleContract({ priceMinor: 1 }), CHAIN_ID, keys.alice.secretKey),
      signContract(saleContract(), CHAIN_ID, keys.bob.secretKey),
    ];
    const tx = certifiedTransfer();
    const forged = signedBy({ ...tx, payload: { ...tx.payload, consents } } as UnsignedTransaction, keys.notary);
    expectRejected(ledger.apply(forged)[0], RejectCode.badSignature, /contract signature/);
  });

  it('rejects a transfer the buyer has not signed (MISSING_SIGNATURE)', () => {
    const ledger = new TestLedger();
    expectRejected(
      ledger.apply(certifiedTransfer(saleContract(), { consenting: [keys.alice] }))[0],
      RejectCode.missingSignature,
      /contract/,
    );
  });

  it('rejects a transfer the notary has not certified (MISSING_SIGNATURE)', () => {
    const ledger = new TestLedger();
    const tx = certifiedTransfer();
    expectRejected(ledger.apply({ ...tx, signatures: [] })[0], RejectCode.missingSignature, /notary/);
  });

  it('rejects a transfer co-signed by a key with no part in it (UNEXPECTED_SIGNER) [REQ-TX.1]', () => {
    const ledger = new TestLedger();
    const tx = certifiedTransfer();
    expectRejected(ledger.apply(signedBy(tx, keys.notary, keys.mallory))[0], RejectCode.unexpectedSigner);
    const strangerConsent = certifiedTransfer(saleContract(), { consenting: [keys.alice, keys.bob, keys.mallory] });
    expectRejected(ledger.apply(strangerConsent)[0], RejectCode.unexpectedSigner, /not a party/);
  });

  it('rejects a transfer certified by a suspended notary (NOTARY_NOT_ACTIVE)', () => {
    const ledger = new TestLedger();
    const notary = ledger.get(StateKey.authority(keys.notary.publicKey)) as Authority;
    const suspend = authorityTx(
      'authority.update',
      { key: notary.key, version: notary.version, changes: { status: 'suspended' } },
      ...allRegistrars,
    );
    expect(ledger.apply(suspend)[0]).toMatchObject({ ok: true });
    expectRejected(ledger.apply(certifiedTransfer())[0], RejectCode.notaryNotActive);
  });

  it('rejects a transfer certified by a key that is not a notary (NOTARY_NOT_ACTIVE)', () => {
    const ledger = new TestLedger();
    expectRejected(
      ledger.apply(certifiedTransfer(saleContract(), { notary: keys.registrar1 }))[0],
      RejectCode.notaryNotActive,
    );
    expectRejected(
      ledger.apply(certifiedTransfer(saleContract(), { notary: keys.mallory }))[0],
      RejectCode.notaryNotActive,
    );
  });

  it('rejects a transfer of an object that is not in the registry (UNKNOWN_OBJECT)', () => {
    const ledger = new TestLedger();
    expectRejected(
      ledger.apply(certifiedTransfer(saleContract({ objectId: 'BY-9-9999' })))[0],
      RejectCode.unknownObject,
    );
  });

  it('rejects the second of two sales of one object signed against the same version: the double sale (STALE_VERSION)', () => {
    const ledger = new TestLedger();
    const toBob = certifiedTransfer();
    const toCarol = certifiedTransfer(saleContract({ buyers: [{ key: keys.carol.publicKey, share: [1, 1] }] }), {
      consenting: [keys.alice, keys.carol],
      notary: keys.notary2,
    });
    const [first, second] = ledger.apply(toBob, toCarol);
    expect(first).toMatchObject({ ok: true });
    expectRejected(second, RejectCode.staleVersion, /BY-7-0001 changed at height 1/);
    expect(object(ledger).owners).toEqual([{ key: keys.bob.publicKey, share: [1, 1] }]);
  });

  it('rejects a transfer whose seller does not own the object (SELLER_NOT_OWNER)', () => {
    const ledger = new TestLedger();
    const contract = saleContract({
      sellers: [{ key: keys.bob.publicKey, share: [1, 1] }],
      buyers: [{ key: keys.carol.publicKey, share: [1, 1] }],
    });
    expectRejected(
      ledger.apply(certifiedTransfer(contract, { consenting: [keys.bob, keys.carol] }))[0],
      RejectCode.sellerNotOwner,
    );
  });

  it('rejects a transfer whose seller sells more than the share they own (SELLER_NOT_OWNER)', () => {
    const ledger = new TestLedger();
    const contract = saleContract({
      objectId: SHARED_OBJECT_ID,
      sellers: [{ key: keys.alice.publicKey, share: [1, 2] }],
      buyers: [{ key: keys.bob.publicKey, share: [1, 2] }],
    });
    expectRejected(ledger.apply(certifiedTransfer(contract))[0], RejectCode.sellerNotOwner, /owns 1\/3/);
  });

  it('rejects a transfer whose sold and bought shares do not add up (SHARES_MISMATCH)', () => {
    const ledger = new TestLedger();
    const contract = saleContract({ buyers: [{ key: keys.bob.publicKey, share: [1, 2] }] });
    expectRejected(ledger.apply(certifiedTransfer(contract))[0], RejectCode.sharesMismatch);
  });

  it('rejects a transfer of an object under court arrest, whoever consents (ENCUMBERED)', () => {
    const ledger = new TestLedger();
    expect(ledger.apply(encumber('arrest'))[0]).toMatchObject({ ok: true });
    const contract = saleContract({ objectVersion: 2 });
    expectRejected(
      ledger.apply(certifiedTransfer(contract, { consenting: [keys.alice, keys.bob, keys.court] }))[0],
      RejectCode.encumbered,
      /arrest/,
    );
  });

  it('rejects a transfer of a mortgaged object without the bank, and accepts it with the bank consenting (ENCUMBERED)', () => {
    const ledger = new TestLedger();
    expect(ledger.apply(encumber('mortgage'))[0]).toMatchObject({ ok: true });
    const contract = saleContract({ objectVersion: 2 });
    expectRejected(ledger.apply(certifiedTransfer(contract))[0], RejectCode.encumbered, /mortgaged/);
    expect(
      ledger.apply(certifiedTransfer(contract, { consenting: [keys.alice, keys.bob, keys.bank] }))[0],
    ).toMatchObject({ ok: true });
  });

  it('rejects a transfer whose state duty is below the fee schedule (DUTY_TOO_LOW)', () => {
    const ledger = new TestLedger();
    // 0.20 % of 100,000.00 BYN is 200.00 BYN
    expectRejected(
      ledger.apply(certifiedTransfer(saleContract(), { dutyMinor: 19_999 }))[0],
      RejectCode.dutyTooLow,
      /199\.99 BYN is below the 200\.00 BYN/,
    );
    expectRejected(
      ledger.apply(certifiedTransfer(saleContract({ priceMinor: 100 }), { dutyMinor: 4_999 }))[0],
      RejectCode.dutyTooLow,
      /below the 50\.00 BYN/,
    );
  });

  it('rejects a sale at price 0 even with a duty paid (PRICE_ZERO): a gift is another contract', () => {
    const ledger = new TestLedger();
    const before = structuredClone([...ledger.state]);
    expectRejected(
      ledger.apply(certifiedTransfer(saleContract({ priceMinor: 0 }), { dutyMinor: 20_000 }))[0],
      RejectCode.priceZero,
      /price is 0 BYN/,
    );
    expect([...ledger.state]).toEqual(before);
    // one kopeck is a price: the minimum duty applies
    expect(ledger.apply(certifiedTransfer(saleContract({ priceMinor: 1 }), { dutyMinor: 5_000 }))[0]).toMatchObject({
      ok: true,
    });
  });

  it('changes nothing when a transaction is rejected [REQ-TX.2]', () => {
    const ledger = new TestLedger();
    const before = structuredClone([...ledger.state]);
    ledger.apply(certifiedTransfer(saleContract(), { dutyMinor: 1 }));
    expect([...ledger.state]).toEqual(before);
  });
});

describe('property.register', () => {
  it('enters a new object signed by an active registrar, at version 1', () => {
    const ledger = new TestLedger();
    expect(ledger.apply(register('BY-5-0100'))[0]).toMatchObject({ ok: true });
    expect(object(ledger, 'BY-5-0100')).toMatchObject({ version: 1, registeredHeight: 1, encumbrances: [] });
  });

  it('rejects registration by a notary (NOT_AUTHORIZED)', () => {
    const ledger = new TestLedger();
    expectRejected(ledger.apply(register('BY-5-0100', undefined, keys.notary))[0], RejectCode.notAuthorized);
  });

  it('rejects registering an object twice (OBJECT_EXISTS)', () => {
    const ledger = new TestLedger();
    expectRejected(ledger.apply(register(OBJECT_ID))[0], RejectCode.objectExists);
  });

  it("rejects an object whose owners' shares do not make the whole (SHARES_MISMATCH)", () => {
    const ledger = new TestLedger();
    const owners = [
      { key: keys.dave.publicKey, share: [1, 2] as [number, number] },
      { key: keys.carol.publicKey, share: [1, 3] as [number, number] },
    ];
    expectRejected(ledger.apply(register('BY-5-0100', owners))[0], RejectCode.sharesMismatch, /5\/6/);
  });
});

describe('encumbrance', () => {
  it('rejects a mortgage without every owner consenting (MISSING_SIGNATURE)', () => {
    const ledger = new TestLedger();
    expectRejected(ledger.apply(encumber('mortgage', [keys.bank]))[0], RejectCode.missingSignature, /owner/);
  });

  it('rejects an encumbrance imposed by someone who is no bank or court (NOT_AUTHORIZED)', () => {
    const ledger = new TestLedger();
    const tx = signedBy(
      {
        type: 'encumbrance.add',
        ...envelope(),
        payload: {
          objectId: OBJECT_ID,
          objectVersion: 1,
          encumbrance: { id: 'E-9', kind: 'arrest', holder: keys.mallory.publicKey, reference: 'fake' },
        },
      } as UnsignedTransaction,
      keys.mallory,
    );
    expectRejected(ledger.apply(tx)[0], RejectCode.notAuthorized);
  });

  it('rejects an encumbrance id used twice on one object (ENCUMBRANCE_EXISTS)', () => {
    const ledger = new TestLedger();
    expect(ledger.apply(encumber('arrest'))[0]).toMatchObject({ ok: true });
    expectRejected(ledger.apply(encumber('arrest', [keys.court], 'E-1', 2))[0], RejectCode.encumbranceExists);
  });

  it('rejects more encumbrances than an object may carry (TOO_MANY_ENCUMBRANCES)', () => {
    const ledger = new TestLedger();
    for (let i = 0; i < 16; i++)
      expect(ledger.apply(encumber('arrest', [keys.court], `E-${i}`, i + 1))[0]).toMatchObject({ ok: true });
    expectRejected(ledger.apply(encumber('arrest', [keys.court], 'E-16', 17))[0], RejectCode.tooManyEncumbrances);
  });

  it('releases an arrest by its court, and rejects release of an unknown one (UNKNOWN_ENCUMBRANCE)', () => {
    const ledger = new TestLedger();
    ledger.apply(encumber('arrest'));
    const release = (id: string, version: number) =>
      signedBy(
        {
          type: 'encumbrance.release',
          ...envelope(),
          payload: { objectId: OBJECT_ID, objectVersion: version, encumbranceId: id },
        } as UnsignedTransaction,
        keys.court,
      );
    expectRejected(ledger.apply(release('E-404', 2))[0], RejectCode.unknownEncumbrance);
    expect(ledger.apply(release('E-1', 2))[0]).toMatchObject({ ok: true });
    expect(object(ledger).encumbrances).toEqual([]);
  });

  it('rejects a release signed by someone other than the holder (UNEXPECTED_SIGNER) [REQ-TX.1]', () => {
    const ledger = new TestLedger();
    ledger.apply(encumber('arrest'));
    const tx = signedBy(
      {
        type: 'encumbrance.release',
        ...envelope(),
        payload: { objectId: OBJECT_ID, objectVersion: 2, encumbranceId: 'E-1' },
      } as UnsignedTransaction,
      keys.alice,
    );
    expectRejected(ledger.apply(tx)[0], RejectCode.unexpectedSigner);
  });
});

describe('authority', () => {
  const newNotary = { key: keys.dave.publicKey, role: 'notary', name: 'Notary Sidorov' } as const;

  it('needs strictly more than two thirds of registrars', () => {
    expect([1, 2, 3, 4, 6, 7].map(quorumOf)).toEqual([1, 2, 3, 3, 5, 5]);
  });

  it('adds a notary with every registrar signing; the new notary can certify at once', () => {
    const ledger = new TestLedger();
    expect(ledger.apply(authorityTx('authority.add', { authority: newNotary }, ...allRegistrars))[0]).toMatchObject({
      ok: true,
    });
    expect(ledger.apply(certifiedTransfer(saleContract(), { notary: keys.dave }))[0]).toMatchObject({ ok: true });
  });

  it('schedules a validator-set change for height H+2 [REQ-VAL.1]', () => {
    const ledger = new TestLedger();
    ledger.apply(authorityTx('authority.add', { authority: newNotary }, ...allRegistrars));
    const schedule = ledger.get(StateKey.validatorSchedule) as ValidatorSchedule;
    expect(validatorsAt(schedule, 2)).not.toContain(keys.dave.publicKey);
    expect(validatorsAt(schedule, 3)).toContain(keys.dave.publicKey);
    expect(validatorsAt(schedule, 3)).not.toContain(keys.bank.publicKey);
  });

  it('rejects a membership change with two of three registrars (QUORUM_NOT_MET)', () => {
    const ledger = new TestLedger();
    expectRejected(
      ledger.apply(authorityTx('authority.add', { authority: newNotary }, keys.registrar1, keys.registrar2))[0],
      RejectCode.quorumNotMet,
      /2 of 3/,
    );
  });

  it('rejects a membership change signed by a notary (UNEXPECTED_SIGNER) [REQ-TX.1]', () => {
    const ledger = new TestLedger();
    expectRejected(
      ledger.apply(authorityTx('authority.add', { authority: newNotary }, ...allRegistrars, keys.notary))[0],
      RejectCode.unexpectedSigner,
    );
  });

  it('rejects adding a key that is already an authority (AUTHORITY_EXISTS)', () => {
    const ledger = new TestLedger();
    const again = { key: keys.notary.publicKey, role: 'notary', name: 'Again' };
    expectRejected(
      ledger.apply(authorityTx('authority.add', { authority: again }, ...allRegistrars))[0],
      RejectCode.authorityExists,
    );
  });

  it('rejects updating a key that is not an authority (UNKNOWN_AUTHORITY)', () => {
    const ledger = new TestLedger();
    const tx = authorityTx(
      'authority.update',
      { key: keys.mallory.publicKey, version: 1, changes: { name: 'x' } },
      ...allRegistrars,
    );
    expectRejected(ledger.apply(tx)[0], RejectCode.unknownAuthority);
  });

  it('rejects an update signed against an old version of the record (STALE_VERSION)', () => {
    const ledger = new TestLedger();
    const rename = (name: string) =>
      authorityTx('authority.update', { key: keys.notary.publicKey, version: 1, changes: { name } }, ...allRegistrars);
    expect(ledger.apply(rename('Notary Ivanova-Petrova'))[0]).toMatchObject({ ok: true });
    expectRejected(ledger.apply(rename('Notary I.'))[0], RejectCode.staleVersion);
  });

  it('revokes a notary for good: it cannot certify and cannot be reinstated (AUTHORITY_REVOKED)', () => {
    const ledger = new TestLedger();
    expect(
      ledger.apply(
        authorityTx(
          'authority.revoke',
          { key: keys.notary.publicKey, version: 1, reason: 'licence withdrawn' },
          ...allRegistrars,
        ),
      )[0],
    ).toMatchObject({ ok: true });
    expectRejected(ledger.apply(certifiedTransfer())[0], RejectCode.notaryNotActive);
    const reinstate = authorityTx(
      'authority.update',
      { key: keys.notary.publicKey, version: 2, changes: { status: 'active' } },
      ...allRegistrars,
    );
    expectRejected(ledger.apply(reinstate)[0], RejectCode.authorityRevoked);
  });

  it('rejects revoking the last active registrar (NO_REGISTRARS_LEFT)', () => {
    const ledger = new TestLedger();
    const revoke = (target: typeof keys.registrar1, ...signers: (typeof keys.registrar1)[]) =>
      authorityTx('authority.revoke', { key: target.publicKey, version: 1, reason: 'office closed' }, ...signers);
    expect(ledger.apply(revoke(keys.registrar3, ...allRegistrars))[0]).toMatchObject({ ok: true });
    expect(ledger.apply(revoke(keys.registrar2, keys.registrar1, keys.registrar2))[0]).toMatchObject({ ok: true });
    expectRejected(ledger.apply(revoke(keys.registrar1, keys.registrar1))[0], RejectCode.noRegistrarsLeft);
  });
});

describe('malformed input', () => {
  it('rejects bytes that are not a transaction with MALFORMED and a reason [REQ-TX.1]', () => {
    const junk = [new Uint8Array([0xff]), encode({ type: 'transfer' }), encode({ ...certifiedTransfer(), extra: 1 })];
    for (const bytes of junk) {
      expect(() => decodeTransaction(bytes)).toThrow(LedgerError);
      try {
        decodeTransaction(bytes);
      } catch (error) {
        expect((error as LedgerError).code).toBe(RejectCode.malformed);
      }
    }
  });

  it('rejects a key that signs twice, floats, and out-of-range shares (MALFORMED) [REQ-TX.1]', () => {
    const tx = certifiedTransfer();
    const doubled = { ...tx, signatures: [...tx.signatures, ...tx.signatures] };
    expect(() => parseTransaction(doubled)).toThrow(/signed twice/);
    expect(() => parseTransaction({ ...tx, nonce: 1.5 })).toThrow(LedgerError);
    const badShare = {
      ...tx,
      payload: {
        ...tx.payload,
        contract: { ...tx.payload.contract, buyers: [{ key: keys.bob.publicKey, share: [2, 1] }] },
      },
    };
    expect(() => parseTransaction(badShare)).toThrow(/between 0 and 1/);
  });

  it('round-trips a valid transaction through its canonical bytes', () => {
    const tx = certifiedTransfer();
    expect(decodeTransaction(encode(tx))).toEqual(tx);
  });
});
