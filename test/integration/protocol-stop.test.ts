// The LevelDB chain and the node's protocol watch before a height whose protocol this software
// does not run: nothing is proposed, validated, committed or checked there, the watch says why
// once, and every part subscribed hears it (at once, if it subscribes after).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ProtocolUnsupportedError } from '../../shared/chain/index.js';
import { Chain } from '../../electron/node/chain/chain.js';
import { protocolWatch } from '../../electron/node/chain/protocol-watch.js';
import { devGenesis, devKeys } from '../../electron/node/dev/demo-registry.js';

let dir: string;
const genesis = { ...devGenesis({ objects: 3, parties: 2 }), protocolVersion: 2 };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'notary-protocol-stop-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a chain at protocol 2 opened by software that runs only 1', () => {
  it('executes nothing at the next height, with the sentence as the error [REQ-UPG.2]', async () => {
    const chain = await Chain.open({ dir: join(dir, 'old'), genesis, protocolMax: 1 });
    try {
      const stop = chain.protocolStop();
      expect(stop).toMatchObject({ version: 2, height: 1, supportedMax: 1 });
      await expect(
        chain.propose([], { timeMs: Date.now(), proposer: devKeys.registrar.publicKey }),
      ).rejects.toBeInstanceOf(ProtocolUnsupportedError);
      expect(chain.head.height).toBe(0);
      expect(chain.governance()).toMatchObject({ protocol: 2, params: { maxValidators: 100, heartbeatMs: 120_000 } });
    } finally {
      await chain.close();
    }
  });

  it('is executed by software that runs 2', async () => {
    const chain = await Chain.open({ dir: join(dir, 'new'), genesis });
    try {
      expect(chain.protocolStop()).toBeUndefined();
      const { block } = await chain.propose([], { timeMs: Date.now(), proposer: devKeys.registrar.publicKey });
      expect(block.header.height).toBe(1);
    } finally {
      await chain.close();
    }
  });

  it('makes the protocol watch stop once, tell its subscribers, and refuse submissions with 503', async () => {
    const chain = await Chain.open({ dir: join(dir, 'watch'), genesis, protocolMax: 1 });
    try {
      const log = { fatal: vi.fn(), error: vi.fn() };
      const committed: Array<() => void> = [];
      const watch = protocolWatch({ supported: [1] })({
        chain,
        committer: { onCommitted: (listener) => (committed.push(() => void listener({} as never)), () => undefined) },
        log,
      });
      expect(watch.stop?.sentence).toBe(
        'This network switches to protocol version 2 at height 1; this software supports up to version 1. Install a release that supports protocol 2 and start the node again.',
      );
      const heard = vi.fn();
      watch.onStopped(heard);
      expect(heard).toHaveBeenCalledOnce();
      committed.forEach((emit) => emit());
      expect(log.fatal).toHaveBeenCalledOnce();
      expect(() => watch.refuse()).toThrow(expect.objectContaining({ status: 503, code: 'PROTOCOL_UNSUPPORTED' }));
    } finally {
      await chain.close();
    }
  });
});
