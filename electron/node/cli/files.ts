// Reading the JSON files a user names on the command line, with one clear sentence on failure.
import { readFile, stat } from 'node:fs/promises';
import { CliError } from './errors.js';

/** Receipts, transactions and genesis files the CLI reads; larger inputs are refused unread. */
export const INPUT_FILE_BYTES_MAX = 256 * 1024 * 1024;

export async function readJsonFile(path: string, what: string): Promise<unknown> {
  const text = await readTextFile(path, what);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(`The ${what} at ${path} is not valid JSON: ${(error as Error).message}.`);
  }
}

export async function readTextFile(path: string, what: string): Promise<string> {
  let text: string;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new CliError(`${path} is not a file, so it cannot be the ${what}.`);
    if (info.size > INPUT_FILE_BYTES_MAX)
      throw new CliError(`${path} is too large to be the ${what} (${info.size} bytes).`);
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof CliError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(
      code === 'ENOENT'
        ? `No ${what} at ${path}.`
        : `Cannot read the ${what} at ${path}: ${code ?? (error as Error).message}.`,
    );
  }
  return text;
}
