// Child process of the crash test: commits blocks of certified transfers to a dev chain
// as fast as it can, printing each committed height, until it is killed.
import { Chain } from '../../electron/node/chain/chain.js';
import { devCommitBlock, devGenesis, devTransfers } from '../../electron/node/dev/demo-registry.js';

export const CRASH_OBJECTS = 200;
const dir = process.argv[2];
if (!dir) throw new Error('usage: crash-child DIR');
const chain = await Chain.open({ dir, genesis: devGenesis({ objects: CRASH_OBJECTS }) });
process.stdout.write(`open ${chain.head.height}\n`);
for (;;) {
  const timeMs = chain.head.header.timeMs + 1_000;
  const txs = await devTransfers(chain, 25, {
    objects: CRASH_OBJECTS,
    parties: 50,
    seed: chain.head.height,
    nowMs: timeMs,
  });
  const { block } = await devCommitBlock(chain, txs, timeMs);
  process.stdout.write(`committed ${block.header.height}\n`);
}
