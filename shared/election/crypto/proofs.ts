// The three zero-knowledge proofs of the protocol, in the compact form (challenges and
// responses; the verifier recomputes the commitments and the hash), every challenge being
// H(domain, statement…, commitments…) (docs/elections.md A.2).
//   disjunctive Chaum–Pedersen (CDS 1994; ElectionGuard 2 range proof): (α, β) encrypts a value in V
//   Chaum–Pedersen (1992): log_g X = log_A D
//   Schnorr (1991): knowledge of log_g X
import { scalarFromInteger, type Group } from './group.js';
import { challenge, randomScalar, type ElectionDomain, type RandomSource } from './hash.js';

/** Challenges c_j and responses z_j, one per allowed value (or one each for a plain proof). */
export interface SigmaProof {
  c: Uint8Array[];
  z: Uint8Array[];
}

export interface FiatShamir {
  domain: ElectionDomain;
  /** The statement's items, hashed before the commitments. */
  statement: readonly Uint8Array[];
}

/** g^{v} for the allowed values, computed once per proof. */
function valueElements(group: Group, values: readonly number[]): Uint8Array[] {
  return values.map((value) => group.multiplyBase(scalarFromInteger(value)));
}

/** z·g − c·X: the commitment a Σ-protocol's verifier recomputes for base g. */
function commitmentBase(group: Group, z: Uint8Array, c: Uint8Array, x: Uint8Array): Uint8Array {
  return group.sub(group.multiplyBase(z), group.multiply(c, x));
}

/** z·Y − c·X for another base Y. */
function commitment(group: Group, base: Uint8Array, z: Uint8Array, c: Uint8Array, x: Uint8Array): Uint8Array {
  return group.sub(group.multiply(z, base), group.multiply(c, x));
}

/**
 * Proves that (alpha, beta) = (g^r, g^{values[trueIndex]} · h^r). An honest prover passes the
 * true index; a cheating one (the tests) passes a false one and gets a proof that fails.
 */
export function proveDisjunctive(
  group: Group,
  h: Uint8Array,
  alpha: Uint8Array,
  beta: Uint8Array,
  values: readonly number[],
  trueIndex: number,
  r: Uint8Array,
  fs: FiatShamir,
  random: RandomSource,
): SigmaProof {
  if (!(trueIndex >= 0 && trueIndex < values.length)) throw new RangeError('the true index is not among the values');
  const gv = valueElements(group, values);
  const c: Uint8Array[] = new Array(values.length);
  const z: Uint8Array[] = new Array(values.length);
  const commitments: Uint8Array[] = new Array(values.length * 2);
  // Simulated branches first, in ascending order: c_j then z_j (A.4's draw order).
  for (let j = 0; j < values.length; j++) {
    if (j === trueIndex) continue;
    const cj = randomScalar(group, random);
    const zj = randomScalar(group, random);
    c[j] = cj;
    z[j] = zj;
    commitments[2 * j] = commitmentBase(group, zj, cj, alpha);
    commitments[2 * j + 1] = commitment(group, h, zj, cj, group.sub(beta, gv[j] as Uint8Array));
  }
  const w = randomScalar(group, random);
  commitments[2 * trueIndex] = group.multiplyBase(w);
  commitments[2 * trueIndex + 1] = group.multiply(w, h);
  const total = challenge(group, fs.domain, [...fs.statement, ...commitments]);
  let ct = total;
  for (let j = 0; j < values.length; j++) if (j !== trueIndex) ct = group.scalarSub(ct, c[j] as Uint8Array);
  c[trueIndex] = ct;
  z[trueIndex] = group.scalarAdd(w, group.scalarMul(ct, r));
  return { c, z };
}

/** [REQ-ELECTION-PROOF.1] Recomputes every commitment and checks Σ c_j = H(…). */
export function verifyDisjunctive(
  group: Group,
  h: Uint8Array,
  alpha: Uint8Array,
  beta: Uint8Array,
  values: readonly number[],
  proof: SigmaProof,
  fs: FiatShamir,
): boolean {
  if (proof.c.length !== values.length || proof.z.length !== values.length) return false;
  const gv = valueElements(group, values);
  const commitments: Uint8Array[] = [];
  let sum: Uint8Array = new Uint8Array(32);
  for (let j = 0; j < values.length; j++) {
    const cj = proof.c[j] as Uint8Array;
    const zj = proof.z[j] as Uint8Array;
    commitments.push(commitmentBase(group, zj, cj, alpha));
    commitments.push(commitment(group, h, zj, cj, group.sub(beta, gv[j] as Uint8Array)));
    sum = group.scalarAdd(sum, cj);
  }
  return bytesEqual(sum, challenge(group, fs.domain, [...fs.statement, ...commitments]));
}

/** Proves log_g X = log_A D = x, where X = g^x and D = A^x. */
export function proveEqualLogs(
  group: Group,
  base: Uint8Array,
  x: Uint8Array,
  fs: FiatShamir,
  random: RandomSource,
): { c: Uint8Array; z: Uint8Array } {
  const w = randomScalar(group, random);
  const c = challenge(group, fs.domain, [...fs.statement, group.multiplyBase(w), group.multiply(w, base)]);
  return { c, z: group.scalarAdd(w, group.scalarMul(c, x)) };
}

export function verifyEqualLogs(
  group: Group,
  publicX: Uint8Array,
  base: Uint8Array,
  publicD: Uint8Array,
  proof: { c: Uint8Array; z: Uint8Array },
  fs: FiatShamir,
): boolean {
  const a = commitmentBase(group, proof.z, proof.c, publicX);
  const b = commitment(group, base, proof.z, proof.c, publicD);
  return bytesEqual(proof.c, challenge(group, fs.domain, [...fs.statement, a, b]));
}

/** Schnorr proof of knowledge of x = log_g X. */
export function proveKnowledge(
  group: Group,
  x: Uint8Array,
  fs: FiatShamir,
  random: RandomSource,
): { c: Uint8Array; z: Uint8Array } {
  const w = randomScalar(group, random);
  const c = challenge(group, fs.domain, [...fs.statement, group.multiplyBase(w)]);
  return { c, z: group.scalarAdd(w, group.scalarMul(c, x)) };
}

export function verifyKnowledge(
  group: Group,
  publicX: Uint8Array,
  proof: { c: Uint8Array; z: Uint8Array },
  fs: FiatShamir,
): boolean {
  const r = commitmentBase(group, proof.z, proof.c, publicX);
  return bytesEqual(proof.c, challenge(group, fs.domain, [...fs.statement, r]));
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}
