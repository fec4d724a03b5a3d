// Governance: a registrar office co-signs an authority change with its node key (which never
// leaves the node) and learns how many of the needed signatures the change carries.
import type { ApiHandlerPart } from '../../../../shared/api/index.js';
import { Domain } from '../../../../shared/crypto/index.js';
import {
  LedgerError,
  parseTransaction,
  quorumOf,
  signTransaction,
  StateKey,
  txHash,
  txIdBytes,
  type AuthorityIndexEntry,
} from '../../../../shared/ledger/index.js';
import type { Chain } from '../../chain/chain.js';
import type { NodeConfig } from '../../config.js';
import type { SigningKey } from '../../keystore/signing-key.js';
import type { DamageWatch } from '../../store/damage-watch.js';
import { ApiError } from '../../api/errors.js';

export interface AuthorityApiComponents {
  chain: Pick<Chain, 'chainId' | 'getRecord' | 'verify'>;
  config: Pick<NodeConfig, 'role'>;
  signingKey: SigningKey | null;
  damage: Pick<DamageWatch, 'refuse'>;
}

export function authorityApi({ chain, config, signingKey, damage }: AuthorityApiComponents) {
  return {
    cosign: async ({ body }) => {
      const tx = parseTransaction(body);
      damage.refuse();
      // REJECT: only a registrar office's key counts towards an authority change.
      if (config.role !== 'registrar' || !signingKey)
        throw new ApiError(409, 'NOT_A_REGISTRAR', 'only a registrar office co-signs authority changes');
      // REJECT: registrars co-sign governance (membership, upgrades, parameters) and the creation
      // of an election (the same quorum of registrars, docs/elections.md B.1), nothing else.
      if (!tx.type.startsWith('authority.') && !tx.type.startsWith('governance.') && tx.type !== 'election.create')
        throw new ApiError(
          422,
          'NOT_AN_AUTHORITY_CHANGE',
          `a ${tx.type} is not a governance change; registrars co-sign authority.add, update, revoke and rotate, governance.upgrade and params, and election.create`,
        );
      // REJECT: a change made for another registry.
      if (tx.chainId !== chain.chainId)
        throw new LedgerError(
          'WRONG_CHAIN',
          `this change was made for the registry ${tx.chainId}, not ${chain.chainId}`,
        );
      const signed = signTransaction(tx, signingKey.secretKey);
      const index = ((await chain.getRecord(StateKey.authorityIndex)) as AuthorityIndexEntry[] | undefined) ?? [];
      const registrars = new Set(
        index.filter((entry) => entry.role === 'registrar' && entry.status === 'active').map((entry) => entry.key),
      );
      const message = txIdBytes(signed);
      const valid = signed.signatures.filter(
        (entry) =>
          registrars.has(entry.key) &&
          chain.verify({
            publicKey: entry.key,
            signature: entry.signature,
            domain: Domain.tx,
            chainId: signed.chainId,
            message,
          }),
      ).length;
      return {
        tx: signed,
        txHash: txHash(signed),
        signatures: valid,
        needed: quorumOf(registrars.size),
        registrars: registrars.size,
      };
    },
  } satisfies ApiHandlerPart;
}
