// The standalone verifier of an election's export (docs/elections.md B.6, B.8;
// [REQ-ELECTION-EXPORT.1]). With shared/ code alone and no node, it reads the export's frames
// (export.ts) one at a time and re-runs what the chain ran: every signature over its txId, the
// rules' own checks of each step (keygen.ts, rules.ts: the same pure functions, so chain and
// verifier name a failure with the same code), the key from the dealings, complaints and
// answers, the roll, every ballot's proofs, the sum of the last ballots, every partial
// decryption and the counts. It stops at the first failure with a VerifyError: a code and one
// sentence naming the transaction (hash, height, position) and what in it failed.
//
// What it cannot check (format 1 carries no block headers or commits): that the blocks were
// certified by the validators, and that a signer held a role in the authority state at that
// height (a registering office, a registrar sending key, close or tally, the commission's
// quorum for create). The chain attests those; docs/elections.md B.8 says so.
import { z } from 'zod';
import { bytesEqual, bytesToHex, encode } from '../../codec/index.js';
import { Domain, verify as verifySignature, type Verifier } from '../../crypto/index.js';
import { ElectionCryptoError } from '../../election/crypto/errors.js';
import type { Dealing } from '../../election/crypto/dkg.js';
import type { PartialDecryption } from '../../election/crypto/decrypt.js';
import type { Group } from '../../election/crypto/group.js';
import { codesOf, KERNEL_CODES, LedgerError, short, type RejectCodeSpec } from '../../ledger/errors.js';
import { chainId as chainIdSchema, timeMs, uint } from '../../ledger/primitives.js';
import { TxDigests } from '../../ledger/digests.js';
import { boxCount, ciphertextBytes, ciphertextsOf } from './checks.js';
import {
  EXPORT_ENTRIES_MAX,
  EXPORT_FORMAT,
  ExportFormatError,
  FrameReader,
  type ExportHeader,
  type ExportTrailer,
} from './export.js';
import { addComplaint, answerComplaint, checkDealing, checkDeadline, checkKeyStep, electionKeyOf } from './keygen.js';
import {
  checkCast,
  checkClose,
  checkDefinition,
  checkPartialDecryption,
  checkRegistration,
  checkTallyStep,
  electionCounts,
} from './rules.js';
import {
  ElectionCode,
  electionDefinition,
  electionStatus,
  rollRecord,
  tallyRecord,
  type ComplaintEntry,
  type ElectionDefinition,
  type ElectionStatus,
  type RollRecord,
} from './types.js';
import * as types from './types.js';

const spec = <const Code extends string>(code: Code, meaning: string) => ({ code, meaning });

/** The verifier's own codes; the rules' failures keep their ELECTION_* and kernel codes. */
export const EXPORT_CODES = {
  malformed: spec(
    'EXPORT_MALFORMED',
    "A frame, the header, an entry or the trailer does not have the format's shape, or an entry is not a transaction of this election.",
  ),
  truncated: spec(
    'EXPORT_TRUNCATED',
    'The file ends before its trailer, inside a frame, or with fewer entries than its trailer counts.',
  ),
  order: spec(
    'EXPORT_ORDER',
    "An entry is not after the one before it in chain order (height, then position in the block), its block time goes back, or it lies above the export's height.",
  ),
  signatureInvalid: spec(
    'EXPORT_SIGNATURE_INVALID',
    "A transaction's signature does not verify over its txId for the export's chain.",
  ),
  definitionMismatch: spec(
    'EXPORT_DEFINITION_MISMATCH',
    "The header's definition is not election.create's payload with the height it was committed at.",
  ),
  keyMismatch: spec(
    'EXPORT_KEY_MISMATCH',
    "The header's election key, verification keys, qualified or disqualified trustees differ from what the dealings, complaints and answers give.",
  ),
  rollMismatch: spec(
    'EXPORT_ROLL_MISMATCH',
    "The header's roll size or per-district counts differ from the registrations.",
  ),
  totalsMismatch: spec(
    'EXPORT_TOTALS_MISMATCH',
    "The header's encrypted totals, ballots or voters differ from the sum of each credential's last ballot.",
  ),
  countsMismatch: spec(
    'EXPORT_COUNTS_MISMATCH',
    'The published counts or the trustees they name differ from the decryption by the t lowest valid partial decryptions.',
  ),
  statusMismatch: spec(
    'EXPORT_STATUS_MISMATCH',
    "The header's phase or step heights differ from the transactions the export holds.",
  ),
} as const satisfies Record<string, RejectCodeSpec>;
export const ExportCode = codesOf(EXPORT_CODES);
const Kernel = codesOf(KERNEL_CODES);

/** Where a failure is: the entry (by its position in the file, its height and index) and its transaction. */
export interface VerifyErrorWhere {
  entry?: number;
  height?: number;
  index?: number;
  txHash?: string;
}

export class VerifyError extends Error {
  constructor(
    readonly code: string,
    readonly sentence: string,
    readonly where: VerifyErrorWhere = {},
  ) {
    super(`${code}: ${sentence}`);
    this.name = 'VerifyError';
  }
}

function refuse(code: string, sentence: string, where: VerifyErrorWhere = {}): never {
  throw new VerifyError(code, sentence, where);
}

export interface VerifiedElection {
  chainId: string;
  /** The head height the export was taken at. */
  height: number;
  definition: ElectionDefinition;
  phase: ElectionStatus['phase'];
  publicKey?: Uint8Array;
  qualified?: number[];
  roll: RollRecord;
  /** Credentials with a ballot (each counted once, by its last ballot). */
  voters: number;
  /** Ballots accepted, re-votes included. */
  ballots: number;
  revotes: number;
  /** Per contest, per choice, in the definition's order; once final. */
  counts?: number[][];
  /** The trustees whose partial decryptions gave the counts (the t lowest valid). */
  trustees?: number[];
  entries: number;
}

export interface VerifyOptions {
  /** The ed25519 verifier (default: shared/crypto's strict RFC 8032 one). */
  verify?: Verifier;
}

const exportHeader = z.strictObject({
  format: z.literal(EXPORT_FORMAT),
  chainId: chainIdSchema,
  height: uint,
  election: electionDefinition,
  status: electionStatus,
  roll: rollRecord,
  tally: tallyRecord,
});
const exportEntry = z.strictObject({ height: uint, index: uint, timeMs, tx: z.unknown() });
const exportTrailer = z.strictObject({ end: z.literal(true), entries: uint });

/** The election module's own transactions: the export holds no other (and needs no assembled schema). */
const electionTransaction = z.discriminatedUnion('type', [
  types.electionCreateTx,
  types.electionDealTx,
  types.electionComplainTx,
  types.electionAnswerTx,
  types.electionKeyTx,
  types.electionRegisterTx,
  types.electionCastTx,
  types.electionCloseTx,
  types.electionDecryptTx,
  types.electionTallyTx,
]);
type Transaction = z.output<typeof electionTransaction>;

function parsed<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
  where: VerifyErrorWhere = {},
): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    refuse(ExportCode.malformed, `${what} is malformed${field}: ${issue?.message ?? 'invalid'}`, where);
  }
  return result.data;
}

/** Same value, by canonical CBOR (the export's own byte form). */
function same(a: unknown, b: unknown): boolean {
  return bytesEqual(encode(a ?? null), encode(b ?? null));
}

const list = (values: readonly number[] | undefined) => (values ? `[${values.join(', ')}]` : 'none');

interface Position {
  height: number;
  index: number;
  timeMs: number;
}

/**
 * Checks an export one frame at a time: the header to the constructor, each entry to `add`,
 * the trailer to `finish`, which returns what was verified. Every method throws a VerifyError
 * at the first failure. Memory: the key generation's messages, one record per credential (its
 * last ballot's ciphertexts, 64 bytes a box) and the partial decryptions, as the chain's state.
 */
export class ElectionExportVerifier {
  readonly #group: Group;
  readonly #verify: Verifier;
  readonly #digests = new TxDigests();
  readonly #header: ExportHeader;
  #definition: ElectionDefinition | undefined;
  /** The status as the chain built it from the entries so far. */
  #status: ElectionStatus | undefined;
  readonly #dealings = new Map<number, Dealing>();
  #complaints: ComplaintEntry[] = [];
  #roll: RollRecord | undefined;
  /** Credential -> its last ballot's ciphertexts (empty until it votes). */
  readonly #credentials = new Map<string, Uint8Array | undefined>();
  #ballots = 0;
  #voters = 0;
  #totals: Uint8Array | undefined;
  readonly #partials = new Map<number, { partial: PartialDecryption; height: number }>();
  #entries = 0;
  #previous: Position | undefined;
  #finished = false;

  constructor(group: Group, header: unknown, options: VerifyOptions = {}) {
    this.#group = group;
    this.#verify = options.verify ?? verifySignature;
    this.#header = parsed(exportHeader, header, 'the header') as ExportHeader;
  }

  get entries(): number {
    return this.#entries;
  }

  add(value: unknown): void {
    // REJECT: nothing after the trailer
    if (this.#finished) refuse(ExportCode.malformed, 'an entry follows the trailer');
    const number = this.#entries;
    // REJECT: more entries than any election has
    if (number >= EXPORT_ENTRIES_MAX) {
      refuse(ExportCode.malformed, `the export holds more than ${EXPORT_ENTRIES_MAX} entries`, { entry: number });
    }
    const entry = parsed(exportEntry, value, `entry ${number}`, { entry: number });
    const at = { entry: number, height: entry.height, index: entry.index };
    const result = electionTransaction.safeParse(entry.tx);
    // REJECT: an entry that is no election transaction the ledger would accept
    if (!result.success) {
      const issue = result.error.issues[0];
      const field = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
      refuse(
        ExportCode.malformed,
        `entry ${number} at height ${entry.height}, index ${entry.index} holds no valid election transaction${field}: ${issue?.message ?? 'invalid'}`,
        at,
      );
    }
    const tx: Transaction = result.data;
    const txHash = this.#digests.hash(tx);
    const where: VerifyErrorWhere = { ...at, txHash };
    const voter = tx.type === 'election.cast' && tx.signatures.length === 1 ? tx.signatures[0]!.key : undefined;
    const named = `${tx.type} ${txHash} at height ${entry.height}, index ${entry.index}${voter ? ` by credential ${short(voter)}` : ''}`;
    const fail = (code: string, sentence: string): never => refuse(code, `${named}: ${sentence}`, where);
    this.#entries++;
    this.#checkOrder(entry, fail);
    this.#checkElection(tx, fail);
    // REJECT: a transaction signed for another chain (or an export of another chain's name)
    if (tx.chainId !== this.#header.chainId) {
      fail(Kernel.wrongChain, `it was signed for chain ${tx.chainId}, the export is of chain ${this.#header.chainId}`);
    }
    // REJECT: the chain never commits a transaction at or after its expiry
    if (entry.timeMs >= tx.expiresAtMs)
      fail(Kernel.expired, `it expired at ${new Date(tx.expiresAtMs).toISOString()}, before its block`);
    // An election transaction's signatures are its signers' over the txId; no module adds others.
    const message = this.#digests.idBytes(tx);
    for (const { key, signature } of tx.signatures) {
      const check = { publicKey: key, signature, domain: Domain.tx, chainId: this.#header.chainId, message };
      // REJECT: a signature that does not verify over the txId: the transaction is not what its signer signed
      if (!this.#verify(check))
        fail(ExportCode.signatureInvalid, `the signature of ${short(check.publicKey)} does not verify`);
    }
    try {
      this.#apply(tx, entry, fail);
    } catch (error) {
      if (error instanceof LedgerError) fail(error.code, error.sentence);
      if (error instanceof ElectionCryptoError) fail(error.code, error.message);
      throw error;
    }
  }

  finish(value: unknown): VerifiedElection {
    // REJECT: one trailer
    if (this.#finished) refuse(ExportCode.malformed, 'a second trailer');
    const trailer = parsed(exportTrailer, value, 'the trailer') as ExportTrailer;
    // REJECT: a file cut (or padded) between frames: the trailer counts every entry
    if (trailer.entries !== this.#entries) {
      refuse(
        trailer.entries > this.#entries ? ExportCode.truncated : ExportCode.malformed,
        `the trailer counts ${trailer.entries} entries, the file holds ${this.#entries}`,
      );
    }
    this.#finished = true;
    const header = this.#header;
    const definition = this.#definition;
    const status = this.#status;
    const roll = this.#roll;
    // REJECT: an export of an election with no election.create
    if (!definition || !status || !roll) {
      refuse(ElectionCode.electionUnknown, `the export holds no election.create of ${header.election.id}`);
    }
    // REJECT: a roll the registrations do not add up to
    if (header.roll.size !== roll.size) {
      refuse(
        ExportCode.rollMismatch,
        `the header's roll holds ${header.roll.size} credentials, the registrations ${roll.size}`,
      );
    }
    roll.districts.forEach((count, k) => {
      if (header.roll.districts[k] !== count) {
        refuse(
          ExportCode.rollMismatch,
          `the header's roll counts ${header.roll.districts[k] ?? 'nothing'} in district ${definition.districts[k]}, the registrations ${count}`,
        );
      }
    });
    if (header.roll.districts.length !== roll.districts.length) {
      refuse(
        ExportCode.rollMismatch,
        `the header's roll has ${header.roll.districts.length} districts, the election ${roll.districts.length}`,
      );
    }
    // Before the close the header's tally is the running one: the sum of the last ballots so far.
    if (this.#totals === undefined) this.#checkTotals("at the export's height");
    for (const field of new Set([...Object.keys(status), ...Object.keys(header.status)])) {
      const key = field as keyof ElectionStatus;
      // REJECT: a phase or a step's height the transactions do not give
      if (!same(status[key], header.status[key])) {
        refuse(
          ExportCode.statusMismatch,
          `the header's status.${field} is ${describe(header.status[key])}, the transactions give ${describe(status[key])}`,
        );
      }
    }
    return {
      chainId: header.chainId,
      height: header.height,
      definition,
      phase: status.phase,
      ...(status.publicKey ? { publicKey: status.publicKey, qualified: status.qualified } : {}),
      roll,
      voters: this.#voters,
      ballots: this.#ballots,
      revotes: this.#ballots - this.#voters,
      ...(status.counts ? { counts: status.counts, trustees: status.trustees } : {}),
      entries: this.#entries,
    };
  }

  #checkOrder(entry: Position, fail: (code: string, sentence: string) => never): void {
    const previous = this.#previous;
    // REJECT: entries above the export's height: the header's records would not include them
    if (entry.height > this.#header.height) {
      fail(ExportCode.order, `it lies above the export's height ${this.#header.height}`);
    }
    if (previous) {
      const after =
        entry.height > previous.height || (entry.height === previous.height && entry.index > previous.index);
      // REJECT: entries out of chain order (a re-vote's place decides which ballot counts)
      if (!after) {
        fail(
          ExportCode.order,
          `it comes after height ${previous.height}, index ${previous.index} in the file, not in the chain`,
        );
      }
      // REJECT: one block, one time; and block time never goes back
      if (entry.height === previous.height ? entry.timeMs !== previous.timeMs : entry.timeMs < previous.timeMs) {
        fail(
          ExportCode.order,
          `its block time ${new Date(entry.timeMs).toISOString()} does not follow ${new Date(previous.timeMs).toISOString()} of height ${previous.height}`,
        );
      }
    }
    this.#previous = { height: entry.height, index: entry.index, timeMs: entry.timeMs };
  }

  #checkElection(tx: Transaction, fail: (code: string, sentence: string) => never): void {
    // REJECT: a transaction of another module
    if (!tx.type.startsWith('election.')) fail(ExportCode.malformed, 'it is not an election transaction');
    const payload = tx.payload as { id?: string; election?: string };
    const id = tx.type === 'election.create' ? payload.id : payload.election;
    // REJECT: a transaction of another election
    if (id !== this.#header.election.id) {
      fail(ExportCode.malformed, `it is a transaction of election ${id}, the export is of ${this.#header.election.id}`);
    }
  }

  /** The one signer of a trustee's, a voter's or an office's transaction (the rules' oneSigner). */
  #soleSigner(tx: Transaction, who: string): string {
    // REJECT: nobody signed
    if (tx.signatures.length === 0)
      throw new LedgerError(Kernel.missingSignature, `this ${tx.type} is signed by ${who}`);
    // REJECT: a second signer has no part in it
    if (tx.signatures.length > 1) {
      throw new LedgerError(
        Kernel.unexpectedSigner,
        `this ${tx.type} is signed by ${who} alone, not by ${tx.signatures.length}`,
      );
    }
    return tx.signatures[0]!.key;
  }

  #apply(tx: Transaction, entry: Position, fail: (code: string, sentence: string) => never): void {
    const group = this.#group;
    const header = this.#header;
    if (tx.type === 'election.create') {
      // REJECT: one election per id
      if (this.#definition) {
        fail(
          ElectionCode.electionExists,
          `election ${tx.payload.id} already exists (created at height ${this.#definition.height})`,
        );
      }
      // REJECT: the commission acts through a quorum; its members are the chain's to attest
      if (tx.signatures.length === 0) fail(Kernel.missingSignature, 'no registrar signed it');
      checkDefinition(tx.payload, entry.timeMs);
      const definition = { ...tx.payload, height: entry.height } as ElectionDefinition;
      // REJECT: a header whose definition is not the one created
      if (!same(definition, header.election)) {
        const field = Object.keys(definition).find(
          (key) => !same(definition[key as keyof ElectionDefinition], header.election[key as keyof ElectionDefinition]),
        );
        fail(
          ExportCode.definitionMismatch,
          `the header's definition differs from the one created in its field ${field ?? '(extra)'}`,
        );
      }
      this.#definition = definition;
      this.#status = { phase: 'keygen', height: entry.height };
      this.#roll = { size: 0, districts: definition.districts.map(() => 0) };
      return;
    }
    const definition = this.#definition;
    const status = this.#status!;
    // REJECT: a step of an election not created (yet)
    if (!definition) fail(ElectionCode.electionUnknown, `no election.create of ${header.election.id} comes before it`);
    switch (tx.type) {
      case 'election.dkg.deal': {
        const signer = this.#soleSigner(tx, 'its trustee');
        checkDeadline(entry.timeMs, definition.dealsUntilMs, 'dealing', definition.id);
        const dealing = checkDealing(group, definition, signer, tx.payload.dealing, (dealer) =>
          this.#dealings.has(dealer),
        );
        this.#dealings.set(dealing.dealer, dealing);
        return;
      }
      case 'election.dkg.complain': {
        const signer = this.#soleSigner(tx, 'its trustee');
        checkDeadline(entry.timeMs, definition.complaintsUntilMs, 'complaints', definition.id);
        this.#complaints = addComplaint(
          definition,
          signer,
          tx.payload.complaint,
          (dealer) => this.#dealings.has(dealer),
          this.#complaints,
          entry.height,
        );
        return;
      }
      case 'election.dkg.answer': {
        const signer = this.#soleSigner(tx, 'its trustee');
        checkDeadline(entry.timeMs, definition.answersUntilMs, 'answers to complaints', definition.id);
        this.#complaints = answerComplaint(
          group,
          definition,
          signer,
          tx.payload.answer,
          this.#complaints,
          (dealer) => this.#dealings.get(dealer),
          entry.height,
        );
        return;
      }
      case 'election.key': {
        this.#soleSigner(tx, 'a trustee or a registrar');
        checkKeyStep(definition, status, entry.timeMs);
        const key = electionKeyOf(group, definition, (dealer) => this.#dealings.get(dealer), this.#complaints);
        this.#checkKey(key, fail);
        this.#status = { ...status, phase: 'voting', ...key, keyHeight: entry.height } as ElectionStatus;
        return;
      }
      case 'election.credential.register': {
        this.#soleSigner(tx, 'the office that identified the voters');
        const roll = this.#roll!;
        const { credentials } = tx.payload;
        // Credentials of other elections are not in this export; the chain checked those.
        const district = checkRegistration(definition, entry.timeMs, tx.payload.district, credentials, roll, (key) =>
          this.#credentials.has(key) ? definition.id : undefined,
        );
        for (const key of credentials) this.#credentials.set(key, undefined);
        this.#roll = {
          size: roll.size + credentials.length,
          districts: roll.districts.map((count, k) => (k === district ? count + credentials.length : count)),
        };
        return;
      }
      case 'election.cast': {
        const credential = this.#soleSigner(tx, 'its credential');
        // REJECT: a ballot of a credential not registered before it (in this election)
        if (!this.#credentials.has(credential)) {
          fail(
            ElectionCode.notOnRoll,
            `credential ${short(credential)} is not on the roll of ${definition.id} before this ballot`,
          );
        }
        const previous = this.#credentials.get(credential);
        const ballot = checkCast(group, definition, status, entry.timeMs, credential, definition.id, tx.payload.ballot);
        // [REQ-ELECTION-REVOTE.1] the last ballot of each credential counts
        this.#credentials.set(credential, ciphertextBytes(ballot.contests.flatMap((contest) => contest.boxes)));
        this.#ballots++;
        if (previous === undefined) this.#voters++;
        return;
      }
      case 'election.close': {
        this.#soleSigner(tx, 'a trustee or a registrar');
        checkClose(definition, status, entry.timeMs);
        this.#checkTotals(`when ${definition.id} closed`, fail);
        this.#status = { ...status, phase: 'closed', closedHeight: entry.height };
        return;
      }
      case 'election.decrypt': {
        const signer = this.#soleSigner(tx, 'its trustee');
        const partial = checkPartialDecryption(
          group,
          definition,
          status,
          signer,
          tx.payload.partial,
          ciphertextsOf(this.#totals ?? new Uint8Array(0)),
          (trustee) => this.#partials.get(trustee)?.height,
        );
        this.#partials.set(partial.trustee, { partial, height: entry.height });
        return;
      }
      case 'election.tally': {
        this.#soleSigner(tx, 'a trustee or a registrar');
        checkTallyStep(definition, status);
        const partials = [...this.#partials.entries()].sort(([a], [b]) => a - b).map(([, record]) => record.partial);
        const { counts, trustees } = electionCounts(
          group,
          definition,
          status,
          ciphertextsOf(this.#totals!),
          partials,
          this.#voters,
        );
        this.#checkCounts(counts, trustees, fail);
        this.#status = { ...status, phase: 'final', counts, trustees, finalHeight: entry.height };
        return;
      }
      default:
        fail(ExportCode.malformed, `${(tx as { type: string }).type} is no election transaction this verifier knows`);
    }
  }

  /** The key the dealings give must be the header's (checked at election.key, before any ballot uses it). */
  #checkKey(key: ReturnType<typeof electionKeyOf>, fail: (code: string, sentence: string) => never): void {
    const published = this.#header.status;
    // REJECT: a published key that is not the one the key generation on chain gives
    if (!published.publicKey || !bytesEqual(published.publicKey, key.publicKey)) {
      fail(
        ExportCode.keyMismatch,
        `the header's election key ${published.publicKey ? bytesToHex(published.publicKey) : '(none)'} is not ${bytesToHex(key.publicKey)}, which the dealings, complaints and answers give`,
      );
    }
    key.verificationKeys.forEach((vk, j) => {
      const theirs = published.verificationKeys?.[j];
      // REJECT: a trustee's verification key that is not its share's: its partial decryptions would be checked against the wrong key
      if (!theirs || !bytesEqual(theirs, vk)) {
        fail(
          ExportCode.keyMismatch,
          `the header's verification key of trustee ${j + 1} differs from the one the dealings give`,
        );
      }
    });
    if ((published.verificationKeys?.length ?? 0) !== key.verificationKeys.length) {
      fail(
        ExportCode.keyMismatch,
        `the header lists ${published.verificationKeys?.length ?? 0} verification keys, the election has ${key.verificationKeys.length} trustees`,
      );
    }
    // REJECT: a QUAL or a list of disqualified trustees other than the key generation's
    if (!same(published.qualified, key.qualified)) {
      fail(
        ExportCode.keyMismatch,
        `the header's qualified trustees are ${list(published.qualified)}, the key generation gives ${list(key.qualified)}`,
      );
    }
    if (!same(published.disqualified, key.disqualified)) {
      fail(
        ExportCode.keyMismatch,
        `the header's disqualified trustees are ${list(published.disqualified?.map((d) => d.dealer))}, the key generation gives ${list(key.disqualified.map((d) => d.dealer))} (or other reasons)`,
      );
    }
  }

  /** [REQ-ELECTION-REVOTE.1] The header's tally must be the sum of each credential's last ballot. */
  #checkTotals(
    when: string,
    fail: (code: string, sentence: string) => never = (code, sentence) => refuse(code, sentence),
  ): void {
    const definition = this.#definition!;
    const group = this.#group;
    const boxes = boxCount(definition);
    const sum = ciphertextsOf(new Uint8Array(64 * boxes));
    for (const last of this.#credentials.values()) {
      if (last === undefined) continue;
      ciphertextsOf(last).forEach((box, k) => {
        const total = sum[k]!;
        sum[k] = { alpha: group.add(total.alpha, box.alpha), beta: group.add(total.beta, box.beta) };
      });
    }
    const totals = ciphertextBytes(sum);
    const tally = this.#header.tally;
    if (!bytesEqual(totals, tally.totals)) {
      let k = 0;
      while (k < boxes && bytesEqual(totals.subarray(64 * k, 64 * k + 64), tally.totals.subarray(64 * k, 64 * k + 64)))
        k++;
      const { contest, box } = boxAt(definition, k);
      // REJECT: a total that is not the sum of the last ballots (a ballot dropped, added or changed)
      fail(
        ExportCode.totalsMismatch,
        k < boxes
          ? `the header's total of box ${box} of contest ${contest} is not the sum of the ${this.#voters} last ballots ${when}`
          : `the header's totals hold ${tally.totals.length / 64} boxes, the election ${boxes}`,
      );
    }
    // REJECT: counts of ballots and voters that are not the transactions'
    if (tally.ballots !== this.#ballots) {
      fail(
        ExportCode.totalsMismatch,
        `the header's tally counts ${tally.ballots} ballots, the export holds ${this.#ballots} ${when}`,
      );
    }
    if (tally.voters !== this.#voters) {
      fail(
        ExportCode.totalsMismatch,
        `the header's tally counts ${tally.voters} voters, ${this.#voters} credentials voted ${when}`,
      );
    }
    this.#totals = totals;
  }

  #checkCounts(counts: number[][], trustees: number[], fail: (code: string, sentence: string) => never): void {
    const definition = this.#definition!;
    const published = this.#header.status;
    counts.forEach((contest, q) =>
      contest.forEach((count, b) => {
        const theirs = published.counts?.[q]?.[b];
        // REJECT: a published count the trustees' shares do not decrypt to
        if (theirs !== count) {
          fail(
            ExportCode.countsMismatch,
            `the published count of "${definition.contests[q]!.choices[b]}" (box ${b} of contest ${q}) is ${theirs ?? 'missing'}, the partial decryptions give ${count}`,
          );
        }
      }),
    );
    if (!same(published.counts, counts))
      fail(ExportCode.countsMismatch, "the published counts have another shape than the election's contests");
    if (!same(published.trustees, trustees)) {
      fail(
        ExportCode.countsMismatch,
        `the published counts name trustees ${list(published.trustees)}, the t lowest valid partial decryptions are ${list(trustees)}`,
      );
    }
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'absent';
  if (value instanceof Uint8Array) return bytesToHex(value);
  return JSON.stringify(value, (_key, inner: unknown) => (inner instanceof Uint8Array ? bytesToHex(inner) : inner));
}

function boxAt(definition: ElectionDefinition, k: number): { contest: number; box: number } {
  let rest = k;
  for (let q = 0; q < definition.contests.length; q++) {
    const boxes = definition.contests[q]!.choices.length;
    if (rest < boxes) return { contest: q, box: rest };
    rest -= boxes;
  }
  return { contest: definition.contests.length, box: rest };
}

function isTrailer(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !(value instanceof Uint8Array) && 'end' in value;
}

/**
 * [REQ-ELECTION-EXPORT.1] Verifies an export given as its decoded frames (header, entries,
 * trailer), sync or async; throws a VerifyError at the first failure.
 */
export async function verifyElectionExport(
  group: Group,
  frames: Iterable<unknown> | AsyncIterable<unknown>,
  options: VerifyOptions = {},
): Promise<VerifiedElection> {
  let verifier: ElectionExportVerifier | undefined;
  let result: VerifiedElection | undefined;
  for await (const frame of frames) {
    // REJECT: frames after the trailer
    if (result) refuse(ExportCode.malformed, 'a frame follows the trailer');
    if (!verifier) verifier = new ElectionExportVerifier(group, frame, options);
    else if (isTrailer(frame)) result = verifier.finish(frame);
    else verifier.add(frame);
  }
  // REJECT: a file cut before its header or its trailer
  if (!verifier) refuse(ExportCode.truncated, 'the export is empty: it has no header');
  if (!result) refuse(ExportCode.truncated, `the file ends after ${verifier.entries} entries, without its trailer`);
  return result;
}

/** The same from the file's bytes, in chunks as they are read (FrameReader, bounded memory). */
export async function verifyElectionExportBytes(
  group: Group,
  chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  options: VerifyOptions = {},
): Promise<VerifiedElection> {
  const reader = new FrameReader();
  async function* frames(): AsyncGenerator<unknown> {
    for await (const chunk of chunks) {
      let values: unknown[];
      try {
        values = reader.push(chunk);
      } catch (error) {
        if (error instanceof ExportFormatError) refuse(ExportCode.malformed, error.message);
        throw error;
      }
      yield* values;
    }
    try {
      reader.end();
    } catch (error) {
      // REJECT: a file cut inside a frame
      if (error instanceof ExportFormatError) refuse(ExportCode.truncated, error.message);
      throw error;
    }
  }
  return verifyElectionExport(group, frames(), options);
}
