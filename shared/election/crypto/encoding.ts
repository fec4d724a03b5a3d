// Wire forms (docs/elections.md A.5): deterministic CBOR through shared/codec, byte strings for
// elements and scalars. Every decoder checks every field, with a limit on every size, and
// refuses with ELECTION_ENCODING_INVALID and a sentence naming the field.
import { CodecError, decode, encode } from '../../codec/index.js';
import { BOXES_MAX, CONTESTS_MAX, type Ballot, type BoxEntry, type ContestEntry } from './ballot.js';
import type { Decryption, PartialDecryption } from './decrypt.js';
import { TOTALS_MAX } from './decrypt.js';
import type { Complaint, ComplaintAnswer, Dealing } from './dkg.js';
import { TRUSTEES_MAX } from './dkg.js';
import { SEALED_SHARE_BYTES_MAX, type SealedShare } from './dkg-transport.js';
import { fail } from './errors.js';
import { ELEMENT_BYTES, isCanonicalScalar, isIdentity, type Group } from './group.js';
import type { SigmaProof } from './proofs.js';

export const WIRE_VERSION = 1;
export const BALLOT_BYTES_MAX = 64 * 1024;
export const DEALING_BYTES_MAX = 32 * 1024;
export const COMPLAINT_BYTES_MAX = 128;
export const PARTIAL_DECRYPTION_BYTES_MAX = 128 * 1024;

export interface DealingMessage extends Dealing {
  sealed: SealedShare[];
}

type Fields = Record<string, unknown>;

function invalid(field: string, why: string): never {
  return fail('ELECTION_ENCODING_INVALID', `${field} ${why}`);
}

function decodeCbor(bytes: Uint8Array, bytesMax: number, what: string): unknown {
  try {
    return decode(bytes, bytesMax);
  } catch (error) {
    if (error instanceof CodecError) invalid(what, `is not canonical CBOR within ${bytesMax} bytes: ${error.message}`);
    throw error;
  }
}

/** A map with exactly these keys. */
function record(value: unknown, keys: readonly string[], field: string): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) {
    invalid(field, 'is not a map');
  }
  const actual = Object.keys(value).sort();
  const expected = [...keys].sort();
  // REJECT: a missing or an extra key (one value, one byte form)
  if (actual.length !== expected.length || actual.some((key, i) => key !== expected[i])) {
    invalid(field, `has keys ${actual.join(',')}, expected ${expected.join(',')}`);
  }
  return value as Fields;
}

function version(fields: Fields, field: string): void {
  if (fields.v !== WIRE_VERSION) invalid(`${field}.v`, `is not ${WIRE_VERSION}`);
}

function list(value: unknown, min: number, max: number, field: string): unknown[] {
  if (!Array.isArray(value) || value.length < min || value.length > max)
    invalid(field, `is not a list of ${min} to ${max}`);
  return value;
}

function index(value: unknown, max: number, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    invalid(field, `is not an index 1..${max}`);
  }
  return value;
}

function scalar(value: unknown, field: string): Uint8Array {
  // REJECT: a scalar at or above L (refused, never reduced)
  if (!(value instanceof Uint8Array) || !isCanonicalScalar(value)) invalid(field, 'is not a canonical scalar');
  return value;
}

function element(group: Group, value: unknown, field: string, identity: 'allow' | 'refuse'): Uint8Array {
  // REJECT: bytes that are not the canonical encoding of a ristretto255 element
  if (!(value instanceof Uint8Array) || value.length !== ELEMENT_BYTES || !group.isElement(value)) {
    invalid(field, 'is not a canonical ristretto255 element');
  }
  // REJECT: the identity where only a negligible accident could give it (A.1)
  if (identity === 'refuse' && isIdentity(value)) invalid(field, 'is the identity');
  return value;
}

function proof(value: Fields, min: number, max: number, field: string): SigmaProof {
  const c = list(value.c, min, max, `${field}.c`).map((s, k) => scalar(s, `${field}.c[${k}]`));
  const z = list(value.z, min, max, `${field}.z`).map((s, k) => scalar(s, `${field}.z[${k}]`));
  if (c.length !== z.length) invalid(field, 'has unequal numbers of challenges and responses');
  return { c, z };
}

export function encodeBallot(ballot: Ballot): Uint8Array {
  return encode({
    v: WIRE_VERSION,
    q: ballot.contests.map((contest) => ({
      x: contest.boxes.map((box) => ({ a: box.alpha, b: box.beta, c: box.proof.c, z: box.proof.z })),
      c: contest.proof.c,
      z: contest.proof.z,
    })),
  });
}

/** Structure only; verifyBallot checks the shape against the election and the proofs. */
export function decodeBallot(group: Group, bytes: Uint8Array): Ballot {
  const top = record(decodeCbor(bytes, BALLOT_BYTES_MAX, 'the ballot'), ['v', 'q'], 'the ballot');
  version(top, 'ballot');
  const contests = list(top.q, 1, CONTESTS_MAX, 'ballot.q').map((raw, q): ContestEntry => {
    const contest = record(raw, ['x', 'c', 'z'], `contest ${q}`);
    const boxes = list(contest.x, 1, BOXES_MAX, `contest ${q}'s boxes`).map((rawBox, b): BoxEntry => {
      const field = `box ${b} of contest ${q}`;
      const box = record(rawBox, ['a', 'b', 'c', 'z'], field);
      return {
        alpha: element(group, box.a, `${field}: alpha`, 'refuse'),
        beta: element(group, box.b, `${field}: beta`, 'refuse'),
        proof: proof(box, 2, 2, `${field}: proof`),
      };
    });
    return { boxes, proof: proof(contest, 1, BOXES_MAX + 1, `contest ${q}'s total proof`) };
  });
  return { contests };
}

export function encodeDealing(message: DealingMessage): Uint8Array {
  return encode({
    v: WIRE_VERSION,
    i: message.dealer,
    k: message.commitments,
    c: message.proof.c,
    z: message.proof.z,
    s: message.sealed.map((share) => ({ j: share.recipient, box: share.box })),
  });
}

export function decodeDealing(group: Group, bytes: Uint8Array): DealingMessage {
  const top = record(
    decodeCbor(bytes, DEALING_BYTES_MAX, 'the dealing'),
    ['v', 'i', 'k', 'c', 'z', 's'],
    'the dealing',
  );
  version(top, 'dealing');
  const dealer = index(top.i, TRUSTEES_MAX, 'dealing.i');
  const commitments = list(top.k, 1, TRUSTEES_MAX, 'dealing.k').map((c, k) =>
    element(group, c, `dealing.k[${k}]`, 'refuse'),
  );
  const sealed = list(top.s, 0, TRUSTEES_MAX - 1, 'dealing.s').map((raw, k): SealedShare => {
    const share = record(raw, ['j', 'box'], `dealing.s[${k}]`);
    const recipient = index(share.j, TRUSTEES_MAX, `dealing.s[${k}].j`);
    if (!(share.box instanceof Uint8Array) || share.box.length > SEALED_SHARE_BYTES_MAX) {
      invalid(`dealing.s[${k}].box`, `is not a byte string of at most ${SEALED_SHARE_BYTES_MAX} bytes`);
    }
    return { recipient, box: share.box };
  });
  // REJECT: shares out of order, repeated, or one addressed to the dealer itself
  sealed.forEach((share, k) => {
    if (share.recipient === dealer || (k > 0 && share.recipient <= (sealed[k - 1] as SealedShare).recipient)) {
      invalid('dealing.s', 'is not sorted by recipient, one per other trustee');
    }
  });
  return { dealer, commitments, proof: { c: scalar(top.c, 'dealing.c'), z: scalar(top.z, 'dealing.z') }, sealed };
}

export function encodeComplaint(complaint: Complaint): Uint8Array {
  return encode({ v: WIRE_VERSION, i: complaint.dealer, j: complaint.recipient });
}

export function decodeComplaint(bytes: Uint8Array): Complaint {
  const top = record(decodeCbor(bytes, COMPLAINT_BYTES_MAX, 'the complaint'), ['v', 'i', 'j'], 'the complaint');
  version(top, 'complaint');
  const dealer = index(top.i, TRUSTEES_MAX, 'complaint.i');
  const recipient = index(top.j, TRUSTEES_MAX, 'complaint.j');
  if (dealer === recipient) invalid('the complaint', 'accuses its own author');
  return { dealer, recipient };
}

export function encodeComplaintAnswer(answer: ComplaintAnswer): Uint8Array {
  return encode({ v: WIRE_VERSION, i: answer.dealer, j: answer.recipient, s: answer.share });
}

export function decodeComplaintAnswer(bytes: Uint8Array): ComplaintAnswer {
  const top = record(decodeCbor(bytes, COMPLAINT_BYTES_MAX, 'the answer'), ['v', 'i', 'j', 's'], 'the answer');
  version(top, 'answer');
  const dealer = index(top.i, TRUSTEES_MAX, 'answer.i');
  const recipient = index(top.j, TRUSTEES_MAX, 'answer.j');
  if (dealer === recipient) invalid('the answer', 'answers its own author');
  return { dealer, recipient, share: scalar(top.s, 'answer.s') };
}

export function encodePartialDecryption(partial: PartialDecryption): Uint8Array {
  return encode({
    v: WIRE_VERSION,
    j: partial.trustee,
    d: partial.decryptions.map((d) => ({ d: d.d, c: d.c, z: d.z })),
  });
}

export function decodePartialDecryption(group: Group, bytes: Uint8Array): PartialDecryption {
  const top = record(
    decodeCbor(bytes, PARTIAL_DECRYPTION_BYTES_MAX, 'the partial decryption'),
    ['v', 'j', 'd'],
    'the partial decryption',
  );
  version(top, 'partial decryption');
  const trustee = index(top.j, TRUSTEES_MAX, 'partial.j');
  const decryptions = list(top.d, 1, TOTALS_MAX, 'partial.d').map((raw, k): Decryption => {
    const d = record(raw, ['d', 'c', 'z'], `partial.d[${k}]`);
    return {
      d: element(group, d.d, `partial.d[${k}].d`, 'allow'),
      c: scalar(d.c, `partial.d[${k}].c`),
      z: scalar(d.z, `partial.d[${k}].z`),
    };
  });
  return { trustee, decryptions };
}
