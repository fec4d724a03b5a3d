// Genesis: the chain id, the first authorities, the fee schedule and, optionally, the
// property objects carried over from the paper registry.
import { LedgerError, RejectCode } from './errors.js';
import * as schema from './schema.js';
import * as shares from './shares.js';
import { StateKey } from './state.js';
import type { Authority, AuthorityIndexEntry, Genesis, PropertyObject } from './types.js';
import { validatorsHash, validatorsOf } from './validators.js';

export function parseGenesis(value: unknown): Genesis {
  const result = schema.genesis.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new LedgerError(
      RejectCode.malformed,
      `not a valid genesis at ${issue?.path.join('.') ?? '?'}: ${issue?.message}`,
    );
  }
  return result.data;
}

/** The state of height 0, as sorted [key, record] pairs. */
export function genesisState(genesis: Genesis): Array<[string, unknown]> {
  const entries = new Map<string, unknown>();
  const index: AuthorityIndexEntry[] = [];
  for (const input of genesis.authorities) {
    // A genesis authority may start suspended (decision #26); it is then no validator.
    const record: Authority = { ...input, status: input.status ?? 'active', version: 1, sinceHeight: 0 };
    entries.set(StateKey.authority(record.key), record);
    index.push({ key: record.key, role: record.role, status: record.status });
  }
  index.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  if (!index.some((entry) => entry.role === 'registrar')) {
    throw new LedgerError(RejectCode.malformed, 'a genesis needs at least one registrar to govern the chain');
  }
  const validators = validatorsOf(index);
  if (validators.length === 0) throw new LedgerError(RejectCode.malformed, 'a genesis needs at least one validator');
  entries.set(StateKey.authorityIndex, index);
  entries.set(StateKey.validatorSchedule, [{ fromHeight: 0, validators }]);
  entries.set(StateKey.validatorSet(validatorsHash(validators)), validators);
  entries.set(StateKey.fees, genesis.feeSchedule);
  for (const object of genesis.properties ?? []) {
    const total = shares.sum(object.owners.map((owner) => owner.share));
    if (shares.compare(total, shares.ONE) !== 0) {
      throw new LedgerError(
        RejectCode.sharesMismatch,
        `genesis object ${object.id}: owners' shares do not add up to 1`,
      );
    }
    if (entries.has(StateKey.object(object.id)))
      throw new LedgerError(RejectCode.objectExists, `genesis lists object ${object.id} twice`);
    const record: PropertyObject = {
      ...object,
      owners: shares.normalizeOwners(object.owners),
      encumbrances: [],
      version: 1,
      registeredHeight: 0,
      updatedHeight: 0,
    };
    entries.set(StateKey.object(object.id), record);
  }
  return [...entries.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
