// A small registry for rule tests: three registrars, two notaries (one suspended later by
// tests), a bank, a court, parties, and objects. Keys come from fixed seeds so failures replay.
import { utf8 } from '../../shared/codec/index.js';
import { generateKeyPair, sha256, verify, type KeyPair } from '../../shared/crypto/index.js';
import {
  executeBlock,
  genesisState,
  MapStateReader,
  signContract,
  signTransaction,
  stateKeysOf,
  StateKey,
  type BlockContext,
  type Contract,
  type Genesis,
  type Transaction,
  type TxOf,
  type UnsignedTransaction,
} from '../../shared/ledger/index.js';
import type { StateReader } from '../../shared/ledger/overlay.js';

export const CHAIN_ID = 'by-registry-test';
export const GENESIS_TIME_MS = Date.UTC(2026, 0, 1);
export const HOUR_MS = 3_600_000;

export function keyOf(name: string): KeyPair {
  return generateKeyPair(sha256(utf8(`fixture:${name}`)));
}

export const keys = {
  registrar1: keyOf('registrar1'),
  registrar2: keyOf('registrar2'),
  registrar3: keyOf('registrar3'),
  notary: keyOf('notary'),
  notary2: keyOf('notary2'),
  bank: keyOf('bank'),
  court: keyOf('court'),
  alice: keyOf('alice'),
  bob: keyOf('bob'),
  carol: keyOf('carol'),
  dave: keyOf('dave'),
  mallory: keyOf('mallory'),
};

export const OBJECT_ID = 'BY-7-0001';
export const SHARED_OBJECT_ID = 'BY-7-0002';

export function fixtureGenesis(): Genesis {
  return {
    chainId: CHAIN_ID,
    genesisTimeMs: GENESIS_TIME_MS,
    authorities: [
      { key: keys.registrar1.publicKey, role: 'registrar', name: 'Minsk registry office' },
      { key: keys.registrar2.publicKey, role: 'registrar', name: 'Brest registry office' },
      { key: keys.registrar3.publicKey, role: 'registrar', name: 'Gomel registry office' },
      { key: keys.notary.publicKey, role: 'notary', name: 'Notary Ivanova' },
      { key: keys.notary2.publicKey, role: 'notary', name: 'Notary Petrov' },
      { key: keys.bank.publicKey, role: 'observer', name: 'Belarusbank' },
      { key: keys.court.publicKey, role: 'observer', name: 'Minsk city court' },
    ],
    feeSchedule: { dutyMinimumMinor: 5_000, dutyRateBasisPoints: 20 },
    properties: [
      {
        id: OBJECT_ID,
        kind: 'apartment',
        address: 'Minsk, Nezavisimosti 1-1',
        areaDm2: 5_420,
        owners: [{ key: keys.alice.publicKey, share: [1, 1] }],
      },
      {
        id: SHARED_OBJECT_ID,
        kind: 'building',
        address: 'Brest, Sovetskaya 2',
        areaDm2: 12_000,
        owners: [
          { key: keys.alice.publicKey, share: [1, 3] },
          { key: keys.carol.publicKey, share: [2, 3] },
        ],
      },
    ],
  };
}

/** A fresh registry state after genesis, plus a way to apply blocks to it. */
export class TestLedger {
  state: Map<string, unknown>;
  height = 0;
  timeMs = GENESIS_TIME_MS;

  /** `genesis`: fields over the fixture's, e.g. `{ protocolVersion: 2 }` for types of protocol 2. */
  constructor(genesis: Partial<ReturnType<typeof fixtureGenesis>> = {}) {
    this.state = new Map<string, unknown>(genesisState({ ...fixtureGenesis(), ...genesis }));
  }

  /** The next blocks come with a verified commit certificate (sync): BlockContext.certified. */
  certified = false;

  context(): BlockContext {
    return {
      chainId: CHAIN_ID,
      height: this.height + 1,
      timeMs: this.timeMs + 1_000,
      ...(this.certified ? { certified: true } : {}),
    };
  }

  /** What the block's rules read the state through. */
  protected readerFor(_txs: readonly Transaction[]): StateReader {
    return new MapStateReader(this.state);
  }

  /** Applies one block; returns each transaction's outcome. */
  apply(...txs: Transaction[]) {
    const block = this.context();
    const { state, outcomes } = executeBlock(this.readerFor(txs), txs, block, { verify });
    for (const [key, value] of state.changes()) {
      if (value === null) this.state.delete(key);
      else this.state.set(key, value);
    }
    this.height = block.height;
    this.timeMs = block.timeMs;
    return outcomes;
  }

  get(key: string): unknown {
    return this.state.get(key);
  }
}

/**
 * A ledger whose blocks see only the prefetched keys, as the node's view does: a rule reading a
 * key that no transaction's `keysOf` declared fails the test instead of passing here and
 * failing on a node.
 */
export class PrefetchedLedger extends TestLedger {
  protected override readerFor(txs: readonly Transaction[]): StateReader {
    // The end-of-block step's keys are read for every block, empty ones too.
    const allowed = new Set<string>([StateKey.authorityIndex, StateKey.validatorSchedule]);
    for (const tx of txs) for (const key of stateKeysOf(tx)) allowed.add(key);
    return {
      get: (key: string) => {
        if (!allowed.has(key)) throw new Error(`the rules read ${key}, which no keysOf declared`);
        return this.state.get(key);
      },
    };
  }
}

let nonce = 0;
export function envelope(overrides: Partial<UnsignedTransaction> = {}) {
  return { chainId: CHAIN_ID, expiresAtMs: GENESIS_TIME_MS + 24 * HOUR_MS, nonce: nonce++, ...overrides };
}

export function signedBy(tx: UnsignedTransaction, ...signers: KeyPair[]): Transaction {
  let signed = { ...tx, signatures: [] } as unknown as Transaction;
  for (const signer of signers) signed = signTransaction(signed, signer.secretKey);
  return signed;
}

export function saleContract(overrides: Partial<Contract> = {}): Contract {
  return {
    objectId: OBJECT_ID,
    objectVersion: 1,
    sellers: [{ key: keys.alice.publicKey, share: [1, 1] }],
    buyers: [{ key: keys.bob.publicKey, share: [1, 1] }],
    priceMinor: 10_000_000,
    currency: 'BYN',
    ...overrides,
  };
}

/** A transfer with every party's consent and the notary's certification, duty paid in full. */
export function certifiedTransfer(
  contract: Contract = saleContract(),
  options: {
    consenting?: KeyPair[];
    notary?: KeyPair;
    dutyMinor?: number;
    envelope?: Partial<UnsignedTransaction>;
  } = {},
): TxOf<'transfer'> {
  const notary = options.notary ?? keys.notary;
  const consenting = options.consenting ?? [keys.alice, keys.bob];
  const tx = {
    type: 'transfer',
    ...envelope(options.envelope),
    payload: {
      contract,
      consents: consenting.map((party) =>
        signContract(contract, options.envelope?.chainId ?? CHAIN_ID, party.secretKey),
      ),
      notary: notary.publicKey,
      duty: { reference: 'ERIP-2026-000001', amountMinor: options.dutyMinor ?? 20_000 },
    },
  } as UnsignedTransaction;
  return signedBy(tx, notary) as TxOf<'transfer'>;
}
