// OpenSSL's sha256 behind shared/crypto's `sha256` (2-4x faster than @noble here: the ledger
// hashes every transaction, contract, state value and state-tree node). Same function, so
// roots and hashes are unchanged; installSha256 checks it against the test vectors.
import { hash } from 'node:crypto';
import { installSha256 } from '../../../shared/crypto/index.js';

let installed = false;

export function installNodeSha256(): void {
  if (installed) return;
  installSha256((bytes) => {
    const digest = hash('sha256', bytes, 'buffer') as unknown as Buffer;
    // A copy, not a view: a Buffer may share a pooled ArrayBuffer, and a digest's .buffer must be its own.
    return new Uint8Array(digest);
  });
  installed = true;
}
