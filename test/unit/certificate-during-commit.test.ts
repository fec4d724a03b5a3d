// Found by the history checker's first soak (docs/reliability.md, "The history checker"): an
// ownership certificate asked for while a block is being written pairs the new record with the
// previous block's header and state proof, so it does not verify. Chain.certificate takes the
// head, then awaits the record, and the state read waits out the write and answers for the new
// head. Fixed: Chain.certificate reads the record and the proof within one commit epoch and
// reads them again when a block was written meanwhile.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { Chain } from '../../electron/node/chain/chain.js';
import {
  DEV_GENESIS_TIME_MS,
  devCommitBlock,
  devGenesis,
  devTransfers,
} from '../../electron/node/dev/demo-registry.js';
import { verifyCertificate } from '../../shared/receipt/index.js';

const OBJECTS = 20;
const PARTIES = 10;
const BLOCKS = 3;

it('an ownership certificate asked for while a block is being written verifies', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'notary-certificate-'));
  const chain = await Chain.open({
    dir: join(dir, 'chain'),
    genesis: devGenesis({ objects: OBJECTS, parties: PARTIES }),
  });
  try {
    for (let round = 0; round < BLOCKS; round++) {
      const nowMs = DEV_GENESIS_TIME_MS + 1_000 * (round + 1);
      const txs = await devTransfers(chain, 5, { objects: OBJECTS, parties: PARTIES, seed: round, nowMs });
      const objectId = txs[0]!.type === 'transfer' ? txs[0]!.payload.contract.objectId : '';
      let committed = false;
      const commit = devCommitBlock(chain, txs, nowMs).then(() => (committed = true));
      // Ask again and again while the block is proposed and written (bounded: a commit takes milliseconds).
      const certificates = [];
      for (let asked = 0; !committed && asked < 100_000; asked++) {
        certificates.push(chain.certificate(objectId));
        await new Promise((resolve) => setImmediate(resolve));
      }
      await commit;
      for (const certificate of await Promise.all(certificates)) {
        const result = verifyCertificate(certificate);
        expect(
          result.ok ? 'verifies' : result.code,
          `height ${certificate?.header.height}, record of height ${certificate?.object.updatedHeight}`,
        ).toBe('verifies');
      }
    }
  } finally {
    await chain.close();
    await rm(dir, { recursive: true, force: true });
  }
});
