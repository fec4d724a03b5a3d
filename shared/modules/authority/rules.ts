// authority.add / update / revoke: membership, governed by more than 2/3 of active registrars.
import { KernelCode, reject, short } from '../../ledger/errors.js';
import type { RuleContext } from '../../ledger/module.js';
import { authorityIndex, authorityOf, checkRegistrarQuorum } from './keeper.js';
import { validatorsOf } from './validators.js';
import {
  AuthorityCode,
  AuthorityKey,
  type Authority,
  type AuthorityIndexEntry,
  type authorityAddTx,
  type authorityRevokeTx,
  type authorityUpdateTx,
} from './types.js';
import type { z } from 'zod';

/** From this protocol version authorities are designated validators by governance (REQ-VAL.1). */
export const DESIGNATION_SINCE_PROTOCOL = 2;

/**
 * Writes an authority's record and index entry. `checkValidators` false: a step of a change
 * whose next write settles the validator set (a rotation writes the new record, then retires
 * the old one; between the two the office counts twice).
 */
export function writeAuthority(context: RuleContext, record: Authority, checkValidators = true): void {
  // REJECT: an observer certifies nothing and never votes.
  if (record.role === 'observer' && record.validator === true) {
    reject(AuthorityCode.observerNotValidator, `${record.name} is an observer and cannot be a validator`);
  }
  context.state.set(AuthorityKey.authority(record.key), record);
  const entry: AuthorityIndexEntry = {
    ...{ key: record.key, role: record.role, status: record.status },
    ...(record.validator !== undefined ? { validator: record.validator } : {}),
  };
  const before = authorityIndex(context.state);
  const index = before.filter((existing) => existing.key !== record.key);
  index.push(entry);
  index.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  // REJECT: a change that leaves no active registrar would lock governance forever.
  if (!index.some((existing) => existing.role === 'registrar' && existing.status === 'active')) {
    reject(AuthorityCode.noRegistrarsLeft, `this change would leave the chain with no active registrar`);
  }
  if (checkValidators) checkValidatorSet(context, validatorsOf(before).length, validatorsOf(index).length);
  context.state.set(AuthorityKey.authorityIndex, index);
}

function checkValidatorSet(context: RuleContext, before: number, after: number): void {
  // REJECT: with no validator no block is ever made again. (Cannot happen on a chain without
  // designations: an active registrar always remains, and votes.)
  if (after === 0) reject(AuthorityCode.noValidatorsLeft, 'this change would leave the chain with no validator');
  const { maxValidators } = context.params;
  // REJECT: the set is bounded (vote traffic grows with its square); a set above the bound,
  // such as a legacy one, may still shrink.
  if (context.protocol >= DESIGNATION_SINCE_PROTOCOL && after > before && after > maxValidators) {
    reject(
      AuthorityCode.tooManyValidators,
      `this change would make ${after} validators; the chain allows at most ${maxValidators}`,
    );
  }
}

/** REJECT NOT_YET_ENABLED: `validator` given before designation exists. */
function checkDesignationEnabled(context: RuleContext, validator: boolean | undefined): void {
  if (validator !== undefined && context.protocol < DESIGNATION_SINCE_PROTOCOL) {
    reject(
      KernelCode.notYetEnabled,
      `designating validators comes with protocol version ${DESIGNATION_SINCE_PROTOCOL}; this chain runs version ${context.protocol}`,
    );
  }
}

export function existingAuthority(context: RuleContext, key: string, expectedVersion: number): Authority {
  const record = authorityOf(context.state, key);
  if (!record) reject(AuthorityCode.unknownAuthority, `key ${short(key)} is not a registered authority`);
  if (record.status === 'revoked') reject(AuthorityCode.authorityRevoked, `authority ${record.name} was revoked`);
  // REJECT: a rotated record never changes again; the office lives under its new key.
  if (record.status === 'rotated')
    reject(AuthorityCode.keyRotated, `authority ${record.name} moved to key ${short(record.rotatedTo ?? '')}`);
  if (record.version !== expectedVersion) {
    reject(
      KernelCode.staleVersion,
      `authority ${record.name} changed since this was signed (version ${expectedVersion}, now ${record.version})`,
    );
  }
  return record;
}

export function applyAuthorityAdd(tx: z.output<typeof authorityAddTx>, context: RuleContext): void {
  checkRegistrarQuorum(tx, context);
  const { authority } = tx.payload;
  // REJECT: a key is registered once; a revoked key never returns.
  if (authorityOf(context.state, authority.key))
    reject(AuthorityCode.authorityExists, `key ${short(authority.key)} is already registered`);
  checkDesignationEnabled(context, authority.validator);
  const record: Authority = { ...authority, status: 'active', version: 1, sinceHeight: context.block.height };
  // From protocol 2 every new record says whether it votes: by default it follows without voting.
  if (context.protocol >= DESIGNATION_SINCE_PROTOCOL) record.validator = authority.validator ?? false;
  writeAuthority(context, record);
}

export function applyAuthorityUpdate(tx: z.output<typeof authorityUpdateTx>, context: RuleContext): void {
  checkRegistrarQuorum(tx, context);
  checkDesignationEnabled(context, tx.payload.changes.validator);
  const record = existingAuthority(context, tx.payload.key, tx.payload.version);
  writeAuthority(context, { ...record, ...tx.payload.changes, version: record.version + 1 });
}

export function applyAuthorityRevoke(tx: z.output<typeof authorityRevokeTx>, context: RuleContext): void {
  checkRegistrarQuorum(tx, context);
  const record = existingAuthority(context, tx.payload.key, tx.payload.version);
  writeAuthority(context, { ...record, status: 'revoked', version: record.version + 1 });
}
