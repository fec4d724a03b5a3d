// What others may read of the election module (Cosmos: its keeper): an election's
// definition, status, roll, tally and a credential's record, and the keys those read. The
// node's API (part 2) and the verifier's export read through these.
import type { StateReader } from '../../ledger/overlay.js';
import {
  ELECTION_LIMITS,
  ElectionKey,
  type ComplaintEntry,
  type CredentialRecord,
  type ElectionDefinition,
  type ElectionStatus,
  type RollRecord,
  type TallyRecord,
} from './types.js';

export function electionOf(state: StateReader, id: string): ElectionDefinition | undefined {
  return state.get(ElectionKey.definition(id)) as ElectionDefinition | undefined;
}

export function electionStatusOf(state: StateReader, id: string): ElectionStatus | undefined {
  return state.get(ElectionKey.status(id)) as ElectionStatus | undefined;
}

export function rollOf(state: StateReader, id: string): RollRecord | undefined {
  return state.get(ElectionKey.roll(id)) as RollRecord | undefined;
}

export function tallyOf(state: StateReader, id: string): TallyRecord | undefined {
  return state.get(ElectionKey.tally(id)) as TallyRecord | undefined;
}

export function complaintsOf(state: StateReader, id: string): ComplaintEntry[] {
  return (state.get(ElectionKey.complaints(id)) as ComplaintEntry[] | undefined) ?? [];
}

/** A credential's record: its election, district, office and last ballot's tracker. */
export function credentialOf(state: StateReader, key: string): CredentialRecord | undefined {
  return state.get(ElectionKey.credential(key)) as CredentialRecord | undefined;
}

/** The keys of one election's own records (definition, status, roll, tally, complaints). */
export function electionReads(id: string): string[] {
  return [
    ElectionKey.definition(id),
    ElectionKey.status(id),
    ElectionKey.roll(id),
    ElectionKey.tally(id),
    ElectionKey.complaints(id),
  ];
}

/** Every trustee slot's key of a family (dealings, decryptions): the rules' keysOf cannot read n. */
export function trusteeSlotReads(key: (trustee: number) => string): string[] {
  return Array.from({ length: ELECTION_LIMITS.trusteesMax }, (_, i) => key(i + 1));
}
