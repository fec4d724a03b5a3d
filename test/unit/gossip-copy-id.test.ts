// Gossipsub's first duplicate check (decision #78): a copy a mesh brings again is found a
// duplicate by its topic, author, sequence number and signature before its peer signature is
// verified. Checked on the node's own gossipsub (createNetwork, not started) with messages signed
// as gossipsub signs them: a copy is verified once, a forged copy never poisons the check and is
// never delivered, and a re-sent vote (a new sequence number) is still a new message.
import { RPC } from '@chainsafe/libp2p-gossipsub/message';
import { generateKeyPair, publicKeyToProtobuf } from '@libp2p/crypto/keys';
import type { PeerId, PrivateKey } from '@libp2p/interface';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetwork, signedCopyId } from '../../electron/node/network/create.js';
import { topicName } from '../../electron/node/network/index.js';
import type { NotaryNetwork } from '../../electron/node/network/network.js';

const CHAIN_ID = 'by-registry-test';
const CONSENSUS = topicName(CHAIN_ID, 'consensus');
const SIGN_PREFIX = new TextEncoder().encode('libp2p-pubsub:');

interface Author {
  key: PrivateKey;
  peerId: PeerId;
}

/** A message signed as gossipsub signs it (StrictSign): over "libp2p-pubsub:" + the message without signature and key. */
async function signed(author: Author, topic: string, data: Uint8Array, seqno: bigint): Promise<RPC.Message> {
  const unsigned: RPC.Message = {
    from: author.peerId.toMultihash().bytes,
    data,
    seqno: bigEndian8(seqno),
    topic,
  };
  const encoded = RPC.Message.encode(unsigned);
  const bytes = new Uint8Array(SIGN_PREFIX.length + encoded.length);
  bytes.set(SIGN_PREFIX);
  bytes.set(encoded, SIGN_PREFIX.length);
  return { ...unsigned, signature: await author.key.sign(bytes), key: publicKeyToProtobuf(author.key.publicKey) };
}

function bigEndian8(value: bigint): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, value);
  return bytes;
}

let network: NotaryNetwork;
/** gossipsub's own check of a received copy (private in its types), as its RPC handler calls it. */
let pubsub: {
  validateReceivedMessage(from: PeerId, message: RPC.Message): Promise<{ code: 'valid' | 'invalid' | 'duplicate' }>;
};
let author: Author;
let forwarder: PeerId;

beforeAll(async () => {
  network = await createNetwork({ chainId: CHAIN_ID, start: false });
  pubsub = network.libp2p.services.pubsub as unknown as typeof pubsub;
  const key = await generateKeyPair('Ed25519');
  author = { key, peerId: peerIdFromPrivateKey(key) };
  forwarder = peerIdFromPrivateKey(await generateKeyPair('Ed25519'));
});

afterAll(async () => {
  await network?.stop();
});

const check = async (message: RPC.Message) => (await pubsub.validateReceivedMessage(forwarder, message)).code;

describe("gossipsub's first duplicate check", () => {
  it('verifies a message once: a second copy is a duplicate before its signature is checked', async () => {
    const message = await signed(author, CONSENSUS, new Uint8Array([1, 2, 3]), 1n);
    expect(await check(message)).toBe('valid');
    expect(await check({ ...message })).toBe('duplicate');
    // the same author, sequence number and signature over other data: a signature check would
    // refuse it; found a duplicate first, it is dropped unverified and never delivered
    expect(await check({ ...message, data: new Uint8Array([9, 9, 9]) })).toBe('duplicate');
  });

  it('is never poisoned by a forged copy that arrives first: the genuine message is still valid', async () => {
    const message = await signed(author, CONSENSUS, new Uint8Array([4, 5, 6]), 2n);
    const forged = { ...message, data: new Uint8Array([6, 6, 6]) };
    expect(await check(forged)).toBe('invalid');
    expect(await check(forged)).toBe('invalid');
    expect(await check(message)).toBe('valid');
    expect(await check(forged)).toBe('duplicate');
  });

  it('lets a re-sent vote through: a new sequence number and signature make a new message', async () => {
    const vote = new Uint8Array([7, 8, 9]);
    expect(await check(await signed(author, CONSENSUS, vote, 3n))).toBe('valid');
    expect(await check(await signed(author, CONSENSUS, vote, 4n))).toBe('valid');
  });

  it('refuses a copy without a signature, whatever came before it', async () => {
    const message = await signed(author, CONSENSUS, new Uint8Array([1]), 5n);
    expect(await check({ ...message, signature: undefined })).toBe('invalid');
    expect(await check(message)).toBe('valid');
    expect(await check({ ...message, signature: undefined })).toBe('invalid');
  });

  it('gives two copies one key only when topic, author, sequence number and signature are all equal', () => {
    const bytes = fc.uint8Array({ minLength: 1, maxLength: 70 });
    const message = fc.record({
      topic: fc.constantFrom(CONSENSUS, 'a', 'a|b'),
      from: bytes,
      seqno: bytes,
      signature: bytes,
    });
    const change = fc.constantFrom('none', 'topic', 'from', 'seqno', 'signature', 'data', 'key');
    fc.assert(
      fc.property(message, message, change, (a, other, field) => {
        const b: RPC.Message = { ...a, data: new Uint8Array([1]) };
        if (field === 'data' || field === 'key') b[field] = new Uint8Array([2]);
        else if (field !== 'none') Object.assign(b, { [field]: other[field] });
        const differs =
          field !== 'none' && field !== 'data' && field !== 'key' && String(a[field]) !== String(b[field]);
        expect(signedCopyId(a) === signedCopyId(b)).toBe(!differs);
      }),
      { numRuns: 3_000 },
    );
    expect(signedCopyId({ topic: CONSENSUS, from: new Uint8Array([1]), seqno: new Uint8Array([1]) })).toBe('');
  });
});
