// The receipt verifier (shared/receipt/verifier.ts) keeps validators' keys decoded and, from a
// key's second use, precomputed. It must answer exactly as shared/crypto `verify` (strict
// RFC 8032) on every input, before and after a key's table exists.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../../shared/codec/index.js';
import { Domain, generateKeyPair, sign, verify, type SignatureCheck } from '../../shared/crypto/index.js';
import { createReceiptVerifier } from '../../shared/receipt/index.js';
import { createSodiumReceiptVerifier } from '../../shared/receipt/sodium-verifier.js';

// Few keys, so that every one of them is used many times and gets its table.
const receiptVerify = createReceiptVerifier();
/** libsodium first, @noble for what it refuses: it must agree just the same. */
let sodiumVerify: (check: SignatureCheck) => boolean;
/** Counts the checks libsodium alone accepted, so the fast path is shown to be taken. */
let sodiumAccepted = 0;
beforeAll(async () => {
  const fast = await createSodiumReceiptVerifier(() => false);
  const judged = await createSodiumReceiptVerifier();
  sodiumVerify = (check) => {
    if (fast(check)) sodiumAccepted++;
    return judged(check);
  };
});
afterAll(() => {
  expect(sodiumAccepted).toBeGreaterThan(0);
});
const pairs = [1, 2, 3, 4].map((fill) => generateKeyPair(new Uint8Array(32).fill(fill)));
const pair = fc.constantFrom(...pairs);
const message = fc.uint8Array({ maxLength: 200 });

function agree(check: SignatureCheck): boolean {
  const expected = verify(check);
  const where = `on ${JSON.stringify({ ...check, message: bytesToHex(check.message) })}`;
  expect(receiptVerify(check), `the receipt verifier disagrees ${where}`).toBe(expected);
  expect(sodiumVerify(check), `the libsodium verifier disagrees ${where}`).toBe(expected);
  return expected;
}

const SMALL_ORDER = [
  '0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0000000000000000000000000000000000000000000000000000000000000080',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
];
const NON_CANONICAL = [
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
];
const L = (1n << 252n) + 27742317777372353535851937790883648493n;
function scalarHex(value: bigint): string {
  const bytes = new Uint8Array(32);
  for (let i = 0; i < 32; i++) bytes[i] = Number((value >> BigInt(8 * i)) & 0xffn);
  return bytesToHex(bytes);
}

describe('the receipt verifier', () => {
  it('verifies what the signer signed, with and without a precomputed key', () => {
    const fresh = createReceiptVerifier();
    const check: SignatureCheck = {
      publicKey: pairs[0]!.publicKey,
      signature: sign(pairs[0]!.secretKey, Domain.vote, 'c', Uint8Array.of(5)),
      domain: Domain.vote,
      chainId: 'c',
      message: Uint8Array.of(5),
    };
    // first use: decoded key only; second and later: the key's window table
    for (let i = 0; i < 3; i++) expect(fresh(check)).toBe(true);
    expect(fresh({ ...check, message: Uint8Array.of(6) })).toBe(false);
    expect(fresh.keys).toBe(1);
  });

  it('agrees with the shared verifier on valid signatures', () => {
    fc.assert(
      fc.property(pair, fc.constantFrom(...Object.values(Domain)), message, (p, domain, msg) => {
        expect(
          agree({
            publicKey: p.publicKey,
            signature: sign(p.secretKey, domain, 'by-registry', msg),
            domain,
            chainId: 'by-registry',
            message: msg,
          }),
        ).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('agrees, and refuses, for any flipped bit of the signature, key, message, domain or chain [REQ-SIG.1]', () => {
    fc.assert(
      fc.property(
        pair,
        message,
        fc.nat(),
        fc.constantFrom('signature', 'key', 'message', 'domain', 'chain'),
        (p, msg, bit, part) => {
          const check: SignatureCheck = {
            publicKey: p.publicKey,
            signature: sign(p.secretKey, Domain.vote, 'c', msg),
            domain: Domain.vote,
            chainId: 'c',
            message: msg,
          };
          const flip = (bytes: Uint8Array) => {
            const copy = bytes.slice();
            if (copy.length === 0) return Uint8Array.of(1);
            const i = bit % (copy.length * 8);
            copy[i >> 3]! ^= 1 << (i & 7);
            return copy;
          };
          if (part === 'signature') check.signature = bytesToHex(flip(hexToBytes(check.signature)));
          if (part === 'key') check.publicKey = bytesToHex(flip(hexToBytes(check.publicKey)));
          if (part === 'message') check.message = flip(msg);
          if (part === 'domain') check.domain = Domain.tx;
          if (part === 'chain') check.chainId = 'd';
          expect(agree(check)).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('agrees on random keys and signatures', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 64, maxLength: 64 }),
        message,
        (key, signature, msg) => {
          agree({
            publicKey: bytesToHex(key),
            signature: bytesToHex(signature),
            domain: Domain.tx,
            chainId: 'c',
            message: msg,
          });
        },
      ),
      { numRuns: 500 },
    );
  });

  it('agrees on small-order keys and R values, twice each (before and after a table would exist) [REQ-SIG.2]', () => {
    for (let round = 0; round < 2; round++) {
      for (const key of SMALL_ORDER) {
        for (const r of SMALL_ORDER) {
          for (const s of [scalarHex(0n), scalarHex(1n)])
            agree({ publicKey: key, signature: r + s, domain: Domain.tx, chainId: 'c', message: Uint8Array.of(1) });
        }
      }
    }
  });

  it('refuses non-canonical point encodings and a malleated S + L [REQ-SIG.2]', () => {
    const p = pairs[1]!;
    const msg = Uint8Array.of(9);
    const good = sign(p.secretKey, Domain.tx, 'c', msg);
    for (const bad of NON_CANONICAL) {
      expect(agree({ publicKey: bad, signature: good, domain: Domain.tx, chainId: 'c', message: msg })).toBe(false);
      expect(
        agree({
          publicKey: p.publicKey,
          signature: bad + good.slice(64),
          domain: Domain.tx,
          chainId: 'c',
          message: msg,
        }),
      ).toBe(false);
    }
    const sBytes = hexToBytes(good.slice(64));
    let s = 0n;
    for (let i = 31; i >= 0; i--) s = (s << 8n) | BigInt(sBytes[i]!);
    expect(
      agree({
        publicKey: p.publicKey,
        signature: good.slice(0, 64) + scalarHex(s + L),
        domain: Domain.tx,
        chainId: 'c',
        message: msg,
      }),
    ).toBe(false);
  });

  it('answers false, never throws, on malformed hex', () => {
    const p = pairs[2]!;
    for (const [publicKey, signature] of [
      ['', ''],
      ['zz'.repeat(32), 'ab'.repeat(64)],
      [p.publicKey.toUpperCase(), 'ab'.repeat(64)],
      [p.publicKey, 'ab'.repeat(63)],
      [p.publicKey + '00', 'ab'.repeat(64)],
    ] as const) {
      expect(agree({ publicKey, signature, domain: Domain.tx, chainId: 'c', message: new Uint8Array() })).toBe(false);
    }
  });

  it('holds at most its bound of keys', () => {
    const small = createReceiptVerifier({ keysMax: 2 });
    for (const p of pairs)
      small({
        publicKey: p.publicKey,
        signature: sign(p.secretKey, Domain.tx, 'c', Uint8Array.of(1)),
        domain: Domain.tx,
        chainId: 'c',
        message: Uint8Array.of(1),
      });
    expect(small.keys).toBe(2);
  });
});
