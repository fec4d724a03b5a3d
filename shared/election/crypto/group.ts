// The group interface (docs/elections.md A.1): ristretto255 (RFC 9496) elements and scalars as
// their 32-byte encodings. Two implementations (group-sodium.ts, group-noble.ts) must give the
// same bytes for every operation; the protocol code sees only this interface.

export const ELEMENT_BYTES = 32;
export const SCALAR_BYTES = 32;
export const WIDE_BYTES = 64;

/** The order of ristretto255: 2^252 + 27742317777372353535851937790883648493. */
export const GROUP_ORDER = 2n ** 252n + 27742317777372353535851937790883648493n;

/** The encoding of the identity element (RFC 9496: all zero bytes). */
export const IDENTITY: Uint8Array = new Uint8Array(ELEMENT_BYTES);

export interface Group {
  readonly name: 'libsodium' | 'noble';
  /** True iff `bytes` is the canonical encoding of an element (the identity included). */
  isElement(bytes: Uint8Array): boolean;
  add(p: Uint8Array, q: Uint8Array): Uint8Array;
  sub(p: Uint8Array, q: Uint8Array): Uint8Array;
  /** scalar · p, for a canonical scalar and a valid element. */
  multiply(scalar: Uint8Array, p: Uint8Array): Uint8Array;
  /** scalar · G. */
  multiplyBase(scalar: Uint8Array): Uint8Array;
  /** RFC 9496 §4.3.4 element derivation from 64 uniform bytes. */
  fromUniform(bytes64: Uint8Array): Uint8Array;
  /** 64 bytes read little-endian, mod L. */
  reduceWide(bytes64: Uint8Array): Uint8Array;
  scalarAdd(x: Uint8Array, y: Uint8Array): Uint8Array;
  scalarSub(x: Uint8Array, y: Uint8Array): Uint8Array;
  scalarMul(x: Uint8Array, y: Uint8Array): Uint8Array;
  scalarNegate(x: Uint8Array): Uint8Array;
  /** The inverse of a non-zero scalar. */
  scalarInvert(x: Uint8Array): Uint8Array;
}

export function isZero(bytes: Uint8Array): boolean {
  let acc = 0;
  for (const byte of bytes) acc |= byte;
  return acc === 0;
}

export function isIdentity(element: Uint8Array): boolean {
  return element.length === ELEMENT_BYTES && isZero(element);
}

/** A 32-byte little-endian string below L (A.1: scalars are refused, never reduced). */
export function isCanonicalScalar(bytes: Uint8Array): boolean {
  if (!(bytes instanceof Uint8Array) || bytes.length !== SCALAR_BYTES) return false;
  return scalarToBigint(bytes) < GROUP_ORDER;
}

export function scalarToBigint(bytes: Uint8Array): bigint {
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i] as number);
  return value;
}

export function bigintToScalar(value: bigint): Uint8Array {
  if (value < 0n || value >= GROUP_ORDER) throw new RangeError('scalar out of range');
  const out = new Uint8Array(SCALAR_BYTES);
  let rest = value;
  for (let i = 0; i < SCALAR_BYTES; i++) {
    out[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return out;
}

/** A small non-negative integer (a vote, a total, a trustee index) as a scalar. */
export function scalarFromInteger(value: number): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`not a small non-negative integer: ${value}`);
  return bigintToScalar(BigInt(value));
}
