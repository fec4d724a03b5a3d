// The election module's reads: an election's public record, the dealings on chain, a voter's
// tracker and the export. Its routes are in shared/modules/election/api.ts.
import type { ApiHandlerPart } from '../../../../shared/api/index.js';
import { randomInt } from 'node:crypto';
import { parseTransaction, signTransaction, type UnsignedTransaction } from '../../../../shared/ledger/index.js';
import type { NodeConfig } from '../../config.js';
import type { SigningKey } from '../../keystore/signing-key.js';
import type { Clock } from '../../lifecycle/clock.js';
import type { DamageWatch } from '../../store/damage-watch.js';
import { ELECTIONS_LIST_MAX } from '../../../../shared/modules/election/api.js';
import { ApiError } from '../../api/errors.js';
import type { Submissions } from '../../mempool/submissions.js';
import type { ElectionBoard } from './board.js';
import { bytesToHex } from '../../../../shared/codec/index.js';
import { ElectionKey, type CredentialRecord } from '../../../../shared/modules/election/types.js';
import type { ElectionView } from '../../../../shared/modules/election/api.js';
import { found } from '../../api/handlers/found.js';
import type { Chain } from '../../chain/chain.js';
import { electionExport } from './export.js';
import { electionRecords, type ElectionRecords, type RecordsChain } from './records.js';

export interface ElectionApiComponents {
  chain: RecordsChain & Pick<Chain, 'chainId' | 'getBlock'>;
  board: Pick<ElectionBoard, 'from' | 'height' | 'elections' | 'page' | 'turnout'>;
  submissions: Pick<Submissions, 'submit'>;
  config: Pick<NodeConfig, 'role'>;
  signingKey: SigningKey | null;
  clock: Pick<Clock, 'now'>;
  damage: Pick<DamageWatch, 'refuse'>;
}

/** How long an election transaction the node signs stays valid: an hour (its steps are timed). */
const OFFICE_TX_LIFETIME_MS = 3_600_000;

const HOUR_MS = 3_600_000;

export function viewOf(records: ElectionRecords): ElectionView {
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

/** Signs an election step with this office's key and submits it; the ledger checks who may. */
export function officeSigner(
  components: Pick<ElectionApiComponents, 'chain' | 'submissions' | 'config' | 'signingKey' | 'clock' | 'damage'>,
) {
  const { chain, submissions, config, signingKey, clock, damage } = components;
  return async (type: string, payload: object) => {
    damage.refuse();
    const key = officeKeyOf(config, signingKey);
    const unsigned = {
      type,
      chainId: chain.chainId,
      expiresAtMs: clock.now() + OFFICE_TX_LIFETIME_MS,
      nonce: randomInt(0, 2 ** 47),
      payload,
    } as unknown as UnsignedTransaction;
    // the ledger's own checks (NOT_AUTHORIZED, ELECTION_STEP_CLOSED, ELECTION_CREDENTIAL_EXISTS, …) answer through submit
    return submissions.submit(signTransaction(unsigned, key.secretKey));
  };
}

/** This office's signing key; an observer has none. */
export function officeKeyOf(config: Pick<NodeConfig, 'role'>, signingKey: SigningKey | null): SigningKey {
  // REJECT: an observer has no office key to sign with
  if (config.role === 'observer' || !signingKey)
    throw new ApiError(
      409,
      'NOT_AN_OFFICE',
      'this node has no office key: only a notary or registrar office signs election steps',
    );
  return signingKey;
}

export function electionApi(components: ElectionApiComponents) {
  const { chain, board, submissions } = components;
  const asOffice = officeSigner(components);
  const noElection = (id: string) => `no election ${id} on this chain`;
  /** The records, and a refusal if this node's board does not reach back to the election's creation. */
  const onBoard = async (id: string) => {
    const records = found(await electionRecords(chain, id), noElection(id));
    // REJECT: a node that joined from a snapshot after the election began has not its first ballots
    if (board.from > records.definition.height)
      throw new ApiError(
        409,
        'BLOCKS_MISSING',
        `this node's ballot board begins at block ${board.from}, after election ${id} was created at block ${records.definition.height} (it joined from a later snapshot); ask a node that holds the whole chain`,
      );
    return records;
  };
  return {
    elections: async () => {
      const ids = await board.elections(ELECTIONS_LIST_MAX);
      const listed = await Promise.all(ids.map((id) => electionRecords(chain, id)));
      return {
        chainId: chain.chainId,
        elections: listed
          .filter((records): records is ElectionRecords => records !== undefined)
          .map(({ definition, status }) => ({
            id: definition.id,
            title: definition.title,
            phase: status.phase,
            opensAtMs: definition.opensAtMs,
            closesAtMs: definition.closesAtMs,
          })),
      };
    },
    electionBallots: async ({ params: { id }, query }) => {
      // REJECT: a page of the whole board continues after a position, not after a tracker
      if (query.tracker === undefined && query.after !== undefined && !/^\d{1,12}$/.test(query.after))
        throw new ApiError(400, 'MALFORMED', 'query parameter after: the cursor of the page before (`next`)');
      await onBoard(id);
      const height = board.height;
      const page = await board.page(id, {
        ...(query.tracker !== undefined ? { tracker: query.tracker } : {}),
        ...(query.after !== undefined ? { after: query.after } : {}),
        limit: query.limit,
      });
      return { election: id, height, ...page };
    },
    electionTurnout: async ({ params: { id } }) => {
      const { definition, roll, tally } = await onBoard(id);
      const height = board.height;
      const turnout = await board.turnout(id);
      const hours = [];
      for (
        let start = Math.floor(definition.opensAtMs / HOUR_MS) * HOUR_MS;
        start < definition.closesAtMs;
        start += HOUR_MS
      )
        hours.push({ startMs: start, ballots: turnout.hours[String(start)] ?? 0 });
      return {
        election: id,
        height,
        ballots: tally.ballots,
        voters: tally.voters,
        districts: definition.districts.map((district, i) => ({
          district,
          registered: roll.districts[i] ?? 0,
          voters: turnout.districts[district]?.voters ?? 0,
          ballots: turnout.districts[district]?.ballots ?? 0,
        })),
        hours,
      };
    },
    electionRegister: ({ params: { id }, body }) =>
      asOffice('election.credential.register', {
        election: id,
        district: body.district,
        credentials: body.credentials,
      }),
    electionClose: ({ params: { id } }) => asOffice('election.close', { election: id }),
    electionKey: ({ params: { id } }) => asOffice('election.key', { election: id }),
    electionTally: ({ params: { id } }) => asOffice('election.tally', { election: id }),
    electionCast: async ({ params: { id }, body }) => {
      const tx = parseTransaction(body);
      // REJECT: this route takes a ballot for this election and nothing else
      if (tx.type !== 'election.cast' || (tx.payload as { election?: unknown }).election !== id)
        throw new ApiError(
          422,
          'NOT_A_BALLOT',
          tx.type === 'election.cast'
            ? `this ballot is for election ${(tx.payload as { election: string }).election}, not ${id}`
            : `this route takes a ballot (election.cast), not ${tx.type}`,
        );
      return submissions.submit(tx);
    },
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
