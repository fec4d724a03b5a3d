// The text a printed receipt's or certificate's QR code carries: "NOTARY1:" and the JSON,
// deflated and base64url-encoded. Hex-heavy JSON halves under deflate, so a receipt of a
// few kilobytes fits one QR code at error-correction level M. `notary verify` reads this text
// as well as plain JSON. Isomorphic: CompressionStream is a web standard (browsers, Node 18+).

import { concatBytes } from '../codec/index.js';

export const QR_PREFIX = 'NOTARY1:';
/** Inflated documents larger than this are refused (a QR code carries a few kilobytes). */
export const QR_DOCUMENT_BYTES_MAX = 64 * 1024;

async function pipe(
  bytes: Uint8Array,
  transform: CompressionStream | DecompressionStream,
  limit: number,
): Promise<Uint8Array> {
  const stream = new Blob([bytes as BlobPart])
    .stream()
    .pipeThrough(transform as unknown as ReadableWritablePair<Uint8Array, Uint8Array>);
  const chunks: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) {
    length += chunk.length;
    if (length > limit) throw new Error(`the QR document is over ${limit} bytes`);
    chunks.push(chunk);
  }
  return concatBytes(...chunks);
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error('the QR text is not base64url');
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

/** The QR text of a receipt or certificate. */
export async function encodeQrDocument(document: unknown): Promise<string> {
  const json = new TextEncoder().encode(JSON.stringify(document));
  return QR_PREFIX + toBase64Url(await pipe(json, new CompressionStream('deflate-raw'), QR_DOCUMENT_BYTES_MAX));
}

export function isQrText(text: string): boolean {
  return text.trimStart().startsWith(QR_PREFIX);
}

/** The document a QR text carries, parsed from JSON but not yet checked: verify it next. */
export async function decodeQrDocument(text: string): Promise<unknown> {
  const trimmed = text.trim();
  if (!trimmed.startsWith(QR_PREFIX)) throw new Error(`a receipt QR text starts with ${QR_PREFIX}`);
  let inflated: Uint8Array;
  try {
    inflated = await pipe(
      fromBase64Url(trimmed.slice(QR_PREFIX.length)),
      new DecompressionStream('deflate-raw'),
      QR_DOCUMENT_BYTES_MAX,
    );
  } catch (error) {
    throw new Error(`the QR text is damaged: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(new TextDecoder().decode(inflated));
  } catch {
    throw new Error('the QR text does not hold a JSON document');
  }
}
