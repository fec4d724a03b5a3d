// The checkpoint service's rules that need no network (docs/protocol.md REQ-CKP.4): which block
// opens a period, and which gathered signatures a node keeps.
import { describe, expect, it } from 'vitest';
import {
  signCheckpoint,
  checkpointId,
  type CheckpointBody,
  type CheckpointFile,
} from '../../shared/checkpoint/index.js';
import { generateKeyPair, verify } from '../../shared/crypto/index.js';
import { mergeSignatures, opensPeriod } from '../../electron/node/checkpoint/service.js';

const DAY = 86_400_000;
const pairs = [1, 2, 3, 4, 5, 6].map((fill) => generateKeyPair(new Uint8Array(32).fill(fill)));
const validators = pairs.slice(0, 4).map((pair) => pair.publicKey);
const body: CheckpointBody = {
  chainId: 'by-registry-1',
  height: 100,
  timeMs: Date.UTC(2026, 11, 6, 0, 0, 3),
  blockHash: 'aa'.repeat(32),
  stateRoot: 'bb'.repeat(32),
  validatorsHash: 'cc'.repeat(32),
  statementRoot: 'dd'.repeat(32),
  statements: 10,
  bucketBits: 0,
};
const file = (signers: number[]): CheckpointFile =>
  ({
    kind: 'checkpoint',
    version: 1,
    body,
    signatures: signers.map((i) => signCheckpoint(pairs[i]!.secretKey, pairs[i]!.publicKey, body)),
    witnesses: [],
    header: {} as CheckpointFile['header'],
    commit: {} as CheckpointFile['commit'],
    validators,
  }) as CheckpointFile;
const observer = pairs[5]!.publicKey;
const isWitness = async (key: string) => key === observer;

describe('the checkpoint service', () => {
  it('makes a checkpoint at the first block of each UTC period, and none within one [REQ-CKP.4]', () => {
    const midnight = Date.UTC(2026, 11, 6);
    expect(opensPeriod(midnight - 1_000, midnight + 2_000, DAY)).toBe(true);
    expect(opensPeriod(midnight + 2_000, midnight + 3_000, DAY)).toBe(false);
    expect(opensPeriod(midnight - 1, midnight, DAY)).toBe(true);
    // an idle chain whose next block comes two days later still makes one
    expect(opensPeriod(midnight - 1_000, midnight + 2 * DAY, DAY)).toBe(true);
    expect(opensPeriod(midnight - 1_000, midnight + 2_000, 0)).toBe(false);
  });

  it("keeps a peer's signatures only when they verify for its own body, and witnesses only from observer offices [REQ-CKP.4]", async () => {
    const mine = file([0]);
    const id = checkpointId(body);
    const theirs = file([1, 2]).signatures;
    const witness = signCheckpoint(pairs[5]!.secretKey, observer, body);
    const stranger = signCheckpoint(pairs[4]!.secretKey, pairs[4]!.publicKey, body);
    const merged = await mergeSignatures(
      mine,
      { id, signatures: theirs, witnesses: [witness, stranger] },
      verify,
      isWitness,
    );
    expect(merged?.signatures.map((entry) => entry.key).sort()).toEqual(validators.slice(0, 3).sort());
    expect(merged?.witnesses.map((entry) => entry.key)).toEqual([observer]);
    // nothing new: no rewrite
    expect(
      await mergeSignatures(merged!, { id, signatures: theirs, witnesses: [witness] }, verify, isWitness),
    ).toBeUndefined();
    // a peer that built another root: its id differs, and it adds nothing
    expect(
      await mergeSignatures(mine, { id: 'ee'.repeat(32), signatures: theirs, witnesses: [] }, verify, isWitness),
    ).toBeUndefined();
    // a signature for another body under the right id, or from a non-validator, is dropped
    const other = { ...body, statementRoot: 'ee'.repeat(32) };
    const forged = [signCheckpoint(pairs[3]!.secretKey, pairs[3]!.publicKey, other), stranger];
    expect(await mergeSignatures(mine, { id, signatures: forged, witnesses: [] }, verify, isWitness)).toBeUndefined();
  });
});
