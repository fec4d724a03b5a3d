// A checkpoint (docs/protocol.md REQ-CKP.2): a committed block's identity and the root of its
// statement tree, signed by more than 2/3 of the block's validators and countersigned by
// witnesses (observer offices that follow the chain themselves, as Certificate Transparency's
// witnesses do). A bank or a court keeps the file; a verifier holds it to check compact proofs.
import { bytesToHex, encode, hexToBytes } from '../codec/index.js';
import { Domain, sha256Hex, sign, type Verifier } from '../crypto/index.js';
import { commitQuorum } from '../chain/commit.js';
import { blockHash } from '../ledger/block.js';
import type { BlockHeader } from '../ledger/types.js';
import * as schema from '../ledger/schema.js';
import { checkFinality, receiptVerify } from '../receipt/index.js';
import { BUCKET_BITS_MAX } from './tree.js';
import { z } from 'zod';

export const CHECKPOINT_VERSION = 1;
export const CHECKPOINT_SIGNATURES_MAX = 1_000;
export const CHECKPOINT_WITNESSES_MAX = 64;

export const checkpointBody = z.strictObject({
  chainId: schema.chainId,
  height: schema.uint,
  timeMs: schema.timeMs,
  blockHash: schema.hash,
  stateRoot: schema.hash,
  validatorsHash: schema.hash,
  statementRoot: schema.hash,
  statements: schema.uint,
  bucketBits: z.number().int().min(0).max(BUCKET_BITS_MAX),
});
export type CheckpointBody = z.infer<typeof checkpointBody>;

const signatureList = (max: number) =>
  z.array(schema.signatureEntry).max(max).refine(schema.uniqueKeys, 'a key signed twice');

export const checkpointFileSchema = z.strictObject({
  kind: z.literal('checkpoint'),
  version: z.literal(CHECKPOINT_VERSION),
  body: checkpointBody,
  signatures: signatureList(CHECKPOINT_SIGNATURES_MAX),
  witnesses: signatureList(CHECKPOINT_WITNESSES_MAX),
  header: schema.blockHeader,
  commit: schema.commit,
  validators: schema.validatorSet,
});
export type CheckpointFile = z.infer<typeof checkpointFileSchema>;

/** sha256(CBOR(body)), lowercase hex: what validators and witnesses sign. */
export function checkpointId(body: CheckpointBody): string {
  return sha256Hex(encode(body));
}

/** What is signed: the 32 bytes of checkpointId. */
export function checkpointMessage(body: CheckpointBody): Uint8Array {
  return hexToBytes(checkpointId(body));
}

/** A validator's or a witness's signature of a checkpoint body. */
export function signCheckpoint(
  secretKeyHex: string,
  publicKeyHex: string,
  body: CheckpointBody,
): schema.SignatureEntry {
  return { key: publicKeyHex, signature: sign(secretKeyHex, Domain.checkpoint, body.chainId, checkpointMessage(body)) };
}

/** Whether a validator's or a witness's signature of a checkpoint body verifies. */
export function checkpointSignatureVerifies(
  verify: Verifier,
  body: CheckpointBody,
  entry: schema.SignatureEntry,
  message = checkpointMessage(body),
): boolean {
  return verify({
    publicKey: entry.key,
    signature: entry.signature,
    domain: Domain.checkpoint,
    chainId: body.chainId,
    message,
  });
}

/** The body of the checkpoint of a committed block, for its statement tree (the header names its chain). */
export function checkpointBodyOf(
  header: BlockHeader,
  blockHashHex: string,
  tree: { root: Uint8Array; statements: number; bucketBits: number },
): CheckpointBody {
  return {
    chainId: header.chainId,
    height: header.height,
    timeMs: header.timeMs,
    blockHash: blockHashHex,
    stateRoot: header.stateRoot,
    validatorsHash: header.validatorsHash,
    statementRoot: bytesToHex(tree.root),
    statements: tree.statements,
    bucketBits: tree.bucketBits,
  };
}

export interface KnownWitness {
  key: string;
  /** How the verifier names the office: "Belarusbank, Minsk branch 5". */
  name: string;
}

export type CheckpointCode =
  | 'MALFORMED'
  | 'INVALID_PROOF'
  | 'INVALID_COMMIT'
  | 'UNTRUSTED_VALIDATORS'
  | 'BAD_SIGNATURE'
  | 'BAD_WITNESS'
  | 'NO_QUORUM';

export type CheckpointResult =
  | {
      ok: true;
      id: string;
      body: CheckpointBody;
      validatorsSigned: number;
      validatorsTotal: number;
      /** The witnesses the verifier knows that signed, by name. */
      witnesses: KnownWitness[];
      /** Valid witness signatures from keys the verifier does not know: not counted. */
      unknownWitnesses: number;
    }
  | { ok: false; code: CheckpointCode; reason: string; key?: string };

export interface CheckpointVerifyOptions {
  /** The validator keys the verifier trusts; without them the file is only self-consistent. */
  trustedValidators?: readonly string[];
  /** The witnesses the verifier counts. */
  witnesses?: readonly KnownWitness[];
  verify?: Verifier;
}

/** Checks a checkpoint file (REQ-CKP.2). Never throws on bad input: a result names what failed. */
export function verifyCheckpoint(input: unknown, options: CheckpointVerifyOptions = {}): CheckpointResult {
  const parsed = checkpointFileSchema.safeParse(input);
  if (!parsed.success)
    return { ok: false, code: 'MALFORMED', reason: `not a checkpoint: ${parsed.error.issues[0]?.message}` };
  const file = parsed.data;
  const { body, header } = file;
  const verify = options.verify ?? receiptVerify;
  // REJECT: a body that is not the certified header's.
  const mismatch = (
    [
      ['chain', body.chainId === header.chainId],
      ['height', body.height === header.height],
      ['time', body.timeMs === header.timeMs],
      ['block hash', body.blockHash === blockHash(header)],
      ['state root', body.stateRoot === header.stateRoot],
      ['validator set', body.validatorsHash === header.validatorsHash],
    ] as const
  ).find(([, same]) => !same);
  if (mismatch)
    return { ok: false, code: 'INVALID_PROOF', reason: `the checkpoint's ${mismatch[0]} is not its block header's` };
  const finality = checkFinality(file, { trustedValidators: options.trustedValidators, verify });
  if (typeof finality !== 'string') return { ok: false, code: finality.code, reason: finality.reason };
  const signed = checkpointMessage(body);
  const members = new Set(file.validators);
  let validatorsSigned = 0;
  for (const entry of file.signatures) {
    // REJECT: a signature from outside the set, or one that does not verify, is named.
    if (!members.has(entry.key))
      return {
        ok: false,
        code: 'BAD_SIGNATURE',
        key: entry.key,
        reason: `${entry.key} is not a validator of the block`,
      };
    if (!checkpointSignatureVerifies(verify, body, entry, signed))
      return {
        ok: false,
        code: 'BAD_SIGNATURE',
        key: entry.key,
        reason: `the signature of validator ${entry.key} does not verify`,
      };
    validatorsSigned++;
  }
  const needed = commitQuorum(members.size);
  if (validatorsSigned < needed)
    return {
      ok: false,
      code: 'NO_QUORUM',
      reason: `${validatorsSigned} of ${members.size} validators signed the checkpoint; ${needed} needed`,
    };
  const known = new Map((options.witnesses ?? []).map((witness) => [witness.key, witness]));
  const witnesses: KnownWitness[] = [];
  let unknownWitnesses = 0;
  for (const entry of file.witnesses) {
    const name = known.get(entry.key)?.name;
    // REJECT: a forged witness signature refuses the whole file, and is named.
    if (!checkpointSignatureVerifies(verify, body, entry, signed))
      return {
        ok: false,
        code: 'BAD_WITNESS',
        key: entry.key,
        reason: `the signature of witness ${name ? `${name} (${entry.key})` : entry.key} does not verify`,
      };
    if (name !== undefined) witnesses.push({ key: entry.key, name });
    else unknownWitnesses++;
  }
  return {
    ok: true,
    id: checkpointId(body),
    body,
    validatorsSigned,
    validatorsTotal: members.size,
    witnesses,
    unknownWitnesses,
  };
}
