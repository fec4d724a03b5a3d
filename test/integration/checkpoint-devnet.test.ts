// Checkpoints on a running network (issue 18, docs/protocol.md REQ-CKP.2–4): three validators and
// two observer offices serving as witnesses, a checkpoint every 15 s. Every node builds the same
// statement tree from its own state; the file a node serves carries all three validators' and
// both witnesses' signatures; a verifier holding it and its layer checks an object's compact
// proof, read from a QR code image by the scanner library; after a sale the node refuses a proof
// the checkpoint does not hold, and the next checkpoint proves the new owner.
import jsQR from 'jsqr';
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckpointSummary, NodeStatus } from '../../shared/api/index.js';
import {
  CheckpointShelf,
  checkpointId,
  parseCheckpointBundle,
  verifyCheckpoint,
  type CheckpointFile,
} from '../../shared/checkpoint/index.js';
import type { KeyPair } from '../../shared/crypto/index.js';
import { txHash } from '../../shared/ledger/index.js';
import { devGenesisSale, devParty } from '../../electron/node/dev/demo-registry.js';
import { Devnet, waitFor, type NodeProcess } from '../support/devnet-harness.js';

const EVERY_MS = 15_000;
const parties = Array.from({ length: 50 }, (_, i) => devParty(i));
let devnet: Devnet;
let notary: KeyPair;
let nodes: NodeProcess[];

const bytesOf = (base64: string) => new Uint8Array(Buffer.from(base64, 'base64'));

async function checkpoints(node: NodeProcess): Promise<CheckpointSummary[]> {
  const response = await node.request<CheckpointSummary[]>('GET', '/checkpoints');
  expect(response.status).toBe(200);
  return response.body;
}

/** A checkpoint every node made above `above`, signed by all three validators and both witnesses. */
async function signedCheckpoint(above: number): Promise<number> {
  return waitFor(
    `a checkpoint above height ${above} signed by 3 validators and 2 witnesses on every node`,
    async () => {
      const lists = await Promise.all(nodes.map(checkpoints));
      const candidates = lists[0]!.filter(
        (entry) => entry.height > above && entry.validatorsSigned === 3 && entry.witnesses === 2,
      );
      for (const candidate of candidates)
        if (
          lists.every((list) =>
            list.some(
              (entry) =>
                entry.height === candidate.height &&
                entry.id === candidate.id &&
                entry.validatorsSigned === 3 &&
                entry.witnesses === 2,
            ),
          )
        )
          return candidate.height;
      return undefined;
    },
    90_000,
  );
}

/** A QR code of these bytes, drawn at 4 pixels a module with a 4-module margin, read back by jsQR. */
function scanned(bytes: Uint8Array): { bytes: Uint8Array; version: number } {
  const qr = QRCode.create([{ data: bytes, mode: 'byte' }], { errorCorrectionLevel: 'M' });
  const scale = 4;
  const side = (qr.modules.size + 8) * scale;
  const pixels = new Uint8ClampedArray(side * side * 4).fill(255);
  for (let y = 0; y < side; y++)
    for (let x = 0; x < side; x++) {
      const row = Math.floor(y / scale) - 4;
      const column = Math.floor(x / scale) - 4;
      const dark =
        row >= 0 && column >= 0 && row < qr.modules.size && column < qr.modules.size && qr.modules.get(row, column);
      if (dark) pixels.fill(0, (y * side + x) * 4, (y * side + x) * 4 + 3);
    }
  const read = jsQR(pixels, side, side);
  if (!read) throw new Error('jsQR read no code from the image');
  return { bytes: Uint8Array.from(read.binaryData), version: qr.version };
}

describe('checkpoints on a running network (real node processes)', () => {
  beforeAll(async () => {
    devnet = await Devnet.create({ validators: 3, observers: 2, objects: 40, chainCheckpointEveryMs: EVERY_MS });
    notary = await devnet.signingKey('node-3');
    nodes = ['node-1', 'node-2', 'node-3', 'observer-1', 'observer-2'].map((name) => devnet.node(name));
    await Promise.all(nodes.map((node) => node.start()));
  }, 120_000);

  afterAll(async () => {
    await devnet?.stop();
  });

  it('signs one checkpoint on every node; a verifier holding it checks a QR-scanned proof; a sale waits for the next checkpoint [REQ-CKP.2] [REQ-CKP.3] [REQ-CKP.4]', async () => {
    const [node1, node2, , observer] = nodes as [NodeProcess, NodeProcess, NodeProcess, NodeProcess];
    const validators = ['node-1', 'node-2', 'node-3'].map((name) => devnet.node(name).info.publicKey);
    const witnesses = [
      { key: devnet.node('observer-1').info.publicKey, name: 'Devnet bank (observer-1)' },
      { key: devnet.node('observer-2').info.publicKey, name: 'Devnet court (observer-2)' },
    ];
    // the period is the chain's parameter (genesis), not the nodes' config (a day, the default)
    expect((await node1.request<NodeStatus>('GET', '/status')).body.params.checkpointEveryMs).toBe(EVERY_MS);
    const first = await signedCheckpoint(0);

    // the file as a bank keeps it: from any node, the same, and valid against the validators it trusts
    const file = (await node2.request<CheckpointFile>('GET', `/checkpoints/${first}`)).body;
    const result = verifyCheckpoint(file, { trustedValidators: validators, witnesses });
    expect(result).toMatchObject({ ok: true, validatorsSigned: 3, validatorsTotal: 3, unknownWitnesses: 0 });
    expect(result.ok && result.witnesses.map((entry) => entry.name).sort()).toEqual(
      witnesses.map((w) => w.name).sort(),
    );
    // a verifier that knows one of the two counts one, and one it does not know
    expect(verifyCheckpoint(file, { trustedValidators: validators, witnesses: witnesses.slice(0, 1) })).toMatchObject({
      ok: true,
      unknownWitnesses: 1,
    });
    // a forged witness signature is named
    const forged = structuredClone(file);
    const at = forged.witnesses.findIndex((entry) => entry.key === witnesses[1]!.key);
    forged.witnesses[at]!.signature = forged.signatures[0]!.signature;
    const refused = verifyCheckpoint(forged, { trustedValidators: validators, witnesses });
    expect(refused).toMatchObject({ ok: false, code: 'BAD_WITNESS', key: witnesses[1]!.key });
    expect(!refused.ok && refused.reason).toContain('Devnet court (observer-2)');
    expect(file.body.statements).toBe(40);
    expect(checkpointId((await observer.request<CheckpointFile>('GET', `/checkpoints/${first}`)).body.body)).toBe(
      checkpointId(file.body),
    );
    const bundle = parseCheckpointBundle((await node1.request('GET', `/checkpoints/${first}/bundle`)).body);
    expect(checkpointId(bundle.file.body)).toBe(checkpointId(file.body));
    const shelf = new CheckpointShelf({ trustedValidators: validators, witnesses });
    shelf.add(bundle.file, bundle.layer);

    // an object's proof, through a QR image and the scanner library
    const object = devnet.genesis.properties![0]!;
    const proof = await node1.request<{ qr: string; height: number; ownersInQr: boolean }>(
      'GET',
      `/proofs/${object.id}`,
    );
    expect(proof.status).toBe(200);
    expect(proof.body).toMatchObject({ ownersInQr: true });
    if (proof.body.height !== first) {
      // a later checkpoint reached its quorum meanwhile: the verifier imports that one too, witnessed
      await waitFor('the later checkpoint to be witnessed', async () =>
        (await checkpoints(node1)).some((entry) => entry.height === proof.body.height && entry.witnesses === 2)
          ? true
          : undefined,
      );
      const later = parseCheckpointBundle(
        (await node1.request('GET', `/checkpoints/${proof.body.height}/bundle`)).body,
      );
      shelf.add(later.file, later.layer, later.setChanges);
    }
    const read = scanned(bytesOf(proof.body.qr));
    expect(read.version).toBeLessThanOrEqual(15);
    const checked = shelf.verify(read.bytes);
    expect(checked).toMatchObject({ ok: true, height: proof.body.height, validatorsSigned: 3 });
    expect(checked.ok && checked.owners).toEqual(object.owners);
    expect(checked.ok && checked.witnesses).toHaveLength(2);
    expect((await node1.request('GET', '/proofs/BY-NOT-THERE')).status).toBe(404);
    expect((await node1.request('GET', '/checkpoints/0')).status).toBe(404); // genesis opens no period

    // a sale: the newest checkpoint no longer holds the record, so the node says so
    const sale = devGenesisSale(devnet.genesis, parties, 0, { notary, nonce: 1 });
    const hash = txHash(sale);
    await node1.submit(sale);
    const soldAt = await waitFor('the sale to be final', async () => {
      const status = await node1.txStatus(hash);
      return status.state === 'final' ? status.height : undefined;
    });
    const newestBefore = (await checkpoints(node1))[0]!.height;
    if (newestBefore < soldAt) {
      const refused = await node1.request<{ error?: { code: string }; height?: number }>('GET', `/proofs/${object.id}`);
      // 409, unless a checkpoint after the sale reached its quorum in the moment since
      if (refused.status === 200) expect(refused.body.height).toBeGreaterThan(soldAt);
      else expect([refused.status, refused.body.error?.code]).toEqual([409, 'CHANGED_SINCE_CHECKPOINT']);
    }
    // the next checkpoint proves the buyer; the old QR still proves the seller as of the old one
    const next = await signedCheckpoint(soldAt);
    // the proof is against the newest checkpoint a quorum signed: this one, or one after it
    const after = await node1.request<{ qr: string; height: number }>('GET', `/proofs/${object.id}`);
    expect(after.status).toBe(200);
    expect(after.body.height).toBeGreaterThanOrEqual(next);
    const nextBundle = parseCheckpointBundle(
      (await node1.request('GET', `/checkpoints/${after.body.height}/bundle`)).body,
    );
    expect(nextBundle.setChanges).toEqual([]); // the devnet's set never changed
    shelf.add(nextBundle.file, nextBundle.layer, nextBundle.setChanges);
    const buyer = sale.payload.contract.buyers;
    const newProof = shelf.verify(bytesOf(after.body.qr));
    expect(newProof.ok && newProof.owners).toEqual(buyer);
    expect(shelf.verify(read.bytes)).toMatchObject({ ok: true, height: first });
  }, 240_000);
});
