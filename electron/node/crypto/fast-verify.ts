// The node's hot-path signature verifier: ed25519 through node:crypto (OpenSSL), about
// 13x faster than @noble/curves here. It must give exactly the answer of the shared
// verifier (shared/crypto `verify`) for every input, valid or not; the test
// test/unit/crypto-verifiers.test.ts proves that on valid, invalid and malformed input.
import { createPublicKey, verify as opensslVerify, type KeyObject } from 'node:crypto';
import { bytesToHex, hexToBytes } from '../../../shared/codec/index.js';
import { signingBytes, type SignatureCheck, type Verifier } from '../../../shared/crypto/index.js';

// DER prefix of an SPKI ed25519 public key (RFC 8410): SEQUENCE { algorithm id-Ed25519, BIT STRING }.
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const HEX_64 = /^[0-9a-f]{64}$/;
const HEX_128 = /^[0-9a-f]{128}$/;

/** Parsed keys are cached: validators and notaries are few, and parsing costs as much as a verify. */
export const KEY_CACHE_ENTRIES_MAX = 4096;

// Encodings with y >= p are not canonical. RFC 8032 §5.1.3 says decoding fails for them;
// OpenSSL reduces them instead, so reject them here to keep both verifiers identical.
const FIELD_P = (1n << 255n) - 19n;
function isCanonicalPointEncoding(bytes: Uint8Array): boolean {
  let y = 0n;
  for (let i = 31; i >= 0; i--) y = (y << 8n) | BigInt(i === 31 ? (bytes[i] as number) & 0x7f : (bytes[i] as number));
  return y < FIELD_P;
}

/**
 * Valid signatures already seen: a transaction's signatures are checked on admission, again
 * when a block carrying it is proposed or validated, and on mempool re-checks. Only successes
 * are cached (a failure costs the sender, not us), keyed by everything the answer depends on.
 */
export const VERIFIED_CACHE_ENTRIES_MAX = 200_000;

/**
 * A verifier that can say, without verifying, whether it already found a check valid, and
 * can be told a check that its own code found valid on another thread (the verify pool's
 * workers run createFastVerifier; test/unit/verify-pool.test.ts holds their answers equal).
 */
export type CachingVerifier = Verifier & {
  known(check: SignatureCheck): boolean;
  remember(check: SignatureCheck): void;
  /** How many valid checks it remembers; 0: none (it verifies every time). */
  readonly cacheEntries: number;
};

/** Whether `verify` is a CachingVerifier that already found `check` valid. */
export function alreadyVerified(verify: Verifier, check: SignatureCheck): boolean {
  return typeof (verify as Partial<CachingVerifier>).known === 'function' && (verify as CachingVerifier).known(check);
}

/** `verify` as a CachingVerifier, when it is one that remembers. */
export function asCaching(verify: Verifier): CachingVerifier | undefined {
  const caching = verify as Partial<CachingVerifier>;
  return typeof caching.remember === 'function' && (caching.cacheEntries ?? 0) > 0
    ? (verify as CachingVerifier)
    : undefined;
}

export function createFastVerifier(options: { cacheEntries?: number } = {}): CachingVerifier {
  const keys = new Map<string, KeyObject | null>();
  const verified = new Set<string>();
  const cacheEntries = options.cacheEntries ?? VERIFIED_CACHE_ENTRIES_MAX;

  function keyObject(publicKeyHex: string): KeyObject | null {
    const cached = keys.get(publicKeyHex);
    if (cached !== undefined) return cached;
    const raw = hexToBytes(publicKeyHex);
    let key: KeyObject | null = null;
    if (isCanonicalPointEncoding(raw)) {
      try {
        key = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki' });
      } catch {
        key = null;
      }
    }
    if (keys.size >= KEY_CACHE_ENTRIES_MAX) keys.delete(keys.keys().next().value as string);
    keys.set(publicKeyHex, key);
    return key;
  }

  const keyOf = (check: SignatureCheck, signed: Uint8Array) =>
    `${check.publicKey}${check.signature}${bytesToHex(signed)}`;
  const known = (check: SignatureCheck) =>
    cacheEntries > 0 && verified.has(keyOf(check, signingBytes(check.domain, check.chainId, check.message)));
  const add = (cacheKey: string) => {
    if (verified.size >= cacheEntries) verified.delete(verified.values().next().value as string);
    verified.add(cacheKey);
  };
  // Only for a check this same code found valid on a worker thread: the cache then answers it.
  const remember = (check: SignatureCheck) => {
    if (cacheEntries > 0 && HEX_64.test(check.publicKey) && HEX_128.test(check.signature))
      add(keyOf(check, signingBytes(check.domain, check.chainId, check.message)));
  };

  const verify = (check: SignatureCheck) => {
    if (!HEX_64.test(check.publicKey) || !HEX_128.test(check.signature)) return false;
    const signed = signingBytes(check.domain, check.chainId, check.message);
    const cacheKey = cacheEntries > 0 ? keyOf(check, signed) : '';
    if (cacheEntries > 0 && verified.has(cacheKey)) return true;
    const signature = hexToBytes(check.signature);
    if (!isCanonicalPointEncoding(signature.subarray(0, 32))) return false;
    const key = keyObject(check.publicKey);
    if (key === null) return false;
    let valid: boolean;
    try {
      valid = opensslVerify(null, signed, key, signature);
    } catch {
      return false;
    }
    if (valid && cacheEntries > 0) add(cacheKey);
    return valid;
  };
  return Object.assign(verify, { known, remember, cacheEntries });
}
