// The compact proof a printed certificate's QR code carries (docs/protocol.md REQ-CKP.3): the
// object's statement and its path inside one bucket of a checkpoint's statement tree, at most
// 412 bytes (QR version 15 at error correction M). It proves the statement only to a verifier
// that holds that checkpoint and its layer (CheckpointShelf); the full certificate file proves
// the whole record to anyone who holds the validator keys.
import { bytesEqual, bytesToHex, concatBytes, decode, encode, hexToBytes, utf8 } from '../codec/index.js';
import { HASH_BYTES } from '../crypto/index.js';
import { stateKeyHash } from '../chain/execute.js';
import { StateKey } from '../ledger/state.js';
import * as schema from '../ledger/schema.js';
import {
  leafFields,
  ownersHash,
  ownersWire,
  STATEMENT_KINDS,
  statementLeaf,
  type PropertyStatement,
  type StatementLeafFields,
  type StatementOwner,
} from './statement.js';
import { layerRoot, verifyBucketProof, type BucketProof } from './tree.js';
import { followValidatorSets, type SetChange } from './validator-sets.js';
import { receiptVerify } from '../receipt/verifier.js';
import {
  checkpointId,
  verifyCheckpoint,
  type CheckpointBody,
  type CheckpointVerifyOptions,
  type KnownWitness,
} from './checkpoint.js';

/** "NC1": a notary compact proof, format 1. */
export const COMPACT_MAGIC = utf8('NC1');
/** The bytes of a version-15 QR code at error correction M. */
export const COMPACT_BYTES_MAX = 412;
/** Far above any path a bucket of a real tree needs (2^20 statements in one bucket). */
const PATH_HASHES_MAX = 20;

export interface CompactProof {
  chainId: string;
  height: number;
  fields: StatementLeafFields;
  /** The owners, when the QR had room for them; else only fields.ownersHash proves them. */
  owners?: StatementOwner[];
  proof: BucketProof;
}

export class CompactProofError extends Error {
  constructor(
    readonly code: 'MALFORMED' | 'TOO_LARGE',
    message: string,
  ) {
    super(message);
    this.name = 'CompactProofError';
  }
}

function wire(proof: CompactProof, withOwners: boolean): Uint8Array {
  const { fields } = proof;
  const body = encode([
    proof.chainId,
    proof.height,
    fields.id,
    fields.version,
    STATEMENT_KINDS.indexOf(fields.kind),
    fields.areaDm2,
    fields.ownersCount,
    withOwners && proof.owners ? ownersWire(proof.owners) : fields.ownersHash,
    fields.mortgages,
    fields.arrests,
    proof.proof.leafIndex,
    proof.proof.bucketSize,
    concatBytes(...proof.proof.path),
  ]);
  return concatBytes(COMPACT_MAGIC, body);
}

/**
 * The QR bytes of a statement's proof: with its owners when they fit in 412 bytes, else with
 * their hash only. Throws TOO_LARGE when even that does not fit (a chain id and an object id of
 * many characters each, in a bucket far fuller than the tree's sizing gives).
 */
export function encodeCompactProof(input: {
  chainId: string;
  height: number;
  statement: PropertyStatement;
  proof: BucketProof;
}): Uint8Array {
  const proof: CompactProof = {
    chainId: input.chainId,
    height: input.height,
    fields: leafFields(input.statement),
    owners: [...input.statement.owners],
    proof: input.proof,
  };
  const full = wire(proof, true);
  if (full.length <= COMPACT_BYTES_MAX) return full;
  const short = wire(proof, false);
  if (short.length <= COMPACT_BYTES_MAX) return short;
  throw new CompactProofError(
    'TOO_LARGE',
    `the proof of ${input.statement.id} needs ${short.length} bytes, over the ${COMPACT_BYTES_MAX} of a version-15 QR code`,
  );
}

const isUint = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;
const isHash = (value: unknown): value is Uint8Array => value instanceof Uint8Array && value.length === HASH_BYTES;

/** Whether a QR code's bytes are a compact proof (rather than a "NOTARY1:" document). */
export function isCompactProof(bytes: Uint8Array): boolean {
  return bytes.length > COMPACT_MAGIC.length && bytesEqual(bytes.subarray(0, COMPACT_MAGIC.length), COMPACT_MAGIC);
}

/** Parses QR bytes into a compact proof, checking every field; throws CompactProofError MALFORMED. */
export function decodeCompactProof(bytes: Uint8Array): CompactProof {
  const bad = (what: string) => new CompactProofError('MALFORMED', `not a certificate's QR code: ${what}`);
  if (!(bytes instanceof Uint8Array) || !isCompactProof(bytes)) throw bad('it does not start with NC1');
  // REJECT: more bytes than a version-15 QR code holds.
  if (bytes.length > COMPACT_BYTES_MAX) throw bad(`${bytes.length} bytes, over ${COMPACT_BYTES_MAX}`);
  let value: unknown;
  try {
    value = decode(bytes.subarray(COMPACT_MAGIC.length), COMPACT_BYTES_MAX);
  } catch (error) {
    throw bad((error as Error).message);
  }
  if (!Array.isArray(value) || value.length !== 13) throw bad('not an array of 13 fields');
  const [
    chainId,
    height,
    id,
    version,
    kindIndex,
    areaDm2,
    ownersCount,
    owners,
    mortgages,
    arrests,
    leafIndex,
    bucketSize,
    path,
  ] = value as unknown[];
  if (!schema.chainId.safeParse(chainId).success) throw bad('the chain id');
  if (!isUint(height)) throw bad('the height');
  if (!schema.objectId.safeParse(id).success) throw bad('the object id');
  if (!isUint(version)) throw bad('the version');
  if (!isUint(kindIndex) || kindIndex >= STATEMENT_KINDS.length) throw bad('the kind');
  if (!isUint(areaDm2)) throw bad('the area');
  if (!isUint(ownersCount) || ownersCount < 1 || ownersCount > schema.LIMITS.ownersMax) throw bad('the owner count');
  if (!isUint(mortgages) || !isUint(arrests)) throw bad('the encumbrance counts');
  if (!isUint(bucketSize) || bucketSize < 1 || !isUint(leafIndex) || leafIndex >= bucketSize)
    throw bad('the leaf position');
  if (!(path instanceof Uint8Array) || path.length % HASH_BYTES !== 0 || path.length / HASH_BYTES > PATH_HASHES_MAX)
    throw bad('the path');
  let list: StatementOwner[] | undefined;
  let hash: Uint8Array;
  if (isHash(owners)) hash = owners;
  else {
    if (!Array.isArray(owners) || owners.length !== ownersCount) throw bad('the owners');
    list = owners.map((entry: unknown) => {
      if (!Array.isArray(entry) || entry.length !== 3 || !isHash(entry[0])) throw bad('an owner');
      const parsed = schema.owner.safeParse({
        key: bytesToHex(entry[0] as Uint8Array),
        share: [entry[1], entry[2]],
      });
      if (!parsed.success) throw bad(`an owner: ${parsed.error.issues[0]?.message}`);
      return { key: parsed.data.key, share: [parsed.data.share[0], parsed.data.share[1]] as const };
    });
    hash = ownersHash(list);
  }
  const hashes: Uint8Array[] = [];
  for (let offset = 0; offset < path.length; offset += HASH_BYTES) hashes.push(path.slice(offset, offset + HASH_BYTES));
  return {
    chainId: chainId as string,
    height,
    fields: {
      id: id as string,
      version,
      kind: STATEMENT_KINDS[kindIndex]!,
      areaDm2,
      ownersCount,
      ownersHash: hash,
      mortgages,
      arrests,
    },
    owners: list,
    proof: { leafIndex, bucketSize, path: hashes },
  };
}

interface Held {
  body: CheckpointBody;
  layer: Uint8Array;
  validatorsSigned: number;
  validatorsTotal: number;
  witnesses: KnownWitness[];
}

export type CompactVerifyResult =
  | {
      ok: true;
      chainId: string;
      height: number;
      timeMs: number;
      fields: StatementLeafFields;
      owners?: StatementOwner[];
      validatorsSigned: number;
      validatorsTotal: number;
      witnesses: KnownWitness[];
    }
  | {
      ok: false;
      code: 'MALFORMED' | 'OTHER_CHAIN' | 'UNKNOWN_CHECKPOINT' | 'INVALID_PROOF';
      reason: string;
      chainId?: string;
      height?: number;
    };

export class CheckpointShelfError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'CheckpointShelfError';
  }
}

/**
 * The checkpoints a verifier holds, each with its layer, checked on the way in: the file by
 * REQ-CKP.2 and the layer against the signed statementRoot. Compact proofs verify against it.
 */
export class CheckpointShelf {
  readonly #held = new Map<string, Held>();
  readonly #chains = new Set<string>();

  constructor(private readonly options: CheckpointVerifyOptions = {}) {}

  /**
   * Adds a checkpoint file with its layer; throws CheckpointShelfError with the check that failed.
   * `setChanges` carry the trust from the verifier's keys to the checkpoint's set (REQ-CKP.5).
   */
  add(file: unknown, layer: Uint8Array, setChanges: readonly SetChange[] = []): CheckpointBody {
    let options = this.options;
    const chainId = (file as { body?: { chainId?: unknown } } | null)?.body?.chainId;
    if (this.options.trustedValidators && setChanges.length > 0 && typeof chainId === 'string') {
      try {
        const verify = this.options.verify ?? receiptVerify;
        options = {
          ...options,
          trustedValidators: followValidatorSets(this.options.trustedValidators, setChanges, chainId, verify),
        };
      } catch (error) {
        // REJECT: a checkpoint whose set the verifier cannot follow to from the keys it trusts.
        throw new CheckpointShelfError('UNTRUSTED_VALIDATORS', (error as Error).message);
      }
    }
    const result = verifyCheckpoint(file, options);
    if (!result.ok) throw new CheckpointShelfError(result.code, result.reason);
    const { body } = result;
    if (!(layer instanceof Uint8Array) || layer.length !== HASH_BYTES * 2 ** body.bucketBits)
      throw new CheckpointShelfError(
        'BAD_LAYER',
        `the layer of checkpoint ${body.height} is not ${2 ** body.bucketBits} hashes`,
      );
    // REJECT: a layer that does not build the root the validators signed.
    if (!bytesEqual(layerRoot(layer, body.bucketBits), hexToBytes(body.statementRoot)))
      throw new CheckpointShelfError(
        'BAD_LAYER',
        `the layer does not build checkpoint ${body.height}'s statement root`,
      );
    this.#held.set(`${body.chainId}/${body.height}`, {
      body,
      layer: layer.slice(),
      validatorsSigned: result.validatorsSigned,
      validatorsTotal: result.validatorsTotal,
      witnesses: result.witnesses,
    });
    this.#chains.add(body.chainId);
    return body;
  }

  /** The checkpoints held, newest first. */
  list(): { id: string; body: CheckpointBody; validatorsSigned: number; witnesses: KnownWitness[] }[] {
    return [...this.#held.values()]
      .sort((a, b) => b.body.height - a.body.height)
      .map((held) => ({
        id: checkpointId(held.body),
        body: held.body,
        validatorsSigned: held.validatorsSigned,
        witnesses: held.witnesses,
      }));
  }

  /** Verifies a QR code's bytes. Never throws: the result names what failed. */
  verify(bytes: Uint8Array): CompactVerifyResult {
    let proof: CompactProof;
    try {
      proof = decodeCompactProof(bytes);
    } catch (error) {
      return { ok: false, code: 'MALFORMED', reason: (error as Error).message };
    }
    const { chainId, height } = proof;
    if (!this.#chains.has(chainId))
      return {
        ok: false,
        code: 'OTHER_CHAIN',
        chainId,
        height,
        reason: `the certificate is from registry ${chainId}, which this verifier does not hold`,
      };
    const held = this.#held.get(`${chainId}/${height}`);
    if (!held)
      return {
        ok: false,
        code: 'UNKNOWN_CHECKPOINT',
        chainId,
        height,
        reason: `this verifier does not hold checkpoint ${height}; import it`,
      };
    const keyHash = stateKeyHash(StateKey.object(proof.fields.id));
    // REJECT: any changed field, position or path byte rebuilds another bucket root.
    if (!verifyBucketProof(held.layer, held.body.bucketBits, keyHash, statementLeaf(proof.fields), proof.proof))
      return {
        ok: false,
        code: 'INVALID_PROOF',
        chainId,
        height,
        reason: "the statement is not in the checkpoint's statement tree",
      };
    return {
      ok: true,
      chainId,
      height,
      timeMs: held.body.timeMs,
      fields: proof.fields,
      owners: proof.owners,
      validatorsSigned: held.validatorsSigned,
      validatorsTotal: held.validatorsTotal,
      witnesses: held.witnesses,
    };
  }
}
