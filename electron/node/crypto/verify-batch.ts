// A batch of signature checks shared between the main thread and a verify worker: packed
// bytes in SharedArrayBuffers (never cloned object by object), claimed in chunks through an
// atomic counter, so whichever thread is free verifies the next chunk and one block's checks
// use both cores. Each claimed check gets its answer written once: 1 valid, 2 not valid.
//   record = domainIndex u8 | chainIdIndex u8 | messageLength u16 | publicKey 32 | signature 64 | message
// Only well-formed checks are packed (lowercase hex key and signature, message up to 64 KiB):
// the others stay unanswered (0), and the main thread rejects them as before.
import { bytesToHex, hexToBytes } from '../../../shared/codec/index.js';
import type { Domain, SignatureCheck, Verifier } from '../../../shared/crypto/index.js';

const HEX_64 = /^[0-9a-f]{64}$/;
const HEX_128 = /^[0-9a-f]{128}$/;
const RECORD_HEADER_BYTES = 4 + 32 + 64;
export const BATCH_MESSAGE_BYTES_MAX = 0xffff;
export const BATCH_STRINGS_MAX = 255;
/** Checks claimed at a time: small, so neither thread waits long for the other's last chunk. */
export const BATCH_CHUNK_CHECKS = 16;

export const ANSWER_NONE = 0;
export const ANSWER_VALID = 1;
export const ANSWER_INVALID = 2;

// control[CLAIMED]: next record index to claim; control[ANSWERED]: records answered so far.
const CLAIMED = 0;
const ANSWERED = 1;

/** What crosses to the worker (structured clone shares the SharedArrayBuffers). */
export interface SharedBatch {
  strings: string[];
  count: number;
  records: SharedArrayBuffer;
  /** count + 1 record offsets (u32). */
  offsets: SharedArrayBuffer;
  /** One answer byte per record. */
  answers: SharedArrayBuffer;
  /** Int32 [claimed, answered]. */
  control: SharedArrayBuffer;
}

export interface PackedBatch {
  shared: SharedBatch;
  /** Index of each packed record in the caller's list of checks. */
  positions: Uint32Array;
}

export function packChecks(checks: readonly SignatureCheck[]): PackedBatch {
  const strings: string[] = [];
  const stringIndex = new Map<string, number>();
  const indexOf = (value: string): number => {
    let index = stringIndex.get(value);
    if (index === undefined) {
      if (strings.length >= BATCH_STRINGS_MAX) return -1;
      index = strings.length;
      strings.push(value);
      stringIndex.set(value, index);
    }
    return index;
  };
  const packable: number[] = [];
  let bytes = 0;
  checks.forEach((check, position) => {
    if (
      !HEX_64.test(check.publicKey) ||
      !HEX_128.test(check.signature) ||
      check.message.length > BATCH_MESSAGE_BYTES_MAX
    )
      return;
    if (indexOf(check.domain) < 0 || indexOf(check.chainId) < 0) return;
    packable.push(position);
    bytes += RECORD_HEADER_BYTES + check.message.length;
  });
  const records = new SharedArrayBuffer(bytes);
  const offsets = new SharedArrayBuffer(4 * (packable.length + 1));
  const view = new DataView(records);
  const out = new Uint8Array(records);
  const offsetOf = new Uint32Array(offsets);
  let offset = 0;
  packable.forEach((position, index) => {
    const check = checks[position]!;
    offsetOf[index] = offset;
    view.setUint8(offset, stringIndex.get(check.domain)!);
    view.setUint8(offset + 1, stringIndex.get(check.chainId)!);
    view.setUint16(offset + 2, check.message.length);
    out.set(hexToBytes(check.publicKey), offset + 4);
    out.set(hexToBytes(check.signature), offset + 36);
    out.set(check.message, offset + RECORD_HEADER_BYTES);
    offset += RECORD_HEADER_BYTES + check.message.length;
  });
  offsetOf[packable.length] = offset;
  return {
    shared: {
      strings,
      count: packable.length,
      records,
      offsets,
      answers: new SharedArrayBuffer(Math.max(1, packable.length)),
      control: new SharedArrayBuffer(8),
    },
    positions: Uint32Array.from(packable),
  };
}

/** The check of record `index`, as the verifier takes it (hex round-trips exactly). */
function unpackCheck(batch: SharedBatch, records: Uint8Array, offsets: Uint32Array, index: number): SignatureCheck {
  const offset = offsets[index]!;
  const end = offsets[index + 1]!;
  return {
    domain: batch.strings[records[offset]!] as Domain,
    chainId: batch.strings[records[offset + 1]!]!,
    publicKey: bytesToHex(records.subarray(offset + 4, offset + 36)),
    signature: bytesToHex(records.subarray(offset + 36, offset + RECORD_HEADER_BYTES)),
    // A copy: the verifier must not read bytes another thread could still write (none do, but a check owns its message).
    message: records.slice(offset + RECORD_HEADER_BYTES, end),
  };
}

/**
 * Claims and verifies chunks of `batch` until none is left; returns how many records this
 * thread answered. Both the worker and the main thread run this on the same batch.
 */
export function verifyClaimed(batch: SharedBatch, verify: Verifier): number {
  const control = new Int32Array(batch.control);
  const answers = new Uint8Array(batch.answers);
  const records = new Uint8Array(batch.records);
  const offsets = new Uint32Array(batch.offsets);
  let answered = 0;
  for (;;) {
    const start = Atomics.add(control, CLAIMED, BATCH_CHUNK_CHECKS);
    if (start >= batch.count) break;
    const end = Math.min(start + BATCH_CHUNK_CHECKS, batch.count);
    for (let index = start; index < end; index++)
      answers[index] = verify(unpackCheck(batch, records, offsets, index)) ? ANSWER_VALID : ANSWER_INVALID;
    Atomics.add(control, ANSWERED, end - start);
    answered += end - start;
  }
  return answered;
}

export function allAnswered(batch: SharedBatch): boolean {
  return Atomics.load(new Int32Array(batch.control), ANSWERED) >= batch.count;
}
