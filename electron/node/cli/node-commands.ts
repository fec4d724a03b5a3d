// `notary status`, `submit` and `receipt`: talk to a running node through its local API.
import { resolve } from 'node:path';
import { Command } from 'commander';
import {
  statusSchema,
  submitResultSchema,
  txHashParam,
  type NodeStatus,
  type TxStatus,
} from '../../../shared/api/index.js';
import { receiptSchema } from '../../../shared/receipt/index.js';
import { writeFileDurably } from '../config.js';
import { ApiClient, apiErrorText, type ApiTarget } from './api-client.js';
import { describeCommand } from './command-descriptions.js';
import { CliError } from './errors.js';
import { readJsonFile } from './files.js';
import { clockOffSentence } from '../consensus/clock-watch.js';

type TargetOptions = ApiTarget;

function withTarget(command: Command): Command {
  return command
    .requiredOption('--api <url>', 'the node API address it printed at start, e.g. http://127.0.0.1:8080')
    .option('--data <dir>', 'the node data folder (its api-token is read)')
    .option('--token-file <file>', 'the API token file, instead of --data');
}

function parseAnswer<T>(
  schema: { safeParse(value: unknown): { success: true; data: T } | { success: false } },
  body: unknown,
  what: string,
): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success)
    throw new CliError(
      `The node sent ${what} this CLI does not understand; are the node and the CLI the same version?`,
    );
  return parsed.data;
}

export function describeTxStatus(status: TxStatus): string {
  switch (status.state) {
    case 'final':
      return `final at height ${status.height} (index ${status.index})`;
    case 'rejected':
      return `rejected: ${status.code}: ${status.sentence}`;
    case 'outbox':
      return 'outbox (the office is offline; it is sent when the network is back)';
    default:
      return status.state;
  }
}

/** `protocol 1 (this software runs 1, 2); upgrade to 2 at height 150000 ("designated validators")`. */
export function describeProtocol(protocol: NodeStatus['protocol']): string {
  const { upgrade } = protocol;
  return (
    `protocol ${protocol.version} (this software runs ${protocol.supported.join(', ')})` +
    (upgrade
      ? `; upgrade to ${upgrade.version} at height ${upgrade.height}${upgrade.name ? ` ("${upgrade.name}")` : ''}`
      : '')
  );
}

/** Why a node is not in sync, for its operator (status.behind; decision #69). */
export function describeBehind(behind: NonNullable<NodeStatus['behind']>): string {
  const blocks = behind.blocks === null ? '' : ` (${behind.blocks} blocks behind the network)`;
  switch (behind.reason) {
    case 'syncing':
      return `fetching blocks from peers${blocks}`;
    case 'behind':
      return `the network has committed blocks this node has not${blocks}; it is catching up`;
    case 'store':
      return `its store takes no writes (see the DISK or DAMAGED line), so it cannot follow the chain${blocks}`;
    case 'unconfirmed':
      return `no validator or peer confirmed its head in the last few seconds (just started, or cut off)${blocks}`;
  }
}

export function statusCommand(): Command {
  return withTarget(new Command('status').description(describeCommand('status'))).action(
    async (options: TargetOptions) => {
      const client = await ApiClient.connect(options);
      const status = parseAnswer(statusSchema, await client.expectOk('GET', '/status'), 'a status');
      console.log(
        [
          `node ${status.nodeName} (${status.role}), chain ${status.chainId}, peer ${status.peerId}`,
          `height ${status.height}, block ${status.headHash}, time ${new Date(status.headTimeMs).toISOString()}${status.syncing ? ', syncing' : ''}`,
          ...(status.behind ? [`NOT IN SYNC: ${describeBehind(status.behind)}; what it reads may be out of date`] : []),
          ...(status.snapshotBase !== undefined
            ? [
                `joined from a snapshot at height ${status.snapshotBase}: blocks and receipts before it are not on this node`,
              ]
            : []),
          `${status.online ? 'online' : 'OFFLINE'}: ${status.validatorsReachable} of ${status.validators} validators reachable, ${status.peers} peers`,
          `mempool ${status.mempool.size} transactions (${status.mempool.bytes} bytes); outbox ${status.outbox.pending} pending, ${status.outbox.final} final, ${status.outbox.rejected} rejected`,
          describeProtocol(status.protocol),
          ...(status.protocol.stopped ? [`STOPPED: ${status.protocol.stopped}`] : []),
          ...(status.clock.state === 'off' && status.clock.offsetMs !== null
            ? [`CLOCK OFF: ${clockOffSentence(status.clock.offsetMs)}`]
            : []),
          ...(status.disk.state !== 'ok'
            ? [
                `DISK ${status.disk.state.toUpperCase()} since ${new Date(status.disk.sinceMs).toISOString()}: ${status.disk.sentence ?? ''}`,
              ]
            : []),
          ...(status.damaged
            ? [
                `DAMAGED since ${new Date(status.damaged.sinceMs).toISOString()}: ${status.damaged.where}: ${status.damaged.what}; it signs and accepts nothing. Stop the node and run: ${status.damaged.repair}`,
              ]
            : []),
        ].join('\n'),
      );
    },
  );
}

export function submitCommand(): Command {
  return withTarget(
    new Command('submit').description(describeCommand('submit')).argument('<file>', 'the signed transaction (JSON)'),
  ).action(async (file: string, options: TargetOptions) => {
    const tx = await readJsonFile(resolve(file), 'transaction');
    const client = await ApiClient.connect(options);
    const result = parseAnswer(submitResultSchema, await client.expectOk('POST', '/txs', tx), 'a submit result');
    console.log(`tx ${result.txHash}: ${describeTxStatus(result.status)}`);
    if (result.status.state === 'rejected') process.exitCode = 1;
  });
}

export function receiptCommand(): Command {
  return withTarget(
    new Command('receipt')
      .description(describeCommand('receipt'))
      .argument('<txHash>', 'the transaction hash (64 lowercase hex characters)')
      .option('--out <file>', 'write the receipt to this file instead of printing it'),
  ).action(async (hash: string, options: TargetOptions & { out?: string }) => {
    if (!txHashParam.safeParse(hash).success)
      throw new CliError(`${hash} is not a transaction hash (64 lowercase hex characters).`);
    const client = await ApiClient.connect(options);
    const response = await client.request('GET', `/receipts/${hash}`);
    if (response.status === 404) {
      const text = apiErrorText(response);
      // the route itself missing means a node from before receipts were served
      if (/no route/.test(text))
        throw new CliError(`The node at ${client.baseUrl} does not serve receipts; update it.`);
      throw new CliError(
        `No receipt for ${hash} at ${client.baseUrl}: the transaction is unknown to the node or not final yet (${text}).`,
      );
    }
    if (response.status < 200 || response.status >= 300) throw new CliError(apiErrorText(response));
    const receipt = parseAnswer(receiptSchema, response.body, 'a receipt');
    const json = `${JSON.stringify(receipt, null, 2)}\n`;
    if (options.out) {
      const out = resolve(options.out);
      await writeFileDurably(out, json);
      console.log(`receipt for ${hash} (height ${receipt.header.height}) written to ${out}`);
    } else {
      process.stdout.write(json);
    }
  });
}
