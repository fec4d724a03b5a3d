// Small pieces the verification page's screens share: a loader, a copyable key, a date, reading
// a file the person brings (the loader and the copy button are every page's, ../common/ui.tsx).
export { Copyable, Loading, MessageAlert, nextPaint, type Message } from '../common/ui.js';

export function formatTime(ms: number, language: string): string {
  return new Intl.DateTimeFormat(language, { dateStyle: 'long', timeStyle: 'short' }).format(new Date(ms));
}

export class FileTooLargeError extends Error {
  readonly code = 'TOO_LARGE';
}

/** Reads a JSON file the person chose; refuses one larger than `bytesMax`. Throws SyntaxError on bad JSON. */
export async function readJsonFile(file: File, bytesMax: number): Promise<unknown> {
  if (file.size > bytesMax) throw new FileTooLargeError(`${file.name} is over ${bytesMax} bytes`);
  return JSON.parse(await file.text()) as unknown;
}
