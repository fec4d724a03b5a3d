// Reachability (issue 19, the bridge node of test/soak/partition.ts): a validator counts as
// reachable when this node is connected to it, or when its signed consensus message reached this
// node within HEARD_WINDOW_MS through a peer that relays it. Before, an office across a partial
// partition that followed the chain through a bridging peer called itself offline and kept what
// it certified in its outbox.
import { describe, expect, it } from 'vitest';
import type { ConsensusMessage } from '../../shared/chain/index.js';
import { StateKey } from '../../shared/ledger/index.js';
import { connectivity, HEARD_WINDOW_MS } from '../../electron/node/network/connectivity.js';

const KEYS = ['a', 'b', 'c', 'd'].map((letter) => letter.repeat(64));
const PEERS = ['peer-a', 'peer-b', 'peer-c', 'peer-d'];

function office(connectedTo: string[]) {
  let nowMs = 1_000_000;
  const records = new Map<string, unknown>(KEYS.map((key, i) => [StateKey.authority(key), { key, peerId: PEERS[i] }]));
  const links = connectivity()({
    chain: {
      head: { height: 10 } as never,
      getRecord: async (key: string) =>
        key === StateKey.validatorSchedule ? [{ fromHeight: 1, validators: KEYS }] : undefined,
      getMany: async (keys: string[]) => new Map(keys.map((key) => [key, records.get(key)])),
    } as never,
    network: {
      peerId: 'peer-a',
      peers: () => connectedTo.map((peerId) => ({ peerId })),
      setAllowedPeers: async () => undefined,
      dial: async () => undefined,
      libp2p: {} as never,
    } as never,
    committer: { onCommitted: () => () => undefined },
    config: { bootstrap: [], allowlist: [] },
    selfKey: KEYS[0],
    clock: { now: () => nowMs, setTimer: () => 0 as never, clearTimer: () => undefined },
    log: { info: () => undefined, warn: () => undefined, debug: () => undefined } as never,
  });
  return { links, later: (ms: number) => (nowMs += ms) };
}

const vote = (validator: string) => ({ type: 'precommit', validator }) as unknown as ConsensusMessage;
const proposal = (proposer: string) => ({ proposer }) as unknown as ConsensusMessage;

describe('reachability', () => {
  it('counts the validators connected to directly, itself included', async () => {
    expect(await office(['peer-b', 'peer-c']).links.reachability()).toEqual({
      validators: 4,
      reachable: 3,
      online: true,
    });
    expect((await office(['peer-b']).links.reachability()).online).toBe(false);
  });

  it('counts a validator heard from through a relaying peer, for HEARD_WINDOW_MS', async () => {
    // node-1 sees only node-2, which relays node-3's and node-4's messages (the bridge)
    const { links, later } = office(['peer-b']);
    links.heard(vote(KEYS[2]!));
    links.heard(proposal(KEYS[3]!));
    expect(await links.reachability()).toEqual({ validators: 4, reachable: 4, online: true });
    later(HEARD_WINDOW_MS - 1);
    links.heard(vote(KEYS[2]!));
    later(2);
    // node-4 silent for longer than the window: no longer counted; node-3 heard again still is
    expect(await links.reachability()).toEqual({ validators: 4, reachable: 3, online: true });
    later(HEARD_WINDOW_MS);
    expect(await links.reachability()).toEqual({ validators: 4, reachable: 2, online: false });
  });

  it('forgets what it heard when the operator takes the office off the network', async () => {
    const { links } = office(['peer-b']);
    links.heard(vote(KEYS[2]!));
    links.heard(vote(KEYS[3]!));
    expect((await links.reachability()).online).toBe(true);
    await links.setOffline(true);
    expect((await links.reachability()).online).toBe(false);
    await links.setOffline(false);
    // back on: only its own link to node-2 counts until node-3 and node-4 are heard again
    expect(await links.reachability()).toEqual({ validators: 4, reachable: 2, online: false });
  });
});
