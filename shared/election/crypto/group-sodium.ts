// The fast implementation of the group: libsodium (WebAssembly, browser and Node; ~0.1 ms a
// scalar multiplication here, ~10x @noble). Its answers are held equal to group-noble.ts's.
import sodium from 'libsodium-wrappers-sumo';
import { IDENTITY, isZero, type Group } from './group.js';

let ready: Promise<Group> | undefined;

/** The libsodium group, once its WebAssembly module has loaded. */
export function sodiumGroup(): Promise<Group> {
  ready ??= sodium.ready.then(makeGroup);
  return ready;
}

function makeGroup(): Group {
  return {
    name: 'libsodium',
    isElement: (bytes) =>
      bytes instanceof Uint8Array && bytes.length === 32 && sodium.crypto_core_ristretto255_is_valid_point(bytes),
    add: (p, q) => sodium.crypto_core_ristretto255_add(p, q),
    sub: (p, q) => sodium.crypto_core_ristretto255_sub(p, q),
    multiply(scalar, p) {
      // libsodium refuses a result equal to the identity; in a prime-order group that happens
      // only for a zero scalar or the identity element, whose product is the identity.
      if (isZero(scalar) || isZero(p)) return IDENTITY.slice();
      return sodium.crypto_scalarmult_ristretto255(scalar, p);
    },
    multiplyBase(scalar) {
      if (isZero(scalar)) return IDENTITY.slice();
      return sodium.crypto_scalarmult_ristretto255_base(scalar);
    },
    fromUniform: (bytes64) => sodium.crypto_core_ristretto255_from_hash(bytes64),
    reduceWide: (bytes64) => sodium.crypto_core_ristretto255_scalar_reduce(bytes64),
    scalarAdd: (x, y) => sodium.crypto_core_ristretto255_scalar_add(x, y),
    scalarSub: (x, y) => sodium.crypto_core_ristretto255_scalar_sub(x, y),
    scalarMul: (x, y) => sodium.crypto_core_ristretto255_scalar_mul(x, y),
    scalarNegate: (x) => sodium.crypto_core_ristretto255_scalar_negate(x),
    scalarInvert: (x) => sodium.crypto_core_ristretto255_scalar_invert(x),
  };
}

/** libsodium's sealed box (X25519 + XSalsa20-Poly1305), for DKG share transport (A.6). */
export async function sealedBoxes(): Promise<SealedBoxes> {
  await sodium.ready;
  return {
    keyPair() {
      const pair = sodium.crypto_box_keypair();
      return { publicKey: pair.publicKey, secretKey: pair.privateKey };
    },
    seal: (message, publicKey) => sodium.crypto_box_seal(message, publicKey),
    open(box, publicKey, secretKey) {
      try {
        return sodium.crypto_box_seal_open(box, publicKey, secretKey);
      } catch {
        return undefined;
      }
    },
    sealBytes: sodium.crypto_box_SEALBYTES,
  };
}

export interface SealedBoxes {
  keyPair(): { publicKey: Uint8Array; secretKey: Uint8Array };
  seal(message: Uint8Array, publicKey: Uint8Array): Uint8Array;
  /** The plaintext, or undefined when the box does not open. */
  open(box: Uint8Array, publicKey: Uint8Array, secretKey: Uint8Array): Uint8Array | undefined;
  readonly sealBytes: number;
}
