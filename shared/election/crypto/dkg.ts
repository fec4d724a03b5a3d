// Pedersen distributed key generation over Feldman commitments, with GJKR's complaint and
// answer rule (docs/elections.md A.6). Pure: share transport (sealed boxes) is dkg-transport.ts.
// Nobody ever holds the election secret x = Σ a_i0; trustee j holds x_j = Σ_{i∈QUAL} f_i(j).
import { ELECTION_ID_BYTES_MAX } from './ballot.js';
import { fail } from './errors.js';
import { isCanonicalScalar, isIdentity, scalarFromInteger, type Group } from './group.js';
import { DOMAIN, randomScalar, systemRandom, u32, type RandomSource } from './hash.js';
import { proveKnowledge, verifyKnowledge, type FiatShamir } from './proofs.js';

export const TRUSTEES_MAX = 64;

export interface DkgParameters {
  electionId: Uint8Array;
  /** n: trustees numbered 1..n. */
  trustees: number;
  /** t: how many trustees decrypt together. */
  threshold: number;
}

/** Trustee i's public message: Feldman commitments and a proof of knowledge of a_i0. */
export interface Dealing {
  dealer: number;
  commitments: Uint8Array[];
  proof: { c: Uint8Array; z: Uint8Array };
}

/** Trustee i's secret polynomial f_i; kept on the trustee's own machine. */
export interface DealerSecret {
  dealer: number;
  coefficients: Uint8Array[];
}

/** Trustee j says dealer i's share to it is wrong. */
export interface Complaint {
  dealer: number;
  recipient: number;
}

/** Dealer i's answer: the share s_ij, revealed so anyone can check it. */
export interface ComplaintAnswer {
  dealer: number;
  recipient: number;
  share: Uint8Array;
}

export interface DkgResult {
  qualified: number[];
  disqualified: { dealer: number; reason: string }[];
  publicKey: Uint8Array;
  /** verificationKeys[j - 1] = VK_j = g^{x_j}, for every trustee 1..n. */
  verificationKeys: Uint8Array[];
}

export function checkDkgParameters(parameters: DkgParameters): void {
  const { electionId, trustees, threshold } = parameters;
  if (!(electionId instanceof Uint8Array) || electionId.length < 1 || electionId.length > ELECTION_ID_BYTES_MAX) {
    fail('ELECTION_PARAMETERS_INVALID', `an election id is 1 to ${ELECTION_ID_BYTES_MAX} bytes`);
  }
  if (!Number.isInteger(trustees) || trustees < 1 || trustees > TRUSTEES_MAX) {
    fail('ELECTION_PARAMETERS_INVALID', `an election has 1 to ${TRUSTEES_MAX} trustees, not ${trustees}`);
  }
  // REJECT: a threshold no quorum can meet, or one trustee short of nothing
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > trustees) {
    fail('ELECTION_PARAMETERS_INVALID', `the threshold ${threshold} is not between 1 and the ${trustees} trustees`);
  }
}

function checkIndex(parameters: DkgParameters, index: number, role: string): void {
  if (!Number.isInteger(index) || index < 1 || index > parameters.trustees) {
    fail('ELECTION_PARAMETERS_INVALID', `${role} ${index} is not a trustee 1..${parameters.trustees}`);
  }
}

function proofStatement(parameters: DkgParameters, dealer: number, commitments: readonly Uint8Array[]): FiatShamir {
  return {
    domain: DOMAIN.dkgProof,
    statement: [
      parameters.electionId,
      u32(parameters.trustees),
      u32(parameters.threshold),
      u32(dealer),
      ...commitments,
    ],
  };
}

/** [REQ-ELECTION-DKG.1] Trustee `dealer` draws a_i0..a_i,t-1, commits and proves a_i0. */
export function deal(
  group: Group,
  parameters: DkgParameters,
  dealer: number,
  random: RandomSource = systemRandom,
): { dealing: Dealing; secret: DealerSecret } {
  checkDkgParameters(parameters);
  checkIndex(parameters, dealer, 'dealer');
  const coefficients = Array.from({ length: parameters.threshold }, () => randomScalar(group, random));
  const commitments = coefficients.map((a) => group.multiplyBase(a));
  const proof = proveKnowledge(
    group,
    coefficients[0] as Uint8Array,
    proofStatement(parameters, dealer, commitments),
    random,
  );
  return { dealing: { dealer, commitments, proof }, secret: { dealer, coefficients } };
}

/** s_ij = f_i(j), by Horner's rule. */
export function shareFor(group: Group, secret: DealerSecret, recipient: number): Uint8Array {
  const j = scalarFromInteger(recipient);
  let value: Uint8Array = new Uint8Array(32);
  for (let k = secret.coefficients.length - 1; k >= 0; k--) {
    value = group.scalarAdd(group.scalarMul(value, j), secret.coefficients[k] as Uint8Array);
  }
  return value;
}

/** Π_k C_k^{j^k}, by Horner's rule over the commitments. */
export function commitmentAt(group: Group, commitments: readonly Uint8Array[], index: number): Uint8Array {
  const j = scalarFromInteger(index);
  let value = commitments[commitments.length - 1] as Uint8Array;
  for (let k = commitments.length - 2; k >= 0; k--) {
    value = group.add(group.multiply(j, value), commitments[k] as Uint8Array);
  }
  return value;
}

/** Throws ELECTION_DEALING_INVALID naming the dealer if the dealing is malformed or its proof fails. */
export function verifyDealing(group: Group, parameters: DkgParameters, dealing: Dealing): void {
  checkDkgParameters(parameters);
  const dealer = dealing.dealer;
  // REJECT: a dealer who is not a trustee of this election
  if (!Number.isInteger(dealer) || dealer < 1 || dealer > parameters.trustees) {
    fail('ELECTION_DEALING_INVALID', `dealer ${dealer} is not a trustee 1..${parameters.trustees}`, { dealer });
  }
  // REJECT: a polynomial of another degree than the threshold asks
  if (dealing.commitments.length !== parameters.threshold) {
    fail(
      'ELECTION_DEALING_INVALID',
      `trustee ${dealer} committed to ${dealing.commitments.length} coefficients, the threshold is ${parameters.threshold}`,
      { dealer },
    );
  }
  // REJECT: a commitment that is not a non-identity element (A.1)
  if (!dealing.commitments.every((c) => group.isElement(c) && !isIdentity(c))) {
    fail('ELECTION_DEALING_INVALID', `trustee ${dealer}'s commitments are not non-identity ristretto255 elements`, {
      dealer,
    });
  }
  // REJECT: a dealer that cannot prove it knows its key part (rogue-key attacks)
  if (
    !isCanonicalScalar(dealing.proof.c) ||
    !isCanonicalScalar(dealing.proof.z) ||
    !verifyKnowledge(
      group,
      dealing.commitments[0] as Uint8Array,
      dealing.proof,
      proofStatement(parameters, dealer, dealing.commitments),
    )
  ) {
    fail('ELECTION_DEALING_INVALID', `trustee ${dealer}'s proof of knowledge of its key part does not verify`, {
      dealer,
    });
  }
}

/** [REQ-ELECTION-DKG.2] Feldman's check: g^{s_ij} = Π_k C_ik^{j^k}. */
export function verifyShare(group: Group, dealing: Dealing, recipient: number, share: Uint8Array): boolean {
  if (!isCanonicalScalar(share)) return false;
  const expected = commitmentAt(group, dealing.commitments, recipient);
  const actual = group.multiplyBase(share);
  return expected.length === actual.length && expected.every((byte, i) => byte === actual[i]);
}

/** [REQ-ELECTION-DKG.3] Anyone checks a dealer's answer to a complaint. */
export function verifyComplaintAnswer(group: Group, dealing: Dealing, answer: ComplaintAnswer): boolean {
  return answer.dealer === dealing.dealer && verifyShare(group, dealing, answer.recipient, answer.share);
}

/**
 * [REQ-ELECTION-DKG.3, .4] Disqualifies every dealer whose dealing fails, or with a complaint
 * against it unanswered or answered with a share that fails; the rest is QUAL, which gives the
 * election key and every trustee's verification key.
 */
export function qualify(
  group: Group,
  parameters: DkgParameters,
  dealings: readonly Dealing[],
  complaints: readonly Complaint[],
  answers: readonly ComplaintAnswer[],
): DkgResult {
  checkDkgParameters(parameters);
  const disqualified: { dealer: number; reason: string }[] = [];
  const byDealer = new Map<number, Dealing>();
  for (const dealing of dealings) {
    try {
      if (byDealer.has(dealing.dealer)) fail('ELECTION_DEALING_INVALID', `trustee ${dealing.dealer} dealt twice`);
      verifyDealing(group, parameters, dealing);
      byDealer.set(dealing.dealer, dealing);
    } catch (error) {
      disqualified.push({ dealer: dealing.dealer, reason: (error as Error).message });
      byDealer.delete(dealing.dealer);
    }
  }
  for (const complaint of complaints) {
    const dealing = byDealer.get(complaint.dealer);
    if (dealing === undefined) continue;
    const answer = answers.find((a) => a.dealer === complaint.dealer && a.recipient === complaint.recipient);
    // REJECT: a dealer who does not show, to everyone, a valid share for its accuser
    if (answer === undefined || !verifyComplaintAnswer(group, dealing, answer)) {
      const reason =
        answer === undefined
          ? `trustee ${complaint.dealer} did not answer trustee ${complaint.recipient}'s complaint`
          : `the share trustee ${complaint.dealer} revealed for trustee ${complaint.recipient} does not match its commitments`;
      disqualified.push({ dealer: complaint.dealer, reason });
      byDealer.delete(complaint.dealer);
    }
  }
  const qualified = [...byDealer.keys()].sort((a, b) => a - b);
  // REJECT: too few honest dealers to ever decrypt
  if (qualified.length < parameters.threshold) {
    fail(
      'ELECTION_TOO_FEW_QUALIFIED',
      `${qualified.length} trustees qualified, the threshold is ${parameters.threshold}`,
    );
  }
  // Coefficient-wise sums Σ_{i∈QUAL} C_ik: the commitments of the joint polynomial.
  const joint = Array.from({ length: parameters.threshold }, (_, k) =>
    qualified.reduce<Uint8Array>(
      (acc, i) => group.add(acc, (byDealer.get(i) as Dealing).commitments[k] as Uint8Array),
      new Uint8Array(32),
    ),
  );
  const publicKey = joint[0] as Uint8Array;
  // REJECT: an election key that encrypts in the clear
  if (isIdentity(publicKey)) fail('ELECTION_TOO_FEW_QUALIFIED', 'the qualified commitments add up to the identity');
  const verificationKeys = Array.from({ length: parameters.trustees }, (_, j) => commitmentAt(group, joint, j + 1));
  return { qualified, disqualified, publicKey, verificationKeys };
}

/** Trustee j's secret share x_j = Σ_{i∈QUAL} s_ij, from the shares it received (its own included). */
export function combineShares(
  group: Group,
  qualified: readonly number[],
  shares: ReadonlyMap<number, Uint8Array>,
): Uint8Array {
  let x: Uint8Array = new Uint8Array(32);
  for (const dealer of qualified) {
    const share = shares.get(dealer);
    if (share === undefined)
      fail('ELECTION_DKG_SHARE_INVALID', `no share from qualified trustee ${dealer}`, { dealer });
    x = group.scalarAdd(x, share);
  }
  return x;
}
