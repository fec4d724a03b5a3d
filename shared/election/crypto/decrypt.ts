// Threshold decryption of the totals (docs/elections.md A.7): each trustee posts d_j = A^{x_j}
// with a Chaum–Pedersen proof; any t valid ones give g^m by Lagrange interpolation at 0, and
// the count m is a bounded discrete log (baby-step giant-step).
import { bytesToHex } from '../../codec/index.js';
import type { Ciphertext } from './elgamal.js';
import { fail } from './errors.js';
import { isCanonicalScalar, scalarFromInteger, type Group } from './group.js';
import { DOMAIN, systemRandom, u32, type RandomSource } from './hash.js';
import { proveEqualLogs, verifyEqualLogs, type FiatShamir } from './proofs.js';

export const TOTALS_MAX = 1024;
/** The largest count BSGS is asked for: ~7 million voters fit with room to spare. */
export const COUNT_BOUND_MAX = 100_000_000;

export interface DecryptionContext {
  electionId: Uint8Array;
  publicKey: Uint8Array;
}

export interface Decryption {
  /** d = A^{x_j}. */
  d: Uint8Array;
  c: Uint8Array;
  z: Uint8Array;
}

export interface PartialDecryption {
  trustee: number;
  /** One per total, in the order of the totals. */
  decryptions: Decryption[];
}

function statement(
  context: DecryptionContext,
  trustee: number,
  verificationKey: Uint8Array,
  position: number,
  total: Ciphertext,
  d: Uint8Array,
): FiatShamir {
  return {
    domain: DOMAIN.decrypt,
    statement: [
      context.electionId,
      context.publicKey,
      u32(trustee),
      verificationKey,
      u32(position),
      total.alpha,
      total.beta,
      d,
    ],
  };
}

/** [REQ-ELECTION-DECRYPT.1] Trustee j's share of the decryption of every total. */
export function partialDecrypt(
  group: Group,
  context: DecryptionContext,
  trustee: number,
  secretShare: Uint8Array,
  totals: readonly Ciphertext[],
  random: RandomSource = systemRandom,
): PartialDecryption {
  const verificationKey = group.multiplyBase(secretShare);
  const decryptions = totals.map((total, k) => {
    const d = group.multiply(secretShare, total.alpha);
    const proof = proveEqualLogs(
      group,
      total.alpha,
      secretShare,
      statement(context, trustee, verificationKey, k, total, d),
      random,
    );
    return { d, ...proof };
  });
  return { trustee, decryptions };
}

/** Throws ELECTION_SHARE_INVALID naming the trustee and the total if anything fails. */
export function verifyPartialDecryption(
  group: Group,
  context: DecryptionContext,
  verificationKey: Uint8Array,
  totals: readonly Ciphertext[],
  partial: PartialDecryption,
): void {
  const trustee = partial.trustee;
  // REJECT: one decryption per total, no more, no fewer
  if (partial.decryptions.length !== totals.length) {
    fail(
      'ELECTION_SHARE_INVALID',
      `trustee ${trustee} decrypted ${partial.decryptions.length} totals, there are ${totals.length}`,
      { trustee },
    );
  }
  partial.decryptions.forEach((decryption, k) => {
    const total = totals[k] as Ciphertext;
    // REJECT: a malformed decryption, or one whose proof does not tie it to the trustee's key
    if (
      !group.isElement(decryption.d) ||
      !isCanonicalScalar(decryption.c) ||
      !isCanonicalScalar(decryption.z) ||
      !verifyEqualLogs(
        group,
        verificationKey,
        total.alpha,
        decryption.d,
        decryption,
        statement(context, trustee, verificationKey, k, total, decryption.d),
      )
    ) {
      fail('ELECTION_SHARE_INVALID', `trustee ${trustee}'s partial decryption of total ${k} does not verify`, {
        trustee,
        total: k,
      });
    }
  });
}

/** λ_j = Π_{k∈S, k≠j} k / (k − j) mod L: the Lagrange coefficient at 0. */
export function lagrangeAtZero(group: Group, indices: readonly number[], j: number): Uint8Array {
  let numerator = scalarFromInteger(1);
  let denominator = scalarFromInteger(1);
  for (const k of indices) {
    if (k === j) continue;
    numerator = group.scalarMul(numerator, scalarFromInteger(k));
    denominator = group.scalarMul(denominator, group.scalarSub(scalarFromInteger(k), scalarFromInteger(j)));
  }
  return group.scalarMul(numerator, group.scalarInvert(denominator));
}

/**
 * [REQ-ELECTION-DECRYPT.2] Verifies every partial decryption and combines the t of lowest
 * index into g^m for each total. verificationKeys[j - 1] is VK_j.
 */
export function combinePartialDecryptions(
  group: Group,
  context: DecryptionContext,
  threshold: number,
  verificationKeys: readonly Uint8Array[],
  totals: readonly Ciphertext[],
  partials: readonly PartialDecryption[],
): Uint8Array[] {
  const seen = new Set<number>();
  for (const partial of partials) {
    // REJECT: a second share from one trustee would count it twice towards t
    if (seen.has(partial.trustee)) {
      fail('ELECTION_DUPLICATE_SHARE', `trustee ${partial.trustee} sent two partial decryptions`, {
        trustee: partial.trustee,
      });
    }
    seen.add(partial.trustee);
    const key = verificationKeys[partial.trustee - 1];
    if (!Number.isInteger(partial.trustee) || key === undefined) {
      fail('ELECTION_SHARE_INVALID', `${partial.trustee} is not a trustee of this election`, {
        trustee: partial.trustee,
      });
    }
    verifyPartialDecryption(group, context, key, totals, partial);
  }
  // REJECT: fewer than t shares reveal nothing, and decrypt nothing
  if (partials.length < threshold) {
    fail('ELECTION_TOO_FEW_SHARES', `${partials.length} valid partial decryptions, ${threshold} are needed`);
  }
  const chosen = [...partials].sort((a, b) => a.trustee - b.trustee).slice(0, threshold);
  const indices = chosen.map((p) => p.trustee);
  const lambdas = indices.map((j) => lagrangeAtZero(group, indices, j));
  return totals.map((total, k) => {
    let mask: Uint8Array = new Uint8Array(32);
    chosen.forEach((partial, s) => {
      mask = group.add(mask, group.multiply(lambdas[s] as Uint8Array, (partial.decryptions[k] as Decryption).d));
    });
    return group.sub(total.beta, mask);
  });
}

/**
 * [REQ-ELECTION-DECRYPT.3] m with m·G = M for 0 ≤ m ≤ bound: ⌈√(bound+1)⌉ baby steps kept in
 * a table, as many giant steps at most. Build once, use for every box.
 */
export class CountTable {
  readonly bound: number;
  private readonly step: number;
  private readonly baby = new Map<string, number>();
  private readonly giant: Uint8Array;
  private readonly group: Group;

  constructor(group: Group, bound: number) {
    if (!Number.isSafeInteger(bound) || bound < 0 || bound > COUNT_BOUND_MAX) {
      fail('ELECTION_PARAMETERS_INVALID', `a count bound is 0 to ${COUNT_BOUND_MAX}, not ${bound}`);
    }
    this.group = group;
    this.bound = bound;
    this.step = Math.ceil(Math.sqrt(bound + 1));
    const g = group.multiplyBase(scalarFromInteger(1));
    let point: Uint8Array = new Uint8Array(32);
    for (let j = 0; j < this.step; j++) {
      this.baby.set(bytesToHex(point), j);
      point = group.add(point, g);
    }
    this.giant = point; // step · G
  }

  count(element: Uint8Array, position: { total?: number } = {}): number {
    let point = element;
    for (let i = 0; i * this.step <= this.bound; i++) {
      const j = this.baby.get(bytesToHex(point));
      if (j !== undefined) {
        const m = i * this.step + j;
        if (m <= this.bound) return m;
        break;
      }
      point = this.group.sub(point, this.giant);
    }
    return fail(
      'ELECTION_COUNT_OUT_OF_RANGE',
      `the decrypted total is not a count between 0 and ${this.bound}`,
      position,
    );
  }
}

/** Every total's count, from valid partial decryptions of at least t trustees. */
export function decryptCounts(
  group: Group,
  context: DecryptionContext,
  threshold: number,
  verificationKeys: readonly Uint8Array[],
  totals: readonly Ciphertext[],
  partials: readonly PartialDecryption[],
  bound: number,
): number[] {
  if (totals.length > TOTALS_MAX) fail('ELECTION_PARAMETERS_INVALID', `at most ${TOTALS_MAX} totals`);
  if (totals.some((t) => !group.isElement(t.alpha) || !group.isElement(t.beta))) {
    fail('ELECTION_ENCODING_INVALID', 'a total is not a pair of ristretto255 elements');
  }
  const masked = combinePartialDecryptions(group, context, threshold, verificationKeys, totals, partials);
  const table = new CountTable(group, bound);
  return masked.map((element, k) => table.count(element, { total: k }));
}
