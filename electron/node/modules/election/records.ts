// An election's records as the node's state holds them at one head: what its API answers and
// its export's header hold.
import { ELECTION_LIMITS, ElectionKey } from '../../../../shared/modules/election/types.js';
import type {
  ComplaintEntry,
  ElectionDefinition,
  ElectionStatus,
  RollRecord,
  TallyRecord,
} from '../../../../shared/modules/election/types.js';
import type { Chain } from '../../chain/chain.js';

export type RecordsChain = Pick<Chain, 'head' | 'getRecord' | 'getMany'>;

const slots = (id: string, key: (id: string, trustee: number) => string, count: number) =>
  Array.from({ length: Math.min(count, ELECTION_LIMITS.trusteesMax) }, (_, i) => key(id, i + 1));

/** An election's records, read at one head (retried if a block commits in between). */
export async function electionRecords(chain: RecordsChain, id: string) {
  for (let attempt = 0; ; attempt++) {
    const height = chain.head.height;
    const definition = (await chain.getRecord(ElectionKey.definition(id))) as ElectionDefinition | undefined;
    if (!definition) return undefined;
    const records = await chain.getMany([
      ElectionKey.status(id),
      ElectionKey.roll(id),
      ElectionKey.tally(id),
      ElectionKey.complaints(id),
      ...slots(id, ElectionKey.dealing, definition.trustees.length),
      ...slots(id, ElectionKey.decryption, definition.trustees.length),
    ]);
    if (chain.head.height !== height && attempt < 5) continue;
    return {
      height,
      definition,
      status: records.get(ElectionKey.status(id)) as ElectionStatus,
      roll: records.get(ElectionKey.roll(id)) as RollRecord,
      tally: records.get(ElectionKey.tally(id)) as TallyRecord,
      complaints: (records.get(ElectionKey.complaints(id)) as ComplaintEntry[] | undefined) ?? [],
      dealings: definition.trustees
        .map((_, i) => ({ trustee: i + 1, record: records.get(ElectionKey.dealing(id, i + 1)) }))
        .filter((entry): entry is { trustee: number; record: { dealing: Uint8Array; height: number } } =>
          Boolean(entry.record),
        ),
      decrypted: definition.trustees
        .map((_, i) => i + 1)
        .filter((trustee) => records.has(ElectionKey.decryption(id, trustee))),
    };
  }
}

export type ElectionRecords = NonNullable<Awaited<ReturnType<typeof electionRecords>>>;
