// Canonical encoding for everything that is hashed, signed or sent (DESIGN §2):
// deterministic CBOR (@ipld/dag-cbor: map keys sorted, shortest integer forms, no
// indefinite lengths, no undefined, no NaN/Infinity). Decoding is strict and then
// re-encodes to prove the input was canonical, so one value has exactly one byte form.
// Encoding goes through a direct writer of the same bytes for the protocol's own values
// (direct-encode.ts, decision #76); dag-cbor writes, or refuses, everything else.
import * as dagCbor from '@ipld/dag-cbor';
import { encodeDirect } from './direct-encode.js';
import { bytesToHex as nobleBytesToHex } from '@noble/hashes/utils.js';

/** Hard ceiling for any single decoded value; callers pass tighter limits. */
export const DECODE_BYTES_MAX = 16 * 1024 * 1024;

export class CodecError extends Error {
  readonly code = 'MALFORMED' as const;
  constructor(message: string) {
    super(message);
    this.name = 'CodecError';
  }
}

export function encode(value: unknown): Uint8Array {
  // The direct writer's bytes are dag-cbor's; it leaves what it does not know to dag-cbor.
  const direct = encodeDirect(value);
  if (direct !== undefined) return direct;
  try {
    return dagCbor.encode(value);
  } catch (error) {
    throw new CodecError(`cannot encode value: ${(error as Error).message}`);
  }
}

/**
 * Decodes canonical CBOR. Rejects inputs over `bytesMax`, malformed inputs and any
 * input whose bytes are not the canonical encoding of the value they carry.
 */
export function decode(bytes: Uint8Array, bytesMax: number = DECODE_BYTES_MAX): unknown {
  if (!(bytes instanceof Uint8Array)) throw new CodecError('input is not a byte array');
  if (bytes.length === 0) throw new CodecError('input is empty');
  if (bytes.length > bytesMax) throw new CodecError(`input is ${bytes.length} bytes, over the limit of ${bytesMax}`);
  let value: unknown;
  try {
    value = dagCbor.decode(bytes);
  } catch (error) {
    throw new CodecError(`not valid canonical CBOR: ${(error as Error).message}`);
  }
  const again = encode(value);
  if (!bytesEqual(again, bytes)) throw new CodecError('not the canonical encoding of its value');
  return value;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export function bytesToHex(bytes: Uint8Array): string {
  return nobleBytesToHex(bytes);
}

/**
 * Lowercase, even-length hex only: one text form per byte string. One pass checks and converts
 * (a block's commit converts thousands of hashes; a regular expression, then a conversion that
 * checks again, read each string twice). test/unit/codec.test.ts compares it with that pair.
 */
export function hexToBytes(hex: string): Uint8Array {
  if (typeof hex !== 'string' || hex.length % 2 !== 0) throw notLowercaseHex();
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) {
    const high = hexDigit(hex.charCodeAt(2 * i));
    const low = hexDigit(hex.charCodeAt(2 * i + 1));
    if (high < 0 || low < 0) throw notLowercaseHex();
    bytes[i] = (high << 4) | low;
  }
  return bytes;
}

/** 0-15 for '0'-'9' and 'a'-'f'; -1 for any other character (upper case included). */
function hexDigit(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x61 && code <= 0x66) return code - 0x61 + 10;
  return -1;
}

const notLowercaseHex = () => new CodecError('not lowercase hex of whole bytes');

const textEncoder = new TextEncoder();
export function utf8(text: string): Uint8Array {
  return textEncoder.encode(text);
}

/** Compares byte strings as unsigned big-endian numbers (LevelDB's default order). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}
