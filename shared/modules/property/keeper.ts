// What other modules may read and write of the property module (Cosmos: the keeper that
// expected_keepers.go names): objects and the fee schedule. The encumbrance module changes
// an object's encumbrances only through `updateObject`; no module reads `obj/` keys itself.
import { KernelCode, LedgerError, reject } from '../../ledger/errors.js';
import type { StateOverlay, StateReader } from '../../ledger/overlay.js';
import * as shares from './shares.js';
import { PropertyCode, PropertyKey, type FeeSchedule, type PropertyObject, type registerPayload } from './types.js';
import type { z } from 'zod';

/** The state record of an object carried over at genesis (its owners' shares must make 1). */
export function genesisObjectRecord(object: z.output<typeof registerPayload>['object']): PropertyObject {
  const total = shares.sum(object.owners.map((owner) => owner.share));
  if (shares.compare(total, shares.ONE) !== 0) {
    throw new LedgerError(
      PropertyCode.sharesMismatch,
      `genesis object ${object.id}: owners' shares do not add up to 1`,
    );
  }
  return {
    ...object,
    owners: shares.normalizeOwners(object.owners),
    encumbrances: [],
    version: 1,
    registeredHeight: 0,
    updatedHeight: 0,
  };
}

/** A correction's `changes`: only the fields given. */
export function correctionChanges(given: { address?: string | undefined; areaDm2?: number | undefined }): {
  address?: string;
  areaDm2?: number;
} {
  return {
    ...(given.address !== undefined ? { address: given.address } : {}),
    ...(given.areaDm2 !== undefined ? { areaDm2: given.areaDm2 } : {}),
  };
}

/** The key of an object's record: for receipts and state proofs, which prove the record itself. */
export const objectKey = PropertyKey.object;

/** The keys `objectOf`, `existingObject` and `updateObject` read or write: for a rule's `keysOf`. */
export function objectReads(id: string): string[] {
  return [PropertyKey.object(id)];
}

export function objectOf(state: StateReader, id: string): PropertyObject | undefined {
  return state.get(PropertyKey.object(id)) as PropertyObject | undefined;
}

/** The object at the version its signers saw, or REJECT UNKNOWN_OBJECT / STALE_VERSION. */
export function existingObject(state: StateReader, id: string, expectedVersion: number): PropertyObject {
  const object = objectOf(state, id);
  if (!object) reject(PropertyCode.unknownObject, `object ${id} is not in the registry`);
  if (object.version !== expectedVersion) {
    reject(
      KernelCode.staleVersion,
      `object ${id} changed at height ${object.updatedHeight} since this was signed (version ${expectedVersion}, now ${object.version})`,
    );
  }
  return object;
}

/** Writes a changed object, bumping its version: every change does (optimistic concurrency). */
export function updateObject(
  state: StateOverlay,
  object: PropertyObject,
  changes: Partial<Pick<PropertyObject, 'owners' | 'encumbrances' | 'address' | 'areaDm2'>>,
  height: number,
): PropertyObject {
  const updated: PropertyObject = { ...object, ...changes, version: object.version + 1, updatedHeight: height };
  state.set(PropertyKey.object(object.id), updated);
  return updated;
}

export function fees(state: StateReader): FeeSchedule {
  const schedule = state.get(PropertyKey.fees) as FeeSchedule | undefined;
  if (!schedule) throw new LedgerError(KernelCode.malformed, 'the chain has no fee schedule');
  return schedule;
}

/** State duty owed on a contract price: max(minimum, ceil(price x rate)), in minor units. */
export function dutyOwedMinor(schedule: FeeSchedule, priceMinor: number): number {
  const proportional = (BigInt(priceMinor) * BigInt(schedule.dutyRateBasisPoints) + 9_999n) / 10_000n;
  const owed = proportional > BigInt(schedule.dutyMinimumMinor) ? proportional : BigInt(schedule.dutyMinimumMinor);
  return Number(owed);
}

export function formatMinor(amountMinor: number): string {
  return `${Math.floor(amountMinor / 100)}.${String(amountMinor % 100).padStart(2, '0')}`;
}
