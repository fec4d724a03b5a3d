// [REQ-ELECTION-GROUP.1] libsodium and @noble/curves give identical bytes for every group
// operation the protocol uses, and for whole ballots, DKG messages and decryptions made from
// the same randomness. [REQ-ELECTION-ELEMENT.1] [REQ-ELECTION-SCALAR.1] [REQ-ELECTION-GENERATOR.1]
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { bytesToHex } from '../../shared/codec/index.js';
import {
  GROUP_ORDER,
  IDENTITY,
  bigintToScalar,
  createBallot,
  deal,
  deriveGenerator,
  emptyTotals,
  addBallot,
  encodeBallot,
  encodeDealing,
  encodePartialDecryption,
  isCanonicalScalar,
  nobleGroup,
  partialDecrypt,
  qualify,
  shareFor,
  sodiumGroup,
  verifyBallot,
  type Group,
} from '../../shared/election/crypto/index.js';
import { context, contestAndVotes, seededRandom } from './election-fixtures.js';

const noble = nobleGroup();
let sodium: Group;
beforeAll(async () => {
  sodium = await sodiumGroup();
});

const wide = fc.uint8Array({ minLength: 64, maxLength: 64 });
const scalar = wide.map((bytes) => noble.reduceWide(bytes));
const element = wide.map((bytes) => noble.fromUniform(bytes));
const hex = (bytes: Uint8Array) => bytesToHex(bytes);

describe('both group libraries agree byte for byte', () => {
  it('on wide reduction, element derivation and the scalar field operations', () => {
    fc.assert(
      fc.property(wide, wide, (a, b) => {
        expect(hex(sodium.reduceWide(a))).toBe(hex(noble.reduceWide(a)));
        expect(hex(sodium.fromUniform(a))).toBe(hex(noble.fromUniform(a)));
        const x = noble.reduceWide(a);
        const y = noble.reduceWide(b);
        for (const op of ['scalarAdd', 'scalarSub', 'scalarMul'] as const) {
          expect(hex(sodium[op](x, y)), op).toBe(hex(noble[op](x, y)));
        }
        expect(hex(sodium.scalarNegate(x))).toBe(hex(noble.scalarNegate(x)));
        expect(hex(sodium.scalarInvert(x))).toBe(hex(noble.scalarInvert(x)));
      }),
      { numRuns: 200 },
    );
  });

  it('on add, sub, scalar multiplication and base multiplication, the identity and zero included', () => {
    const elementOrIdentity = fc.oneof(
      { weight: 5, arbitrary: element },
      { weight: 1, arbitrary: fc.constant(IDENTITY) },
    );
    const scalarOrSmall = fc.oneof(
      { weight: 5, arbitrary: scalar },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 3 }).map((n) => bigintToScalar(BigInt(n))) },
      { weight: 1, arbitrary: fc.constant(bigintToScalar(GROUP_ORDER - 1n)) },
    );
    fc.assert(
      fc.property(elementOrIdentity, elementOrIdentity, scalarOrSmall, (p, q, s) => {
        expect(hex(sodium.add(p, q))).toBe(hex(noble.add(p, q)));
        expect(hex(sodium.sub(p, q))).toBe(hex(noble.sub(p, q)));
        expect(hex(sodium.multiply(s, p))).toBe(hex(noble.multiply(s, p)));
        expect(hex(sodium.multiplyBase(s))).toBe(hex(noble.multiplyBase(s)));
      }),
      { numRuns: 60 },
    );
  });

  it('on which 32-byte strings are canonical elements: random bytes, flipped encodings, s >= p, negative s', () => {
    const candidates = fc.oneof(
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      fc.tuple(element, fc.nat(31), fc.integer({ min: 1, max: 255 })).map(([e, i, m]) => {
        const out = e.slice();
        out[i] = (out[i] as number) ^ m;
        return out;
      }),
      element.map((e) => {
        // s + p: the same field element, not canonical.
        const out = e.slice();
        let carry = 0;
        const p = 2n ** 255n - 19n;
        for (let i = 0; i < 32; i++) {
          const sum = (out[i] as number) + Number((p >> BigInt(8 * i)) & 0xffn) + carry;
          out[i] = sum & 0xff;
          carry = sum >> 8;
        }
        return out;
      }),
      element,
    );
    let valid = 0;
    fc.assert(
      fc.property(candidates, (bytes) => {
        const answer = noble.isElement(bytes);
        expect(sodium.isElement(bytes), hex(bytes)).toBe(answer);
        if (answer) valid++;
      }),
      { numRuns: 400 },
    );
    expect(valid).toBeGreaterThan(0);
    expect(sodium.isElement(new Uint8Array(31))).toBe(false);
    expect(noble.isElement(new Uint8Array(33))).toBe(false);
  });

  it('refuses scalars at or above L and accepts L - 1', () => {
    expect(isCanonicalScalar(bigintToScalar(GROUP_ORDER - 1n))).toBe(true);
    const l = new Uint8Array(32);
    let rest = GROUP_ORDER;
    for (let i = 0; i < 32; i++) {
      l[i] = Number(rest & 0xffn);
      rest >>= 8n;
    }
    expect(isCanonicalScalar(l)).toBe(false);
    expect(isCanonicalScalar(new Uint8Array(32).fill(0xff))).toBe(false);
  });

  it('derives the same published second generator, never the identity or G', () => {
    const a = deriveGenerator(sodium, 'example');
    expect(hex(a)).toBe(hex(deriveGenerator(noble, 'example')));
    expect(hex(a)).not.toBe(hex(IDENTITY));
    expect(hex(a)).not.toBe(hex(noble.multiplyBase(bigintToScalar(1n))));
    expect(hex(deriveGenerator(sodium, 'other'))).not.toBe(hex(a));
  });

  it('on whole ballots made from the same randomness, and each verifies with the other library', () => {
    fc.assert(
      fc.property(fc.array(contestAndVotes, { minLength: 1, maxLength: 2 }), fc.integer(), (contests, seed) => {
        const shapes = contests.map((c) => c.shape);
        const votes = contests.map((c) => c.votes);
        const ctxS = context(sodium, 7);
        const ctxN = context(noble, 7);
        const fromSodium = createBallot(sodium, ctxS, shapes, votes, seededRandom(seed));
        const fromNoble = createBallot(noble, ctxN, shapes, votes, seededRandom(seed));
        expect(hex(encodeBallot(fromSodium))).toBe(hex(encodeBallot(fromNoble)));
        verifyBallot(noble, ctxN, shapes, fromSodium);
        verifyBallot(sodium, ctxS, shapes, fromNoble);
      }),
      { numRuns: 6 },
    );
  });

  it('on DKG dealings, the election key, partial decryptions and homomorphic totals', () => {
    const parameters = { electionId: new Uint8Array([1, 2, 3]), trustees: 3, threshold: 2 };
    const results = [sodium, noble].map((group) => {
      const random = seededRandom(99);
      const dealt = [1, 2, 3].map((i) => deal(group, parameters, i, random));
      const dkg = qualify(
        group,
        parameters,
        dealt.map((d) => d.dealing),
        [],
        [],
      );
      const x1 = dealt.reduce<Uint8Array>(
        (acc, d) => group.scalarAdd(acc, shareFor(group, d.secret, 1)),
        new Uint8Array(32),
      );
      const ctx = { electionId: parameters.electionId, publicKey: dkg.publicKey, credential: new Uint8Array(32) };
      const shapes = [{ boxes: 2, min: 1, max: 1 }];
      const ballot = createBallot(group, ctx, shapes, [[0, 1]], random);
      const totals = addBallot(group, addBallot(group, emptyTotals(shapes), ballot), ballot)[0]!;
      const partial = partialDecrypt(group, ctx, 1, x1, totals, random);
      return [
        ...dealt.map((d) => hex(encodeDealing({ ...d.dealing, sealed: [] }))),
        hex(dkg.publicKey),
        ...dkg.verificationKeys.map(hex),
        hex(encodePartialDecryption(partial)),
      ];
    });
    expect(results[0]).toEqual(results[1]);
  });
});
