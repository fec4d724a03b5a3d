// A trustee's steps of an election (docs/elections.md C.2, C.3) as functions of the election's
// public record, the dealings on chain and the trustee's secrets: which slot it holds, its
// dealing, the shares it opens, the complaints and answers it owes, and its partial decryption
// of the closed totals. No I/O: `notary election` (cli.ts) and the node's trustee routes
// (trustee-api.ts) read the chain and the keystore their own way and call these.
import { bytesToHex, hexToBytes, utf8 } from '../../../../shared/codec/index.js';
import {
  combineShares,
  decodeDealing,
  deal,
  encodeComplaint,
  encodeComplaintAnswer,
  encodeDealing,
  encodePartialDecryption,
  openShare,
  partialDecrypt,
  sealShares,
  shareFor,
  verifyShare,
  type Group,
  type SealedBoxes,
} from '../../../../shared/election/crypto/index.js';
import type { ElectionView } from '../../../../shared/modules/election/api.js';
import { ciphertextsOf } from '../../../../shared/modules/election/checks.js';
import type { TrusteeSecrets } from './trustee-keystore.js';

export type TrusteeStepCode =
  | 'NOT_A_TRUSTEE'
  | 'TRUSTEE_KEYSTORE_OTHER_ELECTION'
  | 'TRUSTEE_KEYSTORE_OTHER_KEY'
  | 'TRUSTEE_ALREADY_DEALT'
  | 'TRUSTEE_NOT_DEALT'
  | 'TRUSTEE_STEP_NOT_OPEN'
  | 'TRUSTEE_ALREADY_DECRYPTED'
  | 'TRUSTEE_SHARE_UNOPENED'
  | 'TRUSTEE_SHARE_MISMATCH';

/** A step this trustee must not take now; nothing was written or sent. */
export class TrusteeStepError extends Error {
  constructor(
    readonly code: TrusteeStepCode,
    message: string,
  ) {
    super(message);
    this.name = 'TrusteeStepError';
  }
}

/** A dealing on chain: its dealer and its bytes (A.5). */
export interface DealingOnChain {
  trustee: number;
  dealing: Uint8Array;
}

/** What every step starts from: the group, the sealed boxes, the election, the trustee's slot and secrets. */
export interface TrusteeContext {
  group: Group;
  boxes: SealedBoxes;
  election: ElectionView;
  me: number;
  secrets: TrusteeSecrets;
}

export const parametersOf = (election: ElectionView) => ({
  electionId: utf8(election.id),
  trustees: election.trustees.length,
  threshold: election.threshold,
});

/** The office key's trustee slot (1-based). */
export function trusteeIndexOf(election: ElectionView, officeKey: string): number {
  const index = election.trustees.findIndex((trustee) => trustee.key === officeKey);
  // REJECT: an office that is not one of the election's trustees has no step here
  if (index < 0)
    throw new TrusteeStepError('NOT_A_TRUSTEE', `the key ${officeKey} is not a trustee of election ${election.id}`);
  return index + 1;
}

/** The slot, once the keystore is known to be this election's and this trustee's. */
export function trusteeSlot(election: ElectionView, officeKey: string, secrets: TrusteeSecrets): number {
  const me = trusteeIndexOf(election, officeKey);
  // REJECT: another election's keystore would deal or decrypt with keys the definition does not name
  if (secrets.election !== election.id)
    throw new TrusteeStepError(
      'TRUSTEE_KEYSTORE_OTHER_ELECTION',
      `the trustee keystore is election ${secrets.election}'s, not ${election.id}'s`,
    );
  // REJECT: a transport key the definition does not name could not open this trustee's shares
  if (bytesToHex(secrets.transport.publicKey) !== election.trustees[me - 1]!.transportKey)
    throw new TrusteeStepError(
      'TRUSTEE_KEYSTORE_OTHER_KEY',
      `the trustee keystore holds another transport key than trustee ${me}'s in the election's definition`,
    );
  return me;
}

/**
 * The dealing to send: the one kept in the keystore (a retry after a crash), or a new one with
 * the secrets to keep, which the caller writes before it sends anything.
 */
export function dealingOf({ group, boxes, election, me, secrets }: TrusteeContext): {
  dealing: Uint8Array;
  keep?: TrusteeSecrets;
} {
  // REJECT: a second dealing is refused by the chain (ELECTION_DUPLICATE_DEALING)
  if (election.dealt.includes(me))
    throw new TrusteeStepError('TRUSTEE_ALREADY_DEALT', `trustee ${me} has dealt already in ${election.id}`);
  // REJECT: after the deadline the chain refuses a dealing (ELECTION_STEP_CLOSED)
  if (election.phase !== 'keygen')
    throw new TrusteeStepError('TRUSTEE_STEP_NOT_OPEN', `${election.id} is ${election.phase}: dealing has ended`);
  if (secrets.dealing && secrets.dealer) return { dealing: secrets.dealing };
  const parameters = parametersOf(election);
  const { dealing, secret } = deal(group, parameters, me);
  const transport = election.trustees.map((trustee) => hexToBytes(trustee.transportKey));
  const sealed = sealShares(group, boxes, parameters, secret, transport);
  const message = encodeDealing({ ...dealing, sealed });
  return { dealing: message, keep: { ...secrets, dealer: secret, dealing: message } };
}

/** The trustee's polynomial from its keystore. */
function polynomialOf(secrets: TrusteeSecrets, me: number) {
  // REJECT: a keystore that did not deal has neither the trustee's own share nor the shares complained about
  if (!secrets.dealer)
    throw new TrusteeStepError(
      'TRUSTEE_NOT_DEALT',
      `the trustee keystore holds no polynomial: trustee ${me} has not dealt from it`,
    );
  return secrets.dealer;
}

export type ShareReading = { share: Uint8Array } | { problem: string };

/** Dealer i's share for this trustee: its own, opened from the dealing on chain, or revealed by an answer. */
export function openShares(
  { group, boxes, election, me, secrets }: TrusteeContext,
  dealings: readonly DealingOnChain[],
): Map<number, ShareReading> {
  const shares = new Map<number, ShareReading>();
  for (const { trustee: dealer, dealing: bytes } of dealings) {
    if (dealer === me) {
      shares.set(dealer, { share: shareFor(group, polynomialOf(secrets, me), me) });
      continue;
    }
    try {
      const message = decodeDealing(group, bytes);
      const sealed = message.sealed.find((entry) => entry.recipient === me);
      if (!sealed) throw new Error(`dealer ${dealer} sealed no share for trustee ${me}`);
      const share = openShare(boxes, parametersOf(election), dealer, sealed, secrets.transport);
      if (!verifyShare(group, message, me, share))
        throw new Error(`the share of dealer ${dealer} fails its commitments`);
      shares.set(dealer, { share });
    } catch (error) {
      // an answered complaint reveals the share on chain: it is checked there, so take it
      const answered = election.complaints.find((c) => c.dealer === dealer && c.recipient === me && c.share);
      if (answered) shares.set(dealer, { share: hexToBytes(answered.share!) });
      else shares.set(dealer, { problem: (error as Error).message });
    }
  }
  return shares;
}

/** A complaint (A.5 bytes) for each share that does not open and is not complained about yet. */
export function complaintsOf(
  election: ElectionView,
  me: number,
  shares: ReadonlyMap<number, ShareReading>,
): Array<{ dealer: number; problem: string; complaint: Uint8Array }> {
  const complaints = [];
  for (const [dealer, reading] of shares) {
    if (!('problem' in reading) || election.complaints.some((c) => c.dealer === dealer && c.recipient === me)) continue;
    complaints.push({ dealer, problem: reading.problem, complaint: encodeComplaint({ dealer, recipient: me }) });
  }
  return complaints;
}

/** An answer (A.5 bytes, the share revealed) to each open complaint against this trustee. */
export function answersOf({ group, election, me, secrets }: TrusteeContext): Array<{
  recipient: number;
  answer: Uint8Array;
}> {
  const open = election.complaints.filter((c) => c.dealer === me && !c.answered);
  if (open.length === 0) return [];
  const polynomial = polynomialOf(secrets, me);
  return open.map(({ recipient }) => ({
    recipient,
    answer: encodeComplaintAnswer({ dealer: me, recipient, share: shareFor(group, polynomial, recipient) }),
  }));
}

/**
 * This trustee's partial decryption of the closed totals (A.7, A.5 bytes): its share x_j
 * recomputed from the qualified dealers' shares, and checked against VK_j on chain first.
 */
export function partialDecryptionOf(
  trustee: TrusteeContext,
  dealings: readonly DealingOnChain[],
  nowMs: number,
): Uint8Array {
  const { group, election, me } = trustee;
  // REJECT: the window ended but no close is committed here: there are no fixed totals to decrypt
  if (election.phase === 'voting' && nowMs >= election.closesAtMs)
    throw new TrusteeStepError(
      'TRUSTEE_STEP_NOT_OPEN',
      `${election.id}'s window ended at ${new Date(election.closesAtMs).toISOString()}, but this node has no close committed yet: close it first, or wait until this node has caught up`,
    );
  // REJECT: only closed totals are decrypted
  if (election.phase !== 'closed')
    throw new TrusteeStepError(
      'TRUSTEE_STEP_NOT_OPEN',
      `${election.id} is ${election.phase}: only closed totals are decrypted`,
    );
  // REJECT: a second partial decryption is refused by the chain (ELECTION_DUPLICATE_SHARE)
  if (election.decrypted.includes(me))
    throw new TrusteeStepError('TRUSTEE_ALREADY_DECRYPTED', `trustee ${me} has decrypted ${election.id} already`);
  const shares = openShares(trustee, dealings);
  const qualified = election.qualified ?? [];
  const mine = new Map<number, Uint8Array>();
  for (const dealer of qualified) {
    const reading = shares.get(dealer);
    // REJECT: without every qualified dealer's share the trustee's share of the key cannot be made
    if (!reading || !('share' in reading))
      throw new TrusteeStepError(
        'TRUSTEE_SHARE_UNOPENED',
        `the share of qualified dealer ${dealer} does not open: ${reading && 'problem' in reading ? reading.problem : 'no dealing'}`,
      );
    mine.set(dealer, reading.share);
  }
  const secretShare = combineShares(group, qualified, mine);
  // REJECT: a share that is not the one the chain fixed would post a partial decryption the chain refuses
  if (bytesToHex(group.multiplyBase(secretShare)) !== election.verificationKeys?.[me - 1])
    throw new TrusteeStepError(
      'TRUSTEE_SHARE_MISMATCH',
      `the share computed for trustee ${me} does not match its verification key on chain`,
    );
  const partial = partialDecrypt(
    group,
    { electionId: utf8(election.id), publicKey: hexToBytes(election.publicKey!) },
    me,
    secretShare,
    ciphertextsOf(hexToBytes(election.totals)),
  );
  return encodePartialDecryption(partial);
}
