// What other modules may read of the authority module (Cosmos: the keeper that
// expected_keepers.go names): an authority's record and standing, and the validator set.
// Other modules never read `auth/` or `cfg/` keys themselves.
import { reject, short } from '../../ledger/errors.js';
import type { RuleContext } from '../../ledger/module.js';
import type { StateReader } from '../../ledger/overlay.js';
import type { AnyTransaction } from '../../ledger/primitives.js';
import { checkSignatures } from '../../ledger/signers.js';
import {
  AuthorityCode,
  AuthorityKey,
  type Authority,
  type AuthorityIndexEntry,
  type Role,
  type ValidatorSchedule,
} from './types.js';

export { validatorsAt, validatorsHash, validatorsOf, VALIDATOR_SET_DELAY_BLOCKS } from './validators.js';

export function authorityOf(state: StateReader, key: string): Authority | undefined {
  return state.get(AuthorityKey.authority(key)) as Authority | undefined;
}

/** The keys `authorityOf` and `activeAuthority` read for `key`: for a rule's `keysOf`. */
export function authorityReads(key: string): string[] {
  return [AuthorityKey.authority(key)];
}

/** The authority with this key when it is active in one of `roles`. */
export function activeAuthority(state: StateReader, key: string, roles: readonly Role[]): Authority | undefined {
  const record = authorityOf(state, key);
  if (!record || record.status !== 'active' || !roles.includes(record.role)) return undefined;
  return record;
}

export function authorityIndex(state: StateReader): AuthorityIndexEntry[] {
  return (state.get(AuthorityKey.authorityIndex) as AuthorityIndexEntry[] | undefined) ?? [];
}

export function validatorSchedule(state: StateReader): ValidatorSchedule {
  return (state.get(AuthorityKey.validatorSchedule) as ValidatorSchedule | undefined) ?? [];
}

/** The key every module's rules read to know the validator set (prefetched for every block). */
export const validatorScheduleKey = AuthorityKey.validatorSchedule;

/** Signatures needed from `registrarCount` registrars: strictly more than two thirds. */
export function quorumOf(registrarCount: number): number {
  return Math.floor((2 * registrarCount) / 3) + 1;
}

/**
 * Governance's quorum: every signature verifies and is an active registrar's, and more than
 * 2/3 of the active registrars signed. REJECT UNEXPECTED_SIGNER / BAD_SIGNATURE / QUORUM_NOT_MET.
 */
export function checkRegistrarQuorum(tx: AnyTransaction, context: RuleContext): void {
  const registrars = new Set(
    authorityIndex(context.state)
      .filter((entry) => entry.role === 'registrar' && entry.status === 'active')
      .map((entry) => entry.key),
  );
  checkSignatures(tx, context, (key) => registrars.has(key));
  const needed = quorumOf(registrars.size);
  // REJECT: governance needs more than 2/3 of the active registrars.
  if (tx.signatures.length < needed) {
    reject(
      AuthorityCode.quorumNotMet,
      `${tx.signatures.length} of ${registrars.size} registrars signed; ${needed} are needed`,
    );
  }
}

/**
 * True when `signer` is `key`, or the office that held `key` before rotating to `signer`
 * (authority.rotate): records that name an office's old key (an encumbrance's holder) stay
 * its own. Reads only the signer's record, which every transaction prefetches (keysOfAny).
 */
export function actsFor(state: StateReader, signer: string, key: string): boolean {
  if (signer === key) return true;
  return authorityOf(state, signer)?.formerKeys?.includes(key) ?? false;
}

/** The office's identity: its first key, which stays with it through every rotation. */
export function officeIdentity(record: Authority): string {
  return record.formerKeys?.[0] ?? record.key;
}

/** REJECT KEY_ROTATED when `key` is an office's rotated key (a transfer's consents use it too). */
export function refuseRotatedKey(state: StateReader, key: string): void {
  const record = authorityOf(state, key);
  // REJECT: an office's old key never signs again once it rotated.
  if (record?.status === 'rotated') {
    reject(
      AuthorityCode.keyRotated,
      `key ${short(key)} of ${record.name} was rotated to ${short(record.rotatedTo ?? '')} and signs nothing any more`,
    );
  }
}
