// The simulated registry: a genesis whose validators are the dev registrar, the dev notary and
// further sim validators (fixed keys), a few dozen objects, and certified transfers of them
// made once per process (signing is the expensive part) and injected into runs as transactions.
import {
  genesisState,
  signTransaction,
  StateKey,
  type Genesis,
  type PropertyObject,
  type Transaction,
} from '../../shared/ledger/index.js';
import type { KeyPair } from '../../shared/crypto/index.js';
import { devGenesis, devKey, devKeys, devParty, devTransfer } from '../../electron/node/dev/demo-registry.js';

export const SIM_CHAIN_ID = 'notary-sim';
export const SIM_OBJECTS = 24;
export const SIM_PARTIES = 8;
export const SIM_TRANSFERS_MAX = 12;

/** Validator i's key: the dev registrar and notary first (transfers need an active notary). */
export function simValidatorKey(index: number): KeyPair {
  if (index === 0) return devKeys.registrar;
  if (index === 1) return devKeys.notary;
  return devKey(`sim-validator-${index}`);
}

const genesisCache = new Map<string, Genesis>();

/** Validators 0..validatorCount-1, alternately registrar and notary from 2 on, and `objects` objects. */
export function simGenesis(validatorCount: number, objects = SIM_OBJECTS): Genesis {
  const cacheKey = `${validatorCount}/${objects}`;
  const cached = genesisCache.get(cacheKey);
  if (cached) return cached;
  const base = devGenesis({ objects, parties: SIM_PARTIES, chainId: SIM_CHAIN_ID });
  const extra = Array.from({ length: Math.max(0, validatorCount - 2) }, (_, i) => ({
    key: simValidatorKey(i + 2).publicKey,
    role: i % 2 === 0 ? ('registrar' as const) : ('notary' as const),
    name: `Sim office ${i + 2}`,
  }));
  const genesis: Genesis = { ...base, authorities: [...base.authorities, ...extra] };
  genesisCache.set(cacheKey, genesis);
  return genesis;
}

/** Whether sim validator `index` is a registrar (else a notary); 0 is the dev registrar, 1 the dev notary. */
export function isSimRegistrar(index: number): boolean {
  return index === 0 || (index >= 2 && index % 2 === 0);
}

let transfersCache: Transaction[] = [];

/**
 * Certified transfers of distinct objects, each valid once, against a sim genesis with at
 * least `count` objects (the first SIM_TRANSFERS_MAX against any).
 */
export function simTransfers(count = SIM_TRANSFERS_MAX): Transaction[] {
  if (transfersCache.length >= count) return transfersCache;
  const genesis = simGenesis(4, Math.max(SIM_OBJECTS, count));
  const records = new Map(genesisState(genesis));
  const parties = Array.from({ length: SIM_PARTIES }, (_, i) => devParty(i));
  transfersCache = Array.from({ length: count }, (_, i) => {
    const object = records.get(StateKey.object(`BY-DEV-${String(i).padStart(6, '0')}`)) as PropertyObject;
    const ownerIndex = parties.findIndex((party) => party.publicKey === object.owners[0]!.key);
    const buyer = parties[(ownerIndex + 1) % parties.length]!;
    return devTransfer(object, buyer, parties, { chainId: SIM_CHAIN_ID, nowMs: genesis.genesisTimeMs, nonce: i });
  });
  return transfersCache;
}

const DAY_MS = 86_400_000;

/**
 * A validator-set change through the ledger (REQ-VAL.1): authority.revoke of validator
 * `leaving` and authority.add of `joining` (sim key `joining`) as a notary, each signed by
 * the quorum of the genesis registrars among validators 0..validatorCount-1.
 */
export function simValidatorChange(
  validatorCount: number,
  leaving: number,
  joining: number,
  nonce: number,
): [Transaction, Transaction] {
  const registrars = Array.from({ length: validatorCount }, (_, i) => i).filter(isSimRegistrar);
  const signers = registrars.slice(0, Math.floor((2 * registrars.length) / 3) + 1).map(simValidatorKey);
  const genesis = simGenesis(validatorCount);
  const envelope = (offset: number) => ({
    chainId: SIM_CHAIN_ID,
    expiresAtMs: genesis.genesisTimeMs + DAY_MS,
    nonce: nonce + offset,
  });
  const signed = (tx: object) =>
    signers.reduce<Transaction>((acc, key) => signTransaction(acc, key.secretKey), tx as Transaction);
  return [
    signed({
      type: 'authority.revoke',
      ...envelope(0),
      payload: { key: simValidatorKey(leaving).publicKey, version: 1, reason: 'office closed (simulation)' },
    }),
    signed({
      type: 'authority.add',
      ...envelope(1),
      payload: {
        authority: { key: simValidatorKey(joining).publicKey, role: 'notary', name: `Sim office ${joining}` },
      },
    }),
  ];
}

/** A new object registered by the dev registrar (validator 0): the sim's stand-in for a transaction type an upgrade enables. */
export function simRegistration(nonce: number): Transaction {
  const genesis = simGenesis(4);
  return signTransaction(
    {
      type: 'property.register',
      chainId: SIM_CHAIN_ID,
      expiresAtMs: genesis.genesisTimeMs + DAY_MS,
      nonce,
      payload: {
        object: {
          id: `BY-SIM-${String(nonce).padStart(6, '0')}`,
          kind: 'land',
          address: `Polotsk, Upgrade ${nonce}`,
          areaDm2: 50_000,
          owners: [{ key: devParty(0).publicKey, share: [1, 1] }],
        },
        registrar: devKeys.registrar.publicKey,
      },
    } as unknown as Transaction,
    devKeys.registrar.secretKey,
  );
}
