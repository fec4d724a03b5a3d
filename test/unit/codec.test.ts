import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hexToBytes as nobleHexToBytes } from '@noble/hashes/utils.js';
import { CodecError, bytesToHex, decode, encode, hexToBytes } from '../../shared/codec/index.js';

// Values the ledger puts on the wire: no floats, no undefined (DESIGN §2).
const ledgerValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
    fc.string(),
    fc.boolean(),
    fc.constant(null),
    fc.uint8Array({ maxLength: 64 }),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.string({ maxLength: 8 }), tie('value'), { maxKeys: 5 }),
  ),
})).value;

describe('canonical CBOR codec', () => {
  it('round-trips every ledger value', () => {
    fc.assert(
      fc.property(ledgerValue, (value) => {
        expect(decode(encode(value))).toEqual(value);
      }),
    );
  });

  it('gives one byte form per value whatever the key insertion order [REQ-ENC.1]', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 6 }), fc.integer(), { maxKeys: 8 }), (record) => {
        const reversed = Object.fromEntries(Object.entries(record).reverse());
        expect(bytesToHex(encode(reversed))).toBe(bytesToHex(encode(record)));
      }),
    );
  });

  it('rejects a non-canonical encoding of a valid value [REQ-ENC.1]', () => {
    // {"b":1,"a":2} with keys out of canonical order
    const outOfOrder = hexToBytes('a2616201616102');
    expect(() => decode(outOfOrder)).toThrow(CodecError);
    // 1 encoded in two bytes instead of one
    expect(() => decode(hexToBytes('1801'))).toThrow(CodecError);
  });

  it('rejects truncated, empty and oversized input', () => {
    const bytes = encode({ object: 'BY-7-0001', version: 3 });
    expect(() => decode(bytes.subarray(0, bytes.length - 1))).toThrow(CodecError);
    expect(() => decode(new Uint8Array())).toThrow(CodecError);
    expect(() => decode(bytes, bytes.length - 1)).toThrow(/over the limit/);
  });

  it('never throws anything but a CodecError on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), (bytes) => {
        try {
          decode(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(CodecError);
        }
      }),
      { numRuns: 5000 },
    );
  });

  it('accepts only lowercase hex of whole bytes', () => {
    expect(bytesToHex(hexToBytes('00ff'))).toBe('00ff');
    expect(() => hexToBytes('0F')).toThrow(CodecError);
    expect(() => hexToBytes('abc')).toThrow(CodecError);
    expect(hexToBytes('')).toEqual(new Uint8Array(0));
    // the same answers as a regular expression followed by @noble's conversion, which it replaced
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 40 }).map(bytesToHex),
          fc.string({ maxLength: 12 }),
          fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEFg/:`@ \u0000'), maxLength: 12 }),
        ),
        (text) => {
          if (/^(?:[0-9a-f]{2})*$/.test(text)) expect(hexToBytes(text)).toEqual(nobleHexToBytes(text));
          else expect(() => hexToBytes(text)).toThrow(CodecError);
        },
      ),
      { numRuns: 3_000 },
    );
  });
});
