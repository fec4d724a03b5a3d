// The election module (docs/elections.md part B): secret ballots in one box per choice, a
// threshold election key made on chain, re-voting (the last ballot counts) and a tally anyone
// can check. Every type comes with protocol 3 (decision #50).
import { defineModule, defineTx } from '../../ledger/module.js';
import { electionReads, trusteeSlotReads } from './keeper.js';
import { applyElectionAnswer, applyElectionComplain, applyElectionDeal, applyElectionKey } from './keygen.js';
import {
  applyElectionCast,
  applyElectionClose,
  applyElectionCreate,
  applyElectionDecrypt,
  applyElectionRegister,
  applyElectionTally,
} from './rules.js';
import * as types from './types.js';
import { ELECTION_PROTOCOL, ElectionKey } from './types.js';

const since = { sinceProtocol: ELECTION_PROTOCOL };
/** Keys of the election a transaction names, and of every trustee slot of a family. */
const reads = (id: string, ...families: ((id: string, trustee: number) => string)[]) => [
  ...electionReads(id),
  ...families.flatMap((family) => trusteeSlotReads((trustee) => family(id, trustee))),
];

export const electionModule = defineModule({
  name: 'election',
  describe: 'Elections and referenda: encrypted ballots, a threshold key, re-voting and a verifiable tally',
  uses: ['authority'],
  prefixes: [
    { prefix: 'elec/def/', schema: types.electionDefinition, describe: 'an election as the commission created it' },
    { prefix: 'elec/status/', schema: types.electionStatus, describe: "an election's phase, key and results" },
    { prefix: 'elec/deal/', schema: types.dealingRecord, describe: "a trustee's key-generation dealing" },
    { prefix: 'elec/complaints/', schema: types.complaintList, describe: "an election's key-generation complaints" },
    { prefix: 'elec/roll/', schema: types.rollRecord, describe: "the roll's size and per-district counts" },
    { prefix: 'elec/cred/', schema: types.credentialRecord, describe: 'a credential and its last ballot' },
    { prefix: 'elec/tally/', schema: types.tallyRecord, describe: "the sum of each credential's last ballot" },
    { prefix: 'elec/dec/', schema: types.decryptionRecord, describe: "a trustee's partial decryption" },
  ],
  txs: [
    defineTx('election.create', types.electionCreateTx, {
      describe: 'The commission (more than 2/3 of registrars) creates an election',
      keysOf: (tx) => electionReads(tx.payload.id),
      apply: applyElectionCreate,
      ...since,
    }),
    defineTx('election.dkg.deal', types.electionDealTx, {
      describe: "A trustee's key-generation dealing: commitments, proof, sealed shares",
      keysOf: (tx) => reads(tx.payload.election, ElectionKey.dealing),
      apply: applyElectionDeal,
      ...since,
    }),
    defineTx('election.dkg.complain', types.electionComplainTx, {
      describe: 'A trustee says the share another dealt it is wrong',
      keysOf: (tx) => reads(tx.payload.election, ElectionKey.dealing),
      apply: applyElectionComplain,
      ...since,
    }),
    defineTx('election.dkg.answer', types.electionAnswerTx, {
      describe: 'A dealer answers a complaint by revealing the share',
      keysOf: (tx) => reads(tx.payload.election, ElectionKey.dealing),
      apply: applyElectionAnswer,
      ...since,
    }),
    defineTx('election.key', types.electionKeyTx, {
      describe: 'Fixes the election key from the key generation on chain',
      keysOf: (tx) => reads(tx.payload.election, ElectionKey.dealing),
      apply: applyElectionKey,
      ...since,
    }),
    defineTx('election.credential.register', types.electionRegisterTx, {
      describe: 'An office registers the public credential keys of voters it identified',
      keysOf: (tx) => [...electionReads(tx.payload.election), ...tx.payload.credentials.map(ElectionKey.credential)],
      apply: applyElectionRegister,
      ...since,
    }),
    defineTx('election.cast', types.electionCastTx, {
      describe: 'A voter casts (or re-casts) an encrypted ballot, signed by its credential',
      keysOf: (tx) => [
        ...electionReads(tx.payload.election),
        ...tx.signatures.map((entry) => ElectionKey.credential(entry.key)),
      ],
      // refused for its election's definition, phase, key and window, and its credential; never for the totals it adds to
      validityKeysOf: (tx) => [
        ElectionKey.definition(tx.payload.election),
        ElectionKey.status(tx.payload.election),
        ...tx.signatures.map((entry) => ElectionKey.credential(entry.key)),
      ],
      apply: applyElectionCast,
      ...since,
    }),
    defineTx('election.close', types.electionCloseTx, {
      describe: 'Fixes the totals at the end of the voting window',
      keysOf: (tx) => electionReads(tx.payload.election),
      apply: applyElectionClose,
      ...since,
    }),
    defineTx('election.decrypt', types.electionDecryptTx, {
      describe: "A trustee's partial decryption of the totals, with its proofs",
      keysOf: (tx) => reads(tx.payload.election, ElectionKey.decryption),
      apply: applyElectionDecrypt,
      ...since,
    }),
    defineTx('election.tally', types.electionTallyTx, {
      describe: 'Publishes the counts from t valid partial decryptions',
      keysOf: (tx) => reads(tx.payload.election, ElectionKey.decryption),
      apply: applyElectionTally,
      ...since,
    }),
  ],
  codes: types.ELECTION_CODES,
});
