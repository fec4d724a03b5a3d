// Submitting a transaction, its status, and the outbox of what was certified offline.
import type { ApiHandlerPart } from '../../../../shared/api/index.js';
import type { Outbox } from '../../mempool/outbox.js';
import type { Submissions } from '../../mempool/submissions.js';

export interface TransactionHandlersComponents {
  submissions: Pick<Submissions, 'submit' | 'txStatus'>;
  outbox: Pick<Outbox, 'list'>;
}

export function transactionHandlers({ submissions, outbox }: TransactionHandlersComponents) {
  return {
    submit: ({ body }) => submissions.submit(body),
    txStatus: ({ params: { txHash } }) => submissions.txStatus(txHash),
    outbox: async () => outbox.list().map(({ tx, ...entry }) => ({ ...entry, type: tx.type })),
  } satisfies ApiHandlerPart;
}
