// The direct CBOR writer (shared/codec/direct-encode.ts) against its reference, @ipld/dag-cbor:
// the same bytes for every value it takes, and every other value left to dag-cbor.
import * as dagCbor from '@ipld/dag-cbor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToHex, encode } from '../../shared/codec/index.js';
import { encodeDirect } from '../../shared/codec/direct-encode.js';
import { devGenesis, devGenesisSale, devKeys, devParty } from '../../electron/node/dev/demo-registry.js';

/** dag-cbor's bytes, or its refusal. */
function reference(value: unknown): string {
  try {
    return bytesToHex(dagCbor.encode(value));
  } catch {
    return 'refused';
  }
}
function ours(value: unknown): string {
  try {
    return bytesToHex(encode(value));
  } catch {
    return 'refused';
  }
}

// Integers at every boundary of the head's forms, and around the safe range.
const boundary = fc.constantFrom(
  0,
  1,
  23,
  24,
  25,
  255,
  256,
  257,
  65_535,
  65_536,
  2 ** 32 - 1,
  2 ** 32,
  2 ** 32 + 1,
  2 ** 53 - 1,
  -1,
  -24,
  -25,
  -256,
  -257,
  -65_536,
  -65_537,
  -(2 ** 32),
  -(2 ** 32) - 1,
  -(2 ** 53 - 1),
);
const keys = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom('a', 'b', 'aa', 'ab', 'ba', 'A', 'Z', '_', '~', '', 'z'.repeat(24), 'y'.repeat(300)),
  fc.string({ unit: 'grapheme', maxLength: 4 }),
  fc.string({ unit: 'binary', maxLength: 4 }),
);
const strings = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 10 }),
  fc.string({ unit: 'binary', maxLength: 10 }),
  fc.constantFrom('x'.repeat(23), 'x'.repeat(24), 'x'.repeat(255), 'x'.repeat(256), 'é'.repeat(200)),
);
// Values the protocol uses, and values it does not (floats, bigints, undefined, Maps, dates).
const anyValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
    boundary,
    strings,
    fc.boolean(),
    fc.constant(null),
    fc.uint8Array({ maxLength: 300 }),
    fc.constantFrom(-0, 0.5, 2 ** 53, -(2 ** 53), Number.NaN, Infinity, 12345678901234567890n, undefined),
    fc.constantFrom(new Date(0), new Map([['a', 1]]), Object.create(null) as object, new Uint16Array(2)),
    fc.array(tie('value'), { maxLength: 6 }),
    fc.dictionary(keys, tie('value'), { maxKeys: 8 }),
  ),
})).value;

// Only what the writer takes itself: it must answer for every one of these, not hand it on.
const asciiKeys = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0, max: 0x7f }).map((code) => String.fromCharCode(code)), maxLength: 30 }),
  fc.constantFrom('a', 'b', 'aa', 'ab', 'ba', 'A', 'Z', '_', '~', '', 'z'.repeat(24), 'y'.repeat(300)),
);
const protocolValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
    boundary,
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 10 }),
    fc.boolean(),
    fc.constant(null),
    fc.uint8Array({ maxLength: 300 }),
    fc.array(tie('value'), { maxLength: 6 }),
    fc.dictionary(
      asciiKeys.filter((key) => key !== '/' && key !== 'asCID'),
      tie('value'),
      {
        maxKeys: 8,
        noNullPrototype: true,
      },
    ),
  ),
})).value;

describe('direct CBOR writer', () => {
  it('writes itself exactly the bytes dag-cbor writes for every protocol value', () => {
    fc.assert(
      fc.property(protocolValue, (value) => {
        const direct = encodeDirect(value);
        expect(direct).toBeDefined();
        expect(bytesToHex(direct!)).toBe(reference(value));
      }),
      { numRuns: 3000 },
    );
  });

  it('writes the bytes dag-cbor writes, or leaves the value to it, for any value', () => {
    fc.assert(
      fc.property(anyValue, (value) => {
        expect(ours(value)).toBe(reference(value));
      }),
      { numRuns: 3000 },
    );
  });

  it('takes the protocol values itself, with their keys in dag-cbor order', () => {
    const genesis = devGenesis();
    const parties = Array.from({ length: 50 }, (_, i) => devParty(i));
    const sale = devGenesisSale(genesis, parties, 0, { nowMs: genesis.genesisTimeMs });
    for (const value of [genesis, sale, { b: 1, a: 2, aa: 3, B: [1, -1, 'é'], '': null }, devKeys]) {
      const direct = encodeDirect(value);
      expect(direct).toBeDefined();
      expect(bytesToHex(direct!)).toBe(reference(value));
    }
  });

  it('leaves floats, bigints, undefined, -0, lone surrogates, CIDs and class instances to dag-cbor', () => {
    for (const value of [
      0.5,
      -0,
      2 ** 53,
      1n,
      undefined,
      { a: undefined },
      '\ud800',
      { ['é']: 1 },
      { '/': 'x' },
      new Date(0),
      Object.create(null) as object,
      new Map(),
    ])
      expect(encodeDirect(value)).toBeUndefined();
  });

  it('grows its buffer for large values and keeps answering', () => {
    const large = { bytes: new Uint8Array(3 << 20).fill(7), list: Array.from({ length: 5000 }, (_, i) => i * 1000) };
    expect(bytesToHex(encodeDirect(large)!)).toBe(reference(large));
    expect(bytesToHex(encodeDirect({ small: 1 })!)).toBe(reference({ small: 1 }));
  });

  it('leaves values deeper than its limit, and cycles, to dag-cbor', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = [deep];
    expect(encodeDirect(deep)).toBeUndefined();
    expect(ours(deep)).toBe(reference(deep));
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(encodeDirect(cycle)).toBeUndefined();
    expect(ours(cycle)).toBe('refused');
  });
});
