// authority.add / update / revoke: membership, governed by more than 2/3 of active registrars.
import { KernelCode, reject, short } from '../../ledger/errors.js';
import type { RuleContext } from '../../ledger/module.js';
import type { AnyTransaction } from '../../ledger/primitives.js';
import { checkSignatures } from '../../ledger/signers.js';
import { authorityIndex, authorityOf, quorumOf } from './keeper.js';
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

function checkQuorum(tx: AnyTransaction, context: RuleContext): void {
  const registrars = new Set(
    authorityIndex(context.state)
      .filter((entry) => entry.role === 'registrar' && entry.status === 'active')
      .map((entry) => entry.key),
  );
  checkSignatures(tx, context, (key) => registrars.has(key));
  const needed = quorumOf(registrars.size);
  // REJECT: membership changes need more than 2/3 of the active registrars.
  if (tx.signatures.length < needed) {
    reject(
      AuthorityCode.quorumNotMet,
      `${tx.signatures.length} of ${registrars.size} registrars signed; ${needed} are needed`,
    );
  }
}

export function writeAuthority(context: RuleContext, record: Authority): void {
  context.state.set(AuthorityKey.authority(record.key), record);
  const entry: AuthorityIndexEntry = { key: record.key, role: record.role, status: record.status };
  const index = authorityIndex(context.state).filter((existing) => existing.key !== record.key);
  index.push(entry);
  index.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  // REJECT: a change that leaves no active registrar would lock governance forever.
  if (!index.some((existing) => existing.role === 'registrar' && existing.status === 'active')) {
    reject(AuthorityCode.noRegistrarsLeft, `this change would leave the chain with no active registrar`);
  }
  context.state.set(AuthorityKey.authorityIndex, index);
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
  checkQuorum(tx, context);
  const { authority } = tx.payload;
  // REJECT: a key is registered once; a revoked key never returns.
  if (authorityOf(context.state, authority.key))
    reject(AuthorityCode.authorityExists, `key ${short(authority.key)} is already registered`);
  writeAuthority(context, { ...authority, status: 'active', version: 1, sinceHeight: context.block.height });
}

export function applyAuthorityUpdate(tx: z.output<typeof authorityUpdateTx>, context: RuleContext): void {
  checkQuorum(tx, context);
  const record = existingAuthority(context, tx.payload.key, tx.payload.version);
  writeAuthority(context, { ...record, ...tx.payload.changes, version: record.version + 1 });
}

export function applyAuthorityRevoke(tx: z.output<typeof authorityRevokeTx>, context: RuleContext): void {
  checkQuorum(tx, context);
  const record = existingAuthority(context, tx.payload.key, tx.payload.version);
  writeAuthority(context, { ...record, status: 'revoked', version: record.version + 1 });
}
