// The election module's reads: an election's public record, the dealings on chain, a voter's
// tracker and the export. Its routes are in shared/modules/election/api.ts.
import type { ApiHandlerPart } from '../../../../shared/api/index.js';
import { bytesToHex } from '../../../../shared/codec/index.js';
import { ElectionKey, type CredentialRecord } from '../../../../shared/modules/election/types.js';
import type { ElectionView } from '../../../../shared/modules/election/api.js';
import { found } from '../../api/handlers/found.js';
import type { Chain } from '../../chain/chain.js';
import { electionExport } from './export.js';
import { electionRecords, type ElectionRecords, type RecordsChain } from './records.js';

export interface ElectionApiComponents {
  chain: RecordsChain & Pick<Chain, 'chainId' | 'getBlock'>;
}

function viewOf(records: ElectionRecords): ElectionView {
  const { definition, status, roll, tally, complaints } = records;
  const hex = (bytes: Uint8Array | undefined) => (bytes ? bytesToHex(bytes) : undefined);
  const optional = <K extends string, V>(key: K, value: V | undefined) =>
    (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;
  return {
    ...definition,
    phase: status.phase,
    ...optional('publicKey', hex(status.publicKey)),
    ...optional('verificationKeys', status.verificationKeys?.map(bytesToHex)),
    ...optional('qualified', status.qualified),
    ...optional('disqualified', status.disqualified),
    dealt: records.dealings.map((entry) => entry.trustee),
    complaints: complaints.map((entry) => ({
      dealer: entry.dealer,
      recipient: entry.recipient,
      answered: entry.share !== undefined,
      ...optional('share', hex(entry.share)),
    })),
    roll: {
      size: roll.size,
      districts: definition.districts.map((name, i) => ({ name, credentials: roll.districts[i] ?? 0 })),
    },
    ballots: tally.ballots,
    voters: tally.voters,
    totals: bytesToHex(tally.totals),
    decrypted: records.decrypted,
    ...optional('closedHeight', status.closedHeight),
    ...optional('counts', status.counts),
    ...optional('countedBy', status.trustees),
    ...optional('finalHeight', status.finalHeight),
  };
}

export function electionApi(components: ElectionApiComponents) {
  const { chain } = components;
  const noElection = (id: string) => `no election ${id} on this chain`;
  return {
    election: async ({ params: { id } }) => viewOf(found(await electionRecords(chain, id), noElection(id))),
    electionDealings: async ({ params: { id } }) => {
      const records = found(await electionRecords(chain, id), noElection(id));
      return {
        election: id,
        dealings: records.dealings.map(({ trustee, record }) => ({
          trustee,
          height: record.height,
          dealing: bytesToHex(record.dealing),
        })),
      };
    },
    electionCredential: async ({ params: { key } }) => {
      const record = found(
        (await chain.getRecord(ElectionKey.credential(key))) as CredentialRecord | undefined,
        `the credential ${key} is on no election's roll of this chain`,
      );
      return {
        credential: key,
        election: record.election,
        district: record.district,
        office: record.office,
        height: record.height,
        ...(record.ballot ? { ballot: { hash: record.ballot.hash, height: record.ballot.height } } : {}),
      };
    },
    electionExport: async ({ params: { id } }) => {
      const records = found(await electionRecords(chain, id), noElection(id));
      return {
        contentType: 'application/octet-stream',
        fileName: `election-${id}-${records.height}.export`,
        chunks: await electionExport(chain, records),
      };
    },
  } satisfies ApiHandlerPart;
}
