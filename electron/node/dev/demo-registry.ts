// A development chain: fixed, well-known keys (never for production), a registry seeded
// with demo objects, and helpers that certify transfers and commit blocks locally with
// every validator's key. Used by `npm run devchain`, the crash test and the benchmarks.
import type { KeyPair } from '../../../shared/crypto/index.js';
import { signVote } from '../../../shared/chain/index.js';
import {
  blockHash,
  signContract,
  signTransaction,
  StateKey,
  type Commit,
  type Genesis,
  type PropertyObject,
  type Transaction,
  type TxOf,
  type UnsignedTransaction,
} from '../../../shared/ledger/index.js';
import type { Chain } from '../chain/chain.js';

export const DEV_CHAIN_ID = 'by-registry-dev';
/** The chain `notary devnet` writes unless told another (dev/devnet.ts). */
export const DEVNET_CHAIN_ID = 'by-registry-devnet';
export const DEV_GENESIS_TIME_MS = Date.UTC(2026, 0, 1);
const DAY_MS = 86_400_000;

import { devKey, devKeys, devParty } from './dev-keys.js';

export { devKey, devKeys, devParty };

export function devObjectId(index: number): string {
  return `BY-DEV-${String(index).padStart(6, '0')}`;
}

const STREETS = ['Nezavisimosti', 'Pobediteley', 'Lenina', 'Sovetskaya', 'Kirova', 'Masherova'];
const CITIES = ['Minsk', 'Brest', 'Gomel', 'Grodno', 'Vitebsk', 'Mogilev'];

export interface DevGenesisOptions {
  objects?: number;
  parties?: number;
  chainId?: string;
}

export function devGenesis(options: DevGenesisOptions = {}): Genesis {
  const objects = options.objects ?? 300;
  const parties = options.parties ?? 50;
  return {
    chainId: options.chainId ?? DEV_CHAIN_ID,
    genesisTimeMs: DEV_GENESIS_TIME_MS,
    authorities: [
      { key: devKeys.registrar.publicKey, role: 'registrar', name: 'Dev registry office' },
      { key: devKeys.notary.publicKey, role: 'notary', name: 'Dev notary' },
      { key: devKeys.bank.publicKey, role: 'observer', name: 'Dev bank' },
    ],
    feeSchedule: { dutyMinimumMinor: 5_000, dutyRateBasisPoints: 20 },
    properties: Array.from({ length: objects }, (_, i) => ({
      id: devObjectId(i),
      kind: i % 5 === 0 ? ('land' as const) : ('apartment' as const),
      address: `${CITIES[i % CITIES.length]}, ${STREETS[i % STREETS.length]} ${1 + (i % 97)}-${1 + (i % 211)}`,
      areaDm2: 3_000 + ((i * 7_919) % 12_000),
      owners: [{ key: devParty(i % parties).publicKey, share: [1, 1] as [number, number] }],
    })),
  };
}

/** The dev validators: the registrar and the notary (DESIGN §1: both vote). */
export const devValidators = [devKeys.registrar, devKeys.notary];

/** A certified sale of the whole object from its sole owner to `buyer`. */
export function devTransfer(
  object: PropertyObject,
  buyer: KeyPair,
  parties: KeyPair[],
  options: { chainId: string; nowMs: number; nonce: number; notary?: KeyPair },
): TxOf<'transfer'> {
  const notary = options.notary ?? devKeys.notary;
  const owner = object.owners[0]!;
  const seller = parties.find((party) => party.publicKey === owner.key);
  if (!seller) throw new Error(`dev transfer: the owner of ${object.id} is not a dev party`);
  const contract = {
    objectId: object.id,
    objectVersion: object.version,
    sellers: [{ key: seller.publicKey, share: [1, 1] as [number, number] }],
    buyers: [{ key: buyer.publicKey, share: [1, 1] as [number, number] }],
    priceMinor: 5_000_000 + ((object.version * 104_729) % 20_000_000),
    currency: 'BYN' as const,
  };
  const tx: UnsignedTransaction = {
    type: 'transfer',
    chainId: options.chainId,
    expiresAtMs: options.nowMs + DAY_MS,
    nonce: options.nonce,
    payload: {
      contract,
      consents: [
        signContract(contract, options.chainId, seller.secretKey),
        signContract(contract, options.chainId, buyer.secretKey),
      ],
      notary: notary.publicKey,
      duty: {
        reference: `ERIP-${object.id}-${object.version}`,
        amountMinor: Math.ceil((contract.priceMinor * 20) / 10_000) + 100,
      },
    },
  };
  return signTransaction(tx, notary.secretKey) as TxOf<'transfer'>;
}

/**
 * A genesis object's first sale, as registered (version 1): from its owner to the next dev
 * party in `parties`; what the devnet tests, the soaks and the benches send.
 */
export function devGenesisSale(
  genesis: Genesis,
  parties: KeyPair[],
  index: number,
  options: { nonce?: number; nowMs?: number; notary?: KeyPair } = {},
): TxOf<'transfer'> {
  const input = genesis.properties?.[index];
  if (!input) throw new Error(`dev sale: the genesis has no object ${index}`);
  const object: PropertyObject = { ...input, encumbrances: [], version: 1, registeredHeight: 0, updatedHeight: 0 };
  const owner = parties.findIndex((party) => party.publicKey === object.owners[0]!.key);
  return devTransfer(object, parties[(owner + 1) % parties.length]!, parties, {
    chainId: genesis.chainId,
    nowMs: options.nowMs ?? Date.now(),
    nonce: options.nonce ?? index,
    ...(options.notary ? { notary: options.notary } : {}),
  });
}

/** The same sale as the parties bring it to a notary: contract and consents, not yet certified. */
export function devTransferDraft(
  object: PropertyObject,
  buyer: KeyPair,
  parties: KeyPair[],
  options: { chainId: string; nowMs: number; nonce: number; notaryKey: string },
): TxOf<'transfer'> {
  // sign with a throwaway key, then drop that signature: only the notary named may certify
  const signed = devTransfer(object, buyer, parties, {
    ...options,
    notary: { publicKey: options.notaryKey, secretKey: devKey('draft').secretKey },
  });
  return { ...signed, signatures: [] };
}

/** `count` transfers of distinct objects, each to the next party, from the chain's current state. */
export async function devTransfers(
  chain: Chain,
  count: number,
  options: { objects: number; parties: number; seed: number; nowMs: number },
): Promise<Transaction[]> {
  const parties = Array.from({ length: options.parties }, (_, i) => devParty(i));
  const ids = Array.from({ length: Math.min(count, options.objects) }, (_, i) =>
    devObjectId((options.seed * count + i) % options.objects),
  );
  const records = await chain.getMany(ids.map((id) => StateKey.object(id)));
  return ids.map((id, i) => {
    const object = records.get(StateKey.object(id)) as PropertyObject;
    const ownerIndex = parties.findIndex((party) => party.publicKey === object.owners[0]!.key);
    const buyer = parties[(ownerIndex + 1) % parties.length]!;
    return devTransfer(object, buyer, parties, {
      chainId: chain.chainId,
      nowMs: options.nowMs,
      nonce: options.seed * 1_000_000 + i,
    });
  });
}

/** Proposes, signs the commit with every dev validator and commits one block. */
export async function devCommitBlock(chain: Chain, txs: Transaction[], timeMs: number) {
  const { block, outcomes } = await chain.propose(txs, { timeMs, proposer: devKeys.registrar.publicKey });
  const hash = blockHash(block.header);
  const commit: Commit = {
    height: block.header.height,
    round: 0,
    blockHash: hash,
    signatures: devValidators.map((key) =>
      signVote(key.secretKey, chain.chainId, 'precommit', block.header.height, 0, hash),
    ),
  };
  await chain.commit(block, commit);
  return { block, commit, outcomes };
}
