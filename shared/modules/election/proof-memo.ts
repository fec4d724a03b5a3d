// Ballots whose proofs this process has already verified. A ballot's proofs are checked when a
// node admits it (mempool), again when a block carrying it is built or validated, and again in
// every round whose proposal carries it; each check costs ~6 ms for a six-box ballot, so a
// block of 500 ballots took seconds to build and as long again to validate on every node: on a
// loaded machine longer than a round's propose timeout, and the chain stopped taking ballots
// (issue 15: "admission once"). Verification is a pure function of its inputs, so remembering
// which inputs passed changes no answer: the key is a digest of every input (election id, its
// public key, the credential, the contests' shapes, the ballot's bytes). Only successes are
// kept (a failure costs its sender, not us). Bounded; the oldest is forgotten first.
import { encode } from '../../codec/index.js';
import type { ContestShape } from '../../election/crypto/ballot.js';
import { sha256 } from '../../crypto/index.js';
import { bytesToHex } from '../../codec/index.js';

/** Ballots remembered per process (~100 bytes each): a busy election day's mempool and blocks. */
export const PROOF_MEMO_ENTRIES_MAX = 100_000;

const DOMAIN = 'notary/election/verified-ballot/1';

export interface BallotInputs {
  electionId: Uint8Array;
  publicKey: Uint8Array;
  credential: Uint8Array;
  shapes: readonly ContestShape[];
  ballot: Uint8Array;
}

/** The memo's key of a ballot's verification: a digest of every input. */
export function ballotInputsKey(inputs: BallotInputs): string {
  return bytesToHex(
    sha256(
      encode([
        DOMAIN,
        inputs.electionId,
        inputs.publicKey,
        inputs.credential,
        inputs.shapes.map((shape) => [shape.boxes, shape.min, shape.max]),
        inputs.ballot,
      ]),
    ),
  );
}

export class ProofMemo {
  readonly #passed = new Set<string>();
  /** Checks answered from memory, and checks run: what the memo saved. */
  hits = 0;
  misses = 0;

  constructor(private readonly entriesMax = PROOF_MEMO_ENTRIES_MAX) {}

  /** Runs `verify` unless these exact inputs passed before; remembers them if it returns. */
  verifyOnce(inputs: BallotInputs, verify: () => void): void {
    if (this.entriesMax <= 0) return verify();
    const key = ballotInputsKey(inputs);
    if (this.#passed.has(key)) {
      this.hits++;
      return;
    }
    this.misses++;
    verify();
    this.remember(key);
  }

  /**
   * Records that the ballot of `key` (ballotInputsKey) passed, checked elsewhere by the same
   * code with the same inputs: a worker thread (electron/node/modules/election/preverify.ts).
   */
  remember(key: string): void {
    if (this.entriesMax <= 0 || this.#passed.has(key)) return;
    if (this.#passed.size >= this.entriesMax) this.#passed.delete(this.#passed.values().next().value as string);
    this.#passed.add(key);
  }

  has(key: string): boolean {
    return this.#passed.has(key);
  }

  get size(): number {
    return this.#passed.size;
  }
}

/** The process's memo, used by the election rules. */
export const ballotProofs = new ProofMemo();
