// Signature work dominates a simulation: every node verifies every message, every validator
// signs several votes a round. Two shortcuts that change no answer:
// - one verifier shared by all simulated nodes that remembers each result (ed25519 verification
//   is a pure function of its inputs), backed by the node's node:crypto verifier;
// - signing through node:crypto instead of @noble/curves. Ed25519 signatures are deterministic
//   (RFC 8032), so both produce the same bytes; `checkFastSigner` proves it before a run.
import { createPrivateKey, sign as opensslSign, type KeyObject } from 'node:crypto';
import { bytesToHex, hexToBytes } from '../../shared/codec/index.js';
import { sign as nobleSign, signingBytes, type Domain, type Verifier } from '../../shared/crypto/index.js';
import { createFastVerifier } from '../../electron/node/crypto/fast-verify.js';
import type { SignFunction } from '../../electron/node/consensus/index.js';

const VERIFY_CACHE_ENTRIES_MAX = 200_000;

export function memoizedVerifier(): Verifier {
  const inner = createFastVerifier();
  const results = new Map<string, boolean>();
  return (check) => {
    const key = `${check.publicKey}${check.signature}${check.domain}${check.chainId}${bytesToHex(check.message)}`;
    let result = results.get(key);
    if (result === undefined) {
      result = inner(check);
      if (results.size >= VERIFY_CACHE_ENTRIES_MAX) results.clear();
      results.set(key, result);
    }
    return result;
  };
}

// DER prefix of a PKCS#8 ed25519 private key (RFC 8410) holding a 32-byte seed.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const privateKeys = new Map<string, KeyObject>();

export const fastSign: SignFunction = (secretKeyHex: string, domain: Domain, chainId: string, message: Uint8Array) => {
  let key = privateKeys.get(secretKeyHex);
  if (!key) {
    key = createPrivateKey({
      key: Buffer.concat([PKCS8_ED25519_PREFIX, hexToBytes(secretKeyHex)]),
      format: 'der',
      type: 'pkcs8',
    });
    privateKeys.set(secretKeyHex, key);
  }
  return bytesToHex(opensslSign(null, signingBytes(domain, chainId, message), key));
};

let checked = false;

/** Throws unless the fast signer gives the noble signer's exact bytes. */
export function checkFastSigner(secretKeyHex: string): void {
  if (checked) return;
  const message = Uint8Array.of(1, 2, 3);
  if (
    fastSign(secretKeyHex, 'notary/vote/v1', 'notary-sim', message) !==
    nobleSign(secretKeyHex, 'notary/vote/v1', 'notary-sim', message)
  ) {
    throw new Error('node:crypto and @noble ed25519 signatures differ: the simulator cannot use the fast signer');
  }
  checked = true;
}
