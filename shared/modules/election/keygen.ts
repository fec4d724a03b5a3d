// The key generation on chain (docs/elections.md B.4): part A's Pedersen DKG in three timed
// steps (deal, complain, answer), then `election.key` computes QUAL, the election key and every
// trustee's verification key from the state alone.
import type { z } from 'zod';
import type { Complaint, ComplaintAnswer, Dealing, DkgParameters } from '../../election/crypto/dkg.js';
import { qualify, verifyComplaintAnswer, verifyDealing } from '../../election/crypto/dkg.js';
import {
  decodeComplaint,
  decodeComplaintAnswer,
  decodeDealing,
  type DealingMessage,
} from '../../election/crypto/encoding.js';
import { reject } from '../../ledger/errors.js';
import type { RuleContext } from '../../ledger/module.js';
import type { StateReader } from '../../ledger/overlay.js';
import {
  cryptoCheck,
  electionIdBytes,
  existingElection,
  isoTime,
  oneSigner,
  requireTrustee,
  trusteeOrRegistrar,
} from './checks.js';
import { electionGroup } from './group.js';
import { complaintsOf } from './keeper.js';
import {
  ElectionCode,
  ElectionKey,
  type ComplaintEntry,
  type ElectionDefinition,
  type electionAnswerTx,
  type electionComplainTx,
  type electionDealTx,
  type electionKeyTx,
} from './types.js';

type TxOf<S extends z.ZodType> = z.output<S>;

export function dkgParameters(definition: ElectionDefinition): DkgParameters {
  return {
    electionId: electionIdBytes(definition),
    trustees: definition.trustees.length,
    threshold: definition.threshold,
  };
}

/** Trustee i's dealing as accepted on chain, if any (checked when it was dealt). */
export function dealingOf(
  state: StateReader,
  definition: ElectionDefinition,
  dealer: number,
): DealingMessage | undefined {
  const record = state.get(ElectionKey.dealing(definition.id, dealer)) as { dealing: Uint8Array } | undefined;
  return record ? decodeDealing(electionGroup(), record.dealing) : undefined;
}

function deadline(context: RuleContext, untilMs: number, step: string, id: string): void {
  // REJECT: each step of the key generation ends at its deadline in block time
  if (context.block.timeMs >= untilMs) {
    reject(ElectionCode.stepClosed, `${step} for ${id} closed at ${isoTime(untilMs)}`);
  }
}

export function applyElectionDeal(tx: TxOf<typeof electionDealTx>, context: RuleContext): void {
  const signer = oneSigner(tx, context, 'its trustee');
  const { definition } = existingElection(context, tx.payload.election);
  deadline(context, definition.dealsUntilMs, 'dealing', definition.id);
  const group = electionGroup();
  const dealing = cryptoCheck(() => decodeDealing(group, tx.payload.dealing));
  requireTrustee(definition, signer, dealing.dealer, 'dealer');
  const key = ElectionKey.dealing(definition.id, dealing.dealer);
  // REJECT: one dealing per trustee (a second would let it choose between polynomials)
  if (context.state.get(key)) {
    reject(
      ElectionCode.duplicateDealing,
      `trustee ${dealing.dealer}'s dealing for ${definition.id} is on chain already`,
    );
  }
  cryptoCheck(() => verifyDealing(group, dkgParameters(definition), dealing));
  const others = definition.trustees.length - 1;
  // REJECT: a share missing (or sealed to a trustee the election does not have): its recipient could not decrypt
  if (dealing.sealed.length !== others || dealing.sealed.some((share) => share.recipient > others + 1)) {
    reject(
      ElectionCode.dealingInvalid,
      `trustee ${dealing.dealer}'s dealing seals shares to ${dealing.sealed.length} trustees, there are ${others} others`,
    );
  }
  context.state.set(key, { dealing: tx.payload.dealing, height: context.block.height });
}

export function applyElectionComplain(tx: TxOf<typeof electionComplainTx>, context: RuleContext): void {
  const signer = oneSigner(tx, context, 'its trustee');
  const { definition } = existingElection(context, tx.payload.election);
  deadline(context, definition.complaintsUntilMs, 'complaints', definition.id);
  const complaint = cryptoCheck(() => decodeComplaint(tx.payload.complaint));
  requireTrustee(definition, signer, complaint.recipient, 'trustee');
  // REJECT: a complaint against no trustee, or against one whose dealing is not on chain
  if (
    complaint.dealer > definition.trustees.length ||
    !context.state.get(ElectionKey.dealing(definition.id, complaint.dealer))
  ) {
    reject(ElectionCode.noDealing, `trustee ${complaint.dealer} has no dealing on chain for ${definition.id}`);
  }
  const complaints = complaintsOf(context.state, definition.id);
  // REJECT: the same complaint twice
  if (complaints.some((entry) => entry.dealer === complaint.dealer && entry.recipient === complaint.recipient)) {
    reject(
      ElectionCode.duplicateComplaint,
      `trustee ${complaint.recipient} has complained about trustee ${complaint.dealer} already`,
    );
  }
  const entry: ComplaintEntry = { ...complaint, height: context.block.height };
  const next = [...complaints, entry].sort((a, b) => a.dealer - b.dealer || a.recipient - b.recipient);
  context.state.set(ElectionKey.complaints(definition.id), next);
}

export function applyElectionAnswer(tx: TxOf<typeof electionAnswerTx>, context: RuleContext): void {
  const signer = oneSigner(tx, context, 'its trustee');
  const { definition } = existingElection(context, tx.payload.election);
  deadline(context, definition.answersUntilMs, 'answers to complaints', definition.id);
  const answer = cryptoCheck(() => decodeComplaintAnswer(tx.payload.answer));
  requireTrustee(definition, signer, answer.dealer, 'dealer');
  const complaints = complaintsOf(context.state, definition.id);
  const open = complaints.find(
    (entry) => entry.dealer === answer.dealer && entry.recipient === answer.recipient && entry.share === undefined,
  );
  // REJECT: an answer to a complaint nobody made, or one answered already
  if (!open) {
    reject(
      ElectionCode.noComplaint,
      `no open complaint of trustee ${answer.recipient} against trustee ${answer.dealer}`,
    );
  }
  const dealing = dealingOf(context.state, definition, answer.dealer) as Dealing;
  // REJECT: a revealed share that does not match the dealer's commitments (it stays open; unanswered, it disqualifies)
  if (!verifyComplaintAnswer(electionGroup(), dealing, answer)) {
    reject(
      ElectionCode.dkgShareInvalid,
      `the share trustee ${answer.dealer} revealed for trustee ${answer.recipient} does not match its commitments`,
    );
  }
  const next = complaints.map((entry) =>
    entry === open ? { ...entry, share: answer.share, answerHeight: context.block.height } : entry,
  );
  context.state.set(ElectionKey.complaints(definition.id), next);
}

export function applyElectionKey(tx: TxOf<typeof electionKeyTx>, context: RuleContext): void {
  const { definition, status } = existingElection(context, tx.payload.election);
  trusteeOrRegistrar(tx, context, definition);
  const { timeMs } = context.block;
  // REJECT: the key is fixed only once every complaint could be answered
  if (timeMs < definition.answersUntilMs) {
    reject(ElectionCode.stepNotOpen, `the key of ${definition.id} is fixed from ${isoTime(definition.answersUntilMs)}`);
  }
  // REJECT: after the window nothing can be encrypted to it any more
  if (timeMs >= definition.closesAtMs) {
    reject(ElectionCode.stepClosed, `voting in ${definition.id} closed at ${isoTime(definition.closesAtMs)}`);
  }
  // REJECT: one key per election
  if (status.phase !== 'keygen') {
    reject(ElectionCode.keyFixed, `the key of ${definition.id} was fixed at height ${status.keyHeight}`);
  }
  const dealings: Dealing[] = [];
  const absent: number[] = [];
  for (let i = 1; i <= definition.trustees.length; i++) {
    const dealing = dealingOf(context.state, definition, i);
    if (dealing) dealings.push(dealing);
    else absent.push(i);
  }
  const entries = complaintsOf(context.state, definition.id);
  const complaints: Complaint[] = entries.map(({ dealer, recipient }) => ({ dealer, recipient }));
  const answers: ComplaintAnswer[] = entries.flatMap(({ dealer, recipient, share }) =>
    share ? [{ dealer, recipient, share }] : [],
  );
  const result = cryptoCheck(() => qualify(electionGroup(), dkgParameters(definition), dealings, complaints, answers));
  context.state.set(ElectionKey.status(definition.id), {
    ...status,
    phase: 'voting',
    publicKey: result.publicKey,
    verificationKeys: result.verificationKeys,
    qualified: result.qualified,
    disqualified: [
      ...absent.map((dealer) => ({ dealer, reason: `trustee ${dealer} dealt nothing before the deadline` })),
      ...result.disqualified.map(({ dealer, reason }) => ({ dealer, reason: reason.slice(0, 512) })),
    ].sort((a, b) => a.dealer - b.dealer),
    keyHeight: context.block.height,
  });
}
