// Hashing and ed25519 signatures for the whole project (isomorphic, @noble).
// Every signature is over `len(domain) || domain || len(chainId) || chainId || message`,
// so a signature made for one purpose or one chain can never be replayed for another.
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, hexToBytes, utf8 } from '../codec/index.js';

export const HASH_BYTES = 32;
export const PUBLIC_KEY_BYTES = 32;
export const SECRET_KEY_BYTES = 32;
export const SIGNATURE_BYTES = 64;
export const DOMAIN_BYTES_MAX = 64;
export const CHAIN_ID_BYTES_MAX = 64;

/** Signature purposes. Adding one is safe; changing one breaks every signature made with it. */
export const Domain = {
  /** A whole transaction, signed by its authorising signers (registrar, notary, holder...). */
  tx: 'notary/tx/v1',
  /** A transfer contract, signed by sellers and buyers (and a consenting encumbrance holder). */
  contract: 'notary/contract/v1',
  /** Consensus proposal. */
  proposal: 'notary/proposal/v1',
  /** Consensus prevote / precommit. */
  vote: 'notary/vote/v1',
  /** A checkpoint's body (docs/protocol.md REQ-CKP.2), signed by validators and witnesses. */
  checkpoint: 'notary/checkpoint/v1',
} as const;
export type Domain = (typeof Domain)[keyof typeof Domain];

let sha256Implementation: (bytes: Uint8Array) => Uint8Array = nobleSha256;

/**
 * Lets a platform put a faster sha256 behind `sha256` (the node uses OpenSSL's, ~2-4x faster
 * than @noble here). The function must compute exactly sha256: it is checked against the
 * FIPS 180-2 test vectors before it is used, so a wrong one fails loudly instead of forking.
 */
export function installSha256(implementation: (bytes: Uint8Array) => Uint8Array): void {
  const vectors: Array<[string, string]> = [
    ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    [
      'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq',
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    ],
  ];
  for (const [input, expected] of vectors) {
    const digest = implementation(utf8(input));
    if (!(digest instanceof Uint8Array) || bytesToHex(digest) !== expected)
      throw new Error('installSha256: the implementation does not compute sha256');
  }
  sha256Implementation = implementation;
}

export function sha256(bytes: Uint8Array): Uint8Array {
  return sha256Implementation(bytes);
}

export function sha256Hex(bytes: Uint8Array): string {
  return bytesToHex(sha256Implementation(bytes));
}

/** The exact bytes an ed25519 signature covers. */
export function signingBytes(domain: string, chainId: string, message: Uint8Array): Uint8Array {
  const domainBytes = utf8(domain);
  const chainBytes = utf8(chainId);
  if (domainBytes.length === 0 || domainBytes.length > DOMAIN_BYTES_MAX) throw new Error(`domain length out of range`);
  if (chainBytes.length === 0 || chainBytes.length > CHAIN_ID_BYTES_MAX)
    throw new Error(`chain id length out of range`);
  return concatBytes(
    Uint8Array.of(domainBytes.length),
    domainBytes,
    Uint8Array.of(chainBytes.length),
    chainBytes,
    message,
  );
}

export interface KeyPair {
  /** 32-byte ed25519 seed, lowercase hex. Never leaves the node process. */
  secretKey: string;
  /** 32-byte ed25519 public key, lowercase hex: the identity of every role. */
  publicKey: string;
}

/** A new key pair from the platform's CSPRNG, or from a given 32-byte seed (tests, devnets). */
export function generateKeyPair(seed?: Uint8Array): KeyPair {
  const secret = seed ?? ed25519.utils.randomSecretKey();
  if (secret.length !== SECRET_KEY_BYTES) throw new Error('an ed25519 seed is 32 bytes');
  return { secretKey: bytesToHex(secret), publicKey: bytesToHex(ed25519.getPublicKey(secret)) };
}

export function publicKeyOf(secretKeyHex: string): string {
  return bytesToHex(ed25519.getPublicKey(hexToBytes(secretKeyHex)));
}

export function sign(secretKeyHex: string, domain: Domain, chainId: string, message: Uint8Array): string {
  return bytesToHex(ed25519.sign(signingBytes(domain, chainId, message), hexToBytes(secretKeyHex)));
}

/** Everything a verifier needs: the same shape for the noble and the node:crypto verifier. */
export interface SignatureCheck {
  publicKey: string;
  signature: string;
  domain: Domain;
  chainId: string;
  message: Uint8Array;
}

export type Verifier = (check: SignatureCheck) => boolean;

const HEX_64 = /^[0-9a-f]{64}$/;
const HEX_128 = /^[0-9a-f]{128}$/;

/**
 * Strict RFC 8032 verification (not ZIP-215): canonical S, canonical point encodings,
 * cofactorless equation. This is the rule OpenSSL applies, so the node's fast verifier
 * gives the same answer for every input (proved by test/unit/crypto-verifiers.test.ts).
 * Never throws: malformed keys or signatures are simply invalid.
 */
export const verify: Verifier = (check) => {
  if (!HEX_64.test(check.publicKey) || !HEX_128.test(check.signature)) return false;
  try {
    return ed25519.verify(
      hexToBytes(check.signature),
      signingBytes(check.domain, check.chainId, check.message),
      hexToBytes(check.publicKey),
      { zip215: false },
    );
  } catch {
    return false;
  }
};

export function isPublicKeyHex(value: unknown): value is string {
  return typeof value === 'string' && HEX_64.test(value);
}
