// The printed certificate's QR code (issue 18; renderer/src/qr.ts and modules/property/proof.ts):
// the compact proof drawn as vector modules reads back byte for byte, never above version 15; and
// the certificate prints it only when the node's newest checkpoint holds the record it shows.
import jsQR from 'jsqr';
import { describe, expect, it } from 'vitest';
import { ApiCallError, type CheckpointSummary } from '../../shared/api/index.js';
import { stateKeyHash } from '../../shared/chain/execute.js';
import {
  COMPACT_BYTES_MAX,
  encodeCompactProof,
  leafFields,
  propertyStatement,
  statementLeaf,
  StatementTreeBuilder,
} from '../../shared/checkpoint/index.js';
import { generateKeyPair } from '../../shared/crypto/index.js';
import type { PropertyObject } from '../../shared/modules/property/types.js';
import type { OwnershipCertificate } from '../../shared/receipt/index.js';
import { certificateQrState, type ProofView } from '../../renderer/src/modules/property/proof.js';
import { PRINTED_QR_VERSION_MAX, QR_MARGIN_MODULES, qrOfBytes, type QrMatrix } from '../../renderer/src/qr.js';

const CHAIN = 'by-registry-1';

/** The modules of a drawn code, 3 pixels each with its margin, read back by the scanner library. */
function scan(matrix: QrMatrix): { bytes: Uint8Array; version: number } | undefined {
  const scale = 3;
  const side = (matrix.size + 2 * QR_MARGIN_MODULES) * scale;
  const pixels = new Uint8ClampedArray(side * side * 4).fill(255);
  for (const [, x, y, width] of matrix.path.matchAll(/M(\d+) (\d+)h(\d+)v1h-\d+z/g)) {
    for (let dy = 0; dy < scale; dy++)
      for (let dx = 0; dx < Number(width) * scale; dx++) {
        const px = (Number(x) + QR_MARGIN_MODULES) * scale + dx;
        const py = (Number(y) + QR_MARGIN_MODULES) * scale + dy;
        pixels.fill(0, (py * side + px) * 4, (py * side + px) * 4 + 3);
      }
  }
  const read = jsQR(pixels, side, side);
  return read ? { bytes: Uint8Array.from(read.binaryData), version: read.version } : undefined;
}

const owner = generateKeyPair(new Uint8Array(32).fill(7)).publicKey;
const object: PropertyObject = {
  id: 'BY-07-0000000001',
  kind: 'apartment',
  address: 'Minsk, Nezavisimosti 1',
  areaDm2: 5431,
  owners: [{ key: owner, share: [1, 1] }],
  encumbrances: [],
  version: 3,
  registeredHeight: 1,
  updatedHeight: 9,
};
const keyHash = stateKeyHash(`obj/${object.id}`);

function proofView(of: PropertyObject): ProofView {
  const builder = new StatementTreeBuilder();
  builder.add(keyHash, statementLeaf(leafFields(propertyStatement(of))));
  const tree = builder.build();
  const qr = encodeCompactProof({
    chainId: CHAIN,
    height: 1440,
    statement: propertyStatement(of),
    proof: tree.proof(keyHash)!,
  });
  return {
    id: of.id,
    height: 1440,
    timeMs: Date.UTC(2026, 11, 6),
    checkpointId: 'ab'.repeat(32),
    qr: Buffer.from(qr).toString('base64'),
    ownersInQr: true,
  };
}

// only what the QR decision reads of a certificate: its chain and its record
const certificate = { header: { chainId: CHAIN }, object } as unknown as OwnershipCertificate;

function listed(validatorsSigned: number): { data: CheckpointSummary[]; error: null; isPending: false } {
  const summary = { height: 1440, timeMs: 0, id: 'ab'.repeat(32), statements: 1, witnesses: 1, proofs: true };
  return { data: [{ ...summary, validatorsSigned, validatorsTotal: 4 }], error: null, isPending: false };
}
const signed = listed(3);

describe("the certificate's QR code", () => {
  it('draws the longest compact proof (412 bytes) at version 15, and the scanner reads the same bytes', () => {
    const bytes = Uint8Array.from({ length: COMPACT_BYTES_MAX }, (_, i) => (i * 37 + 11) & 0xff);
    const matrix = qrOfBytes(bytes)!;
    expect(matrix.version).toBe(PRINTED_QR_VERSION_MAX);
    expect(matrix.size).toBe(77);
    const read = scan(matrix);
    expect(read?.version).toBe(15);
    expect(read?.bytes).toEqual(bytes);
  });

  it('refuses to draw a code above version 15: one byte more than a compact proof holds', () => {
    expect(qrOfBytes(new Uint8Array(COMPACT_BYTES_MAX + 1))).toBeUndefined();
  });

  it("prints the proof's code when the newest checkpoint holds the record as printed", () => {
    const view = proofView(object);
    const state = certificateQrState(certificate, { data: view, error: null, isPending: false }, signed);
    expect(state).toMatchObject({ state: 'ok', height: 1440 });
    if (state.state !== 'ok') return;
    expect(state.matrix.version).toBeLessThanOrEqual(PRINTED_QR_VERSION_MAX);
    expect(scan(state.matrix)?.bytes).toEqual(new Uint8Array(Buffer.from(view.qr, 'base64')));
  });

  it('prints no code, and says it comes with the next checkpoint, on NO_CHECKPOINT and CHANGED_SINCE_CHECKPOINT', () => {
    for (const [status, code] of [
      [404, 'NO_CHECKPOINT'],
      [409, 'CHANGED_SINCE_CHECKPOINT'],
    ] as const)
      expect(
        certificateQrState(certificate, { error: new ApiCallError(status, code, 'not yet'), isPending: false }, signed),
      ).toEqual({ state: 'after-checkpoint' });
  });

  it('prints no code while the checkpoint is signed by fewer than a quorum of validators: it may never verify', () => {
    const view = proofView(object);
    expect(certificateQrState(certificate, { data: view, error: null, isPending: false }, listed(2))).toEqual({
      state: 'unsigned',
    });
    const older = { ...listed(3), data: listed(3).data.map((entry) => ({ ...entry, height: 1439 })) };
    expect(certificateQrState(certificate, { data: view, error: null, isPending: false }, older)).toEqual({
      state: 'unsigned',
    });
  });

  it('prints no code of another version of the record than the sheet shows (a sale between the two answers)', () => {
    const sold = { ...object, version: object.version + 1 };
    expect(certificateQrState(certificate, { data: proofView(sold), error: null, isPending: false }, signed)).toEqual({
      state: 'after-checkpoint',
    });
  });

  it('prints no code on PROOF_TOO_LARGE, and names any other failure', () => {
    expect(
      certificateQrState(
        certificate,
        {
          error: new ApiCallError(409, 'PROOF_TOO_LARGE', 'too large'),
          isPending: false,
        },
        signed,
      ),
    ).toEqual({ state: 'too-large' });
    const unreachable = new ApiCallError(0, 'UNREACHABLE', 'no answer');
    expect(certificateQrState(certificate, { error: unreachable, isPending: false }, signed)).toEqual({
      state: 'unavailable',
      error: unreachable,
    });
    const garbage = { ...proofView(object), qr: Buffer.from('NOTARY1:xyz').toString('base64') };
    expect(certificateQrState(certificate, { data: garbage, error: null, isPending: false }, signed).state).toBe(
      'unavailable',
    );
  });
});
