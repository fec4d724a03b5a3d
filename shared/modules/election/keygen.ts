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
import type { Group } from '../../election/crypto/group.js';
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
  type ElectionStatus,
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

/** A step of the key generation is open until its deadline in block time. */
export function checkDeadline(timeMs: number, untilMs: number, step: string, id: string): void {
  // REJECT: each step of the key generation ends at its deadline in block time
  if (timeMs >= untilMs) {
    reject(ElectionCode.stepClosed, `${step} for ${id} closed at ${isoTime(untilMs)}`);
  }
}

/**
 * B.4's checks of a dealing by `signer` after its deadline: it decodes, is the signer's own,
 * the first of its dealer (`dealt` says whether one is on chain), verifies and seals a share
 * to every other trustee. Pure: the rules and the export's verifier run the same checks.
 */
export function checkDealing(
  group: Group,
  definition: ElectionDefinition,
  signer: string,
  bytes: Uint8Array,
  dealt: (dealer: number) => boolean,
): DealingMessage {
  const dealing = cryptoCheck(() => decodeDealing(group, bytes));
  requireTrustee(definition, signer, dealing.dealer, 'dealer');
  // REJECT: one dealing per trustee (a second would let it choose between polynomials)
  if (dealt(dealing.dealer)) {
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
  return dealing;
}

export function applyElectionDeal(tx: TxOf<typeof electionDealTx>, context: RuleContext): void {
  const signer = oneSigner(tx, context, 'its trustee');
  const { definition } = existingElection(context, tx.payload.election);
  checkDeadline(context.block.timeMs, definition.dealsUntilMs, 'dealing', definition.id);
  const dealing = checkDealing(electionGroup(), definition, signer, tx.payload.dealing, (dealer) =>
    Boolean(context.state.get(ElectionKey.dealing(definition.id, dealer))),
  );
  context.state.set(ElectionKey.dealing(definition.id, dealing.dealer), {
    dealing: tx.payload.dealing,
    height: context.block.height,
  });
}

/**
 * B.4's checks of a complaint by `signer` after its deadline; returns the complaint list with
 * it added (sorted by dealer then recipient, as the state keeps it).
 */
export function addComplaint(
  definition: ElectionDefinition,
  signer: string,
  bytes: Uint8Array,
  hasDealing: (dealer: number) => boolean,
  complaints: readonly ComplaintEntry[],
  height: number,
): ComplaintEntry[] {
  const complaint = cryptoCheck(() => decodeComplaint(bytes));
  requireTrustee(definition, signer, complaint.recipient, 'trustee');
  // REJECT: a complaint against no trustee, or against one whose dealing is not on chain
  if (complaint.dealer > definition.trustees.length || !hasDealing(complaint.dealer)) {
    reject(ElectionCode.noDealing, `trustee ${complaint.dealer} has no dealing on chain for ${definition.id}`);
  }
  // REJECT: the same complaint twice
  if (complaints.some((entry) => entry.dealer === complaint.dealer && entry.recipient === complaint.recipient)) {
    reject(
      ElectionCode.duplicateComplaint,
      `trustee ${complaint.recipient} has complained about trustee ${complaint.dealer} already`,
    );
  }
  const entry: ComplaintEntry = { ...complaint, height };
  return [...complaints, entry].sort((a, b) => a.dealer - b.dealer || a.recipient - b.recipient);
}

export function applyElectionComplain(tx: TxOf<typeof electionComplainTx>, context: RuleContext): void {
  const signer = oneSigner(tx, context, 'its trustee');
  const { definition } = existingElection(context, tx.payload.election);
  checkDeadline(context.block.timeMs, definition.complaintsUntilMs, 'complaints', definition.id);
  const next = addComplaint(
    definition,
    signer,
    tx.payload.complaint,
    (dealer) => Boolean(context.state.get(ElectionKey.dealing(definition.id, dealer))),
    complaintsOf(context.state, definition.id),
    context.block.height,
  );
  context.state.set(ElectionKey.complaints(definition.id), next);
}

/**
 * B.4's checks of an answer by `signer` after its deadline; returns the complaint list with
 * the complaint answered. `dealingOf` gives a dealer's dealing on chain.
 */
export function answerComplaint(
  group: Group,
  definition: ElectionDefinition,
  signer: string,
  bytes: Uint8Array,
  complaints: readonly ComplaintEntry[],
  dealingOf: (dealer: number) => Dealing | undefined,
  height: number,
): ComplaintEntry[] {
  const answer = cryptoCheck(() => decodeComplaintAnswer(bytes));
  requireTrustee(definition, signer, answer.dealer, 'dealer');
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
  const dealing = dealingOf(answer.dealer) as Dealing;
  // REJECT: a revealed share that does not match the dealer's commitments (it stays open; unanswered, it disqualifies)
  if (!verifyComplaintAnswer(group, dealing, answer)) {
    reject(
      ElectionCode.dkgShareInvalid,
      `the share trustee ${answer.dealer} revealed for trustee ${answer.recipient} does not match its commitments`,
    );
  }
  const share = answer.share as ComplaintEntry['share'];
  return complaints.map((entry) => (entry === open ? { ...entry, share, answerHeight: height } : entry));
}

export function applyElectionAnswer(tx: TxOf<typeof electionAnswerTx>, context: RuleContext): void {
  const signer = oneSigner(tx, context, 'its trustee');
  const { definition } = existingElection(context, tx.payload.election);
  checkDeadline(context.block.timeMs, definition.answersUntilMs, 'answers to complaints', definition.id);
  const next = answerComplaint(
    electionGroup(),
    definition,
    signer,
    tx.payload.answer,
    complaintsOf(context.state, definition.id),
    (dealer) => dealingOf(context.state, definition, dealer),
    context.block.height,
  );
  context.state.set(ElectionKey.complaints(definition.id), next);
}

/** `election.key` is open from answersUntilMs until closesAtMs, once. */
export function checkKeyStep(definition: ElectionDefinition, status: ElectionStatus, timeMs: number): void {
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
}

/** What `election.key` fixes: A.6's qualify over the dealings on chain (ascending i), the complaints and answers. */
export interface ElectionKeyFields {
  publicKey: Uint8Array;
  verificationKeys: Uint8Array[];
  qualified: number[];
  disqualified: { dealer: number; reason: string }[];
}

/** The key, QUAL and the disqualified from the dealings (`dealingOf`) and the complaint list, as the chain fixes them. */
export function electionKeyOf(
  group: Group,
  definition: ElectionDefinition,
  dealingOf: (dealer: number) => Dealing | undefined,
  entries: readonly ComplaintEntry[],
): ElectionKeyFields {
  const dealings: Dealing[] = [];
  const absent: number[] = [];
  for (let i = 1; i <= definition.trustees.length; i++) {
    const dealing = dealingOf(i);
    if (dealing) dealings.push(dealing);
    else absent.push(i);
  }
  const complaints: Complaint[] = entries.map(({ dealer, recipient }) => ({ dealer, recipient }));
  const answers: ComplaintAnswer[] = entries.flatMap(({ dealer, recipient, share }) =>
    share ? [{ dealer, recipient, share }] : [],
  );
  const result = cryptoCheck(() => qualify(group, dkgParameters(definition), dealings, complaints, answers));
  return {
    publicKey: result.publicKey,
    verificationKeys: result.verificationKeys,
    qualified: result.qualified,
    disqualified: [
      ...absent.map((dealer) => ({ dealer, reason: `trustee ${dealer} dealt nothing before the deadline` })),
      ...result.disqualified.map(({ dealer, reason }) => ({ dealer, reason: reason.slice(0, 512) })),
    ].sort((a, b) => a.dealer - b.dealer),
  };
}

export function applyElectionKey(tx: TxOf<typeof electionKeyTx>, context: RuleContext): void {
  const { definition, status } = existingElection(context, tx.payload.election);
  trusteeOrRegistrar(tx, context, definition);
  checkKeyStep(definition, status, context.block.timeMs);
  const key = electionKeyOf(
    electionGroup(),
    definition,
    (dealer) => dealingOf(context.state, definition, dealer),
    complaintsOf(context.state, definition.id),
  );
  context.state.set(ElectionKey.status(definition.id), {
    ...status,
    phase: 'voting',
    ...key,
    keyHeight: context.block.height,
  });
}
