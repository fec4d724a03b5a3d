// The notary's inbox: transfer contracts signed by their parties, checked, then certified with
// this office's notary key and submitted.
import type { ApiHandlerPart, InboxEntry } from '../../../../shared/api/index.js';
import { parseTransaction, signTransaction, type Transaction } from '../../../../shared/ledger/index.js';
import type { Chain } from '../../chain/chain.js';
import type { NodeConfig } from '../../config.js';
import { transferChecks } from '../../inbox/checks.js';
import { InboxError, type Inbox } from '../../inbox/inbox.js';
import type { SigningKey } from '../../keystore/signing-key.js';
import type { Clock } from '../../lifecycle/clock.js';
import type { Submissions } from '../../mempool/submissions.js';
import type { DamageWatch } from '../../store/damage-watch.js';
import { ApiError } from '../errors.js';
import type { EventHub } from '../events.js';
import { found } from './found.js';

export interface InboxHandlersComponents {
  inbox: Inbox;
  chain: Chain;
  config: Pick<NodeConfig, 'role'>;
  signingKey: SigningKey | null;
  submissions: Pick<Submissions, 'submit'>;
  damage: Pick<DamageWatch, 'refuse'>;
  events: Pick<EventHub, 'emit'>;
  clock: Clock;
}

export function inboxHandlers(components: InboxHandlersComponents) {
  const { inbox, chain, config, signingKey, submissions, damage, events, clock } = components;
  const missing = (id: string) => `no contract ${id} in the inbox`;

  /** The draft as this office would sign it, if it holds the named notary key. */
  const certified = (entry: InboxEntry): Transaction | undefined => {
    if (!signingKey || entry.draft.type !== 'transfer' || entry.draft.payload.notary !== signingKey.publicKey)
      return undefined;
    return signTransaction(entry.draft, signingKey.secretKey);
  };

  return {
    inbox: async () => inbox.list(),

    inboxAdd: async ({ body }) => {
      const draft = parseTransaction(body);
      try {
        const entry = await inbox.add(draft, clock.now());
        events.emit({ type: 'inbox' });
        return entry;
      } catch (error) {
        if (error instanceof InboxError)
          throw new ApiError(error.code === 'INBOX_FULL' ? 507 : 409, error.code, error.message);
        throw error;
      }
    },

    inboxChecks: async ({ params: { id } }) => {
      const entry = inbox.get(id);
      if (!entry || entry.draft.type !== 'transfer') throw new ApiError(404, 'NOT_FOUND', missing(id));
      return transferChecks(chain, entry.draft, certified(entry), {
        id,
        notaryKey: signingKey?.publicKey,
        nowMs: clock.now(),
      });
    },

    inboxCertify: async ({ params: { id } }) => {
      damage.refuse();
      const entry = found(inbox.get(id), missing(id));
      if (config.role !== 'notary' || !signingKey)
        throw new ApiError(409, 'NOT_A_NOTARY', 'this office has no notary key, so it cannot certify');
      const tx = certified(entry);
      if (!tx)
        throw new ApiError(
          422,
          'UNEXPECTED_SIGNER',
          'the contract names another notary; only that notary can certify it',
        );
      const result = await submissions.submit(tx);
      await inbox.markCertified(id, result.txHash);
      events.emit({ type: 'inbox' });
      return result;
    },

    inboxRemove: async ({ params: { id } }) => {
      if (!(await inbox.remove(id))) throw new ApiError(404, 'NOT_FOUND', missing(id));
      events.emit({ type: 'inbox' });
      return { removed: true };
    },
  } satisfies ApiHandlerPart;
}
