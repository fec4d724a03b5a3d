// The QR text of printed receipts: it round-trips, it fits one QR code, and damage is caught.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeQrDocument, encodeQrDocument, isQrText, QR_PREFIX } from '../../shared/receipt/index.js';

describe('receipt QR text', () => {
  it('round-trips any JSON document', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (value) => {
        const text = await encodeQrDocument(value);
        expect(isQrText(text)).toBe(true);
        expect(await decodeQrDocument(text)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 200 },
    );
  });

  it('halves a hex-heavy receipt, so it fits one QR code (2,331 bytes at level M)', async () => {
    const hex = (seed: number) =>
      Array.from({ length: 64 }, (_, i) => ((seed * 31 + i * 7) % 16).toString(16)).join('');
    const receipt = {
      kind: 'receipt',
      proof: Array.from({ length: 40 }, (_, i) => hex(i)),
      signatures: Array.from({ length: 4 }, (_, i) => hex(100 + i) + hex(200 + i)),
    };
    const text = await encodeQrDocument(receipt);
    expect(text.length).toBeLessThan(JSON.stringify(receipt).length);
    expect(text.length).toBeLessThan(2_331);
  });

  it('refuses text that is not a QR document, or is damaged', async () => {
    await expect(decodeQrDocument('{"kind":"receipt"}')).rejects.toThrow(QR_PREFIX);
    await expect(decodeQrDocument(`${QR_PREFIX}!!!`)).rejects.toThrow(/damaged/);
    const text = await encodeQrDocument({ a: 'b'.repeat(100) });
    await expect(decodeQrDocument(text.slice(0, -6))).rejects.toThrow(/damaged/);
  });
});
