// The property module's index rows beside the state: which parties own which objects
// (the node's party index, for "what does this person own"), from a block's writes.
import { PropertyKey, type Owner, type PropertyObject } from './types.js';

export interface PartyObjectRow {
  party: string;
  objectId: string;
  owns: boolean;
}

const OBJECT_PREFIX = PropertyKey.object('');

/** party -> object index rows that a block's writes add or remove. */
export function ownershipChanges(
  before: (key: string) => unknown,
  writes: ReadonlyArray<{ key: string; record: unknown }>,
): PartyObjectRow[] {
  const rows: PartyObjectRow[] = [];
  for (const write of writes) {
    if (!write.key.startsWith(OBJECT_PREFIX)) continue;
    const was = new Set(
      ((before(write.key) as PropertyObject | undefined)?.owners ?? []).map((owner: Owner) => owner.key),
    );
    const now = new Set(((write.record as PropertyObject | null)?.owners ?? []).map((owner: Owner) => owner.key));
    const objectId = write.key.slice(OBJECT_PREFIX.length);
    for (const party of was) if (!now.has(party)) rows.push({ party, objectId, owns: false });
    for (const party of now) if (!was.has(party)) rows.push({ party, objectId, owns: true });
  }
  return rows;
}
