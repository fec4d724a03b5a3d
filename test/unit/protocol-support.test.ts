// What a node runs and says of its protocol versions: NOTARY_PROTOCOL_MAX, the identify agent
// string its peers read, and the one sentence it stops with before an unknown version.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { protocolStopAt } from '../../shared/chain/index.js';
import { LATEST_PROTOCOL, MapStateReader, PROTOCOL_VERSIONS_KNOWN } from '../../shared/ledger/index.js';
import { supportedProtocols } from '../../electron/node/chain/protocol-support.js';
import { describeProtocol } from '../../electron/node/cli/node-commands.js';
import { agentVersionOf, protocolsOfAgent, SOFTWARE_VERSION } from '../../electron/node/network/agent.js';

const protocolState = (record: object | undefined) =>
  new MapStateReader(new Map(record ? [['cfg/protocol', record]] : []));

describe('the protocol versions a node runs', () => {
  it('are every version the software knows, or up to NOTARY_PROTOCOL_MAX', () => {
    expect(supportedProtocols({})).toEqual([...PROTOCOL_VERSIONS_KNOWN]);
    expect(supportedProtocols({ NOTARY_PROTOCOL_MAX: '1' })).toEqual([1]);
    expect(() => supportedProtocols({ NOTARY_PROTOCOL_MAX: String(LATEST_PROTOCOL + 1) })).toThrow(
      /is not a protocol version/,
    );
    expect(() => supportedProtocols({ NOTARY_PROTOCOL_MAX: 'two' })).toThrow(/is not a protocol version/);
  });

  it('are advertised in the identify agent string, which peers parse back', () => {
    expect(agentVersionOf([1, 2])).toBe(`notary/${SOFTWARE_VERSION} protocols=1,2`);
    expect(protocolsOfAgent(agentVersionOf([2, 1, 2]))).toEqual([1, 2]);
    expect(protocolsOfAgent('js-libp2p/2.9.0 UserAgent=v22.0.0')).toBeNull();
    expect(protocolsOfAgent(null)).toBeNull();
  });

  it('keep the release equal to package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(SOFTWARE_VERSION).toBe(pkg.version);
  });
});

describe('the stop before an unknown protocol', () => {
  it('does not happen while the software runs the version of the height', () => {
    expect(protocolStopAt(protocolState(undefined), 5, 1)).toBeUndefined();
    expect(protocolStopAt(protocolState({ version: 1, upgrade: { version: 2, height: 120 } }), 119, 1)).toBeUndefined();
    expect(protocolStopAt(protocolState({ version: 1, upgrade: { version: 2, height: 120 } }), 120, 2)).toBeUndefined();
  });

  it('happens at exactly the upgrade height, with one sentence naming the version and the height [REQ-UPG.2]', () => {
    expect(protocolStopAt(protocolState({ version: 1, upgrade: { version: 2, height: 120 } }), 120, 1)).toEqual({
      version: 2,
      height: 120,
      supportedMax: 1,
      sentence:
        'This network switches to protocol version 2 at height 120; this software supports up to version 1. Install a release that supports protocol 2 and start the node again.',
    });
  });

  it('happens at the next height on a chain that runs a later version already (a node joining late)', () => {
    expect(protocolStopAt(protocolState({ version: 2 }), 1, 1)).toMatchObject({ version: 2, height: 1 });
  });
});

describe('notary status', () => {
  it('says the protocol in force, what this software runs and the upgrade scheduled', () => {
    expect(describeProtocol({ version: 1, supported: [1, 2] })).toBe('protocol 1 (this software runs 1, 2)');
    expect(
      describeProtocol({
        version: 1,
        supported: [1],
        upgrade: { version: 2, height: 150_000, name: 'designated validators' },
      }),
    ).toBe('protocol 1 (this software runs 1); upgrade to 2 at height 150000 ("designated validators")');
  });
});
