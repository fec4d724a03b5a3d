// The desk's session, in memory: the election and district chosen and the public keys taken
// this session with where each stands. Only public keys not yet sent are kept in the tab's
// sessionStorage, so a reload loses none; a secret key is never stored here (print.tsx).
import { useSyncExternalStore } from 'react';

export type EntrySource = 'camera' | 'photo' | 'typed' | 'printed';
export interface DeskEntry {
  key: string;
  source: EntrySource;
  /** Where it was taken for: a key is registered only in the election and district it was taken for. */
  election: string;
  district: string;
  /** The register transaction that carries it, once sent. */
  txHash?: string;
}
export interface DeskState {
  election: string | null;
  district: string | null;
  entries: DeskEntry[];
}

/** A desk session's list is bounded: a day at one desk is a few hundred voters. */
export const DESK_ENTRIES_MAX = 2_000;
const STORAGE_KEY = 'notary.electionDesk';

let state: DeskState = restore();
const listeners = new Set<() => void>();

function restore(): DeskState {
  try {
    const raw = globalThis.sessionStorage?.getItem(STORAGE_KEY);
    const saved = raw ? (JSON.parse(raw) as Partial<DeskState>) : {};
    const entries = Array.isArray(saved.entries)
      ? saved.entries
          .filter(
            (entry): entry is DeskEntry =>
              typeof entry?.key === 'string' &&
              /^[0-9a-f]{64}$/.test(entry.key) &&
              typeof entry.election === 'string' &&
              typeof entry.district === 'string',
          )
          .slice(0, DESK_ENTRIES_MAX)
      : [];
    return {
      election: typeof saved.election === 'string' ? saved.election : null,
      district: typeof saved.district === 'string' ? saved.district : null,
      entries,
    };
  } catch {
    return { election: null, district: null, entries: [] };
  }
}

function set(next: DeskState): void {
  state = next;
  try {
    globalThis.sessionStorage?.setItem(
      STORAGE_KEY,
      JSON.stringify({
        ...next,
        entries: next.entries.map(({ key, source, election, district, txHash }) => ({
          key,
          source,
          election,
          district,
          txHash,
        })),
      }),
    );
  } catch {
    // storage full or denied: the session stays in memory
  }
  for (const listener of listeners) listener();
}

export const desk = {
  get: () => state,
  subscribe(listener: () => void) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  /** Another election or district shows its own list; the keys taken for the others stay theirs. */
  choose(election: string | null, district: string | null) {
    set({ ...state, election, district });
  },
  /** Adds a key for the election and district chosen; answers why not when it cannot. */
  add(
    key: string,
    source: EntrySource,
    where?: { election: string; district: string },
  ): 'added' | 'duplicate' | 'full' {
    const election = where?.election ?? state.election;
    const district = where?.district ?? state.district;
    if (election === null || district === null) return 'full';
    // a credential is unique across every election of the chain (B.2.5), so across the whole list
    if (state.entries.some((entry) => entry.key === key)) return 'duplicate';
    if (state.entries.length >= DESK_ENTRIES_MAX) return 'full';
    set({ ...state, entries: [...state.entries, { key, source, election, district }] });
    return 'added';
  },
  remove(key: string) {
    set({ ...state, entries: state.entries.filter((entry) => entry.key !== key || entry.txHash) });
  },
  sent(keys: readonly string[], txHash: string) {
    const batch = new Set(keys);
    set({ ...state, entries: state.entries.map((entry) => (batch.has(entry.key) ? { ...entry, txHash } : entry)) });
  },
  /** A refused batch goes back to waiting, so the desk can remove the key named and send again. */
  unsend(txHash: string) {
    set({
      ...state,
      entries: state.entries.map((entry) =>
        entry.txHash === txHash
          ? { key: entry.key, source: entry.source, election: entry.election, district: entry.district }
          : entry,
      ),
    });
  },
  clearSent() {
    set({ ...state, entries: state.entries.filter((entry) => !entry.txHash) });
  },
};

/** The entries of the election and district chosen. */
export function chosenEntries(current: DeskState): DeskEntry[] {
  return current.entries.filter((entry) => entry.election === current.election && entry.district === current.district);
}

export function useDesk(): DeskState {
  return useSyncExternalStore(desk.subscribe, desk.get, desk.get);
}
