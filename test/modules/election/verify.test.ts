// The standalone verifier of an election's export (docs/elections.md B.6, B.8): a whole
// election runs on the real ledger (create, a 3-of-5 key generation with a complaint answered
// and one left open, registrations, casts with re-votes, close, three partial decryptions,
// tally); every accepted transaction goes into an export with its height, position and block
// time, read back through FrameReader. The honest export verifies to a plain count of the last
// votes; every tampering is refused at its first failure, with its code and a sentence naming
// the transaction and the thing in it.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { utf8 } from '../../../shared/codec/index.js';
import type { KeyPair } from '../../../shared/crypto/index.js';
import {
  combineShares,
  createBallot,
  decodeDealing,
  decodePartialDecryption,
  deal,
  encodeBallot,
  encodeComplaint,
  encodeComplaintAnswer,
  encodeDealing,
  encodePartialDecryption,
  openShare,
  partialDecrypt,
  scalarFromInteger,
  sealedBoxes,
  sealShares,
  shareFor,
  sodiumGroup,
  type DealerSecret,
  type DkgParameters,
  type Group,
  type SealedBoxes,
} from '../../../shared/election/crypto/index.js';
import { txHash, type Transaction, type UnsignedTransaction } from '../../../shared/ledger/index.js';
import { MapStateReader } from '../../../shared/ledger/state.js';
import { ciphertextsOf } from '../../../shared/modules/election/checks.js';
import {
  encodeFrame,
  EXPORT_FORMAT,
  FrameReader,
  type ExportEntry,
  type ExportHeader,
} from '../../../shared/modules/election/export.js';
import { loadElectionGroup } from '../../../shared/modules/election/group.js';
import { electionOf, electionStatusOf, rollOf, tallyOf } from '../../../shared/modules/election/keeper.js';
import {
  verifyElectionExport,
  verifyElectionExportBytes,
  VerifyError,
} from '../../../shared/modules/election/verify.js';
import { CHAIN_ID, keyOf, keys, signedBy } from '../../support/ledger-fixtures.js';
import { flipByte, seededRandom } from '../../unit/election-fixtures.js';
import { hex, shapes, StrictLedger, times, trustees, tx, type Trustee } from './fixtures.js';

const registrars = [keys.registrar1, keys.registrar2, keys.registrar3];
const ID = 'ref-2026';
const OTHER = 'mayor-2026';
const voters = Array.from({ length: 5 }, (_, i) => keyOf(`export-voter-${i + 1}`));
/** [voter, votes]: voters 1 and 2 re-vote, voter 2 twice; voter 5 never votes. */
const plan: [number, number[][]][] = [
  [
    0,
    [
      [1, 0],
      [1, 1, 0],
    ],
  ],
  [
    1,
    [
      [0, 1],
      [0, 0, 1],
    ],
  ],
  [
    2,
    [
      [1, 0],
      [0, 0, 0],
    ],
  ],
  [
    3,
    [
      [1, 0],
      [0, 1, 1],
    ],
  ],
  [
    0,
    [
      [0, 1],
      [0, 0, 1],
    ],
  ],
  [
    1,
    [
      [1, 0],
      [1, 1, 0],
    ],
  ],
  [
    1,
    [
      [0, 1],
      [0, 1, 0],
    ],
  ],
];

interface Built {
  header: ExportHeader;
  entries: ExportEntry[];
  bytes: Uint8Array;
  plain: number[][];
}

let group: Group;
let boxes: SealedBoxes;
let board: Trustee[];
let built: Built;

const parameters = (): DkgParameters => ({ electionId: utf8(ID), trustees: 5, threshold: 3 });

function resign(transaction: Transaction, ...signers: KeyPair[]): Transaction {
  return signedBy(transaction as unknown as UnsignedTransaction, ...signers);
}

function ballotFor(voter: KeyPair, votes: number[][], seed: number, publicKey: Uint8Array, electionId = ID) {
  const context = { electionId: utf8(electionId), publicKey, credential: Buffer.from(voter.publicKey, 'hex') };
  return encodeBallot(createBallot(group, context, shapes, votes, seededRandom(seed)));
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function exportBytes(
  header: ExportHeader,
  entries: ExportEntry[],
  trailer: number | null = entries.length,
): Uint8Array {
  const frames = [header, ...entries].map((frame) => encodeFrame(frame));
  if (trailer !== null) frames.push(encodeFrame({ end: true, entries: trailer }));
  return concat(frames);
}

/** The file in chunks of 997 bytes, as a reader would get it. */
function chunks(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.length; offset += 997) out.push(bytes.subarray(offset, offset + 997));
  return out;
}

/** A fresh decoded copy of the honest export: header, entries (mutable for tampering). */
function copy(): { header: ExportHeader; entries: ExportEntry[] } {
  const reader = new FrameReader();
  const values = reader.push(built.bytes);
  reader.end();
  return { header: values[0] as ExportHeader, entries: values.slice(1, -1) as ExportEntry[] };
}

async function refusal(header: ExportHeader, entries: ExportEntry[], trailer?: number | null): Promise<VerifyError> {
  try {
    await verifyElectionExportBytes(group, chunks(exportBytes(header, entries, trailer)));
  } catch (error) {
    if (error instanceof VerifyError) return error;
    throw error;
  }
  throw new Error('the tampered export verified');
}

const entryOf = (entries: ExportEntry[], type: string, nth = 0) =>
  entries.filter((entry) => entry.tx.type === type)[nth]!;

function buildElection(): Built {
  const ledger = new StrictLedger({ protocolVersion: 3 });
  const entries: ExportEntry[] = [];
  const commit = (...txs: Transaction[]) => {
    const outcomes = ledger.apply(...txs);
    let index = 0;
    outcomes.forEach((outcome, k) => {
      expect(outcome).toMatchObject({ ok: true });
      entries.push({ height: ledger.height, index: index++, timeMs: ledger.timeMs, tx: txs[k]! });
    });
  };
  const state = () => new MapStateReader(ledger.state);

  commit(
    tx(
      'election.create',
      {
        id: ID,
        title: 'Referendum on the city budget',
        contests: [
          { title: 'Approve the budget?', choices: ['yes', 'no'], min: 1, max: 1 },
          { title: 'Council seats', choices: ['Ann', 'Boris', 'Chen'], min: 0, max: 2 },
        ],
        districts: ['Minsk', 'Brest'],
        trustees: board.map((trustee) => ({
          key: trustee.key.publicKey,
          transportKey: hex(trustee.transport.publicKey),
        })),
        threshold: 3,
        rollMax: 10,
        ...times,
      },
      ...registrars,
    ),
  );

  // The key generation: five dealings in one block, a complaint answered, one left open.
  const secrets = new Map<number, DealerSecret>();
  const dealings = new Map<number, Uint8Array>();
  const transport = board.map((trustee) => trustee.transport.publicKey);
  for (let i = 1; i <= 5; i++) {
    const { dealing, secret } = deal(group, parameters(), i, seededRandom(100 + i));
    secrets.set(i, secret);
    dealings.set(i, encodeDealing({ ...dealing, sealed: sealShares(group, boxes, parameters(), secret, transport) }));
  }
  commit(
    ...[1, 2, 3, 4, 5].map((i) =>
      tx('election.dkg.deal', { election: ID, dealing: dealings.get(i)! }, board[i - 1]!.key),
    ),
  );
  commit(
    tx(
      'election.dkg.complain',
      { election: ID, complaint: encodeComplaint({ dealer: 1, recipient: 2 }) },
      board[1]!.key,
    ),
    tx(
      'election.dkg.complain',
      { election: ID, complaint: encodeComplaint({ dealer: 5, recipient: 3 }) },
      board[2]!.key,
    ),
  );
  const answer = encodeComplaintAnswer({ dealer: 1, recipient: 2, share: shareFor(group, secrets.get(1)!, 2) });
  commit(tx('election.dkg.answer', { election: ID, answer }, board[0]!.key));
  ledger.at(times.answersUntilMs);
  commit(tx('election.key', { election: ID }, keys.registrar2));
  const publicKey = electionStatusOf(state(), ID)!.publicKey!;

  // The roll: two offices, two districts.
  commit(
    tx(
      'election.credential.register',
      { election: ID, district: 'Minsk', credentials: voters.slice(0, 3).map((voter) => voter.publicKey) },
      keys.notary,
    ),
    tx(
      'election.credential.register',
      { election: ID, district: 'Brest', credentials: voters.slice(3).map((voter) => voter.publicKey) },
      keys.registrar1,
    ),
  );

  ledger.at(times.opensAtMs);
  const last = new Map<number, number[][]>();
  plan.forEach(([v, votes], k) => {
    commit(
      tx('election.cast', { election: ID, ballot: ballotFor(voters[v]!, votes, 1000 + k, publicKey) }, voters[v]!),
    );
    last.set(v, votes);
  });

  ledger.at(times.closesAtMs);
  commit(tx('election.close', { election: ID }, board[2]!.key));
  const status = electionStatusOf(state(), ID)!;
  const totals = ciphertextsOf(tallyOf(state(), ID)!.totals);
  const secretShareOf = (j: number) => {
    const shares = new Map<number, Uint8Array>();
    for (const i of status.qualified!) {
      if (i === j) shares.set(i, shareFor(group, secrets.get(i)!, j));
      else {
        const sealed = decodeDealing(group, dealings.get(i)!).sealed.find((share) => share.recipient === j)!;
        shares.set(i, openShare(boxes, parameters(), i, sealed, board[j - 1]!.transport));
      }
    }
    return combineShares(group, status.qualified!, shares);
  };
  for (const j of [5, 1, 3]) {
    const partial = partialDecrypt(
      group,
      { electionId: utf8(ID), publicKey },
      j,
      secretShareOf(j),
      totals,
      seededRandom(500 + j),
    );
    commit(tx('election.decrypt', { election: ID, partial: encodePartialDecryption(partial) }, board[j - 1]!.key));
  }
  commit(tx('election.tally', { election: ID }, board[0]!.key));

  const header: ExportHeader = {
    format: EXPORT_FORMAT,
    chainId: CHAIN_ID,
    height: ledger.height,
    election: electionOf(state(), ID)!,
    status: electionStatusOf(state(), ID)!,
    roll: rollOf(state(), ID)!,
    tally: tallyOf(state(), ID)!,
  };
  const plain = shapes.map((shape, q) =>
    Array.from({ length: shape.boxes }, (_, b) => [...last.values()].reduce((sum, votes) => sum + votes[q]![b]!, 0)),
  );
  return { header, entries, bytes: exportBytes(header, entries), plain };
}

beforeAll(async () => {
  await loadElectionGroup();
  group = await sodiumGroup();
  boxes = await sealedBoxes();
  board = trustees(boxes, 5);
  built = buildElection();
});

// [REQ-ELECTION-EXPORT.1] (docs/elections.md B.6, B.8)
describe('the standalone verifier of an election export', () => {
  it('verifies the honest export: its counts are a plain count of the last votes', async () => {
    const result = await verifyElectionExportBytes(group, chunks(built.bytes));
    expect(built.header.status.phase).toBe('final');
    expect(result).toMatchObject({
      chainId: CHAIN_ID,
      phase: 'final',
      counts: built.plain,
      trustees: [1, 3, 5],
      qualified: [1, 2, 3, 4],
      voters: 4,
      ballots: 7,
      revotes: 3,
      roll: { size: 5, districts: [3, 2] },
      entries: built.entries.length,
    });
    expect(result.counts).toEqual(built.header.status.counts);
    // the same from decoded frames, sync
    const { header, entries } = copy();
    const again = await verifyElectionExport(group, [header, ...entries, { end: true, entries: entries.length }]);
    expect(again.counts).toEqual(built.plain);
  });

  it('refuses a ballot with a flipped byte: its signature no longer verifies (EXPORT_SIGNATURE_INVALID), named by hash and position', async () => {
    const casts = built.entries.filter((entry) => entry.tx.type === 'election.cast').length;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: casts - 1 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async (nth, position, mask) => {
          const { header, entries } = copy();
          const entry = entryOf(entries, 'election.cast', nth);
          const payload = entry.tx.payload as { ballot: Uint8Array };
          payload.ballot = flipByte(payload.ballot, position, mask);
          const error = await refusal(header, entries);
          expect(error.code).toBe('EXPORT_SIGNATURE_INVALID');
          expect(error.message).toContain(txHash(entry.tx as Transaction));
          const credential = entry.tx.signatures[0]!.key;
          expect(error.message).toContain(
            `at height ${entry.height}, index ${entry.index} by credential ${credential.slice(0, 8)}…${credential.slice(-4)}`,
          );
          expect(error.where).toMatchObject({ height: entry.height, index: entry.index });
        },
      ),
      { seed: 16, numRuns: 6 },
    );
  });

  it('refuses a ballot re-signed by its credential but proved for another election or another credential (ELECTION_PROOF_INVALID)', async () => {
    for (const [electionId, credential] of [
      [OTHER, 0],
      [ID, 2],
    ] as const) {
      const { header, entries } = copy();
      const entry = entryOf(entries, 'election.cast', 1); // voter 2's first ballot
      const voter = voters[1]!;
      const ballot = ballotFor(voters[credential]!, plan[1]![1], 77, header.status.publicKey!, electionId);
      entry.tx = resign({ ...(entry.tx as Transaction), payload: { election: ID, ballot } } as Transaction, voter);
      const error = await refusal(header, entries);
      expect(error.code).toBe('ELECTION_PROOF_INVALID');
      expect(error.message).toContain(txHash(entry.tx as Transaction));
      expect(error.message).toMatch(/the proof of box 0 of contest 0 does not verify/);
    }
  });

  it('refuses an export with a re-vote dropped: the last ballots no longer sum to the totals (EXPORT_TOTALS_MISMATCH)', async () => {
    const { header, entries } = copy();
    const revote = entryOf(entries, 'election.cast', 6); // voter 2's last ballot
    const error = await refusal(
      header,
      entries.filter((entry) => entry !== revote),
    );
    expect(error.code).toBe('EXPORT_TOTALS_MISMATCH');
    expect(error.message).toMatch(
      /election\.close [0-9a-f]{64} at height \d+, index 0: the header's total of box 0 of contest 0 is not the sum of the 4 last ballots/,
    );
  });

  it('refuses a tampered encrypted total, naming the box (EXPORT_TOTALS_MISMATCH)', async () => {
    const { header, entries } = copy();
    header.tally.totals = flipByte(header.tally.totals, 64 * 3 + 40, 1) as typeof header.tally.totals; // β of box 1 of contest 1
    const error = await refusal(header, entries);
    expect(error.code).toBe('EXPORT_TOTALS_MISMATCH');
    expect(error.message).toMatch(/total of box 1 of contest 1 is not the sum/);
  });

  it('refuses a tampered published count, naming the choice (EXPORT_COUNTS_MISMATCH)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 1, max: 3 }), async (k, delta) => {
        const { header, entries } = copy();
        const [q, b] = k < 2 ? [0, k] : [1, k - 2];
        header.status.counts![q]![b] = header.status.counts![q]![b]! + delta;
        const error = await refusal(header, entries);
        expect(error.code).toBe('EXPORT_COUNTS_MISMATCH');
        expect(error.message).toContain(
          `election.tally ${txHash(entryOf(entries, 'election.tally').tx as Transaction)}`,
        );
        expect(error.message).toContain(`(box ${b} of contest ${q}) is ${built.plain[q]![b]! + delta}`);
      }),
      { seed: 17, numRuns: 4 },
    );
  });

  it('refuses a partial decryption with a wrong proof re-signed by its trustee (ELECTION_SHARE_INVALID, naming the trustee)', async () => {
    const { header, entries } = copy();
    const entry = entryOf(entries, 'election.decrypt', 2); // trustee 3's
    const payload = entry.tx.payload as { election: string; partial: Uint8Array };
    const partial = decodePartialDecryption(group, payload.partial);
    expect(partial.trustee).toBe(3);
    partial.decryptions[1]!.z = scalarFromInteger(7);
    entry.tx = resign(
      {
        ...(entry.tx as Transaction),
        payload: { ...payload, partial: encodePartialDecryption(partial) },
      } as Transaction,
      board[2]!.key,
    );
    const error = await refusal(header, entries);
    expect(error.code).toBe('ELECTION_SHARE_INVALID');
    expect(error.message).toContain(txHash(entry.tx as Transaction));
    expect(error.message).toMatch(/trustee 3's partial decryption of total 1 does not verify/);
  });

  it('refuses a cast whose block time is outside the window (ELECTION_OUTSIDE_WINDOW)', async () => {
    const { header, entries } = copy();
    const entry = entryOf(entries, 'election.cast', 6);
    entry.timeMs = times.closesAtMs;
    const error = await refusal(header, entries);
    expect(error.code).toBe('ELECTION_OUTSIDE_WINDOW');
    expect(error.message).toContain(`election.cast ${txHash(entry.tx as Transaction)} at height ${entry.height}`);
    expect(error.message).toMatch(/voting in ref-2026 closed at/);
  });

  it('recomputes the key from the dealings, complaints and answers accepted before their deadlines', async () => {
    let { header, entries } = copy();
    const answer = entryOf(entries, 'election.dkg.answer');
    answer.timeMs = times.answersUntilMs; // the next entry, the key, is at this time too
    const late = await refusal(header, entries);
    expect(late.code).toBe('ELECTION_STEP_CLOSED');
    expect(late.message).toContain(`election.dkg.answer ${txHash(answer.tx as Transaction)}`);
    expect(late.message).toMatch(/answers to complaints for ref-2026 closed at/);
    // without the answer, dealer 1 is disqualified: the header's key is not the one the chain gives
    ({ header, entries } = copy());
    const dropped = entries.filter((entry) => entry.tx.type !== 'election.dkg.answer');
    const mismatch = await refusal(header, dropped);
    expect(mismatch.code).toBe('EXPORT_KEY_MISMATCH');
    expect(mismatch.message).toMatch(/election\.key [0-9a-f]{64} at height \d+, index 0: the header's election key/);
  });

  it('refuses entries out of chain order (EXPORT_ORDER)', async () => {
    const { header, entries } = copy();
    const first = entries.indexOf(entryOf(entries, 'election.cast', 2));
    [entries[first], entries[first + 1]] = [entries[first + 1]!, entries[first]!];
    const error = await refusal(header, entries);
    expect(error.code).toBe('EXPORT_ORDER');
    expect(error.message).toContain(txHash(entries[first + 1]!.tx as Transaction));
    // property: an entry renumbered to any place at or before its predecessor's is refused, named
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: built.entries.length - 1 }), fc.nat(), async (k, back) => {
        const { header, entries } = copy();
        const previous = entries[k - 1]!;
        const entry = entries[k]!;
        entry.height = Math.max(0, previous.height - (back % 3));
        if (entry.height === previous.height) entry.index = previous.index - Math.min(previous.index, back % 2);
        const error = await refusal(header, entries);
        expect(error.code).toBe('EXPORT_ORDER');
        expect(error.where.entry).toBe(k);
        expect(error.message).toContain(txHash(entry.tx as Transaction));
      }),
      { seed: 18, numRuns: 6 },
    );
  });

  it('refuses a truncated file: no trailer, cut inside a frame, or fewer entries than the trailer counts (EXPORT_TRUNCATED)', async () => {
    const { header, entries } = copy();
    const noTrailer = await refusal(header, entries, null);
    expect(noTrailer.code).toBe('EXPORT_TRUNCATED');
    expect(noTrailer.message).toMatch(new RegExp(`ends after ${entries.length} entries, without its trailer`));
    const cut = built.bytes.subarray(0, built.bytes.length - 100);
    await expect(verifyElectionExportBytes(group, chunks(cut))).rejects.toMatchObject({
      code: 'EXPORT_TRUNCATED',
      message: expect.stringMatching(/ends inside frame/),
    });
    const fewer = await refusal(header, entries.slice(0, -1), entries.length);
    expect(fewer.code).toBe('EXPORT_TRUNCATED');
    expect(fewer.message).toMatch(new RegExp(`counts ${entries.length} entries, the file holds ${entries.length - 1}`));
  });

  it('refuses an export claiming another chain: every transaction was signed for its own (WRONG_CHAIN)', async () => {
    const { header, entries } = copy();
    header.chainId = 'another-chain';
    const error = await refusal(header, entries);
    expect(error.code).toBe('WRONG_CHAIN');
    expect(error.message).toContain(`election.create ${txHash(entries[0]!.tx as Transaction)}`);
    expect(error.message).toMatch(/signed for chain by-registry-test, the export is of chain another-chain/);
  });

  it('refuses a credential registered twice (ELECTION_CREDENTIAL_EXISTS), naming it', async () => {
    const { header, entries } = copy();
    const first = entries.indexOf(entryOf(entries, 'election.credential.register', 1));
    const original = entries[first]!;
    const again = tx(
      'election.credential.register',
      { election: ID, district: 'Brest', credentials: [voters[0]!.publicKey] },
      keys.registrar1,
    );
    entries.splice(first + 1, 0, { ...original, index: original.index + 1, tx: again });
    const error = await refusal(header, entries, entries.length);
    expect(error.code).toBe('ELECTION_CREDENTIAL_EXISTS');
    expect(error.message).toContain(txHash(again));
    expect(error.message).toContain(`credential ${voters[0]!.publicKey.slice(0, 8)}`);
  });

  it('refuses a header whose key, roll or definition is not what the transactions give', async () => {
    let { header, entries } = copy();
    header.status.qualified = [1, 2, 3];
    expect((await refusal(header, entries)).code).toBe('EXPORT_KEY_MISMATCH');
    ({ header, entries } = copy());
    header.roll.districts = [2, 3];
    const roll = await refusal(header, entries);
    expect(roll.code).toBe('EXPORT_ROLL_MISMATCH');
    expect(roll.message).toMatch(/district Minsk/);
    ({ header, entries } = copy());
    header.election.title = 'Another title';
    const definition = await refusal(header, entries);
    expect(definition.code).toBe('EXPORT_DEFINITION_MISMATCH');
    expect(definition.message).toMatch(/field title/);
  });
});
