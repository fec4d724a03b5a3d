// authority.rotate: an office moves to a new key and keeps its name, role, seat and records;
// its old key never signs again (docs/decisions.md #51). Every block here runs over only the
// keys the transactions' prefetch sets name (decision #7), as in the node.
import { describe, expect, it } from 'vitest';
import type { KeyPair } from '../../shared/crypto/index.js';
import {
  RejectCode,
  StateKey,
  validatorsAt,
  type Authority,
  type AuthorityIndexEntry,
  type PropertyObject,
  type UnsignedTransaction,
  type ValidatorSchedule,
} from '../../shared/ledger/index.js';
import { FORMER_KEYS_MAX } from '../../shared/modules/authority/types.js';
import {
  certifiedTransfer,
  envelope,
  keyOf,
  keys,
  OBJECT_ID,
  saleContract,
  signedBy,
  PrefetchedLedger,
  type TestLedger,
} from '../support/ledger-fixtures.js';

const registrars = [keys.registrar1, keys.registrar2, keys.registrar3];
const next = { notary: keyOf('notary-next'), registrar1: keyOf('registrar1-next'), bank: keyOf('bank-next') };

const record = (ledger: TestLedger, key: KeyPair) => ledger.get(StateKey.authority(key.publicKey)) as Authority;
const indexEntry = (ledger: TestLedger, key: KeyPair) =>
  (ledger.get(StateKey.authorityIndex) as AuthorityIndexEntry[]).find((entry) => entry.key === key.publicKey);
const object = (ledger: TestLedger) => ledger.get(StateKey.object(OBJECT_ID)) as PropertyObject;

function rotate(
  from: KeyPair,
  to: KeyPair,
  options: { rotation?: 'planned' | 'lost'; version?: number; signers?: KeyPair[]; peerId?: string } = {},
) {
  const rotation = options.rotation ?? 'planned';
  const signers = options.signers ?? (rotation === 'planned' ? [from, ...registrars] : registrars);
  return signedBy(
    {
      type: 'authority.rotate',
      ...envelope(),
      payload: {
        key: from.publicKey,
        version: options.version ?? 1,
        newKey: to.publicKey,
        rotation,
        ...(options.peerId ? { peerId: options.peerId } : {}),
      },
    } as UnsignedTransaction,
    ...signers,
  );
}

function tx(type: string, payload: unknown, ...signers: KeyPair[]) {
  return signedBy({ type, ...envelope(), payload } as UnsignedTransaction, ...signers);
}

const mortgage = (holder: KeyPair, version = 1) =>
  tx(
    'encumbrance.add',
    {
      objectId: OBJECT_ID,
      objectVersion: version,
      encumbrance: { id: 'M-1', kind: 'mortgage', holder: holder.publicKey, reference: 'loan-7' },
    },
    holder,
    keys.alice,
  );
const release = (signer: KeyPair, version: number) =>
  tx('encumbrance.release', { objectId: OBJECT_ID, objectVersion: version, encumbranceId: 'M-1' }, signer);

function expectRejected(outcome: unknown, code: string) {
  expect(outcome).toMatchObject({ ok: false, code });
}

describe('authority.rotate', () => {
  it('comes with protocol 2: a chain on protocol 1 refuses it (NOT_YET_ENABLED) [REQ-UPG.1]', () => {
    const ledger = new PrefetchedLedger();
    expect(ledger.apply(rotate(keys.notary, next.notary))[0]).toMatchObject({ ok: false, code: 'NOT_YET_ENABLED' });
    expect(record(ledger, keys.notary).status).toBe('active');
  });

  it('moves a notary to its new key with the old key and a registrar quorum signing (planned)', () => {
    const ledger = new PrefetchedLedger({ protocolVersion: 2 });
    expect(ledger.apply(rotate(keys.notary, next.notary))[0]).toMatchObject({ ok: true });
    expect(record(ledger, next.notary)).toEqual({
      key: next.notary.publicKey,
      role: 'notary',
      name: 'Notary Ivanova',
      status: 'active',
      version: 1,
      sinceHeight: 0,
      formerKeys: [keys.notary.publicKey],
    });
    expect(record(ledger, keys.notary)).toMatchObject({
      status: 'rotated',
      rotatedTo: next.notary.publicKey,
      rotation: 'planned',
      version: 2,
    });
    expect(indexEntry(ledger, keys.notary)).toMatchObject({ status: 'rotated' });
    expect(indexEntry(ledger, next.notary)).toMatchObject({ role: 'notary', status: 'active' });
  });

  it('moves an office whose key is lost on the registrars’ quorum alone, with its new peer id', () => {
    const ledger = new PrefetchedLedger({ protocolVersion: 2 });
    const peerId = '12D3KooWNewNodeOfTheOffice';
    expect(ledger.apply(rotate(keys.notary, next.notary, { rotation: 'lost', peerId }))[0]).toMatchObject({
      ok: true,
    });
    expect(record(ledger, next.notary)).toMatchObject({ peerId, formerKeys: [keys.notary.publicKey] });
    expect(record(ledger, keys.notary)).toMatchObject({ status: 'rotated', rotation: 'lost' });
  });

  it('rejects a planned rotation the old key did not sign (MISSING_SIGNATURE)', () => {
    const ledger = new PrefetchedLedger({ protocolVersion: 2 });
    expectRejected(
      ledger.apply(rotate(keys.notary, next.notary, { signers: registrars }))[0],
      RejectCode.missingSignature,
    );
  });

  it('rejects a lost-key rotation that the old key signs after all (UNEXPECTED_SIGNER)', () => {
    const ledger = new PrefetchedLedger({ protocolVersion: 2 });
    const signers = [keys.notary, ...registrars];
    expectRejected(
      ledger.apply(rotate(keys.notary, next.notary, { rotation: 'lost', signers }))[0],
      RejectCode.unexpectedSigner,
    );
  });

  it('rejects a rotation without more than 2/3 of the registrars, planned or lost (QUORUM_NOT_MET)', () => {
    const ledger = new PrefetchedLedger({ protocolVersion: 2 });
    const two = [keys.registrar1, keys.registrar2];
    expectRejected(
      ledger.apply(rotate(keys.notary, next.notary, { signers: [keys.notary, ...two] }))[0],
      RejectCode.quorumNotMet,
    );
    expectRejected(
      ledger.apply(rotate(keys.notary, next.notary, { rotation: 'lost', signers: two }))[0],
      RejectCode.quorumNotMet,
    );
    expect(record(ledger, keys.notary).status).toBe('active');
  });

  it('rejects a new key that is, or ever was, registered (AUTHORITY_EXISTS)', () => {
    const ledger = new PrefetchedLedger({ protocolVersion: 2 });
    expectRejected(ledger.apply(rotate(keys.notary, keys.notary2))[0], RejectCode.authorityExists);
    ledger.apply(rotate(keys.notary, next.notary));
    // notary2 may not take the key notary rotated away from.
    expectRejected(ledger.apply(rotate(keys.notary2, keys.notary))[0], RejectCode.authorityExists);
  });

  it('rejects rotating a revoked key (AUTHORITY_REVOKED) or an already rotated one (KEY_ROTATED), and a rotated record never changes again', () => {
    const ledger = new PrefetchedLedger({ protocolVersion: 2 });
    ledger.apply(tx('authority.revoke', { key: keys.notary2.publicKey, version: 1, reason: 'closed' }, ...registrars));
    expectRejected(
      ledger.apply(rotate(keys.notary2, keyOf('x'), { rotation: 'lost', version: 2 }))[0],
      RejectCode.authorityRevoked,
    );
    ledger.apply(rotate(keys.notary, next.notary));
    expectRejected(
      ledger.apply(rotate(keys.notary, keyOf('y'), { rotation: 'lost', version: 2 }))[0],
      RejectCode.keyRotated,
    );
    expectRejected(
      ledger.apply(
        tx(
          'authority.update',
          { key: keys.notary.publicKey, version: 2, changes: { status: 'active' } },
          ...registrars,
        ),
      )[0],
      RejectCode.keyRotated,
    );
    expect(record(ledger, keys.notary).status).toBe('rotated');
  });

  it('keeps a suspended office suspended under its new key', () => {
    const ledger = new PrefetchedLedger({ protocolVersion: 2 });
    ledger.apply(
      tx(
        'authority.update',
        { key: keys.notary.publicKey, version: 1, changes: { status: 'suspended' } },
        ...registrars,
      ),
    );
    expect(ledger.apply(rotate(keys.notary, next.notary, { rotation: 'lost', version: 2 }))[0]).toMatchObject({
      ok: true,
    });
    expect(record(ledger, next.notary).status).toBe('suspended');
  });

  it(`keeps the lineage oldest first and refuses a rotation past ${FORMER_KEYS_MAX} former keys (TOO_MANY_ROTATIONS)`, () => {
    const ledger = new PrefetchedLedger({ protocolVersion: 2 });
    let current = keys.notary;
    const lineage: string[] = [];
    for (let i = 0; i < FORMER_KEYS_MAX; i++) {
      const to = keyOf(`notary-${i}`);
      expect(ledger.apply(rotate(current, to))[0]).toMatchObject({ ok: true });
      lineage.push(current.publicKey);
      current = to;
    }
    expect(record(ledger, current).formerKeys).toEqual(lineage);
    expectRejected(ledger.apply(rotate(current, keyOf('one-too-many')))[0], RejectCode.tooManyRotations);
  });
});

describe('a rotated key signs nothing again', () => {
  it('refuses the old notary key certifying a transfer, and accepts the new one (KEY_ROTATED) [REQ-ROT.1]', () => {
    const ledger = new PrefetchedLedger({ protocolVersion: 2 });
    ledger.apply(rotate(keys.notary, next.notary));
    expectRejected(ledger.apply(certifiedTransfer())[0], RejectCode.keyRotated);
    expect(ledger.apply(certifiedTransfer(saleContract(), { notary: next.notary }))[0]).toMatchObject({ ok: true });
  });

  it('refuses the old registrar key registering, correcting and co-signing governance; its new key counts in the quorum (KEY_ROTATED)', () => {
    const ledger = new PrefetchedLedger({ protocolVersion: 2 });
    ledger.apply(rotate(keys.registrar1, next.registrar1));
    const register = (registrar: KeyPair, id: string) =>
      tx(
        'property.register',
        {
          object: {
            id,
            kind: 'land',
            address: 'Grodno, Lenina 5',
            areaDm2: 100_000,
            owners: [{ key: keys.dave.publicKey, share: [1, 1] }],
          },
          registrar: registrar.publicKey,
        },
        registrar,
      );
    expectRejected(ledger.apply(register(keys.registrar1, 'BY-9-1'))[0], RejectCode.keyRotated);
    expect(ledger.apply(register(next.registrar1, 'BY-9-1'))[0]).toMatchObject({ ok: true });
    const correct = (registrar: KeyPair) =>
      tx(
        'property.correct',
        {
          objectId: OBJECT_ID,
          objectVersion: 1,
          registrar: registrar.publicKey,
          changes: { areaDm2: 5_421 },
          reason: 'survey',
        },
        registrar,
      );
    expectRejected(ledger.apply(correct(keys.registrar1))[0], RejectCode.keyRotated);
    const newcomer = { authority: { key: keys.dave.publicKey, role: 'notary', name: 'Notary Sidorov' } };
    expectRejected(
      ledger.apply(tx('authority.add', newcomer, keys.registrar1, keys.registrar2, keys.registrar3))[0],
      RejectCode.keyRotated,
    );
    expect(
      ledger.apply(tx('authority.add', newcomer, next.registrar1, keys.registrar2, keys.registrar3))[0],
    ).toMatchObject({ ok: true });
    expectRejected(
      ledger.apply(
        rotate(keys.registrar1, keyOf('z'), {
          version: 2,
          signers: [keys.registrar1, keys.registrar2, keys.registrar3],
        }),
      )[0],
      RejectCode.keyRotated,
    );
  });

  it('refuses the old bank key adding or releasing an encumbrance and consenting to a transfer (KEY_ROTATED) [REQ-ROT.1]', () => {
    const ledger = new PrefetchedLedger({ protocolVersion: 2 });
    expect(ledger.apply(mortgage(keys.bank))[0]).toMatchObject({ ok: true });
    ledger.apply(rotate(keys.bank, next.bank));
    expectRejected(ledger.apply(release(keys.bank, 2))[0], RejectCode.keyRotated);
    expectRejected(
      ledger.apply(
        tx(
          'encumbrance.add',
          {
            objectId: OBJECT_ID,
            objectVersion: 2,
            encumbrance: { id: 'A-1', kind: 'arrest', holder: keys.bank.publicKey, reference: 'x' },
          },
          keys.bank,
        ),
      )[0],
      RejectCode.keyRotated,
    );
    const contract = saleContract({ objectVersion: 2 });
    expectRejected(
      ledger.apply(certifiedTransfer(contract, { consenting: [keys.alice, keys.bob, keys.bank] }))[0],
      RejectCode.keyRotated,
    );
  });
});

describe('records that name the old key stay the office’s', () => {
  it('lets the bank release its mortgage with its new key, even after a second rotation [REQ-ROT.2]', () => {
    const ledger = new PrefetchedLedger({ protocolVersion: 2 });
    ledger.apply(mortgage(keys.bank));
    ledger.apply(rotate(keys.bank, next.bank));
    const third = keyOf('bank-third');
    ledger.apply(rotate(next.bank, third));
    expect(record(ledger, third).formerKeys).toEqual([keys.bank.publicKey, next.bank.publicKey]);
    expect(ledger.apply(release(third, 2))[0]).toMatchObject({ ok: true });
    expect(object(ledger).encumbrances).toEqual([]);
  });

  it('rejects a release by another office’s key (UNEXPECTED_SIGNER)', () => {
    const ledger = new PrefetchedLedger({ protocolVersion: 2 });
    ledger.apply(mortgage(keys.bank));
    ledger.apply(rotate(keys.bank, next.bank));
    expectRejected(ledger.apply(release(keys.court, 2))[0], RejectCode.unexpectedSigner);
  });

  it('takes the mortgage holder’s consent to a transfer from its new key [REQ-ROT.2]', () => {
    const ledger = new PrefetchedLedger({ protocolVersion: 2 });
    ledger.apply(mortgage(keys.bank));
    ledger.apply(rotate(keys.bank, next.bank));
    const contract = saleContract({ objectVersion: 2 });
    expect(
      ledger.apply(certifiedTransfer(contract, { consenting: [keys.alice, keys.bob, next.bank] }))[0],
    ).toMatchObject({ ok: true });
    expect(object(ledger).encumbrances).toHaveLength(1);
  });
});

describe('property an office owns under its old key', () => {
  const registerOwnedBy = (owner: KeyPair) =>
    tx(
      'property.register',
      {
        object: {
          id: 'BY-9-7',
          kind: 'building',
          address: 'Minsk, Surganova 2',
          areaDm2: 90_000,
          owners: [{ key: owner.publicKey, share: [1, 1] }],
        },
        registrar: keys.registrar1.publicKey,
      },
      keys.registrar1,
    );

  it('is sold with the office’s new key consenting for the seller named by its old one [REQ-ROT.2]', () => {
    const ledger = new PrefetchedLedger({ protocolVersion: 2 });
    ledger.apply(registerOwnedBy(keys.bank));
    ledger.apply(rotate(keys.bank, next.bank));
    const contract = saleContract({ objectId: 'BY-9-7', sellers: [{ key: keys.bank.publicKey, share: [1, 1] }] });
    expect(ledger.apply(certifiedTransfer(contract, { consenting: [next.bank, keys.bob] }))[0]).toMatchObject({
      ok: true,
    });
    expect((ledger.get(StateKey.object('BY-9-7')) as PropertyObject).owners).toEqual([
      { key: keys.bob.publicKey, share: [1, 1] },
    ]);
  });

  it('is mortgaged with the office’s new key consenting as the owner', () => {
    const ledger = new PrefetchedLedger({ protocolVersion: 2 });
    ledger.apply(registerOwnedBy(keys.notary2));
    ledger.apply(rotate(keys.notary2, keyOf('notary2-next')));
    const add = (owner: KeyPair) =>
      tx(
        'encumbrance.add',
        {
          objectId: 'BY-9-7',
          objectVersion: 1,
          encumbrance: { id: 'M-9', kind: 'mortgage', holder: keys.bank.publicKey, reference: 'loan-9' },
        },
        keys.bank,
        owner,
      );
    expectRejected(ledger.apply(add(keys.notary))[0], RejectCode.unexpectedSigner);
    expect(ledger.apply(add(keyOf('notary2-next')))[0]).toMatchObject({ ok: true });
  });

  it('is never bought under a rotated key: its consent is refused (KEY_ROTATED)', () => {
    const ledger = new PrefetchedLedger({ protocolVersion: 2 });
    ledger.apply(rotate(keys.bank, next.bank));
    const contract = saleContract({ buyers: [{ key: keys.bank.publicKey, share: [1, 1] }] });
    expectRejected(
      ledger.apply(certifiedTransfer(contract, { consenting: [keys.alice, keys.bank] }))[0],
      RejectCode.keyRotated,
    );
    expectRejected(
      ledger.apply(certifiedTransfer(contract, { consenting: [keys.alice, next.bank] }))[0],
      RejectCode.missingSignature,
    );
  });
});

describe('the validator seat', () => {
  it('moves to the new key at H + 2, the set otherwise unchanged [REQ-VAL.1]', () => {
    const ledger = new PrefetchedLedger({ protocolVersion: 2 });
    ledger.apply(); // height 1
    const before = validatorsAt(ledger.get(StateKey.validatorSchedule) as ValidatorSchedule, 1);
    ledger.apply(rotate(keys.registrar1, next.registrar1)); // H = 2
    const schedule = ledger.get(StateKey.validatorSchedule) as ValidatorSchedule;
    expect(validatorsAt(schedule, 3)).toEqual(before);
    const after = validatorsAt(schedule, 4);
    expect(after).toHaveLength(before.length);
    expect(after).toContain(next.registrar1.publicKey);
    expect(after).not.toContain(keys.registrar1.publicKey);
    expect(after).toEqual(
      [...before.filter((key) => key !== keys.registrar1.publicKey), next.registrar1.publicKey].sort(),
    );
  });
});
