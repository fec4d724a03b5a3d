// QR codes of a few bytes, as the matrix of their modules: the printed certificate's compact
// proof (docs/protocol.md REQ-CKP.3), drawn as vectors by components/PrintView.tsx.
import QRCode from 'qrcode';

/**
 * The largest QR code we print: version 15 (77 modules a side) at error correction M holds 412
 * bytes (REQ-CKP.3) and still reads from paper rasterised at 150 dpi; version 32 does not.
 */
export const PRINTED_QR_VERSION_MAX = 15;
/** The quiet zone around a code, in modules: 4 is what the standard asks for. */
export const QR_MARGIN_MODULES = 4;

export interface QrMatrix {
  version: number;
  /** Modules a side, without the margin. */
  size: number;
  /** The dark modules as one SVG path, a unit square each, row by row. */
  path: string;
}

/**
 * A QR code of these bytes (byte mode, error correction M), or undefined when they need a
 * version above `versionMax`: a code too dense to read from paper is not printed at all.
 */
export function qrOfBytes(bytes: Uint8Array, versionMax = PRINTED_QR_VERSION_MAX): QrMatrix | undefined {
  let code: QRCode.QRCode;
  try {
    code = QRCode.create([{ data: bytes, mode: 'byte' }], { errorCorrectionLevel: 'M' });
  } catch {
    return undefined; // more than version 40 holds
  }
  if (code.version > versionMax) return undefined;
  const { size, data } = code.modules;
  const runs: string[] = [];
  for (let row = 0; row < size; row++) {
    for (let column = 0; column < size;) {
      if (!data[row * size + column]) {
        column++;
        continue;
      }
      const start = column;
      while (column < size && data[row * size + column]) column++;
      runs.push(`M${start} ${row}h${column - start}v1h${start - column}z`);
    }
  }
  return { version: code.version, size, path: runs.join('') };
}
