// The permissioned gater, the persisted node identity and the private-network key file.
import { generateKeyPair, privateKeyToProtobuf } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id';
import { multiaddr } from '@multiformats/multiaddr';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  generateSwarmKey,
  loadIdentity,
  loadOrCreateIdentity,
  parseSwarmKey,
  PermissionedGater,
} from '../../electron/node/network/index.js';

const posix = process.platform !== 'win32';
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'notary-netkeys-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function newPeerId(): Promise<string> {
  return peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString();
}

describe('PermissionedGater [REQ-NET.2]', () => {
  it('admits only listed peers, at every gate, even after libp2p spreads it over its defaults', async () => {
    const [member, stranger] = [await newPeerId(), await newPeerId()];
    const gater = new PermissionedGater([member]);
    // libp2p does `{ ...defaults, ...gater }`: the gates must be own properties.
    const gates = { ...gater.connectionGater() };
    const [allowed, refused] = [peerIdFromString(member), peerIdFromString(stranger)];
    const maConn = {} as never;
    for (const gate of [
      'denyDialPeer',
      'denyOutboundConnection',
      'denyInboundEncryptedConnection',
      'denyOutboundEncryptedConnection',
      'denyInboundUpgradedConnection',
      'denyOutboundUpgradedConnection',
    ] as const) {
      expect(await gates[gate]!(allowed, maConn), gate).toBe(false);
      expect(await gates[gate]!(refused, maConn), gate).toBe(true);
    }
    expect(await gates.denyDialMultiaddr!(multiaddr(`/ip4/127.0.0.1/tcp/1/p2p/${stranger}`))).toBe(true);
    expect(await gates.denyDialMultiaddr!(multiaddr(`/ip4/127.0.0.1/tcp/1/p2p/${member}`))).toBe(false);
    // Without a peer id we learn who it is at the handshake; the encrypted gate decides then.
    expect(await gates.denyDialMultiaddr!(multiaddr('/ip4/127.0.0.1/tcp/1'))).toBe(false);
  });

  it('changes at runtime, reports who was removed, and refuses a bad id without changing anything', async () => {
    const [a, b, c] = [await newPeerId(), await newPeerId(), await newPeerId()];
    const gater = new PermissionedGater([a, b]);
    expect(gater.setAllowedPeers([b, c])).toEqual([a]);
    expect(gater.isAllowed(a)).toBe(false);
    expect(gater.isAllowed(c)).toBe(true);
    expect(() => gater.setAllowedPeers([a, 'not-a-peer-id'])).toThrow(expect.objectContaining({ code: 'BAD_CONFIG' }));
    expect(gater.allowedPeers()).toEqual([b, c].sort());
  });
});

describe('node identity [REQ-NET.1]', () => {
  it('creates an ed25519 key with mode 0600 and loads the same key next time', async () => {
    const path = join(dir, 'keys', 'node.key');
    const created = await loadOrCreateIdentity(path);
    expect(created.type).toBe('Ed25519');
    if (posix) expect((await stat(path)).mode & 0o777).toBe(0o600);
    const again = await loadOrCreateIdentity(path);
    expect(again.equals(created)).toBe(true);
    expect(peerIdFromPrivateKey(again).toString()).toBe(peerIdFromPrivateKey(created).toString());
  });

  it.runIf(posix)('refuses a key file others can read', async () => {
    const path = join(dir, 'node.key');
    await loadOrCreateIdentity(path);
    await chmod(path, 0o644);
    await expect(loadIdentity(path)).rejects.toMatchObject({ code: 'BAD_KEY_FILE' });
  });

  it('refuses a file that is not an ed25519 libp2p key', async () => {
    const garbage = join(dir, 'garbage.key');
    await writeFile(garbage, new Uint8Array([1, 2, 3]), { mode: 0o600 });
    await expect(loadIdentity(garbage)).rejects.toMatchObject({ code: 'BAD_KEY_FILE' });
    const secp = join(dir, 'secp.key');
    await writeFile(secp, privateKeyToProtobuf(await generateKeyPair('secp256k1')), { mode: 0o600 });
    await expect(loadIdentity(secp)).rejects.toThrow(/Ed25519/);
    expect(await loadIdentity(join(dir, 'missing.key'))).toBeUndefined();
  });
});

describe('swarm key', () => {
  it('generates a key in the standard swarm.key format that parses back', () => {
    const file = generateSwarmKey();
    const text = new TextDecoder().decode(file);
    expect(text).toMatch(/^\/key\/swarm\/psk\/1\.0\.0\/\n\/base16\/\n[0-9a-f]{64}\n$/);
    expect(new TextDecoder().decode(parseSwarmKey(file))).toBe(text.trimEnd());
    expect(generateSwarmKey()).not.toEqual(file);
  });

  it.each([
    ['a wrong header', '/key/swarm/psk/2.0.0/\n/base16/\n' + 'a'.repeat(64)],
    ['another encoding', '/key/swarm/psk/1.0.0/\n/base64/\n' + 'a'.repeat(64)],
    ['a short key', '/key/swarm/psk/1.0.0/\n/base16/\n' + 'a'.repeat(62)],
    ['text after the key', '/key/swarm/psk/1.0.0/\n/base16/\n' + 'a'.repeat(64) + '\nmore'],
  ])('refuses %s', (_, content) => {
    expect(() => parseSwarmKey(new TextEncoder().encode(content))).toThrow(
      expect.objectContaining({ code: 'BAD_KEY_FILE' }),
    );
  });

  it('accepts Windows line endings and upper-case hex', async () => {
    const path = join(dir, 'swarm.key');
    await writeFile(path, '/key/swarm/psk/1.0.0/\r\n/base16/\r\n' + 'AB'.repeat(32) + '\r\n');
    expect(new TextDecoder().decode(parseSwarmKey(await readFile(path)))).toBe(
      '/key/swarm/psk/1.0.0/\n/base16/\n' + 'ab'.repeat(32),
    );
  });
});
