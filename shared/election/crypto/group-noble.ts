// The reference implementation of the group: @noble/curves ristretto255 (pure JavaScript,
// audited, ~1 ms a scalar multiplication here). Holds group-sodium.ts to account in the tests.
import { ristretto255, ristretto255_hasher } from '@noble/curves/ed25519.js';
import { GROUP_ORDER, bigintToScalar, scalarToBigint, type Group } from './group.js';

const Point = ristretto255.Point;
type PointType = InstanceType<typeof Point>;

function decode(bytes: Uint8Array): PointType {
  return Point.fromBytes(bytes);
}

function mod(value: bigint): bigint {
  const r = value % GROUP_ORDER;
  return r >= 0n ? r : r + GROUP_ORDER;
}

function invert(value: bigint): bigint {
  if (value === 0n) throw new RangeError('zero has no inverse');
  // Fermat: x^(L-2) mod L, L prime.
  let result = 1n;
  let base = mod(value);
  let exponent = GROUP_ORDER - 2n;
  while (exponent > 0n) {
    if (exponent & 1n) result = (result * base) % GROUP_ORDER;
    base = (base * base) % GROUP_ORDER;
    exponent >>= 1n;
  }
  return result;
}

function scalarOf(bytes: Uint8Array): bigint {
  return scalarToBigint(bytes);
}

export function nobleGroup(): Group {
  return {
    name: 'noble',
    isElement(bytes) {
      if (!(bytes instanceof Uint8Array) || bytes.length !== 32) return false;
      try {
        decode(bytes);
        return true;
      } catch {
        return false;
      }
    },
    add: (p, q) => decode(p).add(decode(q)).toBytes(),
    sub: (p, q) => decode(p).subtract(decode(q)).toBytes(),
    multiply(scalar, p) {
      const s = scalarOf(scalar);
      // noble refuses 0 in multiply(); multiplyUnsafe allows it (the same value).
      return s === 0n ? Point.ZERO.toBytes() : decode(p).multiply(s).toBytes();
    },
    multiplyBase(scalar) {
      const s = scalarOf(scalar);
      return s === 0n ? Point.ZERO.toBytes() : Point.BASE.multiply(s).toBytes();
    },
    fromUniform(bytes64) {
      const derive = ristretto255_hasher.deriveToCurve;
      if (derive === undefined) throw new Error('@noble/curves has no ristretto255 element derivation');
      return derive(bytes64).toBytes();
    },
    reduceWide: (bytes64) => bigintToScalar(mod(scalarToBigint(bytes64))),
    scalarAdd: (x, y) => bigintToScalar(mod(scalarOf(x) + scalarOf(y))),
    scalarSub: (x, y) => bigintToScalar(mod(scalarOf(x) - scalarOf(y))),
    scalarMul: (x, y) => bigintToScalar(mod(scalarOf(x) * scalarOf(y))),
    scalarNegate: (x) => bigintToScalar(mod(-scalarOf(x))),
    scalarInvert: (x) => bigintToScalar(invert(scalarOf(x))),
  };
}
