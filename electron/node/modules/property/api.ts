// The property registry's reads (an object with its ownership certificate, its history,
// search) and a registrar office's correction of an object, signed with the node's key.
// Its routes are in shared/modules/property/api.ts.
import { randomInt } from 'node:crypto';
import type { ApiHandlerPart } from '../../../../shared/api/index.js';
import { signTransaction, type UnsignedTransaction } from '../../../../shared/ledger/index.js';
import type { NodeConfig } from '../../config.js';
import type { SigningKey } from '../../keystore/signing-key.js';
import type { Clock } from '../../lifecycle/clock.js';
import type { Submissions } from '../../mempool/submissions.js';
import type { DamageWatch } from '../../store/damage-watch.js';
import type { Chain } from '../../chain/chain.js';
import { correctionChanges } from '../../../../shared/modules/property/keeper.js';
import { ApiError } from '../../api/errors.js';
import type { registryQueries } from '../../api/queries.js';
import { found } from '../../api/handlers/found.js';

/** What the property module's handlers take from the node (its parts, and the registry queries). */
export interface PropertyApiComponents {
  queries: Pick<ReturnType<typeof registryQueries>, 'property' | 'propertyHistory' | 'search'>;
  chain: Pick<Chain, 'chainId'>;
  config: Pick<NodeConfig, 'role'>;
  signingKey: SigningKey | null;
  submissions: Pick<Submissions, 'submit'>;
  clock: Pick<Clock, 'now'>;
  damage: Pick<DamageWatch, 'refuse'>;
}

/** How long a correction the node signs stays valid: a day, like a built transaction's default. */
const CORRECTION_LIFETIME_MS = 24 * 3_600_000;

export function propertyApi(components: PropertyApiComponents) {
  const { queries, chain, config, signingKey, submissions, clock, damage } = components;
  return {
    property: async ({ params: { id } }) =>
      found(await queries.property(id), `no property object ${id} in the registry`),
    propertyHistory: async ({ params: { id } }) =>
      found(await queries.propertyHistory(id), `no property object ${id} in the registry`),
    search: ({ query: { q } }) => queries.search(q),
    correctProperty: async ({ params: { id }, body }) => {
      damage.refuse();
      // REJECT: only a registrar office's key may sign a correction of the registry's record.
      if (config.role !== 'registrar' || !signingKey)
        throw new ApiError(409, 'NOT_A_REGISTRAR', 'only a registrar office corrects an object in the registry');
      const unsigned: UnsignedTransaction = {
        type: 'property.correct',
        chainId: chain.chainId,
        expiresAtMs: clock.now() + CORRECTION_LIFETIME_MS,
        nonce: randomInt(0, 2 ** 47),
        payload: {
          objectId: id,
          objectVersion: body.objectVersion,
          registrar: signingKey.publicKey,
          changes: correctionChanges(body),
          reason: body.reason,
        },
      };
      // The ledger's own checks (UNKNOWN_OBJECT, STALE_VERSION, CORRECTION_UNCHANGED...) answer through submit.
      return submissions.submit(signTransaction(unsigned, signingKey.secretKey));
    },
  } satisfies ApiHandlerPart;
}
