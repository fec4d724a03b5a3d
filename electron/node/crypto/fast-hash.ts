// The fastest sha256 this process has behind shared/crypto's `sha256` (the ledger hashes every
// transaction, contract, state value and state-tree node): OpenSSL's for most inputs (2-4x
// faster than @noble here, and far faster than WebAssembly on long inputs, with the CPU's SHA
// instructions), and @chainsafe/as-sha256's WebAssembly for short ones. A block's update hashes
// ~8,000 state-tree nodes of 65 bytes; node:crypto's `hash()` spends more on the call and on a
// Buffer with memory of its own for each digest than on the hashing itself (issue 15: 1.7-2 µs
// a node against 1.0-1.1 µs). Same function, so roots and hashes are unchanged; installSha256
// checks it against the test vectors, and test/unit/fast-hash.test.ts against OpenSSL.
import { hash } from 'node:crypto';
import { digest as wasmDigest } from '@chainsafe/as-sha256';
import { installSha256 } from '../../../shared/crypto/index.js';

/** Inputs shorter than this are hashed in WebAssembly (measured: it is faster up to ~120 bytes). */
export const WASM_SHA256_BYTES_BELOW = 120;

let installed = false;

/**
 * The digest as an array of its own: both answers may share memory (OpenSSL's Buffer a pooled
 * ArrayBuffer, as-sha256's a slice of Node's Buffer pool), and a digest's .buffer must be its own.
 */
export function fastSha256(bytes: Uint8Array): Uint8Array {
  if (bytes.length < WASM_SHA256_BYTES_BELOW) return new Uint8Array(wasmDigest(bytes));
  return new Uint8Array(hash('sha256', bytes, 'buffer') as unknown as Buffer);
}

export function installNodeSha256(): void {
  if (installed) return;
  installSha256(fastSha256);
  installed = true;
}
