// Equivocation evidence is kept across restarts, once per double vote, and a line torn by a
// crash does not stop the node from reading the rest.
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signVoteMessage } from '../../shared/chain/index.js';
import { EvidenceLog } from '../../electron/node/store/evidence-log.js';
import { devKeys } from '../../electron/node/dev/demo-registry.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'notary-evidence-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function doubleVote(height: number) {
  return {
    kind: 'duplicate-vote' as const,
    voteA: signVoteMessage(devKeys.notary.secretKey, 'c', 'prevote', height, 0, 'a'.repeat(64)),
    voteB: signVoteMessage(devKeys.notary.secretKey, 'c', 'prevote', height, 0, 'b'.repeat(64)),
  };
}

describe('evidence log', () => {
  it('keeps each double vote once, across a restart, skipping a torn last line [REQ-CONS.4]', async () => {
    const path = join(dir, 'evidence.jsonl');
    let log = await EvidenceLog.open(path);
    expect(await log.record(doubleVote(5), 1)).toBe(true);
    expect(await log.record({ ...doubleVote(5), voteA: doubleVote(5).voteB, voteB: doubleVote(5).voteA }, 2)).toBe(
      false,
    );
    expect(await log.record(doubleVote(6), 3)).toBe(true);
    await appendFile(path, '{"detectedAtMs":4,"evid');
    log = await EvidenceLog.open(path);
    expect(log.list().map((record) => record.evidence.voteA.height)).toEqual([5, 6]);
    expect(await log.record(doubleVote(7), 5)).toBe(true);
    log = await EvidenceLog.open(path);
    expect(log.list().map((record) => record.evidence.voteA.height)).toEqual([5, 6, 7]);
  });
});
