// What the node keeps on disk, opened in order at start and closed in reverse at stop: the
// LevelDB chain, the pending log, the outbox, the evidence file and the inbox.
import { join } from 'node:path';
import type { Genesis, Transaction } from '../../../shared/ledger/index.js';
import { Chain } from '../chain/chain.js';
import { DataFiles, genesisPropertiesFile } from '../config.js';
import { Inbox } from '../inbox/inbox.js';
import { Outbox } from '../mempool/outbox.js';
import { PendingLog } from '../mempool/pending-log.js';
import { EvidenceLog } from './evidence-log.js';

export interface NodeStores {
  chain: Chain;
  /** Transactions answered `pending` to a client, on disk until committed or rejected. */
  pendingLog: PendingLog;
  /** What the pending log held at start, to re-admit. */
  pendingTxs: Transaction[];
  outbox: Outbox;
  evidence: EvidenceLog;
  inbox: Inbox;
  /** Closes what was opened, in reverse. */
  stop(): Promise<void>;
}

export async function openNodeStores(
  dataDir: string,
  genesis: Genesis,
  log: { warn(fields: object, message: string): void },
  options: { protocolMax?: number } = {},
): Promise<NodeStores> {
  const file = (name: string) => join(dataDir, name);
  const closers: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const close of closers.splice(0).reverse()) await close();
  };
  try {
    const chain = await Chain.open({
      dir: file(DataFiles.chain),
      genesis,
      genesisFile: file(DataFiles.genesis),
      genesisPropertiesFile: await genesisPropertiesFile(dataDir),
      ...(options.protocolMax !== undefined ? { protocolMax: options.protocolMax } : {}),
    });
    closers.push(() => chain.close());
    const pending = await PendingLog.open(file(DataFiles.pendingLog));
    closers.push(() => pending.log.close());
    if (pending.damaged > 0 || pending.tornBytes > 0)
      log.warn(
        { damaged: pending.damaged, tornBytes: pending.tornBytes },
        'the pending log had damaged records or a torn tail; they were left out',
      );
    const outbox = await Outbox.open(file(DataFiles.outbox));
    closers.push(() => outbox.close());
    const evidence = await EvidenceLog.open(file('evidence.jsonl'));
    const inbox = await Inbox.open(file('inbox.json'));
    return { chain, pendingLog: pending.log, pendingTxs: pending.txs, outbox, evidence, inbox, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
