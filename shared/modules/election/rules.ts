// The election's rules (docs/elections.md B.1-B.3, B.5-B.6): the commission creates it, offices
// register credentials, credentials cast ballots (the last one counts), then the close, the
// trustees' partial decryptions and the tally. The key generation is keygen.ts.
import type { z } from 'zod';
import { bytesToHex } from '../../codec/index.js';
import { sha256 } from '../../crypto/index.js';
import { checkShapes, verifyBallot, type Ballot } from '../../election/crypto/ballot.js';
import type { Ciphertext } from '../../election/crypto/elgamal.js';
import type { Group } from '../../election/crypto/group.js';
import { decryptCounts, verifyPartialDecryption, type PartialDecryption } from '../../election/crypto/decrypt.js';
import { decodeBallot, decodePartialDecryption } from '../../election/crypto/encoding.js';
import { hexToBytes } from '../../codec/index.js';
import { KernelCode, reject, short } from '../../ledger/errors.js';
import type { RuleContext } from '../../ledger/module.js';
import { activeAuthority, checkRegistrarQuorum } from '../authority/keeper.js';
import {
  boxCount,
  ciphertextBytes,
  ciphertextsOf,
  cryptoCheck,
  electionIdBytes,
  existingElection,
  isoTime,
  oneSigner,
  requireTrustee,
  shapesOf,
  trusteeOrRegistrar,
} from './checks.js';
import { electionGroup } from './group.js';
import { ballotProofs } from './proof-memo.js';
import { credentialOf, electionOf, rollOf, tallyOf } from './keeper.js';
import {
  ELECTION_LIMITS,
  ElectionCode,
  ElectionKey,
  type CredentialRecord,
  type ElectionDefinition,
  type ElectionStatus,
  type electionCastTx,
  type electionCloseTx,
  type electionCreateTx,
  type electionDecryptTx,
  type electionRegisterTx,
  type electionTallyTx,
  type RollRecord,
  type TallyRecord,
} from './types.js';

type TxOf<S extends z.ZodType> = z.output<S>;

function invalid(sentence: string): never {
  return reject(ElectionCode.parametersInvalid, sentence);
}

/** B.1's third check: the deadlines, contests, trustees and districts hold together. */
export function checkDefinition(payload: TxOf<typeof electionCreateTx>['payload'], nowMs: number): void {
  const order = [
    ['the block time', nowMs],
    ['dealsUntilMs', payload.dealsUntilMs],
    ['complaintsUntilMs', payload.complaintsUntilMs],
    ['answersUntilMs', payload.answersUntilMs],
    ['opensAtMs', payload.opensAtMs],
  ] as const;
  for (let k = 1; k < order.length; k++) {
    const [earlier, earlierMs] = order[k - 1]!;
    const [later, laterMs] = order[k]!;
    // REJECT: a step that would end before the one it needs (the first must still be ahead)
    if (k === 1 ? laterMs <= earlierMs : laterMs < earlierMs) invalid(`${later} is before ${earlier}`);
  }
  // REJECT: an empty window, or one longer than any election needs
  if (payload.closesAtMs <= payload.opensAtMs) invalid('the window closes before it opens');
  if (payload.closesAtMs - payload.opensAtMs > ELECTION_LIMITS.windowMaxMs) {
    invalid(`the window is longer than ${ELECTION_LIMITS.windowMaxMs / 86_400_000} days`);
  }
  const definition = payload as ElectionDefinition;
  cryptoCheck(() => checkShapes(shapesOf(definition)));
  // REJECT: more boxes than a ballot and a partial decryption carry in one transaction
  if (boxCount(definition) > ELECTION_LIMITS.boxesMax) {
    invalid(`the contests have ${boxCount(definition)} boxes in all, at most ${ELECTION_LIMITS.boxesMax}`);
  }
  const keys = new Set(payload.trustees.map((trustee) => trustee.key));
  const transport = new Set(payload.trustees.map((trustee) => trustee.transportKey));
  // REJECT: a trustee twice would hold two shares
  if (keys.size !== payload.trustees.length || transport.size !== payload.trustees.length) {
    invalid('a trustee key or transport key is listed twice');
  }
  // REJECT: a threshold no quorum of trustees can reach
  if (payload.threshold > payload.trustees.length) {
    invalid(`the threshold ${payload.threshold} is above the ${payload.trustees.length} trustees`);
  }
  // REJECT: a district twice would split its count
  if (new Set(payload.districts).size !== payload.districts.length) invalid('a district is listed twice');
}

export function applyElectionCreate(tx: TxOf<typeof electionCreateTx>, context: RuleContext): void {
  checkRegistrarQuorum(tx, context);
  const { payload } = tx;
  const earlier = electionOf(context.state, payload.id);
  // REJECT: one election per id, for good
  if (earlier)
    reject(ElectionCode.electionExists, `election ${payload.id} already exists (created at height ${earlier.height})`);
  checkDefinition(payload, context.block.timeMs);
  const { height } = context.block;
  const boxes = boxCount(payload as ElectionDefinition);
  context.state.set(ElectionKey.definition(payload.id), { ...payload, height });
  context.state.set(ElectionKey.status(payload.id), { phase: 'keygen', height });
  context.state.set(ElectionKey.roll(payload.id), { size: 0, districts: payload.districts.map(() => 0) });
  // Every total starts as the pair of identities (32 zero bytes each): the encryption of 0.
  context.state.set(ElectionKey.tally(payload.id), { totals: new Uint8Array(64 * boxes), ballots: 0, voters: 0 });
}

/**
 * B.2's checks 3-6 of a registration at block time `timeMs`: open, a district the election
 * lists, no credential twice or already registered (`registeredIn` gives the election a key is
 * on the roll of), the roll within its bound. Returns the district's position.
 */
export function checkRegistration(
  definition: ElectionDefinition,
  timeMs: number,
  districtName: string,
  credentials: readonly string[],
  roll: RollRecord,
  registeredIn: (key: string) => string | undefined,
): number {
  // REJECT: registration ends when voting ends
  if (timeMs >= definition.closesAtMs) {
    reject(
      ElectionCode.stepClosed,
      `registration for ${definition.id} closed with its voting at ${isoTime(definition.closesAtMs)}`,
    );
  }
  const district = definition.districts.indexOf(districtName);
  // REJECT: a district the election does not count by
  if (district < 0) reject(ElectionCode.unknownDistrict, `${definition.id} has no district ${districtName}`);
  // REJECT: a credential listed twice would count one voter twice
  if (new Set(credentials).size !== credentials.length) {
    reject(ElectionCode.credentialExists, 'a credential is listed twice in this registration');
  }
  for (const key of credentials) {
    const earlier = registeredIn(key);
    // REJECT: a credential is registered once on this chain, for one election
    if (earlier) {
      reject(ElectionCode.credentialExists, `credential ${short(key)} is on the roll of ${earlier} already`);
    }
  }
  // REJECT: the roll never grows past its bound (the count's bound and the state's)
  if (roll.size + credentials.length > definition.rollMax) {
    reject(ElectionCode.rollFull, `the roll of ${definition.id} holds ${roll.size} of at most ${definition.rollMax}`);
  }
  return district;
}

export function applyElectionRegister(tx: TxOf<typeof electionRegisterTx>, context: RuleContext): void {
  const office = oneSigner(tx, context, 'the office that identified the voters');
  // REJECT: only a notary or registrar office identifies voters
  if (!activeAuthority(context.state, office, ['notary', 'registrar'])) {
    reject(KernelCode.notAuthorized, `key ${short(office)} is not an active notary or registrar office`);
  }
  const { definition } = existingElection(context, tx.payload.election);
  const roll = rollOf(context.state, definition.id) as RollRecord;
  const district = checkRegistration(
    definition,
    context.block.timeMs,
    tx.payload.district,
    tx.payload.credentials,
    roll,
    (key) => credentialOf(context.state, key)?.election,
  );
  const { credentials } = tx.payload;
  const { height } = context.block;
  for (const key of credentials) {
    context.state.set(ElectionKey.credential(key), {
      election: definition.id,
      district: tx.payload.district,
      office,
      height,
    });
  }
  const districts = roll.districts.map((count, k) => (k === district ? count + credentials.length : count));
  context.state.set(ElectionKey.roll(definition.id), { size: roll.size + credentials.length, districts });
}

/**
 * B.3's checks 3-7 of a ballot `bytes` signed by `credential` (registered for `registeredIn`)
 * at block time `timeMs`: on this election's roll, in the window, after the key, and a ballot
 * that decodes and whose every proof verifies. Returns the ballot.
 */
export function checkCast(
  group: Group,
  definition: ElectionDefinition,
  status: ElectionStatus,
  timeMs: number,
  credential: string,
  registeredIn: string | undefined,
  bytes: Uint8Array,
  /** `vouched`: the block's commit certificate vouches for the proofs (BlockContext.certified). */
  proofs: 'verify' | 'vouched' = 'verify',
): Ballot {
  // REJECT: only a registered credential votes (no office or gateway can stuff ballots)
  if (registeredIn === undefined)
    reject(ElectionCode.notOnRoll, `credential ${short(credential)} is not on the roll of any election`);
  // REJECT: a credential votes in its own election only
  if (registeredIn !== definition.id) {
    reject(
      ElectionCode.wrongElection,
      `credential ${short(credential)} is on the roll of ${registeredIn}, not ${definition.id}`,
    );
  }
  // REJECT: ballots only inside [opensAtMs, closesAtMs) in block time
  if (timeMs < definition.opensAtMs || timeMs >= definition.closesAtMs) {
    reject(
      ElectionCode.outsideWindow,
      timeMs < definition.opensAtMs
        ? `voting in ${definition.id} opens at ${isoTime(definition.opensAtMs)}`
        : `voting in ${definition.id} closed at ${isoTime(definition.closesAtMs)}`,
    );
  }
  // REJECT: nothing can be encrypted before the key is fixed
  if (status.phase !== 'voting' || !status.publicKey) {
    reject(ElectionCode.keyNotFixed, `the key of ${definition.id} is not fixed yet`);
  }
  const ballot = cryptoCheck(() => decodeBallot(group, bytes));
  const ballotContext = {
    electionId: electionIdBytes(definition),
    publicKey: status.publicKey,
    credential: hexToBytes(credential),
  };
  const shapes = shapesOf(definition);
  // REJECT: a box or contest whose proof fails, named (ELECTION_PROOF_INVALID and its kin);
  // verified once per process for the same inputs (proof-memo.ts)
  if (proofs === 'verify')
    ballotProofs.verifyOnce({ ...ballotContext, shapes, ballot: bytes }, () =>
      cryptoCheck(() => verifyBallot(group, ballotContext, shapes, ballot)),
    );
  return ballot;
}

export function applyElectionCast(tx: TxOf<typeof electionCastTx>, context: RuleContext): void {
  const credential = oneSigner(tx, context, 'its credential');
  const { definition, status } = existingElection(context, tx.payload.election);
  const record = credentialOf(context.state, credential);
  const group = electionGroup();
  const ballot = checkCast(
    group,
    definition,
    status,
    context.block.timeMs,
    credential,
    record?.election,
    tx.payload.ballot,
    context.block.certified ? 'vouched' : 'verify',
  );
  const registered = record as CredentialRecord;
  const previous = registered.ballot ? ciphertextsOf(registered.ballot.ciphertexts) : undefined;
  const fresh = ballot.contests.flatMap((contest) => contest.boxes);
  const tally = tallyOf(context.state, definition.id) as TallyRecord;
  // [REQ-ELECTION-REVOTE.1] T ← T − old + new: the totals hold each credential's last ballot.
  const totals = ciphertextsOf(tally.totals).map((total, k) => {
    const box = fresh[k]!;
    const old = previous?.[k];
    const alpha = group.add(old ? group.sub(total.alpha, old.alpha) : total.alpha, box.alpha);
    const beta = group.add(old ? group.sub(total.beta, old.beta) : total.beta, box.beta);
    return { alpha, beta };
  });
  const { height } = context.block;
  const ballotRecord = { hash: bytesToHex(sha256(tx.payload.ballot)), height, ciphertexts: ciphertextBytes(fresh) };
  context.state.set(ElectionKey.credential(credential), { ...registered, ballot: ballotRecord });
  context.state.set(ElectionKey.tally(definition.id), {
    totals: ciphertextBytes(totals),
    ballots: tally.ballots + 1,
    voters: tally.voters + (previous ? 0 : 1),
  });
}

/** B.5: `election.close` is open from closesAtMs, after the key, once. */
export function checkClose(definition: ElectionDefinition, status: ElectionStatus, timeMs: number): void {
  // REJECT: the totals are fixed only when no ballot can come any more
  if (timeMs < definition.closesAtMs) {
    reject(ElectionCode.stepNotOpen, `voting in ${definition.id} closes at ${isoTime(definition.closesAtMs)}`);
  }
  // REJECT: an election without a key has nothing to count
  if (status.phase === 'keygen') reject(ElectionCode.keyNotFixed, `the key of ${definition.id} was never fixed`);
  // REJECT: closed once
  if (status.phase !== 'voting') {
    reject(ElectionCode.stepClosed, `${definition.id} was closed at height ${status.closedHeight}`);
  }
}

export function applyElectionClose(tx: TxOf<typeof electionCloseTx>, context: RuleContext): void {
  const { definition, status } = existingElection(context, tx.payload.election);
  trusteeOrRegistrar(tx, context, definition);
  checkClose(definition, status, context.block.timeMs);
  context.state.set(ElectionKey.status(definition.id), {
    ...status,
    phase: 'closed',
    closedHeight: context.block.height,
  });
}

function decryptionContext(definition: ElectionDefinition, publicKey: Uint8Array) {
  return { electionId: electionIdBytes(definition), publicKey };
}

/**
 * B.5's checks of a partial decryption `bytes` by `signer`: the election closed and not final,
 * the trustee's own, its first (`postedAt` gives the height of one on chain), and its proof
 * against VK_j and the totals. Returns the partial decryption.
 */
export function checkPartialDecryption(
  group: Group,
  definition: ElectionDefinition,
  status: ElectionStatus,
  signer: string,
  bytes: Uint8Array,
  totals: readonly Ciphertext[],
  postedAt: (trustee: number) => number | undefined,
): PartialDecryption {
  // REJECT: the results are final; nothing more to decrypt
  if (status.phase === 'final') reject(ElectionCode.stepClosed, `the results of ${definition.id} are final`);
  // REJECT: only the closed totals are decrypted, never a running one
  if (status.phase !== 'closed') reject(ElectionCode.stepNotOpen, `${definition.id} is not closed`);
  const partial = cryptoCheck(() => decodePartialDecryption(group, bytes));
  requireTrustee(definition, signer, partial.trustee, 'trustee');
  const earlier = postedAt(partial.trustee);
  // REJECT: one share per trustee, or it would count twice towards t
  if (earlier !== undefined) {
    reject(
      ElectionCode.duplicateShare,
      `trustee ${partial.trustee} already posted a partial decryption at height ${earlier}`,
    );
  }
  const verificationKey = status.verificationKeys![partial.trustee - 1]!;
  // REJECT: a share whose proof fails, naming the trustee and the total (ELECTION_SHARE_INVALID)
  cryptoCheck(() =>
    verifyPartialDecryption(group, decryptionContext(definition, status.publicKey!), verificationKey, totals, partial),
  );
  return partial;
}

export function applyElectionDecrypt(tx: TxOf<typeof electionDecryptTx>, context: RuleContext): void {
  const signer = oneSigner(tx, context, 'its trustee');
  const { definition, status } = existingElection(context, tx.payload.election);
  const tally = tallyOf(context.state, definition.id) as TallyRecord;
  const partial = checkPartialDecryption(
    electionGroup(),
    definition,
    status,
    signer,
    tx.payload.partial,
    ciphertextsOf(tally.totals),
    (trustee) =>
      (context.state.get(ElectionKey.decryption(definition.id, trustee)) as { height: number } | undefined)?.height,
  );
  context.state.set(ElectionKey.decryption(definition.id, partial.trustee), {
    partial: tx.payload.partial,
    height: context.block.height,
  });
}

/** B.6: `election.tally` once the election is closed, once. */
export function checkTallyStep(definition: ElectionDefinition, status: ElectionStatus): void {
  // REJECT: counted once
  if (status.phase === 'final') reject(ElectionCode.stepClosed, `the results of ${definition.id} are final already`);
  // REJECT: counted only after the close
  if (status.phase !== 'closed') reject(ElectionCode.stepNotOpen, `${definition.id} is not closed`);
}

/**
 * B.6's counts: A.7's combination of the t lowest of `partials` (valid, ascending trustee) and
 * the counts by baby-step giant-step up to `voters`, per contest and box; and the trustees used.
 */
export function electionCounts(
  group: Group,
  definition: ElectionDefinition,
  status: ElectionStatus,
  totals: readonly Ciphertext[],
  partials: readonly PartialDecryption[],
  voters: number,
): { counts: number[][]; trustees: number[] } {
  // REJECT: fewer than t shares decrypt nothing
  if (partials.length < definition.threshold) {
    reject(
      ElectionCode.tooFewShares,
      `${partials.length} valid partial decryptions, ${definition.threshold} are needed`,
    );
  }
  const chosen = partials.slice(0, definition.threshold); // ascending trustee: A.7's t lowest
  const flat = cryptoCheck(() =>
    decryptCounts(
      group,
      decryptionContext(definition, status.publicKey!),
      definition.threshold,
      status.verificationKeys!,
      totals,
      chosen,
      voters,
    ),
  );
  let k = 0;
  const counts = definition.contests.map((contest) => contest.choices.map(() => flat[k++]!));
  return { counts, trustees: chosen.map((partial) => partial.trustee) };
}

export function applyElectionTally(tx: TxOf<typeof electionTallyTx>, context: RuleContext): void {
  const { definition, status } = existingElection(context, tx.payload.election);
  trusteeOrRegistrar(tx, context, definition);
  checkTallyStep(definition, status);
  const group = electionGroup();
  const partials: PartialDecryption[] = [];
  for (let j = 1; j <= definition.trustees.length; j++) {
    const record = context.state.get(ElectionKey.decryption(definition.id, j)) as { partial: Uint8Array } | undefined;
    if (record) partials.push(decodePartialDecryption(group, record.partial));
  }
  const tally = tallyOf(context.state, definition.id) as TallyRecord;
  const { counts, trustees } = electionCounts(
    group,
    definition,
    status,
    ciphertextsOf(tally.totals),
    partials,
    tally.voters,
  );
  context.state.set(ElectionKey.status(definition.id), {
    ...status,
    phase: 'final',
    counts,
    trustees,
    finalHeight: context.block.height,
  });
}
