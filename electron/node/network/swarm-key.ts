// Private-network pre-shared key in the standard swarm.key format (go-ipfs / libp2p pnet):
//   /key/swarm/psk/1.0.0/
//   /base16/
//   <64 hex characters: 32 random bytes>
// Nodes with different keys cannot even start a handshake: every byte is encrypted with the key.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { NetworkError, NetworkErrorCode } from './errors.js';

const HEADER = '/key/swarm/psk/1.0.0/';
const CODEC = '/base16/';
const KEY_HEX = /^[0-9a-fA-F]{64}$/;
const SWARM_KEY_FILE_BYTES_MAX = 1024;

/** A new swarm.key file content with a random key. */
export function generateSwarmKey(): Uint8Array {
  return new TextEncoder().encode(`${HEADER}\n${CODEC}\n${randomBytes(32).toString('hex')}\n`);
}

/**
 * Checks `content` is a swarm.key this node can use and returns it in the form the pnet
 * protector reads (header, codec and key; no trailing text). BAD_KEY_FILE otherwise.
 */
export function parseSwarmKey(content: Uint8Array, source = 'the swarm key'): Uint8Array {
  const fail = (why: string): never => {
    throw new NetworkError(NetworkErrorCode.badKeyFile, `${source} ${why}`);
  };
  if (content.length > SWARM_KEY_FILE_BYTES_MAX) fail('is too large to be a swarm.key');
  const lines = new TextDecoder('utf-8', { fatal: false }).decode(content).split(/\r\n|\r|\n/);
  if (lines[0] !== HEADER) fail(`does not start with ${HEADER}`);
  if (lines[1] !== CODEC) fail(`is not ${CODEC} encoded (the only encoding supported)`);
  const key = lines[2] ?? '';
  if (!KEY_HEX.test(key)) fail('does not hold a 32-byte key as 64 hex characters on its third line');
  if (lines.slice(3).some((line) => line.trim() !== '')) fail('has text after the key');
  return new TextEncoder().encode(`${HEADER}\n${CODEC}\n${key.toLowerCase()}`);
}

export async function readSwarmKeyFile(path: string): Promise<Uint8Array> {
  let content: Uint8Array;
  try {
    content = await readFile(path);
  } catch (error) {
    throw new NetworkError(
      NetworkErrorCode.badKeyFile,
      `cannot read the swarm key file ${path}: ${(error as Error).message}`,
    );
  }
  return parseSwarmKey(content, `the swarm key file ${path}`);
}
