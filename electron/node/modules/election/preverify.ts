// Ballots' proofs checked on the node's worker threads before the rules run (issue 17: "ballots
// verified once per node ... verification on worker threads"). A gossip batch of up to 64
// ballots (~6 ms each) is handed to a worker; each that passes is recorded in the rules' memo
// (shared/modules/election/proof-memo.ts) under the digest of exactly the inputs the rules will
// use, so the rules' own check is then answered from memory. A ballot that fails, or that no
// worker took, is checked by the rules themselves on this thread, which refuse it with their
// code and sentence: the answers are exactly the rules', only where the work is done changes.
import { hexToBytes } from '../../../../shared/codec/index.js';
import type { Transaction } from '../../../../shared/ledger/index.js';
import { electionIdBytes, shapesOf } from '../../../../shared/modules/election/checks.js';
import { ballotInputsKey, ballotProofs, type BallotInputs } from '../../../../shared/modules/election/proof-memo.js';
import {
  ElectionKey,
  type ElectionDefinition,
  type ElectionStatus,
} from '../../../../shared/modules/election/types.js';
import type { VerifyPool } from '../../crypto/verify-pool.js';

/** The state keys preverifyBallots reads for `tx` (none unless it is a ballot). */
export function ballotKeysOf(tx: Transaction): string[] {
  if (tx.type !== 'election.cast') return [];
  const { election } = tx.payload as unknown as { election: string };
  return [ElectionKey.definition(election), ElectionKey.status(election)];
}

/**
 * Verifies on a worker the ballots among `txs` the memo does not hold yet; `records` reads the
 * state they were checked against. Answers the ballots whose proofs the memo now holds as
 * valid (none when there are no workers: the rules then verify them on this thread).
 */
export async function preverifyBallots(
  txs: readonly Transaction[],
  records: (key: string) => unknown,
  pool: Pick<VerifyPool, 'verifyBallots' | 'workers'>,
): Promise<ReadonlySet<Transaction>> {
  const proven = new Set<Transaction>();
  if (pool.workers === 0) return proven;
  const inputs: BallotInputs[] = [];
  const keys: string[] = [];
  const waiting: Transaction[] = [];
  for (const tx of txs) {
    if (tx.type !== 'election.cast') continue;
    const { ballot } = tx.payload as unknown as { ballot: Uint8Array };
    const [definitionKey, statusKey] = ballotKeysOf(tx) as [string, string];
    const definition = records(definitionKey) as ElectionDefinition | undefined;
    const status = records(statusKey) as ElectionStatus | undefined;
    const signer = tx.signatures[0]?.key;
    // what the rules would refuse before the proofs is left to them
    if (!definition || status?.phase !== 'voting' || !status.publicKey || !signer || tx.signatures.length !== 1)
      continue;
    const entry: BallotInputs = {
      electionId: electionIdBytes(definition),
      publicKey: status.publicKey,
      credential: hexToBytes(signer),
      shapes: shapesOf(definition),
      ballot,
    };
    const key = ballotInputsKey(entry);
    if (ballotProofs.has(key)) {
      proven.add(tx);
      continue;
    }
    inputs.push(entry);
    keys.push(key);
    waiting.push(tx);
  }
  if (inputs.length === 0) return proven;
  const passed = await pool.verifyBallots(inputs);
  passed?.forEach((ok, i) => {
    if (ok !== 1) return;
    ballotProofs.remember(keys[i]!);
    proven.add(waiting[i]!);
  });
  return proven;
}
