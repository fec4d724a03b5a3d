// authority.rotate: an office moves to a new signing key and keeps its name, role, status,
// validator seat and history (docs/decisions.md #51). Approved like every authority change by
// more than 2/3 of active registrars; a planned rotation is signed by the old key as well, a
// lost key's by the registrars alone. A rotated key never signs again, for any transaction
// (`refuseRotatedSigners`, run before every transaction's rules).
import type { z } from 'zod';
import { reject, short } from '../../ledger/errors.js';
import type { RuleContext } from '../../ledger/module.js';
import type { AnyTransaction } from '../../ledger/primitives.js';
import { checkSignatures, requireSigner } from '../../ledger/signers.js';
import { authorityIndex, authorityOf, quorumOf, refuseRotatedKey } from './keeper.js';
import { existingAuthority, writeAuthority } from './rules.js';
import { AuthorityCode, FORMER_KEYS_MAX, type Authority, type authorityRotateTx } from './types.js';

export function applyAuthorityRotate(tx: z.output<typeof authorityRotateTx>, context: RuleContext): void {
  const { key, newKey, rotation, peerId } = tx.payload;
  const registrars = new Set(
    authorityIndex(context.state)
      .filter((entry) => entry.role === 'registrar' && entry.status === 'active')
      .map((entry) => entry.key),
  );
  const planned = rotation === 'planned';
  // REJECT: besides the registrars, only the old key of a planned rotation has a part in it.
  checkSignatures(tx, context, (signer) => registrars.has(signer) || (planned && signer === key));
  // REJECT: a planned rotation is the office's own act: its current key signs it.
  if (planned) requireSigner(tx, key, 'the rotating office');
  const approvals = tx.signatures.filter((entry) => registrars.has(entry.key)).length;
  const needed = quorumOf(registrars.size);
  // REJECT: a key change is an authority change: more than 2/3 of the active registrars approve it.
  if (approvals < needed)
    reject(AuthorityCode.quorumNotMet, `${approvals} of ${registrars.size} registrars signed; ${needed} are needed`);
  // REJECT (in existingAuthority): unknown, revoked or already rotated keys, or a stale version.
  const record = existingAuthority(context, key, tx.payload.version);
  // REJECT: a key is registered once; a key that ever belonged to anyone never returns.
  if (authorityOf(context.state, newKey))
    reject(AuthorityCode.authorityExists, `key ${short(newKey)} is already registered`);
  const formerKeys = [...(record.formerKeys ?? []), key];
  // REJECT: the lineage is bounded, so every check that follows it stays cheap.
  if (formerKeys.length > FORMER_KEYS_MAX)
    reject(AuthorityCode.tooManyRotations, `authority ${record.name} already rotated ${FORMER_KEYS_MAX} times`);
  // A record that rotation may reach is active or suspended, so it carries no rotatedTo.
  const successor: Authority = {
    ...record,
    key: newKey,
    version: 1,
    formerKeys,
    ...(peerId !== undefined ? { peerId } : {}),
  };
  // The successor first: rotating the only registrar must not look like leaving none.
  writeAuthority(context, successor, false); // the next write retires the old key and checks the set
  writeAuthority(context, { ...record, status: 'rotated', rotatedTo: newKey, rotation, version: record.version + 1 });
}

/**
 * Runs before every transaction's rules: a rotated key signs nothing, whatever the type
 * (the old key of an office can never sign for it again). The signers' records are in every
 * transaction's prefetch set (keysOfAny).
 */
export function refuseRotatedSigners(tx: AnyTransaction, context: RuleContext): void {
  for (const entry of tx.signatures) refuseRotatedKey(context.state, entry.key);
}
