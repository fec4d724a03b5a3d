// Share transport between trustees (docs/elections.md A.6): s_ij sealed with libsodium's
// sealed box to trustee j's X25519 key. The plaintext names the election, dealer and recipient,
// so a box copied to another slot or election is refused when opened.
import { bytesEqual, decode, encode } from '../../codec/index.js';
import type { DealerSecret, DkgParameters } from './dkg.js';
import { shareFor } from './dkg.js';
import { fail } from './errors.js';
import { isCanonicalScalar, type Group } from './group.js';
import type { SealedBoxes } from './group-sodium.js';

export const SEALED_SHARE_BYTES_MAX = 256;

export interface SealedShare {
  recipient: number;
  box: Uint8Array;
}

/** Seals f_i(j) for every other trustee j, in ascending order of j. */
export function sealShares(
  group: Group,
  boxes: SealedBoxes,
  parameters: DkgParameters,
  secret: DealerSecret,
  transportKeys: readonly Uint8Array[],
): SealedShare[] {
  if (transportKeys.length !== parameters.trustees) throw new RangeError('one transport key per trustee');
  const sealed: SealedShare[] = [];
  for (let j = 1; j <= parameters.trustees; j++) {
    if (j === secret.dealer) continue;
    const plaintext = encode({ e: parameters.electionId, i: secret.dealer, j, s: shareFor(group, secret, j) });
    sealed.push({ recipient: j, box: boxes.seal(plaintext, transportKeys[j - 1] as Uint8Array) });
  }
  return sealed;
}

/** Opens dealer i's share for trustee j; throws ELECTION_DKG_SHARE_INVALID (then j complains). */
export function openShare(
  boxes: SealedBoxes,
  parameters: DkgParameters,
  dealer: number,
  sealed: SealedShare,
  keyPair: { publicKey: Uint8Array; secretKey: Uint8Array },
): Uint8Array {
  const position = { dealer, trustee: sealed.recipient };
  const invalid = (why: string): never =>
    fail('ELECTION_DKG_SHARE_INVALID', `the share dealer ${dealer} sent trustee ${sealed.recipient} ${why}`, position);
  if (sealed.box.length > SEALED_SHARE_BYTES_MAX) invalid('is too long');
  const plaintext = boxes.open(sealed.box, keyPair.publicKey, keyPair.secretKey);
  if (plaintext === undefined) return invalid('does not open');
  let value: unknown;
  try {
    value = decode(plaintext, SEALED_SHARE_BYTES_MAX);
  } catch {
    return invalid('is not canonical CBOR');
  }
  const fields = value as { e?: unknown; i?: unknown; j?: unknown; s?: unknown };
  // REJECT: a share made for another election or another slot
  if (
    typeof value !== 'object' ||
    value === null ||
    Object.keys(value).length !== 4 ||
    !(fields.e instanceof Uint8Array) ||
    !bytesEqual(fields.e, parameters.electionId) ||
    fields.i !== dealer ||
    fields.j !== sealed.recipient
  ) {
    return invalid('names another election, dealer or recipient');
  }
  if (!(fields.s instanceof Uint8Array) || !isCanonicalScalar(fields.s)) return invalid('is not a canonical scalar');
  return fields.s;
}
