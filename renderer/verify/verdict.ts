// What the verification page concludes from a certificate, as data the screen puts into words:
// a compact proof's result from the shelf, or a certificate's or receipt's file checked against
// the validators of the registry the user trusts. Pure: no storage, no DOM.
import type { CompactVerifyResult, KnownWitness, RegistryTrust } from '../../shared/checkpoint/index.js';
import type { Verifier } from '../../shared/crypto/index.js';
import { isCompactProof } from '../../shared/checkpoint/index.js';
import { isQrText } from '../../shared/receipt/index.js';
import { certificateSchema, receiptSchema, verifyCertificate, verifyReceipt } from '../../shared/receipt/index.js';

export interface Owner {
  key: string;
  share: readonly [number, number];
}

/** An object's record as the proof or the file shows it. */
export interface Holding {
  id: string;
  version: number;
  kind: string;
  areaDm2: number;
  ownersCount: number;
  /** Undefined when the QR code carried only the owners' hash. */
  owners?: readonly Owner[];
  mortgages: number;
  arrests: number;
  address?: string;
}

export type FailureCode =
  | 'MALFORMED'
  | 'OTHER_CHAIN'
  | 'UNKNOWN_CHECKPOINT'
  | 'INVALID_PROOF'
  | 'UNTRUSTED_VALIDATORS'
  | 'INVALID_COMMIT'
  | 'NO_TRUST'
  | 'NOT_A_CERTIFICATE';

export type Verdict =
  | {
      ok: true;
      /** compact: a QR code's proof against a held checkpoint; certificate / receipt: a whole file. */
      source: 'compact' | 'certificate' | 'receipt';
      chainId: string;
      height: number;
      timeMs: number;
      holding?: Holding;
      /** A receipt's transaction type and hash. */
      transaction?: { type: string; hash: string };
      /** How many validators signed; for a file, those that committed the block. */
      validatorsSigned: number;
      validatorsTotal: number;
      witnesses: readonly KnownWitness[];
    }
  | { ok: false; code: FailureCode; reason: string; chainId?: string; height?: number };

/** A compact proof's result as a verdict. */
export function compactVerdict(result: CompactVerifyResult): Verdict {
  if (!result.ok) {
    const { code, reason, chainId, height } = result;
    return { ok: false, code, reason, ...(chainId !== undefined ? { chainId } : {}), ...(height ? { height } : {}) };
  }
  const { fields } = result;
  return {
    ok: true,
    source: 'compact',
    chainId: result.chainId,
    height: result.height,
    timeMs: result.timeMs,
    holding: {
      id: fields.id,
      version: fields.version,
      kind: fields.kind,
      areaDm2: fields.areaDm2,
      ownersCount: fields.ownersCount,
      ...(result.owners ? { owners: result.owners } : {}),
      mortgages: fields.mortgages,
      arrests: fields.arrests,
    },
    validatorsSigned: result.validatorsSigned,
    validatorsTotal: result.validatorsTotal,
    witnesses: result.witnesses,
  };
}

const failure = (code: FailureCode, reason: string, extra: { chainId?: string; height?: number } = {}): Verdict => ({
  ok: false,
  code,
  reason,
  ...extra,
});

/**
 * A certificate's or a receipt's file (already parsed from JSON or from a "NOTARY1:" QR text),
 * checked against the trusted registry: its chain first (another registry's file is named as
 * such, not as untrusted), then the proof and the validators' commit. `verify` checks the commit's
 * signatures (fast-verifier.ts: libsodium's, same answers); without it, the default @noble one.
 */
export function documentVerdict(document: unknown, trust: RegistryTrust | undefined, verify?: Verifier): Verdict {
  if (!trust) return failure('NO_TRUST', 'no registry is trusted yet');
  const kind = (document as { kind?: unknown } | null)?.kind;
  if (kind !== 'certificate' && kind !== 'receipt')
    return failure('NOT_A_CERTIFICATE', 'the file is neither a certificate nor a receipt');
  const chainId = (document as { header?: { chainId?: unknown } }).header?.chainId;
  if (typeof chainId === 'string' && chainId !== trust.chainId)
    return failure('OTHER_CHAIN', `the file is from registry ${chainId}`, { chainId });
  const options = { trustedValidators: trust.validators, verify };
  const result = kind === 'certificate' ? verifyCertificate(document, options) : verifyReceipt(document, options);
  if (!result.ok) return failure(result.code, result.reason);
  const validatorsTotal = (document as { validators: string[] }).validators.length;
  const validatorsSigned = (document as { commit: { signatures: unknown[] } }).commit.signatures.length;
  const common = {
    ok: true as const,
    chainId: result.chainId,
    height: result.height,
    timeMs: result.timeMs,
    validatorsSigned,
    validatorsTotal,
    witnesses: [],
  };
  if (kind === 'certificate') {
    const { object } = certificateSchema.parse(document);
    return {
      ...common,
      source: 'certificate',
      holding: {
        id: object.id,
        version: object.version,
        kind: object.kind,
        areaDm2: object.areaDm2,
        ownersCount: object.owners.length,
        owners: object.owners,
        mortgages: object.encumbrances.filter((item) => item.kind === 'mortgage').length,
        arrests: object.encumbrances.filter((item) => item.kind === 'arrest').length,
        address: object.address,
      },
    };
  }
  const { tx } = receiptSchema.parse(document);
  return { ...common, source: 'receipt', transaction: { type: tx.type, hash: result.subject } };
}

/** What a scanned code holds: a compact proof's bytes, a "NOTARY1:" document's text, or neither. */
export type ScannedCode =
  { kind: 'compact'; bytes: Uint8Array } | { kind: 'document'; text: string } | { kind: 'other' };

/** Sorts a QR code's bytes (jsQR's binaryData) into what the page can check. */
export function readScannedCode(bytes: Uint8Array): ScannedCode {
  if (isCompactProof(bytes)) return { kind: 'compact', bytes };
  // a "NOTARY1:" text is ASCII; anything else is not ours
  let text = '';
  for (const byte of bytes.subarray(0, 4 * 1024 * 1024)) text += String.fromCharCode(byte);
  return isQrText(text) ? { kind: 'document', text } : { kind: 'other' };
}

/** An area in square metres: the record keeps square decimetres. */
export function squareMetres(areaDm2: number): number {
  return areaDm2 / 100;
}

/** A share as a reduced fraction, "1/2"; the whole is "1/1". */
export function shareFraction([numerator, denominator]: readonly [number, number]): string {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  const divisor = gcd(numerator, denominator) || 1;
  return `${numerator / divisor}/${denominator / divisor}`;
}

/** A long key, its start and end: "3f9a1c2b…e4d0". The full key stays available beside it. */
export function shortKey(hex: string, head = 8, tail = 4): string {
  return hex.length > head + tail + 1 ? `${hex.slice(0, head)}…${hex.slice(-tail)}` : hex;
}

/** The witnesses' names, in the order they signed, each once. */
export function witnessNames(witnesses: readonly KnownWitness[]): string[] {
  return [...new Set(witnesses.map((witness) => witness.name))];
}
