// The store's keys: names and hashes a commit turns into LevelDB keys, each checked in the one
// pass that builds it. Each check is compared with the plain reference it replaced.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes, utf8 } from '../../shared/codec/index.js';
import { Keys, NAME_BYTES_MAX, isStoreName } from '../../electron/node/store/keys.js';

/** The check before: encode to UTF-8, measure, look for NUL, decode strictly and compare. */
function isStoreNameReference(value: unknown, allowSeparator: boolean): boolean {
  if (typeof value !== 'string' || value.length === 0) return false;
  const bytes = utf8(value);
  if (bytes.length > NAME_BYTES_MAX) return false;
  if (!allowSeparator && bytes.includes(0)) return false;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes) === value;
  } catch {
    return false;
  }
}

const names = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 300 }),
  // lone and paired surrogates, NUL, and lengths around the bound
  fc
    .array(fc.constantFrom('a', 'ё', '\u0000', '\ud800', '\udc00', '\ud83d\ude00', '€'), { maxLength: 600 })
    .map((parts) => parts.join('')),
  fc
    .integer({ min: 0, max: 3 })
    .chain((width) => fc.integer({ min: 160, max: 520 }).map((length) => ['a', 'ў', '€', '😀'][width]!.repeat(length))),
);

describe('store names', () => {
  it('are accepted exactly when the encode-and-decode reference accepts them', () => {
    fc.assert(
      fc.property(names, fc.boolean(), (name, allowSeparator) => {
        expect(isStoreName(name, allowSeparator)).toBe(isStoreNameReference(name, allowSeparator));
      }),
      { numRuns: 3_000 },
    );
    for (const value of [undefined, null, 7, '', ['a']]) expect(isStoreName(value, true)).toBe(false);
    expect(isStoreName('BY-7-1', false)).toBe(true);
    expect(isStoreName('a\u0000b', false)).toBe(false);
    expect(isStoreName('a\u0000b', true)).toBe(true);
    expect(isStoreName('\ud800', true)).toBe(false);
    expect(isStoreName('€'.repeat(170), true)).toBe(true); // 510 bytes
    expect(isStoreName('€'.repeat(171), true)).toBe(false); // 513 bytes
  });
});

describe('keys of hashes', () => {
  it('are the prefix and the hash bytes for 64 lowercase hex, and refused otherwise', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (hash) => {
        const hex = bytesToHex(hash);
        expect(bytesToHex(Keys.smtNode(hex))).toBe(`6e${hex}`);
        expect(bytesToHex(Keys.txLocation(hex))).toBe(`74${hex}`);
        expect(Keys.smtNode(hex)).toEqual(Keys.smtNodeRaw(hexToBytes(hex)));
      }),
    );
    fc.assert(
      fc.property(fc.string({ minLength: 0, maxLength: 70 }), (text) => {
        const valid = /^[0-9a-f]{64}$/.test(text);
        if (valid) expect(Keys.smtNode(text).length).toBe(33);
        else expect(() => Keys.smtNode(text)).toThrow(/a hash is 64 lowercase hex characters/);
      }),
      { numRuns: 2_000 },
    );
    for (const bad of [
      'A'.repeat(64),
      `${'0'.repeat(63)}G`,
      `${'0'.repeat(63)}/`,
      `${'0'.repeat(63)}:`,
      `${'0'.repeat(63)}\``,
      'f'.repeat(63),
      7,
      undefined,
    ]) {
      expect(() => Keys.smtNode(bad as string)).toThrow(TypeError);
      expect(() => Keys.heightByHash(bad as string)).toThrow(TypeError);
    }
  });
});
