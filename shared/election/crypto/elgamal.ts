// Exponential ElGamal over ristretto255 (docs/elections.md A.3): Enc(m; r) = (g^r, g^m · h^r).
// Adding ciphertexts adds the votes they hold, so the tally never decrypts a ballot.
import { IDENTITY, scalarFromInteger, type Group } from './group.js';

export interface Ciphertext {
  alpha: Uint8Array;
  beta: Uint8Array;
}

export function encrypt(group: Group, h: Uint8Array, message: number, r: Uint8Array): Ciphertext {
  return {
    alpha: group.multiplyBase(r),
    beta: group.add(group.multiplyBase(scalarFromInteger(message)), group.multiply(r, h)),
  };
}

export function addCiphertexts(group: Group, x: Ciphertext, y: Ciphertext): Ciphertext {
  return { alpha: group.add(x.alpha, y.alpha), beta: group.add(x.beta, y.beta) };
}

/** The encryption of 0 with randomness 0: the start of every homomorphic sum. */
export function zeroCiphertext(): Ciphertext {
  return { alpha: IDENTITY.slice(), beta: IDENTITY.slice() };
}

export function sumCiphertexts(group: Group, list: readonly Ciphertext[]): Ciphertext {
  let total = zeroCiphertext();
  for (const ciphertext of list) total = addCiphertexts(group, total, ciphertext);
  return total;
}
