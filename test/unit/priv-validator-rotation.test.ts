// Double-sign protection carries over a key rotation (authority.rotate, decision #51): the new
// key adopts the old key's signing state, so the last signed (height, round, step) and the lock
// bind both keys, through restarts in the middle of the switch, and the old key never signs again.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { utf8 } from '../../shared/codec/index.js';
import { generateKeyPair, sha256, sha256Hex, verify } from '../../shared/crypto/index.js';
import { verifyVote } from '../../shared/chain/messages.js';
import {
  DoubleSignError,
  FilePrivValidatorStore,
  PrivValidator,
  RetiredKeyError,
} from '../../electron/node/consensus/index.js';

const CHAIN_ID = 'rotation-test';
const oldKey = generateKeyPair(sha256(utf8('rotation-old')));
const newKey = generateKeyPair(sha256(utf8('rotation-new')));
const strangerKey = generateKeyPair(sha256(utf8('rotation-stranger')));
const hashA = sha256Hex(utf8('block A'));
const hashB = sha256Hex(utf8('block B'));

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'privval-rotation-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A fresh signer over the same file: what a restarted node opens. */
function restart(key: { secretKey: string }, formerKeys?: string[]): Promise<PrivValidator> {
  return PrivValidator.open({
    secretKey: key.secretKey,
    chainId: CHAIN_ID,
    store: new FilePrivValidatorStore(dir),
    ...(formerKeys ? { formerKeys } : {}),
  });
}

describe('PrivValidator across a key rotation', () => {
  it('lets the new key adopt the old key’s state and sign from the next height, with the lock kept [REQ-CONS.2] [REQ-ROT.3]', async () => {
    const old = await restart(oldKey);
    await old.signVote('prevote', 11, 0, hashA);
    await old.signVote('precommit', 11, 0, hashA);
    const next = await restart(newKey, [oldKey.publicKey]);
    expect(next.publicKey).toBe(newKey.publicKey);
    expect(next.retiredKeys).toEqual([oldKey.publicKey]);
    expect(next.lock).toMatchObject({ height: 11, round: 0, blockHash: hashA });
    const vote = await next.signVote('prevote', 12, 0, hashB);
    expect(vote.validator).toBe(newKey.publicKey);
    expect(verifyVote(vote, CHAIN_ID, verify)).toBe(true);
  });

  it('refuses the new key any message at or before what the old key last signed, even the same one (DOUBLE_SIGN_REFUSED) [REQ-ROT.3]', async () => {
    const old = await restart(oldKey);
    await old.signVote('prevote', 11, 2, hashA);
    const next = await restart(newKey, [oldKey.publicKey]);
    await expect(next.signVote('prevote', 11, 2, hashB)).rejects.toThrow(DoubleSignError);
    // the identical message: the slot is the old key's, and its signature is not the new key's to hand out
    await expect(next.signVote('prevote', 11, 2, hashA)).rejects.toThrow(DoubleSignError);
    await expect(next.signVote('prevote', 11, 1, hashA)).rejects.toThrow(DoubleSignError);
    await expect(next.signVote('prevote', 10, 5, hashA)).rejects.toThrow(DoubleSignError);
  });

  it('never lets the old key sign again once the new key adopted the state, across restarts (KEY_RETIRED) [REQ-ROT.3]', async () => {
    const old = await restart(oldKey);
    await old.signVote('precommit', 11, 0, hashA);
    await restart(newKey, [oldKey.publicKey]);
    // a restart in the middle of the switch that picks the old key again (a chain behind, a stale config)
    await expect(restart(oldKey)).rejects.toThrow(RetiredKeyError);
    await expect(restart(oldKey, [newKey.publicKey])).rejects.toThrow(RetiredKeyError);
    // and the new key, restarted, still remembers what the old key signed
    const again = await restart(newKey, [oldKey.publicKey]);
    await expect(again.signVote('precommit', 11, 0, hashB)).rejects.toThrow(DoubleSignError);
    expect(again.lock).toMatchObject({ height: 11, blockHash: hashA });
  });

  it('persists the adoption before the new key signs: a crash right after opening keeps it', async () => {
    const old = await restart(oldKey);
    await old.signVote('prevote', 11, 0, hashA);
    await restart(newKey, [oldKey.publicKey]); // opened, then the node crashed before signing
    await expect(restart(oldKey)).rejects.toThrow(RetiredKeyError);
  });

  it('does not re-send the old key’s votes under the new key’s name after a restart', async () => {
    const old = await restart(oldKey);
    await old.signVote('prevote', 12, 0, hashA);
    const next = await restart(newKey, [oldKey.publicKey]);
    expect(next.signedAt(12)).toEqual([]);
    await next.signVote('prevote', 12, 1, hashA);
    expect((await restart(newKey, [oldKey.publicKey])).signedAt(12)).toHaveLength(1);
  });

  it('still refuses a state of a key that is not one of the office’s former keys', async () => {
    const stranger = await restart(strangerKey);
    await stranger.signVote('prevote', 3, 0, hashA);
    await expect(restart(newKey, [oldKey.publicKey])).rejects.toThrow(/belongs to validator/);
  });
});
