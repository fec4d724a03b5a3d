// Exact fractional shares of ownership ([numerator, denominator]); BigInt so sums never
// round. A title registry must not lose 1/3 of a flat to floating point.
import type { Owner, Share } from './types.js';

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a < 0n ? -a : a;
}

export interface Fraction {
  n: bigint;
  d: bigint;
}

export const ZERO: Fraction = { n: 0n, d: 1n };
export const ONE: Fraction = { n: 1n, d: 1n };

export function fraction(share: Share): Fraction {
  return normalize({ n: BigInt(share[0]), d: BigInt(share[1]) });
}

function normalize(f: Fraction): Fraction {
  if (f.d <= 0n) throw new Error('share denominator must be positive');
  const g = gcd(f.n, f.d) || 1n;
  return { n: f.n / g, d: f.d / g };
}

export function add(a: Fraction, b: Fraction): Fraction {
  return normalize({ n: a.n * b.d + b.n * a.d, d: a.d * b.d });
}

export function subtract(a: Fraction, b: Fraction): Fraction {
  return normalize({ n: a.n * b.d - b.n * a.d, d: a.d * b.d });
}

export function compare(a: Fraction, b: Fraction): number {
  const left = a.n * b.d;
  const right = b.n * a.d;
  return left < right ? -1 : left > right ? 1 : 0;
}

export function sum(shares: readonly Share[]): Fraction {
  return shares.reduce<Fraction>((total, share) => add(total, fraction(share)), ZERO);
}

/** Back to the ledger's number pair; fails loudly rather than store an unsafe integer. */
export function toShare(f: Fraction): Share {
  const n = Number(f.n);
  const d = Number(f.d);
  if (!Number.isSafeInteger(n) || !Number.isSafeInteger(d)) throw new Error('share out of the safe integer range');
  return [n, d];
}

export function format(share: Share): string {
  return `${share[0]}/${share[1]}`;
}

/** Owners sorted by key with reduced fractions: one stored form per ownership. */
export function normalizeOwners(owners: readonly Owner[]): Owner[] {
  return owners
    .map((owner) => ({ key: owner.key, share: toShare(fraction(owner.share)) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
