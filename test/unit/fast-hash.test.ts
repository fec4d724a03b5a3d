// The node's sha256 (fast-hash.ts: WebAssembly below 120 bytes, OpenSSL above) is sha256: it
// equals OpenSSL's and @noble's on inputs of every length around the switch and far beyond it,
// and each digest is an array of its own that no later hash overwrites.
import { createHash } from 'node:crypto';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fastSha256, WASM_SHA256_BYTES_BELOW } from '../../electron/node/crypto/fast-hash.js';

const openssl = (bytes: Uint8Array) => new Uint8Array(createHash('sha256').update(bytes).digest());

describe('the node’s sha256', () => {
  it('equals OpenSSL and @noble on every input length from 0 to 600 bytes and on long inputs', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 600 }), (bytes) => {
        const digest = fastSha256(bytes);
        expect(digest).toEqual(openssl(bytes));
        expect(digest).toEqual(nobleSha256(bytes));
      }),
      { numRuns: 2_000 },
    );
    for (let length = 0; length <= 2 * WASM_SHA256_BYTES_BELOW + 70; length++) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 131 + length) & 0xff);
      expect(fastSha256(bytes), `length ${length}`).toEqual(openssl(bytes));
    }
    const long = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 7) & 0xff);
    expect(fastSha256(long)).toEqual(openssl(long));
  });

  it('hashes a view as its own bytes, and answers a digest with memory of its own', () => {
    const backing = Uint8Array.from({ length: 200 }, (_, i) => i);
    for (const [at, length] of [
      [3, 65],
      [17, 150],
    ] as const) {
      const view = backing.subarray(at, at + length);
      expect(fastSha256(view)).toEqual(openssl(backing.slice(at, at + length)));
    }
    const first = fastSha256(Uint8Array.of(1));
    const kept = first.slice();
    const second = fastSha256(Uint8Array.of(2));
    fastSha256(new Uint8Array(500));
    expect(first).toEqual(kept); // no later hash wrote over it
    for (const digest of [first, second, fastSha256(new Uint8Array(500))]) {
      expect(digest).toBeInstanceOf(Uint8Array);
      expect(digest.byteOffset).toBe(0);
      expect(digest.buffer.byteLength).toBe(32);
    }
  });
});
