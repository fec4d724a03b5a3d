// Strong Fiat–Shamir (docs/elections.md A.2): every challenge is SHA-512 over a length-prefixed
// list of items, its own domain first, reduced mod L. Length prefixes make the list, not just
// the concatenation, what is hashed. Randomness is an input (A.1) so a seed reproduces a run.
import { sha512 } from '@noble/hashes/sha2.js';
import { WIDE_BYTES, isZero, type Group } from './group.js';

export const DOMAIN = {
  box: 'notary/election/v1/box',
  contest: 'notary/election/v1/contest',
  dkgProof: 'notary/election/v1/dkg-pok',
  decrypt: 'notary/election/v1/decrypt',
  generator: 'notary/election/v1/generator',
} as const;
export type ElectionDomain = (typeof DOMAIN)[keyof typeof DOMAIN];

const textEncoder = new TextEncoder();

/** A 4-byte big-endian integer, hashed as an item of its own. */
export function u32(value: number): Uint8Array {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError(`not a u32: ${value}`);
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value, false);
  return out;
}

/** SHA-512(item(domain) ‖ item(x1) ‖ … ‖ item(xn)), where item(x) = u32be(len(x)) ‖ x. */
export function hashItems(domain: string, items: readonly Uint8Array[]): Uint8Array {
  const hasher = sha512.create();
  const domainBytes = textEncoder.encode(domain);
  hasher.update(u32(domainBytes.length));
  hasher.update(domainBytes);
  for (const item of items) {
    hasher.update(u32(item.length));
    hasher.update(item);
  }
  return hasher.digest();
}

/** The challenge H(domain, items) as a scalar. */
export function challenge(group: Group, domain: ElectionDomain, items: readonly Uint8Array[]): Uint8Array {
  return group.reduceWide(hashItems(domain, items));
}

/** Any future second generator, from a published label only (A.1, [REQ-ELECTION-GENERATOR.1]). */
export function deriveGenerator(group: Group, label: string): Uint8Array {
  return group.fromUniform(hashItems(DOMAIN.generator, [textEncoder.encode(label)]));
}

/** Returns 64 random bytes on every call. */
export type RandomSource = () => Uint8Array;

export const systemRandom: RandomSource = () => {
  const bytes = new Uint8Array(WIDE_BYTES);
  globalThis.crypto.getRandomValues(bytes);
  return bytes;
};

/** A non-zero random scalar: scalar(R()), drawn again on 0 (A.1). */
export function randomScalar(group: Group, random: RandomSource): Uint8Array {
  for (let attempt = 0; attempt < 16; attempt++) {
    const bytes = random();
    if (!(bytes instanceof Uint8Array) || bytes.length !== WIDE_BYTES) {
      throw new TypeError(`the random source returned ${bytes?.length} bytes, not ${WIDE_BYTES}`);
    }
    const scalar = group.reduceWide(bytes);
    if (!isZero(scalar)) return scalar;
  }
  // 16 zeros in a row from 64 uniform bytes has probability 2^-4000: the source is broken.
  throw new Error('the random source keeps returning multiples of the group order');
}
