// The receipt verifier's ed25519 check (shared/ code alone, as in the browser and the CLI).
// A receipt's or certificate's signatures come from a handful of validators, the same keys
// every time. @noble's verify decodes the public key and multiplies it from scratch on every
// call (~0.9 ms of its ~1.4 ms here); this verifier keeps each decoded key and, from its
// second use on, a precomputed window table for it, so [k]A costs a few dozen additions
// (issue #6: a 2-signature receipt from ~2.5 ms to ~1.2 ms). A one-off verification (one
// receipt in the CLI) never pays for a table it would use once.
//
// The answer is exactly that of shared/crypto `verify` (strict RFC 8032, not ZIP-215) for
// every input: the same steps as @noble/curves' eddsa verify with zip215 false, reordered
// only where no answer depends on the order; test/unit/receipt-verifier.test.ts checks it on
// valid, tampered and malformed signatures and keys.
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToNumberLE } from '@noble/curves/utils.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { concatBytes, hexToBytes } from '../codec/index.js';
import { signingBytes, type Verifier } from '../crypto/index.js';

type Point = InstanceType<typeof ed25519.Point>;

/** Keys remembered; beyond it the oldest is dropped. Validator sets are far smaller. */
export const VERIFIER_KEYS_MAX = 64;
/** Window of a key's table: 2^5 points for each of 43 windows, ~15 ms to build here, once. */
export const VERIFIER_WINDOW_BITS = 6;

const HEX_64 = /^[0-9a-f]{64}$/;
const HEX_128 = /^[0-9a-f]{128}$/;

interface KeyEntry {
  /** Undefined when the key does not decode or is of small order: every signature fails. */
  point: Point | undefined;
  uses: number;
}

export interface ReceiptVerifier extends Verifier {
  /** Keys held (for tests). */
  readonly keys: number;
}

export function createReceiptVerifier(options: { keysMax?: number; windowBits?: number } = {}): ReceiptVerifier {
  const keysMax = options.keysMax ?? VERIFIER_KEYS_MAX;
  const windowBits = options.windowBits ?? VERIFIER_WINDOW_BITS;
  const keys = new Map<string, KeyEntry>();

  function keyEntry(publicKeyHex: string): KeyEntry {
    let entry = keys.get(publicKeyHex);
    if (entry === undefined) {
      let point: Point | undefined;
      try {
        point = ed25519.Point.fromBytes(hexToBytes(publicKeyHex), false);
        // Strict mode refuses small-order keys (noble: "SBS-style non-repudiation").
        if (point.isSmallOrder()) point = undefined;
      } catch {
        point = undefined;
      }
      entry = { point, uses: 0 };
      if (keys.size >= keysMax) keys.delete(keys.keys().next().value as string);
      keys.set(publicKeyHex, entry);
    }
    entry.uses++;
    if (entry.uses === 2 && entry.point !== undefined && windowBits > 1) entry.point.precompute(windowBits, false);
    return entry;
  }

  const verify: Verifier = (check) => {
    if (!HEX_64.test(check.publicKey) || !HEX_128.test(check.signature)) return false;
    try {
      const message = signingBytes(check.domain, check.chainId, check.message);
      const signature = hexToBytes(check.signature);
      const publicKey = hexToBytes(check.publicKey);
      const r = signature.subarray(0, 32);
      const s = bytesToNumberLE(signature.subarray(32, 64));
      const R = ed25519.Point.fromBytes(r, false);
      // Throws unless 0 <= s < L (a canonical S).
      const SB = ed25519.Point.BASE.multiplyUnsafe(s);
      const A = keyEntry(check.publicKey).point;
      if (A === undefined) return false;
      const k = ed25519.Point.Fn.create(bytesToNumberLE(sha512(concatBytes(r, publicKey, message))));
      // The cofactored equation [8][S]B = [8]R + [8][k]A, as @noble checks it.
      return R.add(A.multiplyUnsafe(k)).subtract(SB).clearCofactor().is0();
    } catch {
      return false;
    }
  };
  return Object.defineProperty(verify, 'keys', { get: () => keys.size }) as ReceiptVerifier;
}

/** The verifier receipts and certificates use when the caller passes none. */
export const receiptVerify: Verifier = createReceiptVerifier();
