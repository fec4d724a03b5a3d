// The soak's side of the history (issue 19): its calls to nodes, each recorded with the answer
// the client saw, and the chain read at the end in the form the checker takes.
import type { NodeStatus, PropertyView, ReceiptView, SubmitResult, TxStatus } from '../../shared/api/index.js';
import type { Genesis, Transaction } from '../../shared/ledger/index.js';
import type { NodeProcess } from '../support/devnet-harness.js';
import type { CommittedChain, CommittedTx, HistoryVerdict } from './history-checker.js';
import {
  committedTxOf,
  type History,
  type ReadAnswer,
  type ReceiptAnswer,
  type SubmitAnswer,
  type SyncReport,
} from './history.js';
import { api, mapBounded } from './nemesis.js';

const isTimeout = (error: unknown) =>
  (error as Error).name === 'TimeoutError' || (error as Error).name === 'AbortError';

/** POST /txs, recorded; the HTTP answer too, for the soak's own bookkeeping (undefined: no answer). */
export async function recordedSubmit(
  history: History,
  client: string,
  node: NodeProcess,
  tx: Transaction,
  hash: string,
): Promise<{ status: number; body: SubmitResult & { error?: { code: string } } } | undefined> {
  const contract = tx.type === 'transfer' ? tx.payload.contract : undefined;
  const invocation = history.invoke('submit', client, node.info.name, {
    txHash: hash,
    ...(contract ? { objectId: contract.objectId, objectVersion: contract.objectVersion } : {}),
  });
  let answer: SubmitAnswer;
  let response: Awaited<ReturnType<typeof recordedSubmit>>;
  try {
    response = await api<SubmitResult & { error?: { code: string } }>(node, 'POST', '/txs', tx);
    const state = response.body.status?.state;
    answer =
      response.status !== 202
        ? { kind: 'rejected', code: response.body.error?.code ?? `HTTP_${response.status}`, status: response.status }
        : state === 'final'
          ? { kind: 'final', height: response.body.status.height, index: response.body.status.index }
          : { kind: 'pending', via: state === 'outbox' ? 'outbox' : 'mempool' };
  } catch (error) {
    response = undefined;
    answer = { kind: 'unknown', reason: isTimeout(error) ? 'timeout' : 'unreachable' };
  }
  history.complete(invocation, answer);
  return response;
}

/** GET /txs/{hash}, recorded as a status query; returns the state ('unreachable' without an answer). */
export async function recordedTxStatus(
  history: History,
  client: string,
  node: NodeProcess,
  hash: string,
): Promise<string> {
  const invocation = history.invoke('receipt', client, node.info.name, { txHash: hash });
  let answer: ReceiptAnswer;
  try {
    const { status, body } = await api<TxStatus>(node, 'GET', `/txs/${hash}`);
    answer =
      status !== 200
        ? { kind: 'error', message: `HTTP ${status}` }
        : body.state === 'final'
          ? { kind: 'final', height: body.height, index: body.index }
          : body.state === 'rejected'
            ? { kind: 'rejected', code: body.code }
            : body.state === 'unknown'
              ? { kind: 'unknown' }
              : { kind: 'pending' };
  } catch (error) {
    answer = { kind: 'error', message: (error as Error).message };
  }
  history.complete(invocation, answer);
  return answer.kind === 'error' ? 'unreachable' : answer.kind;
}

async function syncReport(node: NodeProcess): Promise<SyncReport | undefined> {
  try {
    const { status, body } = await api<NodeStatus>(node, 'GET', '/status');
    return status === 200
      ? { height: body.height, online: body.online, syncing: body.syncing, inSync: body.inSync }
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * GET /properties/{id}, recorded with the node's status just before and just after it: the read
 * answer names the height it is proved at but not whether the node is behind, and the node is not
 * changed for the soak. The operation spans all three calls, so its time bounds the read's.
 */
export async function recordedRead(history: History, client: string, node: NodeProcess, objectId: string) {
  const invocation = history.invoke('read', client, node.info.name, { objectId });
  const before = await syncReport(node);
  let answer: ReadAnswer;
  try {
    const { status, body } = await api<PropertyView>(node, 'GET', `/properties/${objectId}`);
    if (status !== 200) throw new Error(`HTTP ${status}`);
    const after = await syncReport(node);
    answer = {
      kind: 'record',
      version: body.property.version,
      owners: body.property.owners,
      asOfHeight: body.certificate.header.height,
      inSync: body.inSync,
      ...(before ? { before } : {}),
      ...(after ? { after } : {}),
    };
  } catch (error) {
    answer = { kind: 'error', message: (error as Error).message };
  }
  return history.complete(invocation, answer);
}

/**
 * The chain as the checker takes it: genesis objects, then every block to `blocks`' end with its
 * transactions (the soak's own from what it sent, any other from its receipt on `node`).
 */
export async function committedChain(
  node: NodeProcess,
  genesis: Genesis,
  blocks: Array<{ height: number; txHashes: string[] }>,
  sent: ReadonlyMap<string, Transaction>,
): Promise<CommittedChain> {
  const foreign = [...new Set(blocks.flatMap((block) => block.txHashes))].filter((hash) => !sent.has(hash));
  const fetched = new Map<string, CommittedTx>();
  await mapBounded(foreign, 16, async (hash) => {
    const receipt = await api<ReceiptView>(node, 'GET', `/receipts/${hash}`, undefined, 10_000).catch(() => undefined);
    // A transaction the soak did not send and cannot read is still judged: as never submitted.
    fetched.set(hash, receipt?.status === 200 ? committedTxOf(receipt.body.tx) : { hash, type: 'unreadable' });
  });
  return {
    objects: (genesis.properties ?? []).map((object) => ({ id: object.id, version: 1, owners: object.owners })),
    blocks: blocks.map((block) => ({
      height: block.height,
      txs: block.txHashes.map((hash) => (sent.has(hash) ? committedTxOf(sent.get(hash)!) : fetched.get(hash)!)),
    })),
  };
}

/** The verdict for the soak's log: the first violation and a few more, each with its operations' ids. */
export function verdictLines(verdict: HistoryVerdict, shown = 5): string[] {
  if (verdict.ok) return [`history checker: passed (${JSON.stringify(verdict.counts)})`];
  return [
    `history checker: ${verdict.violationsTotal} violation(s); the first: [${verdict.firstViolation!.rule}] ${verdict.firstViolation!.sentence}`,
    ...verdict.violations
      .slice(1, shown)
      .map(
        (violation) =>
          `  then [${violation.rule}] ${violation.sentence} (ops ${violation.operations.map((op) => op.id).join(', ')})`,
      ),
  ];
}
