// Bench fixtures: certified transfers of a dev chain, signed through node:crypto (OpenSSL).
// The signatures are the very bytes @noble gives (ed25519 is deterministic), about 20x
// faster, so a default run can prepare hundreds of thousands of transfers.
import { createPrivateKey, sign as opensslSign, type KeyObject } from 'node:crypto';
import { bytesToHex, hexToBytes } from '../../shared/codec/index.js';
import { Domain, signingBytes, type KeyPair } from '../../shared/crypto/index.js';
import { contractHashBytes, txIdBytes } from '../../shared/ledger/tx.js';
import type { Genesis, PropertyObject, Transaction, UnsignedTransaction } from '../../shared/ledger/index.js';
import { devKeys, devParty } from '../../electron/node/dev/demo-registry.js';

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const DAY_MS = 86_400_000;
const keyObjects = new Map<string, KeyObject>();

function keyObject(secretKeyHex: string): KeyObject {
  let key = keyObjects.get(secretKeyHex);
  if (!key) {
    key = createPrivateKey({
      key: Buffer.concat([PKCS8_ED25519_PREFIX, hexToBytes(secretKeyHex)]),
      format: 'der',
      type: 'pkcs8',
    });
    keyObjects.set(secretKeyHex, key);
  }
  return key;
}

export function fastSign(pair: KeyPair, domain: Domain, chainId: string, message: Uint8Array): string {
  return bytesToHex(opensslSign(null, signingBytes(domain, chainId, message), keyObject(pair.secretKey)));
}

export const PARTIES = 100;
export const parties: KeyPair[] = Array.from({ length: PARTIES }, (_, i) => devParty(i));
const partyIndex = new Map(parties.map((party, i) => [party.publicKey, i]));

/** The same transfer as devTransfer (dev/demo-registry.ts) builds: whole object, sole owner, to the next party. */
export function fastTransfer(
  object: PropertyObject,
  options: { chainId: string; nowMs: number; nonce: number; notary?: KeyPair },
): Transaction {
  const notary = options.notary ?? devKeys.notary;
  const ownerIndex = partyIndex.get(object.owners[0]!.key);
  if (ownerIndex === undefined) throw new Error(`bench: the owner of ${object.id} is not a dev party`);
  const seller = parties[ownerIndex]!;
  const buyer = parties[(ownerIndex + 1) % PARTIES]!;
  const contract = {
    objectId: object.id,
    objectVersion: object.version,
    sellers: [{ key: seller.publicKey, share: [1, 1] as [number, number] }],
    buyers: [{ key: buyer.publicKey, share: [1, 1] as [number, number] }],
    priceMinor: 5_000_000 + ((object.version * 104_729) % 20_000_000),
    currency: 'BYN' as const,
  };
  const contractHash = contractHashBytes(contract);
  const tx: UnsignedTransaction = {
    type: 'transfer',
    chainId: options.chainId,
    expiresAtMs: options.nowMs + DAY_MS,
    nonce: options.nonce,
    payload: {
      contract,
      consents: [
        { key: seller.publicKey, signature: fastSign(seller, Domain.contract, options.chainId, contractHash) },
        { key: buyer.publicKey, signature: fastSign(buyer, Domain.contract, options.chainId, contractHash) },
      ],
      notary: notary.publicKey,
      duty: {
        reference: `ERIP-${object.id}-${object.version}`,
        amountMinor: Math.ceil((contract.priceMinor * 20) / 10_000) + 100,
      },
    },
  } as UnsignedTransaction;
  return {
    ...tx,
    signatures: [{ key: notary.publicKey, signature: fastSign(notary, Domain.tx, options.chainId, txIdBytes(tx)) }],
  } as Transaction;
}

/** The record a genesis object becomes at height 0 (what genesisState stores). */
export function genesisObject(genesis: Genesis, index: number): PropertyObject {
  const input = genesis.properties![index]!;
  return { ...input, encumbrances: [], version: 1, registeredHeight: 0, updatedHeight: 0 } as PropertyObject;
}

/** The object after a whole-object transfer committed at `height`. */
export function afterTransfer(object: PropertyObject, height: number): PropertyObject {
  const ownerIndex = partyIndex.get(object.owners[0]!.key)!;
  return {
    ...object,
    owners: [{ key: parties[(ownerIndex + 1) % PARTIES]!.publicKey, share: [1, 1] }],
    version: object.version + 1,
    updatedHeight: height,
  } as PropertyObject;
}
