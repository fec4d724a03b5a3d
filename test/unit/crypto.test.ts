import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../../shared/codec/index.js';
import { Domain, generateKeyPair, sign, signingBytes, verify, type SignatureCheck } from '../../shared/crypto/index.js';
import { createFastVerifier } from '../../electron/node/crypto/fast-verify.js';

const fast = createFastVerifier();
const seed = fc.uint8Array({ minLength: 32, maxLength: 32 });
const message = fc.uint8Array({ maxLength: 200 });
const domains = Object.values(Domain);
const chainIds = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}$/);

/** Both verifiers must agree on every input; returns their common answer. */
function bothVerify(check: SignatureCheck): boolean {
  const noble = verify(check);
  const openssl = fast(check);
  expect(openssl, `verifiers disagree on ${JSON.stringify({ ...check, message: bytesToHex(check.message) })}`).toBe(
    noble,
  );
  return noble;
}

// The 8 encodings of small-order points (torsion subgroup) and non-canonical y >= p forms.
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
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // y = p
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // y = p + 1
  'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff', // y = p, sign bit set
];
// Group order L: a signature with S >= L is malleable and must be refused.
const L = (1n << 252n) + 27742317777372353535851937790883648493n;
function scalarHex(value: bigint): string {
  const bytes = new Uint8Array(32);
  for (let i = 0; i < 32; i++) bytes[i] = Number((value >> BigInt(8 * i)) & 0xffn);
  return bytesToHex(bytes);
}

describe('signatures', () => {
  it('verify for the signer, domain, chain and message they were made for', () => {
    fc.assert(
      fc.property(seed, fc.constantFrom(...domains), chainIds, message, (s, domain, chainId, msg) => {
        const pair = generateKeyPair(s);
        const signature = sign(pair.secretKey, domain, chainId, msg);
        expect(bothVerify({ publicKey: pair.publicKey, signature, domain, chainId, message: msg })).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('never verify for another domain: a contract signature is not a transaction signature [REQ-SIG.1]', () => {
    fc.assert(
      fc.property(
        seed,
        fc.constantFrom(...domains),
        fc.constantFrom(...domains),
        message,
        (s, signedFor, usedAs, msg) => {
          fc.pre(signedFor !== usedAs);
          const pair = generateKeyPair(s);
          const signature = sign(pair.secretKey, signedFor, 'by-registry', msg);
          expect(
            bothVerify({ publicKey: pair.publicKey, signature, domain: usedAs, chainId: 'by-registry', message: msg }),
          ).toBe(false);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('never verify on another chain: no cross-chain replay [REQ-SIG.1]', () => {
    fc.assert(
      fc.property(seed, chainIds, chainIds, message, (s, chainA, chainB, msg) => {
        fc.pre(chainA !== chainB);
        const pair = generateKeyPair(s);
        const signature = sign(pair.secretKey, Domain.tx, chainA, msg);
        expect(
          bothVerify({ publicKey: pair.publicKey, signature, domain: Domain.tx, chainId: chainB, message: msg }),
        ).toBe(false);
      }),
      { numRuns: 100 },
    );
  });

  it('frame domain and chain id with their lengths, so no two (domain, chain, message) triples share signed bytes [REQ-SIG.1]', () => {
    const a = signingBytes('notary/tx/v1', 'ab', Uint8Array.of(0x63));
    const b = signingBytes('notary/tx/v1', 'abc', new Uint8Array());
    expect(bytesToHex(a)).not.toBe(bytesToHex(b));
  });

  it('fail for any flipped bit of the signature, key or message', () => {
    fc.assert(
      fc.property(seed, message, fc.nat(), fc.constantFrom('signature', 'key', 'message'), (s, msg, bit, part) => {
        const pair = generateKeyPair(s);
        const check: SignatureCheck = {
          publicKey: pair.publicKey,
          signature: sign(pair.secretKey, Domain.vote, 'c', msg),
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
        expect(bothVerify(check)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

describe('the node:crypto fast verifier [REQ-SIG.2]', () => {
  it('agrees with the shared verifier on random keys and signatures', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 64, maxLength: 64 }),
        message,
        (key, signature, msg) => {
          bothVerify({
            publicKey: bytesToHex(key),
            signature: bytesToHex(signature),
            domain: Domain.tx,
            chainId: 'c',
            message: msg,
          });
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('agrees on small-order keys and R values, where lax verifiers differ', () => {
    for (const key of SMALL_ORDER) {
      for (const r of SMALL_ORDER) {
        for (const s of [scalarHex(0n), scalarHex(1n)]) {
          bothVerify({ publicKey: key, signature: r + s, domain: Domain.tx, chainId: 'c', message: Uint8Array.of(1) });
        }
      }
    }
  });

  it('agrees on non-canonical point encodings, and refuses them', () => {
    const pair = generateKeyPair(new Uint8Array(32).fill(7));
    const msg = Uint8Array.of(9);
    const good = sign(pair.secretKey, Domain.tx, 'c', msg);
    for (const bad of NON_CANONICAL) {
      expect(bothVerify({ publicKey: bad, signature: good, domain: Domain.tx, chainId: 'c', message: msg })).toBe(
        false,
      );
      expect(
        bothVerify({
          publicKey: pair.publicKey,
          signature: bad + good.slice(64),
          domain: Domain.tx,
          chainId: 'c',
          message: msg,
        }),
      ).toBe(false);
    }
  });

  it('refuses a malleated signature with S + L in place of S', () => {
    const pair = generateKeyPair(new Uint8Array(32).fill(3));
    const msg = Uint8Array.of(1, 2);
    const good = sign(pair.secretKey, Domain.tx, 'c', msg);
    const sBytes = hexToBytes(good.slice(64));
    let s = 0n;
    for (let i = 31; i >= 0; i--) s = (s << 8n) | BigInt(sBytes[i]!);
    const malleated = good.slice(0, 64) + scalarHex(s + L);
    expect(
      bothVerify({ publicKey: pair.publicKey, signature: malleated, domain: Domain.tx, chainId: 'c', message: msg }),
    ).toBe(false);
  });

  it('answers false, never throws, on malformed hex', () => {
    const pair = generateKeyPair(new Uint8Array(32).fill(1));
    for (const [publicKey, signature] of [
      ['', ''],
      ['zz'.repeat(32), 'ab'.repeat(64)],
      [pair.publicKey.toUpperCase(), 'ab'.repeat(64)],
      [pair.publicKey, 'ab'.repeat(63)],
      [pair.publicKey + '00', 'ab'.repeat(64)],
    ] as const) {
      expect(bothVerify({ publicKey, signature, domain: Domain.tx, chainId: 'c', message: new Uint8Array() })).toBe(
        false,
      );
    }
  });

  it('remembers a check the verify pool found valid, exactly that check, and only when it caches', () => {
    const pair = generateKeyPair(new Uint8Array(32).fill(2));
    const message = new Uint8Array([1, 2, 3]);
    const check: SignatureCheck = {
      publicKey: pair.publicKey,
      signature: sign(pair.secretKey, Domain.tx, 'c', message),
      domain: Domain.tx,
      chainId: 'c',
      message,
    };
    const caching = createFastVerifier();
    expect(caching.known(check)).toBe(false);
    caching.remember(check);
    expect(caching.known(check)).toBe(true);
    // every other field is another check, not remembered
    for (const other of [
      { ...check, message: new Uint8Array([1, 2, 4]) },
      { ...check, chainId: 'd' },
      { ...check, domain: Domain.contract },
      { ...check, publicKey: generateKeyPair(new Uint8Array(32).fill(3)).publicKey },
    ])
      expect(caching.known(other)).toBe(false);
    // malformed hex is never remembered (the pool never answers valid for it)
    const malformed = { ...check, signature: check.signature.toUpperCase() };
    caching.remember(malformed);
    expect(caching.known(malformed)).toBe(false);
    const plain = createFastVerifier({ cacheEntries: 0 });
    plain.remember(check);
    expect(plain.known(check)).toBe(false);
    expect(plain.cacheEntries).toBe(0);
  });
});
