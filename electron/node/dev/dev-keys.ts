// The dev chain's well-known keys (never for production), apart from the rest of the dev chain
// so that `notary keys dev-party` loads only the key code.
import { generateKeyPair, sha256, type KeyPair } from '../../../shared/crypto/index.js';

/** Deterministic dev key: sha256 of a label as the ed25519 seed. Public knowledge; dev only. */
export function devKey(label: string): KeyPair {
  return generateKeyPair(sha256(new TextEncoder().encode(`notary-dev-key:${label}`)));
}

export const devKeys = {
  registrar: devKey('registrar'),
  notary: devKey('notary'),
  bank: devKey('bank'),
};

export function devParty(index: number): KeyPair {
  return devKey(`party-${index}`);
}
