// What the printed certificate shows in place of its QR code (CertificateQr.tsx): the compact
// proof's code when the node's newest checkpoint holds the record as printed and a quorum of
// validators has signed it, else the reason there is none. Pure, so the unit tests hold it to
// the node's answers.
import { ApiCallError, type CheckpointSummary, type RouteOutput } from '../../../../shared/api/index.js';
import { commitQuorum } from '../../../../shared/chain/commit.js';
import { decodeCompactProof } from '../../../../shared/checkpoint/compact.js';
import type { OwnershipCertificate } from '../../../../shared/receipt/index.js';
import { qrOfBytes, type QrMatrix } from '../../qr.js';

export type ProofView = RouteOutput<'checkpointProof'>;

export type CertificateQrState =
  | { state: 'pending' }
  | { state: 'ok'; matrix: QrMatrix; height: number; timeMs: number }
  /** No checkpoint yet, or the newest one holds another version of the record than the one printed. */
  | { state: 'after-checkpoint' }
  /** The checkpoint is still gathering signatures: a code printed now may never verify. */
  | { state: 'unsigned' }
  | { state: 'too-large' }
  | { state: 'unavailable'; error: unknown };

/** The node's answers that mean "not yet": the QR comes with the next checkpoint. */
const NOT_YET = new Set(['NO_CHECKPOINT', 'CHANGED_SINCE_CHECKPOINT']);

function bytesOfBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
}

interface Answer<T> {
  data?: T;
  error: unknown;
  isPending: boolean;
}

/**
 * Whether more than 2/3 of its validators have signed checkpoint `height`, as the node lists it.
 * One made after the list was read is a fresh one: still gathering signatures too.
 */
export function signedByQuorum(checkpoints: readonly CheckpointSummary[], height: number): boolean {
  const summary = checkpoints.find((entry) => entry.height === height);
  return summary !== undefined && summary.validatorsSigned >= commitQuorum(summary.validatorsTotal);
}

/** What the certificate prints, from the node's answers (the proof, its checkpoints) and the certificate it shows. */
export function certificateQrState(
  certificate: OwnershipCertificate,
  answer: Answer<ProofView>,
  checkpoints: Answer<CheckpointSummary[]>,
): CertificateQrState {
  if (answer.error instanceof ApiCallError && NOT_YET.has(answer.error.code)) return { state: 'after-checkpoint' };
  if (answer.error instanceof ApiCallError && answer.error.code === 'PROOF_TOO_LARGE') return { state: 'too-large' };
  if (answer.error) return { state: 'unavailable', error: answer.error };
  if (checkpoints.error) return { state: 'unavailable', error: checkpoints.error };
  if (answer.isPending || !answer.data || checkpoints.isPending || !checkpoints.data) return { state: 'pending' };
  const bytes = bytesOfBase64(answer.data.qr);
  let proof: ReturnType<typeof decodeCompactProof>;
  try {
    proof = decodeCompactProof(bytes);
  } catch (error) {
    return { state: 'unavailable', error };
  }
  const { object, header } = certificate;
  // the code must prove the record this sheet prints: a sale between the two answers leaves it out
  if (proof.chainId !== header.chainId || proof.fields.id !== object.id || proof.fields.version !== object.version)
    return { state: 'after-checkpoint' };
  if (!signedByQuorum(checkpoints.data, answer.data.height)) return { state: 'unsigned' };
  const matrix = qrOfBytes(bytes);
  if (!matrix) return { state: 'too-large' };
  return { state: 'ok', matrix, height: answer.data.height, timeMs: answer.data.timeMs };
}
