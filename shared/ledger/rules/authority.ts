// authority.add / update / revoke: membership, governed by more than 2/3 of active registrars.
import { reject, RejectCode, short } from '../errors.js';
import { StateKey } from '../state.js';
import type { Authority, AuthorityIndexEntry, Transaction, TxOf } from '../types.js';
import { checkSignatures, type RuleContext } from './common.js';

/** Signatures needed from `registrarCount` registrars: strictly more than two thirds. */
export function quorumOf(registrarCount: number): number {
  return Math.floor((2 * registrarCount) / 3) + 1;
}

function checkQuorum(tx: Transaction, context: RuleContext): void {
  const registrars = new Set(
    context.state
      .authorityIndex()
      .filter((entry) => entry.role === 'registrar' && entry.status === 'active')
      .map((entry) => entry.key),
  );
  checkSignatures(tx, context, (key) => registrars.has(key));
  const needed = quorumOf(registrars.size);
  // REJECT: membership changes need more than 2/3 of the active registrars.
  if (tx.signatures.length < needed) {
    reject(
      RejectCode.quorumNotMet,
      `${tx.signatures.length} of ${registrars.size} registrars signed; ${needed} are needed`,
    );
  }
}

function writeAuthority(context: RuleContext, record: Authority): void {
  context.state.set(StateKey.authority(record.key), record);
  const entry: AuthorityIndexEntry = { key: record.key, role: record.role, status: record.status };
  const index = context.state.authorityIndex().filter((existing) => existing.key !== record.key);
  index.push(entry);
  index.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  // REJECT: a change that leaves no active registrar would lock governance forever.
  if (!index.some((existing) => existing.role === 'registrar' && existing.status === 'active')) {
    reject(RejectCode.noRegistrarsLeft, `this change would leave the chain with no active registrar`);
  }
  context.state.set(StateKey.authorityIndex, index);
}

function existingAuthority(context: RuleContext, key: string, expectedVersion: number): Authority {
  const record = context.state.authority(key);
  if (!record) reject(RejectCode.unknownAuthority, `key ${short(key)} is not a registered authority`);
  if (record.status === 'revoked') reject(RejectCode.authorityRevoked, `authority ${record.name} was revoked`);
  if (record.version !== expectedVersion) {
    reject(
      RejectCode.staleVersion,
      `authority ${record.name} changed since this was signed (version ${expectedVersion}, now ${record.version})`,
    );
  }
  return record;
}

export function applyAuthorityAdd(tx: TxOf<'authority.add'>, context: RuleContext): void {
  checkQuorum(tx, context);
  const { authority } = tx.payload;
  // REJECT: a key is registered once; a revoked key never returns.
  if (context.state.authority(authority.key))
    reject(RejectCode.authorityExists, `key ${short(authority.key)} is already registered`);
  writeAuthority(context, { ...authority, status: 'active', version: 1, sinceHeight: context.block.height });
}

export function applyAuthorityUpdate(tx: TxOf<'authority.update'>, context: RuleContext): void {
  checkQuorum(tx, context);
  const record = existingAuthority(context, tx.payload.key, tx.payload.version);
  writeAuthority(context, { ...record, ...tx.payload.changes, version: record.version + 1 });
}

export function applyAuthorityRevoke(tx: TxOf<'authority.revoke'>, context: RuleContext): void {
  checkQuorum(tx, context);
  const record = existingAuthority(context, tx.payload.key, tx.payload.version);
  writeAuthority(context, { ...record, status: 'revoked', version: record.version + 1 });
}
