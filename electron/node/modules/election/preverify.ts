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

/** Verifies on a worker the ballots among `txs` the memo does not hold yet; `records` reads the state they were checked against. */
export async function preverifyBallots(
  txs: readonly Transaction[],
  records: (key: string) => unknown,
  pool: Pick<VerifyPool, 'verifyBallots' | 'workers'>,
): Promise<void> {
  if (pool.workers === 0) return;
  const inputs: BallotInputs[] = [];
  const keys: string[] = [];
  for (const tx of txs) {
    if (tx.type !== 'election.cast') continue;
    const { election, ballot } = tx.payload as unknown as { election: string; ballot: Uint8Array };
    const definition = records(ElectionKey.definition(election)) as ElectionDefinition | undefined;
    const status = records(ElectionKey.status(election)) as ElectionStatus | undefined;
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
    if (ballotProofs.has(key)) continue;
    inputs.push(entry);
    keys.push(key);
  }
  if (inputs.length === 0) return;
  const passed = await pool.verifyBallots(inputs);
  passed?.forEach((ok, i) => {
    if (ok === 1) ballotProofs.remember(keys[i]!);
  });
}
