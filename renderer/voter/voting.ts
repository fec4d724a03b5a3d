// The voter's steps that are not screens: which selections an election allows, the ballot's
// encryption with its opening kept (for a check), and the signed election.cast — built exactly
// as `notary election cast` builds them (electron/node/modules/election/cli.ts).
import { hexToBytes, utf8 } from '../../shared/codec/index.js';
import { sha256Hex, type KeyPair } from '../../shared/crypto/index.js';
// The files themselves, not crypto/index.js: that loads libsodium, whose WebAssembly this page
// (script-src 'self') may not compile. @noble's group gives the same bytes (REQ-ELECTION-GROUP.1).
import { createOpenedBallot, type BallotOpening, type ContestShape } from '../../shared/election/crypto/ballot.js';
import { encodeBallot } from '../../shared/election/crypto/encoding.js';
import { nobleGroup } from '../../shared/election/crypto/group-noble.js';
import type { Group } from '../../shared/election/crypto/group.js';
import { txHash } from '../../shared/ledger/digests.js';
import { signTransaction } from '../../shared/ledger/tx.js';
import type { Transaction, UnsignedTransaction } from '../../shared/ledger/types.js';
import type { ElectionView } from '../../shared/modules/election/api.js';
import { ballotCheckRecord, type BallotCheckRecord } from '../../shared/election/voter/ballot-check-record.js';

let group: Group | undefined;
/** The group the page computes in: @noble's ristretto255 (no WebAssembly). */
export function pageGroup(): Group {
  group ??= nobleGroup();
  return group;
}

/** A cast lives this long before the network refuses it as expired (as the CLI's). */
const TX_LIFETIME_MS = 3_600_000;

/** Per contest, the indices of the choices the voter marked. */
export type Selection = number[][];

export type SelectionProblem = { contest: number; kind: 'tooFew' | 'tooMany'; bound: number };

export const shapesOf = (election: Pick<ElectionView, 'contests'>): ContestShape[] =>
  election.contests.map((contest) => ({ boxes: contest.choices.length, min: contest.min, max: contest.max }));

/** Every contest whose number of marks is outside its bounds (none: the selection may be encrypted). */
export function selectionProblems(election: Pick<ElectionView, 'contests'>, selection: Selection): SelectionProblem[] {
  return election.contests.flatMap((contest, q): SelectionProblem[] => {
    const marked = new Set(selection[q] ?? []).size;
    if (marked < contest.min) return [{ contest: q, kind: 'tooFew', bound: contest.min }];
    if (marked > contest.max) return [{ contest: q, kind: 'tooMany', bound: contest.max }];
    return [];
  });
}

/** The 0/1 votes per box that a selection marks. */
export function marksOf(election: Pick<ElectionView, 'contests'>, selection: Selection): number[][] {
  return election.contests.map((contest, q) => {
    const chosen = new Set(selection[q] ?? []);
    return contest.choices.map((_, b) => (chosen.has(b) ? 1 : 0));
  });
}

export interface EncryptedBallot {
  election: string;
  bytes: Uint8Array;
  /** sha256 of the ballot bytes, hex: what the chain stores as the credential's tracker. */
  tracker: string;
  /** Kept only in memory, to open the ballot if the voter checks it instead of casting it. */
  opening: BallotOpening;
  elapsedMs: number;
}

export async function encryptSelection(
  election: ElectionView,
  credential: string,
  selection: Selection,
): Promise<EncryptedBallot> {
  if (!election.publicKey) throw new Error('the election key is not fixed yet');
  const group = pageGroup();
  const started = performance.now();
  const context = {
    electionId: utf8(election.id),
    publicKey: hexToBytes(election.publicKey),
    credential: hexToBytes(credential),
  };
  const { ballot, opening } = createOpenedBallot(group, context, shapesOf(election), marksOf(election, selection));
  const bytes = encodeBallot(ballot);
  return {
    election: election.id,
    bytes,
    tracker: sha256Hex(bytes),
    opening,
    elapsedMs: Math.max(1, Math.round(performance.now() - started)),
  };
}

/** The record a voter's check reveals: after this the ballot must never be cast (docs/elections.md C.6). */
export function openForCheck(election: ElectionView, credential: string, ballot: EncryptedBallot): BallotCheckRecord {
  return ballotCheckRecord({
    election: election.id,
    credential,
    publicKey: election.publicKey!,
    ballot: ballot.bytes,
    opening: ballot.opening,
  });
}

/** The election.cast transaction signed by the credential alone (B.3). */
export function signCast(
  chainId: string,
  election: string,
  ballot: Uint8Array,
  pair: KeyPair,
): { tx: Transaction; hash: string } {
  const nonce = new Uint32Array(2);
  crypto.getRandomValues(nonce);
  const unsigned = {
    type: 'election.cast',
    chainId,
    expiresAtMs: Date.now() + TX_LIFETIME_MS,
    // 47 random bits, as the CLI draws its nonces
    nonce: (nonce[0]! & 0x7fff) * 2 ** 32 + nonce[1]!,
    payload: { election, ballot },
  } as unknown as UnsignedTransaction;
  const tx = signTransaction(unsigned, pair.secretKey);
  return { tx, hash: txHash(tx) };
}
