// The authority module: who takes part (registrars, notaries, observers such as banks and
// courts), governed by more than 2/3 of active registrars; and, as its end-of-block step,
// the validator schedule (changes take effect at height H + 2). An office may rotate its
// key (rotation.ts).
import { LedgerError, KernelCode } from '../../ledger/errors.js';
import { defineModule, defineTx } from '../../ledger/module.js';
import { authorityIndex, validatorSchedule } from './keeper.js';
import { applyAuthorityAdd, applyAuthorityRevoke, applyAuthorityUpdate } from './rules.js';
import * as types from './types.js';
import { AuthorityKey, type Authority, type AuthorityIndexEntry } from './types.js';
import { applyAuthorityRotate, refuseRotatedSigners } from './rotation.js';
import { nextValidatorSchedule, validatorsHash, validatorsOf } from './validators.js';

export const authorityModule = defineModule({
  name: 'authority',
  describe: 'Registrars, notaries and observers, and the validator set, governed by registrars',
  uses: [],
  prefixes: [
    { prefix: 'auth/', schema: types.authority, describe: 'an authority by its public key' },
    { prefix: AuthorityKey.authorityIndex, exact: true, schema: types.authorityIndex, describe: 'every authority' },
    {
      prefix: AuthorityKey.validatorSchedule,
      exact: true,
      schema: types.validatorSchedule,
      describe: 'the validator sets in force and scheduled (H + 2)',
    },
    { prefix: 'vset/', schema: types.validatorSet, describe: 'every validator set ever scheduled, by its hash' },
  ],
  txs: [
    defineTx('authority.add', types.authorityAddTx, {
      describe: 'Adds a registrar, notary or observer (signed by more than 2/3 of active registrars)',
      keysOf: (tx) => [AuthorityKey.authority(tx.payload.authority.key)],
      apply: applyAuthorityAdd,
    }),
    defineTx('authority.update', types.authorityUpdateTx, {
      describe: "Changes an authority's role, name, status, peer id or (from protocol 2) whether it is a validator",
      keysOf: (tx) => [AuthorityKey.authority(tx.payload.key)],
      apply: applyAuthorityUpdate,
    }),
    defineTx('authority.revoke', types.authorityRevokeTx, {
      describe: 'Revokes an authority for good',
      keysOf: (tx) => [AuthorityKey.authority(tx.payload.key)],
      apply: applyAuthorityRevoke,
    }),
    // Enabled from protocol version 2 once the gov branch's `sinceProtocol` is on main.
    defineTx('authority.rotate', types.authorityRotateTx, {
      describe: 'An office moves to a new signing key and keeps its identity, role, seat and history',
      sinceProtocol: 2,
      keysOf: (tx) => [AuthorityKey.authority(tx.payload.key), AuthorityKey.authority(tx.payload.newKey)],
      apply: applyAuthorityRotate,
    }),
  ],
  codes: types.AUTHORITY_CODES,
  // Every transaction's signers and the validator set: a waiting transaction is checked
  // again when its signer's standing changes.
  keysOfAny: (tx) => [
    AuthorityKey.authorityIndex,
    AuthorityKey.validatorSchedule,
    ...tx.signatures.map((entry) => AuthorityKey.authority(entry.key)),
  ],
  // A rotated key signs nothing, for any transaction type (decision #51).
  beforeTx: refuseRotatedSigners,
  genesis: {
    shape: types.authorityGenesis,
    init(genesis, writes) {
      const index: AuthorityIndexEntry[] = [];
      for (const input of genesis.authorities) {
        // A genesis authority may start suspended (decision #26); it is then no validator.
        const record: Authority = { ...input, status: input.status ?? 'active', version: 1, sinceHeight: 0 };
        if (record.role === 'observer' && record.validator === true)
          throw new LedgerError(KernelCode.malformed, `genesis observer ${record.name} cannot be a validator`);
        writes.set(AuthorityKey.authority(record.key), record);
        index.push({
          ...{ key: record.key, role: record.role, status: record.status },
          ...(record.validator !== undefined ? { validator: record.validator } : {}),
        });
      }
      index.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      if (!index.some((entry) => entry.role === 'registrar')) {
        throw new LedgerError(KernelCode.malformed, 'a genesis needs at least one registrar to govern the chain');
      }
      const validators = validatorsOf(index);
      if (validators.length === 0)
        throw new LedgerError(KernelCode.malformed, 'a genesis needs at least one validator');
      writes.set(AuthorityKey.authorityIndex, index);
      writes.set(AuthorityKey.validatorSchedule, [{ fromHeight: 0, validators }]);
      writes.set(AuthorityKey.validatorSet(validatorsHash(validators)), validators);
    },
  },
  endBlock(state, block) {
    // The validator schedule takes in the block's authority changes, effective at height + 2.
    const schedule = nextValidatorSchedule(validatorSchedule(state), authorityIndex(state), block.height);
    if (schedule) {
      state.set(AuthorityKey.validatorSchedule, schedule);
      const scheduled = schedule[schedule.length - 1]!.validators;
      state.set(AuthorityKey.validatorSet(validatorsHash(scheduled)), scheduled);
    }
  },
});
