// Property-based checks of the ledger: whatever sequence of transfers notaries certify,
// ownership stays whole and exact, rejected transactions change nothing, and two nodes
// applying the same blocks reach the same state.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as shares from '../../shared/modules/property/shares.js';
import { StateKey, type PropertyObject, type Share, type Transaction } from '../../shared/ledger/index.js';
import { certifiedTransfer, keys, SHARED_OBJECT_ID, saleContract, TestLedger } from '../support/ledger-fixtures.js';

const parties = [keys.alice, keys.bob, keys.carol, keys.dave];

const step = fc.record({
  seller: fc.nat({ max: 3 }),
  buyers: fc.uniqueArray(fc.nat({ max: 3 }), { minLength: 1, maxLength: 2 }),
  /** Part of the seller's share sold, as parts out of 4. */
  quarters: fc.integer({ min: 1, max: 4 }),
  fault: fc.constantFrom('none', 'none', 'none', 'stale', 'lowDuty', 'notOwner'),
});

type Step = { seller: number; buyers: number[]; quarters: number; fault: string };

function transferFor(object: PropertyObject, s: Step): Transaction {
  const owner = object.owners[s.seller % object.owners.length]!;
  const seller = parties.find((party) => party.publicKey === owner.key)!;
  const sold = shares.fraction(owner.share);
  const part = { n: sold.n * BigInt(s.quarters), d: sold.d * 4n };
  const buyerKeys = s.buyers.map((i) => parties[i]!);
  // split what is sold evenly between the buyers
  const each = { n: part.n, d: part.d * BigInt(buyerKeys.length) };
  const asShare = (f: shares.Fraction): Share => shares.toShare(shares.add(shares.ZERO, f));
  const sellerParty =
    s.fault === 'notOwner'
      ? (parties.find((p) => !object.owners.some((o) => o.key === p.publicKey)) ?? seller)
      : seller;
  const contract = saleContract({
    objectId: SHARED_OBJECT_ID,
    objectVersion: s.fault === 'stale' ? object.version - 1 : object.version,
    sellers: [{ key: sellerParty.publicKey, share: asShare(part) }],
    buyers: buyerKeys.map((buyer) => ({ key: buyer.publicKey, share: asShare(each) })),
  });
  const consenting = [sellerParty, ...buyerKeys.filter((b) => b !== sellerParty)];
  return certifiedTransfer(contract, { consenting, dutyMinor: s.fault === 'lowDuty' ? 100 : 20_000 });
}

describe('ledger properties', () => {
  it('keeps every object wholly and exactly owned through any sequence of transfers [REQ-TX.2]', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 25 }), (steps) => {
        const ledger = new TestLedger();
        for (const s of steps) {
          const before = ledger.get(StateKey.object(SHARED_OBJECT_ID)) as PropertyObject;
          const tx = transferFor(before, s);
          const [outcome] = ledger.apply(tx);
          const after = ledger.get(StateKey.object(SHARED_OBJECT_ID)) as PropertyObject;
          if (outcome!.ok) {
            expect(after.version).toBe(before.version + 1);
          } else {
            expect(after).toEqual(before);
          }
          // a seller who is a buyer too, or a clean sale: either way faults must be caught
          if (s.fault === 'stale' || s.fault === 'lowDuty') expect(outcome!.ok).toBe(false);
          const total = shares.sum(after.owners.map((o) => o.share));
          expect(shares.compare(total, shares.ONE)).toBe(0);
          expect(new Set(after.owners.map((o) => o.key)).size).toBe(after.owners.length);
          for (const owner of after.owners) expect(owner.share[0]).toBeGreaterThan(0);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('is deterministic: two nodes applying the same blocks hold the same state', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 15 }), (steps) => {
        const a = new TestLedger();
        const b = new TestLedger();
        for (const s of steps) {
          const tx = transferFor(a.get(StateKey.object(SHARED_OBJECT_ID)) as PropertyObject, s);
          expect(b.apply(tx)).toEqual(a.apply(tx));
        }
        expect([...b.state]).toEqual([...a.state]);
      }),
      { numRuns: 50 },
    );
  });
});
