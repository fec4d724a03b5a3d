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
} as const;
export type Domain = (typeof Domain)[keyof typeof Domain];

export function sha256(bytes: Uint8Array): Uint8Array {
  return nobleSha256(bytes);
}

export function sha256Hex(bytes: Uint8Array): string {
  return bytesToHex(nobleSha256(bytes));
}

/** The exact bytes an ed25519 signature covers. */
export function signingBytes(domain: string, chainId: string, message: Uint8Array): Uint8Array {
  const domainBytes = utf8(domain);
  const chainBytes = utf8(chainId);
  if (domainBytes.length === 0 || domainBytes.length > DOMAIN_BYTES_MAX) throw new Error(`domain length out of range`);
  if (chainBytes.length === 0 || chainBytes.length > CHAIN_ID_BYTES_MAX) throw new Error(`chain id length out of range`);
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
