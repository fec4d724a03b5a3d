// A faster receipt verifier for pages that check many receipts (an auditor's, a commission's):
// libsodium's ed25519 (WebAssembly, the election's library) decides every signature it accepts,
// and the @noble verifier (verifier.ts) every one it refuses. Its answer is therefore exactly
// strict RFC 8032's, as receiptVerify's:
// - libsodium accepts only with S canonical (< L), A canonical and not of small order, R not of
//   small order, and R equal byte for byte to the canonical encoding of [S]B - [k]A. Then R is
//   canonical and R + [k]A - [S]B is the identity, so the cofactored equation @noble checks
//   holds too: whatever libsodium accepts, strict RFC 8032 accepts.
// - Whatever libsodium refuses goes to @noble, which alone decides (a signature with a
//   small-order R that the cofactored equation admits is accepted, as the chain accepted it).
// Honest signatures take the fast path; it allocates no BigInts, so a page's collector pauses
// less often (issue 15). test/unit/receipt-verifier.test.ts holds it equal on every vector.
import sodium from 'libsodium-wrappers-sumo';
import { hexToBytes } from '../codec/index.js';
import { signingBytes, type Verifier } from '../crypto/index.js';
import { receiptVerify } from './verifier.js';

const HEX_64 = /^[0-9a-f]{64}$/;
const HEX_128 = /^[0-9a-f]{128}$/;

/** Resolves once libsodium's WebAssembly has loaded. `fallback` judges what libsodium refuses. */
export async function createSodiumReceiptVerifier(fallback: Verifier = receiptVerify): Promise<Verifier> {
  await sodium.ready;
  return (check) => {
    if (!HEX_64.test(check.publicKey) || !HEX_128.test(check.signature)) return false;
    let accepted = false;
    try {
      accepted = sodium.crypto_sign_verify_detached(
        hexToBytes(check.signature),
        signingBytes(check.domain, check.chainId, check.message),
        hexToBytes(check.publicKey),
      );
    } catch {
      accepted = false;
    }
    return accepted || fallback(check);
  };
}
