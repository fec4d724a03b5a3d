// Follows the chain's headers from genesis without executing a block (decision #5): each
// header's commit certificate is checked against the validator set that the headers before it
// committed to. Heights 0 and 1 are voted by the genesis document's validators; from height 2 on,
// header H - 2's appHash binds the hash of the set voting on H (appHash = sha256(CBOR{protocol,
// stateRoot, nextValidatorsHash})), so a set is accepted only by that hash, whoever serves it.
import type { Verifier } from '../crypto/index.js';
import {
  appHashOf,
  PROTOCOL_VERSIONS_KNOWN,
  blockHash,
  validatorsAt,
  ZERO_HASH,
  type BlockHeader,
  type Commit,
  type ValidatorSchedule,
} from '../ledger/index.js';
import { validatorsHash } from '../modules/authority/validators.js';
import { verifyCommit } from '../chain/commit.js';
import { SnapshotError, SnapshotErrorCode } from './errors.js';

export interface LightClientInit {
  chainId: string;
  genesisTimeMs: number;
  /** The genesis document's validator schedule (from its authorities: no objects needed). */
  schedule: ValidatorSchedule;
  verify: Verifier;
}

export class LightClient {
  /** The last two accepted headers: H - 1 links the next header, H - 2 names its validator set. */
  #previous: BlockHeader | undefined;
  #beforePrevious: BlockHeader | undefined;

  constructor(private readonly init: LightClientInit) {}

  /** The last header accepted (certified by the next one's commit only once that one is accepted). */
  get head(): BlockHeader | undefined {
    return this.#previous;
  }

  /**
   * The genesis header a peer served. What the document fixes is checked here (chain, height,
   * time, first validators); its state root and appHash are certified when header 1, whose
   * prevHash is this header's hash, is accepted with its commit.
   */
  acceptGenesis(header: BlockHeader): void {
    const bad = (what: string) => new SnapshotError(SnapshotErrorCode.headerInvalid, `genesis header: ${what}`);
    // REJECT: a genesis of another chain or document.
    if (header.chainId !== this.init.chainId) throw bad(`chain ${header.chainId}, not ${this.init.chainId}`);
    if (header.height !== 0 || header.prevHash !== ZERO_HASH) throw bad('not height 0 with a zero previous hash');
    if (header.timeMs !== this.init.genesisTimeMs) throw bad("its time is not the genesis document's");
    if (header.validatorsHash !== validatorsHash(validatorsAt(this.init.schedule, 0)))
      throw bad("its validators are not the genesis document's");
    this.#previous = header;
    this.#beforePrevious = undefined;
  }

  /** The hash of the set that must sign `height` (the next one), as the accepted headers fix it. */
  expectedValidatorsHash(height: number): string | undefined {
    if (height <= 1) return validatorsHash(validatorsAt(this.init.schedule, height));
    return undefined; // bound by header height - 2's appHash: checked in accept
  }

  /**
   * Accepts the next header with its commit and the validator set it names; throws
   * SnapshotError (headerInvalid, commitInvalid) otherwise and keeps the state it had.
   */
  accept(header: BlockHeader, commit: Commit, validators: readonly string[]): void {
    const previous = this.#previous;
    const bad = (what: string) =>
      new SnapshotError(SnapshotErrorCode.headerInvalid, `header ${header.height}: ${what}`);
    if (!previous) throw bad('no genesis header accepted yet');
    // REJECT: a header of another chain, or one that does not extend the last accepted one.
    if (header.chainId !== this.init.chainId) throw bad(`chain ${header.chainId}, not ${this.init.chainId}`);
    if (header.height !== previous.height + 1) throw bad(`height ${header.height} does not follow ${previous.height}`);
    if (header.prevHash !== blockHash(previous)) throw bad('its previous hash is not the hash of the header before');
    // REJECT: a validator set the chain did not schedule for this height.
    const expected = this.expectedValidatorsHash(header.height);
    if (expected !== undefined && header.validatorsHash !== expected)
      throw bad("its validator set is not the genesis document's");
    const twoBack = this.#beforePrevious;
    if (header.height >= 2) {
      if (!twoBack) throw bad('the header two heights back is not known');
      // The appHash also binds the protocol version in force (decision #50), which a header does
      // not name: one of the versions this software runs must give it (a later one stops here).
      const bound = PROTOCOL_VERSIONS_KNOWN.some(
        (protocol) => appHashOf(twoBack.stateRoot, header.validatorsHash, protocol) === twoBack.appHash,
      );
      if (!bound) throw bad(`its validator set is not the one header ${twoBack.height} scheduled for it (appHash)`);
    }
    // REJECT: a set that is not the one the header names.
    if (validatorsHash(validators) !== header.validatorsHash)
      throw bad('the validator set served does not hash to its validatorsHash');
    try {
      verifyCommit(commit, blockHash(header), header.height, validators, this.init.chainId, this.init.verify);
    } catch (error) {
      // REJECT: not signed by more than two thirds of the set (or signed for another block).
      throw new SnapshotError(SnapshotErrorCode.commitInvalid, (error as Error).message);
    }
    this.#beforePrevious = previous;
    this.#previous = header;
  }
}
