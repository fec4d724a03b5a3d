// The simulated registry: a genesis whose validators are the dev registrar, the dev notary and
// further sim validators (fixed keys), a few dozen objects, and certified transfers of them
// made once per process (signing is the expensive part) and injected into runs as transactions.
import {
  genesisState,
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

const genesisCache = new Map<number, Genesis>();

export function simGenesis(validatorCount: number): Genesis {
  const cached = genesisCache.get(validatorCount);
  if (cached) return cached;
  const base = devGenesis({ objects: SIM_OBJECTS, parties: SIM_PARTIES, chainId: SIM_CHAIN_ID });
  const extra = Array.from({ length: Math.max(0, validatorCount - 2) }, (_, i) => ({
    key: simValidatorKey(i + 2).publicKey,
    role: i % 2 === 0 ? ('registrar' as const) : ('notary' as const),
    name: `Sim office ${i + 2}`,
  }));
  const genesis: Genesis = { ...base, authorities: [...base.authorities, ...extra] };
  genesisCache.set(validatorCount, genesis);
  return genesis;
}

let transfersCache: Transaction[] | undefined;

/** Certified transfers of distinct objects, each valid once, against any sim genesis. */
export function simTransfers(): Transaction[] {
  if (transfersCache) return transfersCache;
  const genesis = simGenesis(4);
  const records = new Map(genesisState(genesis));
  const parties = Array.from({ length: SIM_PARTIES }, (_, i) => devParty(i));
  transfersCache = Array.from({ length: SIM_TRANSFERS_MAX }, (_, i) => {
    const object = records.get(StateKey.object(`BY-DEV-${String(i).padStart(6, '0')}`)) as PropertyObject;
    const ownerIndex = parties.findIndex((party) => party.publicKey === object.owners[0]!.key);
    const buyer = parties[(ownerIndex + 1) % parties.length]!;
    return devTransfer(object, buyer, parties, { chainId: SIM_CHAIN_ID, nowMs: genesis.genesisTimeMs, nonce: i });
  });
  return transfersCache;
}
