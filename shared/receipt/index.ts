// Receipts and certificates anyone can verify offline with shared/ code alone (DESIGN §4):
//   receipt     = transaction + RFC 6962 path to the block's txRoot + header + commit + validator set
//   certificate = property record + state-tree proof to the header's stateRoot + header + commit + validator set
// The verifier trusts only the validator keys it already holds (from genesis or its registrar).
import { encode, hexToBytes } from '../codec/index.js';
import { sha256, type Verifier } from '../crypto/index.js';
import { commitQuorum, verifyCommit } from '../chain/commit.js';
import { blockHash } from '../ledger/block.js';
import * as schema from '../ledger/schema.js';
import { StateKey } from '../ledger/state.js';
import { txHash } from '../ledger/tx.js';
import { validatorsHash } from '../modules/authority/validators.js';
import { verifyInclusion } from '../merkle/rfc6962.js';
import { verifySmtProof } from '../smt/index.js';
import { stateKeyHash } from '../chain/execute.js';
import { receiptVerify } from './verifier.js';
import { z } from 'zod';

export const RECEIPT_VERSION = 1;

const merklePath = z.strictObject({
  index: z.number().int().nonnegative(),
  treeSize: z.number().int().positive(),
  path: z.array(schema.hash).max(64),
});
const smtProof = z.strictObject({
  siblings: z.array(schema.hash).max(256),
  leaf: z.strictObject({ keyHash: schema.hash, valueHash: schema.hash }).optional(),
});
const finality = { header: schema.blockHeader, commit: schema.commit, validators: schema.validatorSet };

export const receiptSchema = z.strictObject({
  kind: z.literal('receipt'),
  version: z.literal(RECEIPT_VERSION),
  tx: schema.transaction,
  txProof: merklePath,
  ...finality,
});
export const certificateSchema = z.strictObject({
  kind: z.literal('certificate'),
  version: z.literal(RECEIPT_VERSION),
  object: schema.propertyObject,
  stateProof: smtProof,
  ...finality,
});
export type Receipt = z.infer<typeof receiptSchema>;
export type OwnershipCertificate = z.infer<typeof certificateSchema>;

export type VerifyResult =
  | { ok: true; height: number; timeMs: number; blockHash: string; chainId: string; subject: string }
  | { ok: false; code: 'MALFORMED' | 'UNTRUSTED_VALIDATORS' | 'INVALID_PROOF' | 'INVALID_COMMIT'; reason: string };

export interface VerifyOptions {
  /** The validator keys the verifier trusts. Without them a document is only self-consistent. */
  trustedValidators?: readonly string[];
  /** Defaults to `receiptVerify` (verifier.ts): @noble, with the validators' keys precomputed. */
  verify?: Verifier;
}

/** The finality part of a receipt, a certificate or a checkpoint: the block hash, or why not. */
export function checkFinality(
  document: { header: Receipt['header']; commit: Receipt['commit']; validators: string[] },
  options: VerifyOptions,
): Extract<VerifyResult, { ok: false }> | string {
  const { header, commit, validators } = document;
  if (validatorsHash(validators) !== header.validatorsHash) {
    return { ok: false, code: 'INVALID_PROOF', reason: 'the validator set does not match the block header' };
  }
  if (options.trustedValidators) {
    const trusted = new Set(options.trustedValidators);
    const known = validators.filter((key) => trusted.has(key)).length;
    // a set we mostly do not know could be forged: demand that a quorum of it is trusted.
    if (known < commitQuorum(validators.length)) {
      return {
        ok: false,
        code: 'UNTRUSTED_VALIDATORS',
        reason: `only ${known} of the ${validators.length} validators are trusted`,
      };
    }
  }
  const hash = blockHash(header);
  try {
    verifyCommit(commit, hash, header.height, validators, header.chainId, options.verify ?? receiptVerify);
  } catch (error) {
    return { ok: false, code: 'INVALID_COMMIT', reason: (error as Error).message };
  }
  return hash;
}

/** Verifies a transaction receipt: included in a block that more than 2/3 of validators committed. */
export function verifyReceipt(input: unknown, options: VerifyOptions = {}): VerifyResult {
  const parsed = receiptSchema.safeParse(input);
  if (!parsed.success)
    return { ok: false, code: 'MALFORMED', reason: `not a receipt: ${parsed.error.issues[0]?.message}` };
  const receipt = parsed.data as Receipt;
  if (receipt.header.height === 0)
    return { ok: false, code: 'INVALID_PROOF', reason: 'the genesis block holds no transactions' };
  const hash = txHash(receipt.tx);
  if (!verifyInclusion(hexToBytes(receipt.header.txRoot), hexToBytes(hash), receipt.txProof)) {
    return { ok: false, code: 'INVALID_PROOF', reason: 'the transaction is not in the block it names' };
  }
  const finality = checkFinality(receipt, options);
  if (typeof finality !== 'string') return finality;
  return {
    ok: true,
    height: receipt.header.height,
    timeMs: receipt.header.timeMs,
    blockHash: finality,
    chainId: receipt.header.chainId,
    subject: hash,
  };
}

/** Verifies an ownership certificate: the object's record as of a committed block. */
export function verifyCertificate(input: unknown, options: VerifyOptions = {}): VerifyResult {
  const parsed = certificateSchema.safeParse(input);
  if (!parsed.success)
    return { ok: false, code: 'MALFORMED', reason: `not a certificate: ${parsed.error.issues[0]?.message}` };
  const certificate = parsed.data as OwnershipCertificate;
  const keyHash = stateKeyHash(StateKey.object(certificate.object.id));
  const valueHash = sha256(encode(certificate.object));
  if (!verifySmtProof(hexToBytes(certificate.header.stateRoot), keyHash, valueHash, certificate.stateProof)) {
    return { ok: false, code: 'INVALID_PROOF', reason: 'the object record is not the one in the committed state' };
  }
  const finality = checkFinality(certificate, options);
  if (typeof finality !== 'string') return finality;
  return {
    ok: true,
    height: certificate.header.height,
    timeMs: certificate.header.timeMs,
    blockHash: finality,
    chainId: certificate.header.chainId,
    subject: certificate.object.id,
  };
}
export * from './qr.js';
export { createReceiptVerifier, receiptVerify, type ReceiptVerifier } from './verifier.js';
